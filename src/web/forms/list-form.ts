// The work queue's and the archive's query string as the list use case's input, and back (pure; issue 14, item 1).
// The page keeps the officer's filters in the URL: a list can be bookmarked, shared with a colleague, exported.
import { DEADLINE_STATUSES, LIST_SORTS, type DeadlineStatus, type ListSort } from '../../app/request-list.js';
import { REQUEST_STATES, type RequestState } from '../../domain/workflow.js';
import { one, opt, type Form } from '../kit.js';

/** The filters as the page shows them (strings, '' when not set). */
export interface ListQuery {
  direction: 'incoming' | 'outgoing';
  state: RequestState | '';
  party: string;
  from: string;
  to: string;
  term: DeadlineStatus | '';
  q: string;
  sort: ListSort | '';
  order: 'asc' | 'desc' | '';
  cursor: string;
}

const member = <T extends string>(list: readonly T[], v: string): T | '' => (list.includes(v as T) ? (v as T) : '');

/**
 * The query string as filters. An unknown value is passed on as typed so that the use case names the field in its
 * error; only the direction falls back to incoming (a page has to show one of the two lists).
 */
export function formToListQuery(f: Form): ListQuery {
  return {
    direction: one(f.direction) === 'outgoing' ? 'outgoing' : 'incoming',
    state: (opt(f.state) ?? '') as ListQuery['state'],
    party: one(f.party).toUpperCase(),
    from: one(f.from),
    to: one(f.to),
    term: (opt(f.term) ?? '') as ListQuery['term'],
    q: one(f.q),
    sort: (opt(f.sort) ?? '') as ListQuery['sort'],
    order: (opt(f.order) ?? '') as ListQuery['order'],
    cursor: one(f.cursor),
  };
}

/** The list use case's input (listRequests; exportRequestList takes the same without limit and cursor). */
export function listInput(q: ListQuery): Record<string, unknown> {
  return {
    direction: q.direction,
    ...(q.state ? { states: [q.state] } : {}),
    ...(q.party ? { counterpartParty: q.party } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.term ? { deadlineStatus: q.term } : {}),
    ...(q.q ? { query: q.q } : {}),
    ...(q.sort ? { sort: q.sort } : {}),
    ...(q.order ? { order: q.order } : {}),
  };
}

/** The URL of the list with these filters and some changed (a sort link, the next page, an export). */
export function listUrl(path: string, q: ListQuery, change: Partial<ListQuery> = {}): string {
  const all = { ...q, cursor: '', ...change };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(all)) if (v) params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** A column header's sort link: the same sort again reverses it; a new sort starts in its natural order. */
export function sortLink(q: ListQuery, sort: ListSort): { href: string; current: 'asc' | 'desc' | null } {
  const natural: 'asc' | 'desc' = sort === 'deadline' || sort === 'number' ? 'asc' : 'desc';
  const active = q.sort === sort;
  const order = active ? q.order || natural : null;
  return {
    href: listUrl('/requests', q, { sort, order: active ? (order === 'asc' ? 'desc' : 'asc') : natural }),
    current: order,
  };
}

/** The values the filter form offers (validated by the use case either way). */
export const LIST_CHOICES = {
  states: REQUEST_STATES,
  terms: DEADLINE_STATUSES,
  sorts: LIST_SORTS,
  isState: (v: string) => member(REQUEST_STATES, v) !== '',
} as const;

/** Where a list error belongs on the filter form (the use case names the field). */
export const LIST_ERROR_FIELDS: Readonly<Record<string, keyof ListQuery>> = {
  states: 'state',
  counterpartParty: 'party',
  from: 'from',
  to: 'to',
  deadlineStatus: 'term',
  query: 'q',
  sort: 'sort',
  order: 'order',
  cursor: 'cursor',
};

/** The R12.c filters as the officer reads them (the dashboard counters open these lists). */
export const TERM_LABELS_RU: Readonly<Record<DeadlineStatus, string>> = {
  open: 'срок исполнения идёт',
  due_soon: 'срок истекает (не больше 5 рабочих дней)',
  overdue: 'просрочены',
  overdue_notified: 'просрочены, уведомление о задержке направлено',
  overdue_silent: 'просрочены без уведомления',
};

export const SORT_LABELS_RU: Readonly<Record<ListSort, string>> = {
  deadline: 'по сроку',
  received: 'по дате получения',
  updated: 'по последнему изменению',
  number: 'по номеру',
};
