// Russian labels the pages need beyond the domain's own (R19).
import { OUTCOME_LABELS_RU, type AnswerOutcome } from '../domain/answer.js';
import type { DESTROYED_KINDS } from '../domain/messages.js';
import { idLabelRu } from '../domain/national-ids.js';
import { PARTIES, isSignatory } from '../domain/parties.js';
import { MESSAGE_TYPES, isMessageType } from '../domain/messages.js';
import { ITEM_KIND_LABELS_RU, type ItemKind, type Person } from '../domain/request.js';
import {
  EVENT_LABELS_RU,
  type HISTORY_EVENTS,
  REFUSAL_GROUND_LABELS_RU,
  STATE_LABELS_RU,
  type RequestState,
  type WorkflowEvent,
} from '../domain/workflow.js';

export const ITEM_LABELS: Readonly<Record<ItemKind, string>> = ITEM_KIND_LABELS_RU;

export const PAPER_MEANS_RU: [string, string][] = [
  ['post', 'почтой'],
  ['courier', 'курьером'],
  ['diplomatic', 'дипломатической почтой'],
  ['hand', 'нарочным'],
];

export const SUB_ITEMS: [string, string][] = [
  ['a', 'а) счета, вклады, ценности'],
  ['b', 'б) недвижимость'],
  ['c', 'в) транспорт'],
  ['d', 'г) доли, ценные бумаги'],
  ['e', 'д) иное имущество'],
];

const DATA_LABELS: Record<string, string> = {
  destroyed: 'Уничтожено',
  rule: 'Основание',
  destroyedAt: 'Когда',
  text: 'Текст',
  questions: 'Вопросы',
  newDate: 'Новый срок',
  reason: 'Причина',
  until: 'До',
  conditions: 'Условия',
  note: 'Примечание',
  ground: 'Основание',
  circumstances: 'Обстоятельства',
  number: 'Номер',
  deadline: 'Срок',
  receivedOn: 'Получен',
  basis: 'Основание срока',
  requestedBy: 'Просят исполнить до',
  toName: 'Передан органу',
  error: 'Ошибка',
  message: 'Сообщение',
  type: 'Вид',
  attempts: 'Попыток',
  declarationParty: 'Сторона, сделавшая заявление',
  estimated: 'Предварительный расчёт',
  body: 'Орган',
  name: 'Наименование',
  consentId: 'Согласие',
  recipient: 'Получатель',
  purpose: 'Цель',
  granted: 'Согласие дано',
  receiptAt: 'Квитанция получена',
};

const HISTORY_LABELS: Readonly<Record<(typeof HISTORY_EVENTS)[number], string>> = {
  delivery_failed: 'Сообщение не доставлено',
  consent_request: 'Запрос согласия на передачу сведений третьему лицу',
  consent_answer: 'Ответ на запрос согласия',
  deletion_notice: 'Сведения уничтожены получателем (статья 9)',
};

const DESTROYED_LABELS: Readonly<Record<(typeof DESTROYED_KINDS)[number], string>> = {
  request: 'сведения запроса',
  answers: 'ответы',
  attachments: 'вложения',
  messages: 'тексты сообщений',
};

const HELD_CODES = /^(protocol\.unsupported|registry\.stale): /;

export const labels = {
  /** A message's delivery as the officer reads it: held (waits for the peer's upgrade or a newer registry), delayed, failed. */
  deliveryStatus: (m: { status: string; lastError: string | null }) =>
    m.status === 'failed'
      ? 'не доставлено'
      : HELD_CODES.test(m.lastError ?? '')
        ? 'ожидает отправки'
        : 'доставка задерживается',
  /** The last error's explanation without its code. */
  deliveryNote: (lastError: string | null) => (lastError ?? '').replace(/^[a-z_]+(\.[a-z_]+)*: /, ''),
  destroyedLabel: (v: unknown) =>
    (Array.isArray(v) ? v : [])
      .map((k: string) => DESTROYED_LABELS[k as keyof typeof DESTROYED_LABELS] ?? k)
      .join(', '),
  stateLabel: (s: string) => STATE_LABELS_RU[s as RequestState] ?? s,
  eventLabel: (e: string) =>
    EVENT_LABELS_RU[e as WorkflowEvent] ?? HISTORY_LABELS[e as (typeof HISTORY_EVENTS)[number]] ?? e,
  /** A message type by its catalogue title («Передача «Окончательный ответ»»), never its wire name. */
  /** A problem's Russian message without the field's technical path (the officer reads the field's name). */
  problemText: (p: { message: string; path: string }) =>
    p.path ? p.message.replaceAll(` (${p.path})`, '') : p.message,
  messageTitle: (t: string) => (isMessageType(t) ? MESSAGE_TYPES[t].title : t),
  idLabel: (country: string, kind: string) =>
    `${idLabelRu(country, kind)} (${isSignatory(country) ? PARTIES[country].nameRu : country})`,
  deadlineBasisLabel: (b: string) =>
    (
      ({
        'R12.a': '30 рабочих дней (статья 12)',
        'R12.b': 'срок, указанный в запросе (статья 12; прежний расчёт)',
      }) as Record<string, string>
    )[b] ?? b,
  consentStatusLabel: (s: string) =>
    (
      ({ requested: 'ожидает решения', granted: 'согласие дано', refused: 'в согласии отказано' }) as Record<
        string,
        string
      >
    )[s] ?? s,
  outcomeLabel: (o: string) => OUTCOME_LABELS_RU[o as AnswerOutcome] ?? o,
  partyName: (cc: string | undefined) => (cc && isSignatory(cc) ? PARTIES[cc].nameRu : (cc ?? '')),
  itemLabel: (k: string) => ITEM_LABELS[k as ItemKind] ?? k,
  dataLabel: (k: string) => DATA_LABELS[k] ?? k,
  groundLabel: (g: string) => REFUSAL_GROUND_LABELS_RU[g as keyof typeof REFUSAL_GROUND_LABELS_RU] ?? g,
  issuerLabel: (k: string | undefined) =>
    (({ court: 'суд', authority: 'иной уполномоченный орган', notary: 'нотариус' }) as Record<string, string>)[
      k ?? ''
    ] ?? '',
  overdueLabel: (o: { status: string; workingDaysLeft: number }) =>
    o.status === 'open'
      ? `осталось ${o.workingDaysLeft} раб. дн.`
      : o.status === 'due_soon'
        ? `осталось ${o.workingDaysLeft} раб. дн.`
        : o.status === 'overdue_notified'
          ? 'просрочен, уведомление направлено'
          : 'просрочен без уведомления',
  money: (m: { value: number; currency: string } | undefined) =>
    m ? `${m.value.toLocaleString('ru-RU')} ${m.currency}` : '',
  personName: (p: Person | undefined) =>
    !p ? '' : p.type === 'individual' ? [p.surname, p.name, p.patronymic].filter(Boolean).join(' ') : (p.name ?? ''),
  subItems: SUB_ITEMS,
  meansLabel: (m: string) => Object.fromEntries(PAPER_MEANS_RU)[m] ?? m,
  /** R10.a: whose paper original, in the genitive («оригинал запроса»). */
  paperDocumentLabel: (d: string) =>
    (({ request: 'запроса', answer: 'ответа', refusal: 'отказа в исполнении' }) as Record<string, string>)[d] ?? d,
  /** R25: a declaration's category and scope, as the text of Article 25 says it. */
  declarationLabel: (d: { documents: string; provisions: 'all' | string[] }) =>
    `${d.documents === 'notarial' ? 'нотариально заверенные документы' : 'исполнительные документы органов и должностных лиц, не входящих в судебную систему'}: ${d.provisions === 'all' ? 'полностью' : `положения ${d.provisions.join(', ')}`}`,
  means: PAPER_MEANS_RU,
};
