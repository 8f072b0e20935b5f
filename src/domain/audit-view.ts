// The audit log as people read it (R9.1, R19; issue 15 item 3): who acted (the
// node's own services in Russian), what an entry's details say (known keys with
// Russian labels and values; technical keys — ids, digests, envelopes — hidden)
// and the time of an entry in the node's zone. Pure: no database, no clock.
import { addDays, calendarDateRu, type IsoDate } from './dates.js';
import {
  BODY_KIND_LABELS,
  DESTROYED_KIND_LABELS,
  LOOKUP_FAILURE_LABELS,
  LOOKUP_KIND_LABELS,
  ROLE_SHORT_LABELS,
  STATE_LABELS,
  partyName,
  provisionsRu,
} from './vocabulary.js';

/** The node's own services (system actors, `system:<name>` in the log), in Russian. */
export const SYSTEM_ACTOR_LABELS: Readonly<Record<string, string>> = {
  federation: 'узел (обмен с другими Сторонами)',
  transport: 'узел (отправка сообщений другим Сторонам)',
  web: 'узел (сеансы пользователей)',
  auth: 'узел (проверка входа)',
  cli: 'командная строка администратора',
  deadlines: 'узел (контроль сроков)',
  retention: 'узел (сроки хранения сведений)',
  'purge-expired-data': 'узел (уничтожение сведений по истечении срока)',
  'record-deadline-notices': 'узел (уведомления о сроках)',
  'audit-checkpoint': 'узел (контрольные точки журнала)',
  registries: 'узел (запросы в реестры своей Стороны)',
};

/** A system actor in Russian; an unknown one is still named as the node's, never by its code. */
export function systemActorLabel(name: string): string {
  return SYSTEM_ACTOR_LABELS[name] ?? 'узел (служебная операция)';
}

const METHOD_LABELS: Readonly<Record<string, string>> = {
  password: 'пароль',
  token: 'токен доступа',
  totp: 'одноразовый код',
  recovery: 'резервный код',
};

const REASON_LABELS: Readonly<Record<string, string>> = {
  unknown_login: 'неизвестное имя входа',
  disabled: 'пользователь заблокирован',
  password: 'неверный пароль',
  idle: 'истекло время бездействия',
  expired: 'истёк срок сеанса',
  unknown: 'неизвестный токен',
  expired_token: 'срок токена истёк',
  revoked: 'токен отозван',
};

const PART_LABELS: Readonly<Record<string, string>> = {
  debtor: 'сведения о должнике',
  request: 'сведения запроса',
  answers: 'ответы',
  messages: 'тексты сообщений',
  consent_requests: 'запросы согласия',
  attachment: 'вложение',
  answer_draft: 'черновик ответа по данным реестров',
};

const LIST_LABELS: Readonly<Record<string, string>> = {
  incoming: 'входящие запросы',
  outgoing: 'исходящие запросы',
  queue: 'рабочая очередь',
};

const lookup = (table: Readonly<Record<string, string>>, v: unknown): string | null =>
  typeof v === 'string' && v in table ? table[v]! : null;
const list = (table: Readonly<Record<string, string>>, v: unknown): string | null => {
  if (!Array.isArray(v)) return null;
  const out = v.map((x) => lookup(table, x)).filter((x): x is string => x !== null);
  return out.length ? out.join(', ') : null;
};
const count = (v: unknown): string | null =>
  typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('ru-RU') : null;
const yesNo = (v: unknown): string | null => (typeof v === 'boolean' ? (v ? 'да' : 'нет') : null);
const stateOrDate = (v: unknown): string | null =>
  lookup(STATE_LABELS, v) ?? (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? calendarDateRu(v) : null);

/**
 * The detail keys people read, each with its label and its value in Russian (null: not shown).
 * Every other key is technical (ids of messages, tokens, consents, digests, addresses of records) and hidden.
 */
const DETAIL_KEYS: Readonly<Record<string, readonly [string, (v: unknown) => string | null]>> = {
  method: ['Способ', (v) => lookup(METHOD_LABELS, v)],
  reason: ['Причина', (v) => lookup(REASON_LABELS, v)],
  login: ['Имя входа', (v) => (typeof v === 'string' && /^[\w.@-]{1,64}$/.test(v) ? v : null)],
  address: ['Сетевой адрес', (v) => (typeof v === 'string' && /^[\d.:a-fA-F]{2,45}$/.test(v) ? v : null)],
  consecutive: ['Неудачных попыток подряд', count],
  count: ['Записей', count],
  attempts: ['Попыток отправки', count],
  items: ['Сведений', count],
  recoveryCodes: ['Выдано резервных кодов', count],
  recoveryCodesLeft: ['Осталось резервных кодов', count],
  sessionEnded: ['Сеанс завершён', yesNo],
  valid: ['Подпись верна', yesNo],
  contentDestroyed: ['Содержание уже уничтожено', yesNo],
  parts: ['Что просмотрено', (v) => list(PART_LABELS, v)],
  destroyed: ['Уничтожено', (v) => list(DESTROYED_KIND_LABELS, v)],
  list: ['Список', (v) => lookup(LIST_LABELS, v)],
  export: ['Выгрузка', (v) => (v === 'csv' ? 'CSV' : v === 'xlsx' ? 'таблица Excel (XLSX)' : null)],
  roles: ['Роли', (v) => list(ROLE_SHORT_LABELS, v)],
  previousRoles: ['Прежние роли', (v) => list(ROLE_SHORT_LABELS, v)],
  name: ['Наименование', (v) => (typeof v === 'string' && v.length <= 300 ? v : null)],
  kind: ['Вид органа', (v) => lookup(BODY_KIND_LABELS, v)],
  party: ['Сторона', (v) => (typeof v === 'string' && /^[A-Z]{2}$/.test(v) ? partyName(v) : null)],
  from: ['Было', stateOrDate],
  to: ['Стало', stateOrDate],
  // Issue 17.2: a lookup in a domestic registry and its purpose (R9.1).
  registry: ['Реестр', (v) => (typeof v === 'string' && v.length <= 300 ? v : null)],
  lookup: ['Какие сведения', (v) => lookup(LOOKUP_KIND_LABELS, v)],
  itemNos: ['Пункты запроса', (v) => (Array.isArray(v) && v.every((n) => typeof n === 'number') ? v.join(', ') : null)],
  provisions: [
    'Статьи Соглашения',
    (v) => (Array.isArray(v) && v.every((p) => typeof p === 'string') ? provisionsRu(v as string[]) : null),
  ],
  purpose: ['Цель', (v) => (typeof v === 'string' && v.length <= 1000 ? v : null)],
  found: ['Пунктов со сведениями', count],
  failures: ['Сбои реестров', (v) => list(LOOKUP_FAILURE_LABELS, v)],
};

/** The details of an entry people read: [label, value] pairs; technical keys and unreadable values left out. */
export function auditDetailsRu(details: unknown): [string, string][] {
  if (!details || typeof details !== 'object' || Array.isArray(details)) return [];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(details as Record<string, unknown>)) {
    const known = DETAIL_KEYS[k];
    if (!known) continue;
    const value = known[1](v);
    if (value !== null && value !== '') out.push([known[0], value]);
  }
  return out;
}

/** Whether a detail key is shown to people (the others are technical). */
export const isShownAuditDetail = (key: string): boolean => key in DETAIL_KEYS;

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
/** The zone's offset from UTC in minutes at an instant (e.g. +180 for Moscow). */
function offsetMinutes(instant: Date, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, f);
  }
  const name = f.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

/** The instant a calendar day begins in a time zone (midnight local time). */
export function dayStart(day: IsoDate, timeZone: string): Date {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  // Twice: the offset at the local midnight may differ from the one at UTC midnight (a change of summer time).
  let t = utcMidnight - offsetMinutes(new Date(utcMidnight), timeZone) * 60_000;
  t = utcMidnight - offsetMinutes(new Date(t), timeZone) * 60_000;
  return new Date(t);
}

/** The half-open interval [start, end) of the days from..to (inclusive) in a time zone. */
export function periodInstants(
  from: IsoDate | undefined,
  to: IsoDate | undefined,
  timeZone: string,
): { start?: Date; end?: Date } {
  return {
    ...(from ? { start: dayStart(from, timeZone) } : {}),
    ...(to ? { end: dayStart(addDays(to, 1), timeZone) } : {}),
  };
}

const dateTimeFormatters = new Map<string, [Intl.DateTimeFormat, Intl.DateTimeFormat]>();
/** ДД.ММ.ГГГГ ЧЧ:ММ of an instant in a time zone (the CSV file; pages use web/dates.ts). */
export function dateTimeRuIn(instant: Date, timeZone: string): string {
  let f = dateTimeFormatters.get(timeZone);
  if (!f) {
    f = [
      new Intl.DateTimeFormat('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }),
      new Intl.DateTimeFormat('ru-RU', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    ];
    dateTimeFormatters.set(timeZone, f);
  }
  return `${f[0].format(instant)} ${f[1].format(instant)}`;
}
