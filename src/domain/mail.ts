// E-mail notices to officers (issue 17 item 3): which events are mailed, the
// officer's choice per topic, and the letters themselves — plain Russian, the
// request number, the other Party, dates (ДД.ММ.ГГГГ, the officer's body's local
// time) and a link to the request page; never the debtor (no name, no national
// id, no address, no amount: the event log holds none, events.ts).
import { addDays, calendarDateRu, localDate, type IsoDate } from './dates.js';
import { noticeText, type AnyEvent, type EventKind } from './events.js';
import { PARTIES, isSignatory } from './parties.js';
import type { RetryPolicy } from './retry.js';

export const MAIL_TOPICS = ['new_request', 'deadline_soon', 'overdue', 'answer_received', 'delivery_failed'] as const;
export type MailTopic = (typeof MAIL_TOPICS)[number];

/** The topic an event kind is mailed under; null: not mailed (exhaustive: a new kind needs its line). */
export const MAIL_TOPIC_OF: Readonly<Record<EventKind, MailTopic | null>> = {
  request_received: 'new_request',
  // R18: a request the central body forwarded is a new incoming request for the territorial body.
  request_forwarded: 'new_request',
  answer_received: 'answer_received',
  step_received: null,
  deadline_soon: 'deadline_soon',
  overdue: 'overdue',
  delivery_delayed: null,
  delivery_failed: 'delivery_failed',
  data_destroyed: null,
};

/** The event kinds mailed under a topic. */
export const MAIL_KINDS_OF = (topic: MailTopic): EventKind[] =>
  (Object.keys(MAIL_TOPIC_OF) as EventKind[]).filter((k) => MAIL_TOPIC_OF[k] === topic);

export const MAIL_TOPIC_LABELS_RU: Readonly<Record<MailTopic, string>> = {
  new_request: 'Новый входящий запрос вашему органу',
  deadline_soon: 'До окончания срока исполнения запроса осталось пять рабочих дней или меньше',
  overdue: 'Срок исполнения или ответа истёк',
  answer_received: 'Получен ответ на запрос вашего органа',
  delivery_failed: 'Сообщение по запросу не удалось доставить',
};

export const MAIL_DELIVERIES = ['immediate', 'digest', 'none'] as const;
export type MailDelivery = (typeof MAIL_DELIVERIES)[number];

/** An officer who chose nothing gets every topic at once. */
export const MAIL_DEFAULT_DELIVERY: MailDelivery = 'immediate';

export const MAIL_DELIVERY_LABELS_RU: Readonly<Record<MailDelivery, string>> = {
  immediate: 'Сразу',
  digest: 'В ежедневной сводке',
  none: 'Не присылать',
};

/** Retries of a letter: 1 min, 2, 4 … at most an hour apart, for a day; then failed until an administrator retries. */
export const MAIL_RETRY: RetryPolicy = { baseMs: 60_000, maxDelayMs: 3600_000, maxAgeMs: 24 * 3600_000 };
/** An event older than this when the mail worker first sees it is not mailed (mail was off, the node was down). */
export const MAIL_EVENT_MAX_AGE_MS = 48 * 3600_000;
/** A digest lists at most this many notices, then points to the notices page. */
export const DIGEST_MAX_ITEMS = 200;
/** The digest's local hour when EIX_MAIL_DIGEST_HOUR is not set. */
export const DEFAULT_DIGEST_HOUR = 8;

/** What a letter may say about the request: no personal data. */
export interface LetterRequest {
  readonly id: string;
  readonly number: string;
  readonly counterpartParty: string;
  /** The R12.a deadline when known. */
  readonly deadline: IsoDate | null;
}

export type LetterEvent = AnyEvent & { readonly occurredAt: Date };

export interface LetterPlace {
  /** The node's address as officers open it (EIX_PUBLIC_URL), without a trailing slash. */
  readonly baseUrl: string;
  /** The officer's body's time zone. */
  readonly timeZone: string;
}

export interface LetterText {
  readonly subject: string;
  readonly text: string;
}

const partyRu = (code: string) => (isSignatory(code) ? PARTIES[code].nameRu : code);

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function hhmm(instant: Date, timeZone: string): string {
  let f = timeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('ru-RU', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormats.set(timeZone, f);
  }
  return f.format(instant);
}

/** ДД.ММ.ГГГГ ЧЧ:ММ of an instant in a time zone. */
export function localDateTimeRu(instant: Date, timeZone: string): string {
  return `${calendarDateRu(localDate(instant, timeZone))} ${hhmm(instant, timeZone)}`;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** How far the zone's wall clock is ahead of UTC at the instant. */
function offsetMs(instant: Date, timeZone: string): number {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant of hour:00 on a local day in a time zone. */
function atLocalHour(day: IsoDate, hour: number, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour);
  const first = wall - offsetMs(new Date(wall), timeZone);
  const second = wall - offsetMs(new Date(first), timeZone);
  return new Date(second);
}

/**
 * The digest's slot: the latest local `hour`:00 not after `now`. A digest is due once per slot and
 * carries the notices of events before it (those of the day since the previous slot).
 */
export function digestSlot(now: Date, timeZone: string, hour: number): Date {
  const today = localDate(now, timeZone);
  const slot = atLocalHour(today, hour, timeZone);
  return slot.getTime() <= now.getTime() ? slot : atLocalHour(addDays(today, -1), hour, timeZone);
}

const SUBJECT: { [K in MailTopic]: (e: LetterEvent, r: LetterRequest) => string } = {
  new_request: (_e, r) => `Новый запрос № ${r.number} (${partyRu(r.counterpartParty)})`,
  deadline_soon: (e, r) =>
    `Истекает срок исполнения запроса № ${r.number}: до ${calendarDateRu(
      e.kind === 'deadline_soon' ? e.data.deadline : r.deadline,
    )}`,
  overdue: (_e, r) => `Истёк срок по запросу № ${r.number} (${partyRu(r.counterpartParty)})`,
  answer_received: (_e, r) => `Получен ответ на запрос № ${r.number} (${partyRu(r.counterpartParty)})`,
  delivery_failed: (_e, r) => `Не доставлено сообщение по запросу № ${r.number}`,
};

const FOOTER = (baseUrl: string) =>
  [
    '—',
    'Письмо отправлено системой EIX автоматически, отвечать на него не нужно.',
    `Какие уведомления присылать на почту, вы выбираете на странице ${baseUrl}/settings/mail`,
  ].join('\n');

/** A subject is one line whatever a request number received from another Party holds. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ');

const requestLink = (baseUrl: string, r: LetterRequest) => `${baseUrl}/requests/${r.id}`;

/** A letter about one event (an officer who chose «Сразу»). Null for an event kind that is not mailed. */
export function noticeLetter(e: LetterEvent, r: LetterRequest, place: LetterPlace): LetterText | null {
  const topic = MAIL_TOPIC_OF[e.kind];
  if (!topic) return null;
  const lines = [
    `${noticeText(e, { number: r.number, counterpartParty: r.counterpartParty })}.`,
    '',
    `Запрос № ${r.number}`,
    `Другая Сторона: ${partyRu(r.counterpartParty)}`,
    ...(r.deadline ? [`Срок исполнения: до ${calendarDateRu(r.deadline)}`] : []),
    `Время события: ${localDateTimeRu(e.occurredAt, place.timeZone)} (время вашего органа)`,
    `Открыть запрос: ${requestLink(place.baseUrl, r)}`,
    '',
    FOOTER(place.baseUrl),
  ];
  return { subject: oneLine(`EIX: ${SUBJECT[topic](e, r)}`), text: lines.join('\n') };
}

/** The daily digest: the notices of the day, oldest first, at most DIGEST_MAX_ITEMS listed. */
export function digestLetter(
  items: readonly { readonly event: LetterEvent; readonly request: LetterRequest }[],
  slot: Date,
  place: LetterPlace,
): LetterText {
  const listed = items.slice(0, DIGEST_MAX_ITEMS);
  const lines = [
    `Сводка уведомлений системы EIX на ${localDateTimeRu(slot, place.timeZone)} (время вашего органа).`,
    `Уведомлений: ${items.length}.`,
    '',
    ...listed.flatMap(({ event, request }, i) => [
      `${i + 1}. ${localDateTimeRu(event.occurredAt, place.timeZone)}. ${noticeText(event, {
        number: request.number,
        counterpartParty: request.counterpartParty,
      })}.`,
      `   Открыть запрос: ${requestLink(place.baseUrl, request)}`,
    ]),
    ...(items.length > listed.length
      ? ['', `Остальные уведомления (${items.length - listed.length}) — на странице ${place.baseUrl}/notices`]
      : []),
    '',
    FOOTER(place.baseUrl),
  ];
  return {
    subject: oneLine(`EIX: сводка уведомлений на ${calendarDateRu(localDate(slot, place.timeZone))} (${items.length})`),
    text: lines.join('\n'),
  };
}

/**
 * Why a letter was not sent, as stored (`mail_outbox.last_error`): `refused`, `timeout`, `dns`, `tls`,
 * `auth`, `smtp:<code>` or `network:<detail>`; in Russian for the administrator's page.
 */
export function mailErrorRu(code: string | null): string {
  if (!code) return '';
  const [kind, ...rest] = code.split(':');
  const detail = rest.join(':');
  switch (kind) {
    case 'refused':
      return 'Почтовый сервер недоступен: соединение отклонено';
    case 'timeout':
      return 'Почтовый сервер не ответил вовремя';
    case 'dns':
      return 'Адрес почтового сервера не найден (имя сервера не разрешается)';
    case 'tls':
      return 'Не удалось установить защищённое соединение с почтовым сервером';
    case 'auth':
      return 'Почтовый сервер не принял имя пользователя или пароль';
    case 'smtp':
      return Number(detail) >= 500
        ? `Почтовый сервер отказался принять письмо (код ответа ${detail})`
        : `Почтовый сервер временно не принял письмо (код ответа ${detail})`;
    default:
      return 'Ошибка сети при отправке письма';
  }
}
