// The officer's work queue and archive (issue 14, item 1), shared by the list
// (list-requests.ts) and its export (export-request-list.ts): one set of
// filters, a whitelist of sorts, keyset pages, and the list item with the
// debtor, what was asked and the term.
//
// Keyset paging: each sort is a tuple of keys ending with the id; a missing
// date sorts as 'infinity' (migration 014 indexes exactly these expressions),
// so the next page is a row comparison `(keys…, id) > (cursor…)` read straight
// from an index — page 50 costs what page 1 costs; an offset would not.
//
// R9.1: the debtor of an INCOMING request is received personal data, sealed
// in the request's document (R9.4). A list unseals only the rows it shows and
// writes ONE audit entry `personal_data.read` per read naming every request
// shown (not one per row: a page of 50 would otherwise write 50 entries; the
// ids make the trace as precise). Outgoing requests carry our own proceeding's
// debtor in clear; reading them is not logged (as get-request.ts).
import Type, { type Static } from 'typebox';
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import { classifyOverdue, dueSoonBefore, requestedEarlier, type OverdueStatus } from '../domain/calendar.js';
import { calendarDateRu, type IsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { partyDay } from '../domain/parties.js';
import { ITEM_KINDS, type ItemKind, type Person, type Request } from '../domain/request.js';
import { OPEN_STATES, REQUEST_STATES, isOpen, type RequestState } from '../domain/workflow.js';
import type { DB } from '../adapters/db/schema.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import { requestScope } from './authorize.js';
import { blindSearch } from './blind-search.js';
import type { Actor, AppContext, Officer } from './context.js';
import { parseInput } from './input.js';

/**
 * R12.c filters, each meaning one dashboard counter: `open` every request whose
 * term runs (OPEN_STATES), `due_soon` ≤ 5 working days left, `overdue` past
 * the deadline, with (`overdue_notified`) or without (`overdue_silent`) a delay notice.
 */
export const DEADLINE_STATUSES = ['open', 'due_soon', 'overdue', 'overdue_notified', 'overdue_silent'] as const;
export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];

/** The sorts a list offers (a whitelist): by deadline (then the date asked for, R12.b), receipt, last change, number. */
export const LIST_SORTS = ['deadline', 'received', 'updated', 'number'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

const IsoDateStr = Type.String({ format: 'date' });

/** The filters of a list and of its export. With no state filter the list is the archive: every state. */
export const filterProperties = {
  direction: Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')]),
  states: Type.Optional(Type.Array(Type.Enum(REQUEST_STATES), { maxItems: 10 })),
  /** One body (a central body's officer may choose; others see their own body only). */
  bodyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** The other Party (the requesting Party of an incoming request, the requested one of an outgoing). */
  counterpartParty: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  /** Received (incoming) or received by the other Party (outgoing) on or after this day. */
  from: Type.Optional(IsoDateStr),
  /** … on or before this day. */
  to: Type.Optional(IsoDateStr),
  deadlineStatus: Type.Optional(Type.Enum(DEADLINE_STATUSES)),
  /** Debtor name (any spelling), national id, executive document or request number (blind index). */
  query: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

export const sortProperties = {
  sort: Type.Optional(Type.Enum(LIST_SORTS)),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
};

export const ListFilterSchema = Type.Object(filterProperties, { additionalProperties: false });
export type ListFilter = Static<typeof ListFilterSchema>;
export type ListSortInput = { sort?: ListSort; order?: 'asc' | 'desc' };

/** Russian names of the fields, for input errors. */
export const LIST_FIELDS: Readonly<Record<string, string>> = {
  direction: 'направление',
  states: 'состояния',
  bodyId: 'орган',
  counterpartParty: 'Сторона',
  from: 'период с',
  to: 'период по',
  deadlineStatus: 'срок',
  query: 'поиск',
  sort: 'сортировка',
  order: 'порядок',
  limit: 'число строк',
  offset: 'смещение',
  cursor: 'страница',
  format: 'формат',
};

/** The parsed input: filters and sort checked (the period in order). */
export function checkListInput<S extends Parameters<typeof parseInput>[0]>(schema: S, input: unknown): Static<S> {
  const p = parseInput(schema, input, LIST_FIELDS) as ListFilter;
  if (p.from && p.to && p.from > p.to)
    throw new EixError(
      'input.invalid',
      { field: 'to' },
      `Поле «${LIST_FIELDS.to}» раньше поля «${LIST_FIELDS.from}»: укажите период по порядку`,
    );
  return p as Static<S>;
}

export interface RequestListItem {
  id: string;
  number: string;
  direction: 'incoming' | 'outgoing';
  state: RequestState;
  bodyId: string;
  counterpartParty: string;
  counterpartBody: { id: string; party: string; name: string };
  confidential: boolean;
  /** Incoming: received here; outgoing: received by the other Party (its signed receipt). */
  receivedOn: string | null;
  /** Incoming: our R12.a deadline; outgoing: the requested Party's, as its receipt states it (null before the receipt). */
  deadline: string | null;
  /** R12.b: «просят исполнить до» (the requesting body's wish; sorts incoming requests after the deadline). */
  requestedBy: string | null;
  /** «просили раньше»: the wish is before the deadline. */
  requestedEarlier: boolean;
  delayUntil: string | null;
  /** Incoming and open: R12.c status on the body's local day. */
  overdue: { status: OverdueStatus; workingDaysLeft: number } | null;
  /** Outgoing and open with a receipt: «ответ ожидается до …», working days of the requested Party (R12.a). */
  expectedAnswer: { by: IsoDate; workingDaysLeft: number | null; status: OverdueStatus | null } | null;
  /** The debtor's display name (surname name patronymic, or a company's name); null when destroyed (R9.6) or absent. */
  debtorName: string | null;
  /** What was asked: the item kinds in the request's order. */
  itemKinds: ItemKind[];
  updatedAt: string;
}

type Q = ReturnType<typeof baseQuery>;

function baseQuery(tx: Tx) {
  return tx.selectFrom('requests');
}

/** The list's condition: direction, the officer's scope (R16, R18) and the filters. Null when nothing can match. */
export async function listCondition(
  tx: Tx,
  ctx: AppContext,
  o: Officer,
  p: ListFilter,
): Promise<((eb: ExpressionBuilder<DB, 'requests'>) => Expression<SqlBool>) | null> {
  const search = p.query ? blindSearch(ctx, p.query) : null;
  if (p.query && !search) return null;
  const term = p.deadlineStatus ? await deadlineCondition(tx, ctx, p.deadlineStatus) : null;
  return (eb) =>
    eb.and([
      eb('requests.direction', '=', p.direction),
      requestScope(o, p.bodyId)(eb),
      ...(p.states?.length ? [eb('requests.state', 'in', p.states as RequestState[])] : []),
      ...(p.counterpartParty ? [eb('requests.counterpart_party', '=', p.counterpartParty)] : []),
      // The period on the indexed expression of migration 014 (a missing date is 'infinity': never in a period).
      ...(p.from ? [sql<SqlBool>`coalesce(requests.received_on, 'infinity'::date) >= ${p.from}`] : []),
      ...(p.from && !p.to ? [eb('requests.received_on', 'is not', null)] : []),
      ...(p.to ? [sql<SqlBool>`coalesce(requests.received_on, 'infinity'::date) <= ${p.to}`] : []),
      ...(term ? [term] : []),
      ...(search ? [search] : []),
    ]);
}

/**
 * R12.c as SQL, equal to classifyOverdue on each body's local day (as
 * count-incoming-by-deadline.ts counts): bodies may keep different time
 * zones, so the day is per zone (usually one).
 */
async function deadlineCondition(tx: Tx, ctx: AppContext, status: DeadlineStatus): Promise<RawBuilder<SqlBool>> {
  const open = sql<SqlBool>`requests.state in (${sql.join(OPEN_STATES.map((s) => sql.lit(s)))})`;
  if (status === 'open') return open;
  const calendar = await ctx.calendar(ctx.party);
  const now = ctx.clock.now();
  const zones = (await tx.selectFrom('bodies').select('time_zone').distinct().execute()).map((z) => z.time_zone);
  const perZone = zones.map((zone) => {
    const today = partyDay(now, ctx.party, zone);
    // On the indexed expression of migration 014: a missing deadline ('infinity') is never due or overdue.
    const d = sql`coalesce(requests.deadline, 'infinity'::date)`;
    const cond =
      status === 'due_soon'
        ? sql`${d} >= ${today} and ${d} < ${dueSoonBefore(calendar, today)}`
        : status === 'overdue'
          ? sql`${d} < ${today}`
          : status === 'overdue_notified'
            ? sql`${d} < ${today} and requests.delay_until is not null`
            : sql`${d} < ${today} and requests.delay_until is null`;
    if (zones.length === 1) return sql`(${cond})`;
    const inZone =
      zone === null
        ? sql`(select id from bodies where time_zone is null)`
        : sql`(select id from bodies where time_zone = ${zone})`;
    return sql`(requests.body_id in ${inZone} and ${cond})`;
  });
  if (perZone.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${open} and (${sql.join(perZone, sql` or `)}))`;
}

/** The sort keys (before the id): the expressions migration 014 indexes, and how a cursor value is cast back. */
const SORT_KEYS: Readonly<
  Record<ListSort, readonly { expr: RawBuilder<unknown>; type: 'date' | 'timestamptz' | 'text' }[]>
> = {
  deadline: [
    { expr: sql`coalesce(requests.deadline, 'infinity'::date)`, type: 'date' },
    { expr: sql`coalesce(requests.shorter_term, 'infinity'::date)`, type: 'date' },
  ],
  received: [{ expr: sql`coalesce(requests.received_on, 'infinity'::date)`, type: 'date' }],
  updated: [{ expr: sql`requests.updated_at`, type: 'timestamptz' }],
  number: [{ expr: sql`requests.number`, type: 'text' }],
};

/** The default sort: incoming by deadline (R12.a, then R12.b), outgoing by last change, newest first. */
export function sortOf(p: ListFilter & ListSortInput): { sort: ListSort; order: 'asc' | 'desc' } {
  const sort = p.sort ?? (p.direction === 'incoming' ? 'deadline' : 'updated');
  return { sort, order: p.order ?? (p.sort ? 'asc' : sort === 'updated' ? 'desc' : 'asc') };
}

/** Where a page ends: the sort keys of its last row, as text, and its id. */
export interface Position {
  keys: string[];
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_SHAPE: Readonly<Record<'date' | 'timestamptz' | 'text', RegExp>> = {
  date: /^(\d{4}-\d{2}-\d{2}|infinity)$/,
  timestamptz: /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)?$/,
  text: /^[\s\S]{1,200}$/,
};

/** An opaque cursor: the position, the list it belongs to (direction, sort, order). */
export function encodeCursor(p: { direction: string; sort: ListSort; order: string }, at: Position): string {
  return Buffer.from(JSON.stringify([1, p.direction, p.sort, p.order, at.keys, at.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, p: { direction: string; sort: ListSort; order: string }): Position {
  const bad = (why: string): never => {
    throw new EixError(
      'input.invalid',
      { field: 'cursor' },
      `Поле «${LIST_FIELDS.cursor}» неверно: ${why}. Откройте список с первой страницы`,
    );
  };
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return bad('закладка страницы повреждена');
  }
  if (!Array.isArray(v) || v.length !== 6 || v[0] !== 1) return bad('закладка страницы повреждена');
  const [, direction, sort, order, keys, id] = v as [number, unknown, unknown, unknown, unknown, unknown];
  if (direction !== p.direction || sort !== p.sort || order !== p.order)
    return bad('закладка относится к другому списку или другой сортировке');
  const shapes = SORT_KEYS[p.sort];
  if (
    !Array.isArray(keys) ||
    keys.length !== shapes.length ||
    !keys.every((k, i) => typeof k === 'string' && KEY_SHAPE[shapes[i]!.type].test(k)) ||
    typeof id !== 'string' ||
    !UUID.test(id)
  )
    return bad('закладка страницы повреждена');
  return { keys: keys as string[], id };
}

const PAGE_COLUMNS = [
  'requests.id',
  'requests.number',
  'requests.direction',
  'requests.state',
  'requests.body_id',
  'requests.counterpart_party',
  'requests.counterpart_body',
  'requests.confidential',
  'requests.received_on',
  'requests.deadline',
  'requests.shorter_term',
  'requests.delay_until',
  'requests.updated_at',
  'requests.document_enc',
] as const;

/** One page in the list's order after `after` (keyset) or `offset` rows. */
export async function selectPage(
  tx: Tx,
  where: NonNullable<Awaited<ReturnType<typeof listCondition>>>,
  s: { sort: ListSort; order: 'asc' | 'desc' },
  limit: number,
  after: Position | null,
  offset = 0,
) {
  const keys = SORT_KEYS[s.sort];
  const dir = sql.raw(s.order);
  let q: Q = baseQuery(tx).where(where);
  if (after) {
    const left = sql.join([...keys.map((k) => k.expr), sql`requests.id`]);
    const right = sql.join([
      ...keys.map((k, i) => sql`cast(${after.keys[i]} as ${sql.raw(k.type)})`),
      sql`cast(${after.id} as uuid)`,
    ]);
    q = q.where(s.order === 'asc' ? sql<SqlBool>`(${left}) > (${right})` : sql<SqlBool>`(${left}) < (${right})`);
  }
  let page = q.select([
    ...PAGE_COLUMNS,
    sql<unknown>`case when requests.direction = 'outgoing' then requests.document->'debtor' end`.as('debtor'),
    ...keys.map((k, i) => sql<string>`(${k.expr})::text`.as(`k${i}`)),
  ]);
  for (const k of keys) page = page.orderBy(sql`${k.expr} ${dir}`);
  page = page.orderBy(sql`requests.id ${dir}`).limit(limit);
  if (offset && !after) page = page.offset(offset);
  const rows = await page.execute();
  return rows.map((r) => {
    const row = r as typeof r & Record<string, string>;
    return { row, position: { keys: keys.map((_, i) => row[`k${i}`]!), id: r.id } as Position };
  });
}

export type PageRow = Awaited<ReturnType<typeof selectPage>>[number]['row'];

/** Counting stops at `cap`: a list shows «более 10 000», not a full scan. */
export async function countCapped(
  tx: Tx,
  where: NonNullable<Awaited<ReturnType<typeof listCondition>>>,
  cap: number,
): Promise<{ total: number; totalCapped: boolean }> {
  const counted = await tx
    .selectFrom(
      baseQuery(tx)
        .where(where)
        .select('requests.id')
        .limit(cap + 1)
        .as('c'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(counted.n);
  return { total: Math.min(total, cap), totalCapped: total > cap };
}

/** The debtor's display name: «Фамилия Имя Отчество» or a company's name. */
export function debtorDisplayName(p: Person | undefined | null): string | null {
  if (!p) return null;
  if (p.type === 'legal_entity') return p.name?.trim() || null;
  const name = [p.surname, p.name, p.patronymic].filter((x) => x?.trim()).join(' ');
  return name || p.latinName?.trim() || null;
}

/** The list items of a page: debtors unsealed, item kinds, R12.c status and the expected answer. */
export async function toItems(
  tx: Tx,
  ctx: AppContext,
  rows: readonly PageRow[],
): Promise<{ items: RequestListItem[]; unsealed: string[] }> {
  const ids = rows.map((r) => r.id);
  const kinds = ids.length
    ? await tx
        .selectFrom('request_items')
        .select(['request_id', 'kind'])
        .where('request_id', 'in', ids)
        .orderBy('request_id')
        .orderBy('item_no')
        .execute()
    : [];
  const kindsOf = new Map<string, ItemKind[]>();
  for (const k of kinds) {
    if (!(ITEM_KINDS as readonly string[]).includes(k.kind)) continue;
    kindsOf.set(k.request_id, [...(kindsOf.get(k.request_id) ?? []), k.kind as ItemKind]);
  }
  const today = await bodyDays(
    tx,
    ctx,
    rows.map((r) => r.body_id),
  );
  const now = ctx.clock.now();
  const calendars = new Map<string, Awaited<ReturnType<AppContext['calendar']>> | null>();
  const calendarOf = async (party: string) => {
    if (!calendars.has(party)) calendars.set(party, await ctx.calendar(party).catch(() => null));
    return calendars.get(party)!;
  };
  const unsealed: string[] = [];
  const items: RequestListItem[] = [];
  for (const r of rows) {
    const state = r.state as RequestState;
    let debtor: Person | null = null;
    if (r.direction === 'incoming' && r.document_enc) {
      debtor = ctx.sealer.decryptJson<Request>(r.document_enc, `request:${r.id}`).debtor ?? null;
      unsealed.push(r.id);
    } else if (r.direction === 'outgoing') debtor = (r.debtor as Person | null) ?? null;
    let overdue: RequestListItem['overdue'] = null;
    let expectedAnswer: RequestListItem['expectedAnswer'] = null;
    if (r.deadline && isOpen(state)) {
      if (r.direction === 'incoming') {
        const cal = await calendarOf(ctx.party);
        if (cal)
          overdue = classifyOverdue(cal, {
            deadline: r.deadline,
            today: today.get(r.body_id)!,
            delayNotified: r.delay_until !== null,
          });
      } else {
        // R12.a: the requested Party's working days, counted from its own day.
        const cal = await calendarOf(r.counterpart_party);
        const s = cal
          ? classifyOverdue(cal, {
              deadline: r.deadline,
              today: partyDay(now, r.counterpart_party),
              delayNotified: r.delay_until !== null,
            })
          : null;
        expectedAnswer = { by: r.deadline, workingDaysLeft: s?.workingDaysLeft ?? null, status: s?.status ?? null };
      }
    }
    items.push({
      id: r.id,
      number: r.number,
      direction: r.direction,
      state,
      bodyId: r.body_id,
      counterpartParty: r.counterpart_party,
      counterpartBody: r.counterpart_body,
      confidential: r.confidential,
      receivedOn: r.received_on,
      deadline: r.deadline,
      requestedBy: r.shorter_term,
      requestedEarlier: requestedEarlier(r.shorter_term, r.deadline),
      delayUntil: r.delay_until,
      overdue,
      expectedAnswer,
      debtorName: debtorDisplayName(debtor),
      itemKinds: kindsOf.get(r.id) ?? [],
      updatedAt: r.updated_at.toISOString(),
    });
  }
  return { items, unsealed };
}

/** R9.1: one audit entry for one read of a list (or export) naming every incoming request whose debtor was shown. */
export async function auditListRead(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  unsealed: readonly string[],
  details: Record<string, unknown>,
): Promise<void> {
  if (unsealed.length === 0) return;
  await appendAudit(tx, ctx, actor, {
    action: 'personal_data.read',
    // Not tied to one request (request_id stays null even for a single row): the ids are in the details.
    requestId: null,
    subject: null,
    details: { parts: ['debtor'], ...details, count: unsealed.length, requestIds: unsealed },
  });
}

/** «ответ ожидается до 14.01.2027 · осталось 12 раб. дн.» (or «ожидался … · просрочен на N раб. дн.»). */
export function expectedAnswerRu(e: NonNullable<RequestListItem['expectedAnswer']>): string {
  const by = calendarDateRu(e.by);
  if (e.workingDaysLeft === null) return `ответ ожидается до ${by}`;
  if (e.status === 'overdue_notified' || e.status === 'overdue_silent')
    return `ответ ожидался до ${by} · просрочен на ${-e.workingDaysLeft} раб. дн.`;
  return `ответ ожидается до ${by} · осталось ${e.workingDaysLeft} раб. дн.`;
}

/** Today of each listed body (partyDay in its time zone): one small query for the whole page. */
async function bodyDays(tx: Tx, ctx: AppContext, bodyIds: readonly string[]): Promise<Map<string, IsoDate>> {
  const ids = [...new Set(bodyIds)];
  const zones = ids.length
    ? await tx.selectFrom('bodies').select(['id', 'time_zone']).where('id', 'in', ids).execute()
    : [];
  const zoneOf = new Map(zones.map((b) => [b.id, b.time_zone]));
  const now = ctx.clock.now();
  return new Map(ids.map((id) => [id, partyDay(now, ctx.party, zoneOf.get(id))]));
}
