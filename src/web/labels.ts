// Russian labels for the pages (R19): a thin adapter over the one vocabulary
// (src/domain/vocabulary.ts), keeping the function names the templates use.
import { idLabelRu } from '../domain/national-ids.js';
import type { ItemKind, Person } from '../domain/request.js';
import {
  CONSENT_STATUS_LABELS,
  DEADLINE_BASIS_LABELS,
  HIDDEN_HISTORY_DATA_KEYS,
  HISTORY_DATA_LABELS,
  HISTORY_EVENT_LABELS,
  ISSUER_KIND_LABELS,
  ITEM_KIND_LABELS,
  LOOKUP_FAILURE_LABELS,
  LOOKUP_KIND_LABELS,
  OUTCOME_LABELS,
  PAPER_DOCUMENT_LABELS,
  PAPER_MEANS_LABELS,
  PROPERTY_SUB_ITEM_SHORT,
  REFUSAL_GROUND_LABELS,
  STATE_LABELS,
  historyEntryRu,
  historyValueRu,
  messageTypeLabel,
  partyName,
  provisionsRu,
  provisionRu,
  moneyRu,
  BODY_KIND_LABELS,
} from '../domain/vocabulary.js';

export const ITEM_LABELS: Readonly<Record<ItemKind, string>> = ITEM_KIND_LABELS;

export const PAPER_MEANS_RU: [string, string][] = Object.entries(PAPER_MEANS_LABELS);

export const SUB_ITEMS: [string, string][] = Object.entries(PROPERTY_SUB_ITEM_SHORT);

const lookup = (table: Readonly<Record<string, string>>, k: string | null | undefined, fallback: string): string =>
  (k !== null && k !== undefined ? table[k] : undefined) ?? fallback;

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
  deliveryNote: (lastError: string | null) => historyValueRu('error', lastError ?? '') ?? '',
  destroyedLabel: (v: unknown) => historyValueRu('destroyed', v) ?? '',
  stateLabel: (s: string) => lookup(STATE_LABELS, s, 'Состояние неизвестно'),
  /** A history entry's event as a past event («Запрос подписан»). */
  eventLabel: (e: string) => lookup(HISTORY_EVENT_LABELS, e, 'Событие по запросу'),
  /**
   * A history entry as people read it: what happened and who did it (an officer by name, the other Party
   * in the instrumental case, «автоматически»). The time is formatted by the page (dateTimeRu, node's zone).
   */
  historyEntry: (
    e: { event: string; side: string; officerName?: string | null },
    v: { direction: 'incoming' | 'outgoing'; counterpartBody: { party: string } },
  ) => historyEntryRu(e, { direction: v.direction, counterpartParty: v.counterpartBody.party }),
  /** The data keys of a history entry worth showing, in order, with their labels and Russian values. */
  historyData: (data: Record<string, unknown>, valueRu: (v: unknown) => string): [string, string][] =>
    Object.entries(data)
      .filter(([k]) => !HIDDEN_HISTORY_DATA_KEYS.includes(k))
      .map(([k, v]) => [lookup(HISTORY_DATA_LABELS, k, 'Сведения'), historyValueRu(k, v) ?? valueRu(v)]),
  /** A problem's Russian message without the field's technical path (the officer reads the field's name). */
  problemText: (p: { message: string; path: string }) =>
    p.path ? p.message.replaceAll(` (${p.path})`, '') : p.message,
  /** An error's message as an officer reads it: no leading field path («roles: …»), no path in brackets. */
  errorText: (e: { message: string }) =>
    e.message.replace(/^[A-Za-z_][\w.[\]]*: /, '').replace(/ \([A-Za-z_][\w.[\]]*\)/g, ''),
  /** A message type by its Russian name («Окончательный ответ»), never its wire name. */
  messageTitle: (t: string) => messageTypeLabel(t),
  idLabel: (country: string, kind: string) => `${idLabelRu(country, kind)} (${partyName(country)})`,
  deadlineBasisLabel: (b: string) => lookup(DEADLINE_BASIS_LABELS, b, b),
  consentStatusLabel: (s: string) => lookup(CONSENT_STATUS_LABELS, s, s),
  outcomeLabel: (o: string) => lookup(OUTCOME_LABELS, o, o),
  partyName: (cc: string | undefined) => partyName(cc),
  itemLabel: (k: string) => lookup(ITEM_KIND_LABELS, k, 'Иные сведения'),
  /** Article references as people write them: «ст. 6 а), 6 б)». */
  provisionsLabel: (p: readonly string[]) => provisionsRu(p),
  dataLabel: (k: string) => lookup(HISTORY_DATA_LABELS, k, 'Сведения'),
  groundLabel: (g: string) => lookup(REFUSAL_GROUND_LABELS, g, g),
  issuerLabel: (k: string | undefined) => lookup(ISSUER_KIND_LABELS, k, ''),
  overdueLabel: (o: { status: string; workingDaysLeft: number }) =>
    o.status === 'open'
      ? `осталось ${o.workingDaysLeft} раб. дн.`
      : o.status === 'due_soon'
        ? `осталось ${o.workingDaysLeft} раб. дн.`
        : o.status === 'overdue_notified'
          ? 'просрочен, уведомление направлено'
          : 'просрочен без уведомления',
  money: moneyRu,
  personName: (p: Person | undefined) =>
    !p ? '' : p.type === 'individual' ? [p.surname, p.name, p.patronymic].filter(Boolean).join(' ') : (p.name ?? ''),
  subItems: SUB_ITEMS,
  meansLabel: (m: string) => lookup(PAPER_MEANS_LABELS, m, m),
  /** R10.a: whose paper original, in the genitive («оригинал запроса»). */
  paperDocumentLabel: (d: string) => lookup(PAPER_DOCUMENT_LABELS, d, d),
  /** R25: a declaration's category and scope, as the text of Article 25 says it. */
  declarationLabel: (d: { documents: string; provisions: 'all' | string[] }) =>
    `${d.documents === 'notarial' ? 'нотариально заверенные документы' : 'исполнительные документы органов и должностных лиц, не входящих в судебную систему'}: ${d.provisions === 'all' ? 'полностью' : `положения ${d.provisions.map(provisionRu).join(', ')}`}`,
  means: PAPER_MEANS_RU,
  provisionLabel: (p: string) => provisionRu(p),
  bodyKindLabel: (k: string) => lookup(BODY_KIND_LABELS, k, 'иной орган'),
  /** Issue 17.2: one registry's part in a drafted answer, as the officer reads it. */
  draftSource: (s: { kind: string; source: string; status: string; failure?: string; count: number }) =>
    `«${s.source}» (${lookup(LOOKUP_KIND_LABELS, s.kind, 'сведения')}): ${
      s.status === 'found'
        ? `найдено записей: ${s.count}`
        : s.status === 'not_found'
          ? 'сведений о должнике нет'
          : `сведения не получены — ${lookup(LOOKUP_FAILURE_LABELS, s.failure, 'сбой реестра')}`
    }`,
};
