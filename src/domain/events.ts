// The node's event log (issue 14 item 7, issue 17): what happened to a request
// that an officer — later a national system — must be told of. One kind list,
// its data without personal data, and the officer's notice text in Russian:
// a request number, the other Party and what happened, never the debtor.
import type { IsoDate } from './dates.js';
import { MESSAGE_TYPES, type MessageType } from './messages.js';
import { PARTIES, isSignatory } from './parties.js';
import type { DataKind } from './retention.js';
import type { WorkflowEvent } from './workflow.js';

export const EVENT_KINDS = [
  'request_received',
  'request_forwarded',
  'answer_received',
  'step_received',
  'deadline_soon',
  'overdue',
  'delivery_delayed',
  'delivery_failed',
  'data_destroyed',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Kinds recorded by the clock, not by a change: once per request (a unique index, migration 014). */
export const ONCE_PER_REQUEST: readonly EventKind[] = ['deadline_soon', 'overdue'];

/** What each kind carries in `events.data`: codes, dates and counts only (no personal data). */
export interface EventData {
  /** A new incoming request, by the message that brought it. */
  request_received: { readonly messageId: string };
  /** R18: the central body forwarded an incoming request to this body. */
  request_forwarded: { readonly fromBody: string };
  /** An answer of the requested Party to our request (R4–R8). */
  answer_received: { readonly messageId: string; readonly final: boolean; readonly items: number };
  /** Another step of the other Party (R12.c–R16, R18, R24). */
  step_received: { readonly messageId: string; readonly event: WorkflowEvent };
  /** R12.c: five working days or fewer of the requested Party are left to answer. */
  deadline_soon: { readonly deadline: IsoDate; readonly workingDaysLeft: number };
  /** R12.c: the deadline passed unanswered (ours for an incoming request, the other Party's for an outgoing one). */
  overdue: { readonly deadline: IsoDate; readonly direction: 'incoming' | 'outgoing'; readonly delayNotified: boolean };
  /** The first attempt to deliver a message of this request failed; the transport goes on retrying (once per message). */
  delivery_delayed: { readonly messageId: string; readonly type: MessageType; readonly error: string };
  /** The transport gave up on a message of this request. */
  delivery_failed: { readonly messageId: string; readonly type: MessageType; readonly error: string };
  /** R9.6: stored data of the request was destroyed after its retention period. */
  data_destroyed: { readonly kinds: readonly DataKind[] };
}

export type AnyEvent = { [K in EventKind]: { readonly kind: K; readonly data: EventData[K] } }[EventKind];

/** The request a notice is about, as the officer may see it (no personal data). */
export interface NoticeRequest {
  readonly number: string;
  readonly counterpartParty: string;
}

/** The other Party's step in the past tense, as a notice states it (exhaustive: a new event needs its line). */
export const STEP_DONE_RU: Readonly<Record<WorkflowEvent, string>> = {
  sign: 'запрос подписан',
  revise: 'запрос возвращён на доработку',
  send: 'запрос отправлен',
  withdraw: 'запрос отозван',
  reply_additional_info: 'представлены дополнительные сведения',
  accept_conditions: 'приняты условия исполнения',
  reject_conditions: 'отклонены условия исполнения',
  continue_without_confidentiality: 'решено продолжить исполнение без сохранения конфиденциальности',
  receipt: 'подтверждено получение',
  take_into_work: 'запрос принят к исполнению',
  forward: 'запрос передан территориальному органу',
  request_additional_info: 'запрошены дополнительные сведения',
  notify_delay: 'сообщено о невозможности исполнения в срок',
  postpone: 'исполнение отложено',
  propose_conditions: 'определены условия исполнения',
  resume: 'исполнение возобновлено',
  notify_confidentiality_impossible: 'сообщено о невозможности сохранить конфиденциальность',
  answer_partial: 'направлен частичный ответ',
  answer_final: 'направлен ответ',
  refuse: 'отказано в исполнении',
  consult: 'проведена консультация',
};

const DESTROYED_RU: Readonly<Record<DataKind, string>> = {
  answers_received: 'полученные ответы',
  incoming_requests: 'сведения запроса',
  answers_sent: 'копии направленных ответов',
  step_texts: 'тексты сообщений',
  messages: 'подписанные сообщения',
};

/** The short title of a notice kind (a column or filter of the list). */
export const EVENT_KIND_LABELS_RU: Readonly<Record<EventKind, string>> = {
  request_received: 'Новый запрос',
  request_forwarded: 'Запрос передан',
  answer_received: 'Ответ получен',
  step_received: 'Действие другой Стороны',
  deadline_soon: 'Срок истекает',
  overdue: 'Срок истёк',
  delivery_delayed: 'Доставка задерживается',
  delivery_failed: 'Не доставлено',
  data_destroyed: 'Сведения уничтожены',
};

function partyRu(code: string): string {
  return isSignatory(code) ? PARTIES[code].nameRu : code;
}

/** ДД.ММ.ГГГГ of a calendar date. */
function dayRu(d: IsoDate): string {
  const [y, m, day] = d.split('-');
  return `${day}.${m}.${y}`;
}

function daysRu(n: number): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  const word =
    mod10 === 1 && mod100 !== 11
      ? 'рабочий день'
      : mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)
        ? 'рабочих дня'
        : 'рабочих дней';
  return `${n} ${word}`;
}

type TextOf = { [K in EventKind]: (d: EventData[K], r: NoticeRequest) => string };

const TEXT: TextOf = {
  request_received: (_d, r) => `Поступил запрос № ${r.number} (${partyRu(r.counterpartParty)})`,
  request_forwarded: (_d, r) =>
    `Вашему органу передан на исполнение запрос № ${r.number} (${partyRu(r.counterpartParty)})`,
  answer_received: (d, r) =>
    `${d.final ? 'Получен ответ' : 'Получен частичный ответ'} на запрос № ${r.number} (${partyRu(r.counterpartParty)})`,
  step_received: (d, r) => `${partyRu(r.counterpartParty)}: ${STEP_DONE_RU[d.event]} — запрос № ${r.number}`,
  deadline_soon: (d, r) =>
    d.workingDaysLeft <= 0
      ? `Сегодня последний день срока исполнения запроса № ${r.number} (${partyRu(r.counterpartParty)})`
      : `До окончания срока исполнения запроса № ${r.number} (${partyRu(r.counterpartParty)}) осталось ${daysRu(
          d.workingDaysLeft,
        )}: срок до ${dayRu(d.deadline)}`,
  overdue: (d, r) =>
    d.direction === 'incoming'
      ? `Истёк срок исполнения запроса № ${r.number} (${partyRu(r.counterpartParty)}): срок был до ${dayRu(d.deadline)}${
          d.delayNotified ? ', уведомление о задержке направлено' : ''
        }`
      : `Не получен в срок ответ на запрос № ${r.number} (${partyRu(r.counterpartParty)}): ответ ожидался до ${dayRu(
          d.deadline,
        )}`,
  delivery_delayed: (d, r) =>
    `Задерживается доставка сообщения «${MESSAGE_TYPES[d.type]?.title ?? 'сообщение'}» по запросу № ${r.number} (${partyRu(
      r.counterpartParty,
    )}): отправка будет повторена`,
  delivery_failed: (d, r) =>
    `Не доставлено сообщение «${MESSAGE_TYPES[d.type]?.title ?? 'сообщение'}» по запросу № ${r.number} (${partyRu(
      r.counterpartParty,
    )})`,
  data_destroyed: (d, r) =>
    `По запросу № ${r.number} (${partyRu(r.counterpartParty)}) уничтожены по истечении срока хранения (статья 9): ${d.kinds
      .map((k) => DESTROYED_RU[k] ?? 'сведения')
      .join(', ')}`,
};

/** The officer's notice text for an event: Russian, without personal data. */
export function noticeText(e: AnyEvent, r: NoticeRequest): string {
  return (TEXT[e.kind] as (d: unknown, r: NoticeRequest) => string)(e.data, r);
}
