// Statistics for central bodies and supervisors (issue 15, item 6): per month,
// Party pair and body — requests received and sent, answered in time, overdue
// (with or without a delay notice, R12.c), the median and 90th percentile of
// the turnaround in the REQUESTED Party's working days (R12.a), refusals by
// Article 13 ground, withdrawals, forwards (R18), requests that came back for
// additional information (R14) and, per Party pair, the most frequent reasons
// the check on receipt found a request incomplete (R11).
//
// One SQL statement aggregates in the database (GROUPING SETS: the detailed
// rows, the months for the charts, the pairs and the totals at once). It reads
// one row per request: what the figures need from the history is kept on the
// request by applyEvent (migration 020), and the period is one range over the
// covering index `requests_statistics`. Working days: each requested Party's
// calendar is passed as (day, working-day ordinal) arrays and joined twice, so
// a turnaround is `ordinal(answer day) − ordinal(receipt day)` and the
// percentiles are percentile_cont over it — no loop per request (docs/ARCHITECTURE.md,
// decision 37).
//
// R9.1: counts, days and Article codes only — no personal data, nothing unsealed, no audit entry.
// Who: a `central` officer sees every body of the node (or the one chosen), a
// supervisor his own body; officers without either role and administrators are
// refused (the statistics are a management view; an officer's own work is on
// his start page).
import Type, { type Static } from 'typebox';
import { sql } from 'kysely';
import { addDays, addMonths, maxDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { PARTIES, isSignatory, partyDay } from '../domain/parties.js';
import {
  MONTH,
  STATISTICS_GROUNDS,
  incompleteReason,
  monthSpan,
  monthsOf,
  workingDayOrdinals,
  type Month,
  type StatisticsGround,
} from '../domain/statistics.js';
import { OPEN_STATES, REFUSAL_GROUNDS } from '../domain/workflow.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';
import { parseInput } from './input.js';
import type { Store, Tx } from '../ports/store.js';

export const STATISTICS_DIRECTIONS = ['incoming', 'outgoing'] as const;
export type StatisticsDirection = (typeof STATISTICS_DIRECTIONS)[number];

const MonthStr = Type.String({ pattern: MONTH.source });

/** The filters of the page, the API and the export. */
export const statisticsFilterProperties = {
  /** First month of the period (`YYYY-MM`, month of receipt); by default eleven months before `to`. */
  from: Type.Optional(MonthStr),
  /** Last month of the period (`YYYY-MM`); by default the current month. */
  to: Type.Optional(MonthStr),
  direction: Type.Optional(Type.Union(STATISTICS_DIRECTIONS.map((d) => Type.Literal(d)))),
  /** The other Party of the pair (the requesting Party of an incoming request, the requested one of an outgoing). */
  partnerParty: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  /** One body of the node (a central officer's choice; a supervisor has his own). */
  bodyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
};
export const StatisticsInput = Type.Object(statisticsFilterProperties, { additionalProperties: false });
export type StatisticsFilter = Static<typeof StatisticsInput>;

/** Russian names of the filters, for input errors. */
export const STATISTICS_FIELDS: Readonly<Record<string, string>> = {
  from: 'период с',
  to: 'период по',
  direction: 'направление',
  partnerParty: 'другая Сторона',
  bodyId: 'орган',
  format: 'формат',
};

/** The longest period one query covers (five years of months). */
export const MAX_MONTHS = 60;

/** The figures of one group of requests. */
export interface StatisticsFigures {
  /** Requests received (incoming) or sent and received by the other Party (outgoing) in the period. */
  requests: number;
  /** Finally answered (R12). */
  answered: number;
  /** Finally answered on or before the R12.a deadline. */
  answeredInTime: number;
  /** Still being executed (the term runs). */
  open: number;
  /** Past the deadline (answered or refused after it, or still unanswered), with a delay notice (R12.c) … */
  overdueNotified: number;
  /** … and without one. */
  overdueSilent: number;
  refused: number;
  /** R13.a: refusals per Article 13 ground (`unknown`: received before the ground was kept in clear). */
  refusedBy: Record<StatisticsGround, number>;
  withdrawn: number;
  /** R18: forwarded to a territorial body (incoming: here; outgoing: by the other Party). */
  forwarded: number;
  /** R14: the requested body asked for additional information — the request came back incomplete. */
  additionalInfoAsked: number;
  /** R11: incoming requests the check on receipt found incomplete. */
  incompleteOnReceipt: number;
  /** R12.a: working days of the requested Party from the day of receipt to the final answer or refusal. */
  turnaround: { counted: number; median: number | null; p90: number | null };
}

export interface StatisticsRow extends StatisticsFigures {
  month: Month;
  direction: StatisticsDirection;
  partnerParty: string;
  body: { id: string; name: string };
}

export interface IncompleteReason {
  label: string;
  count: number;
}

export interface PairStatistics extends StatisticsFigures {
  direction: StatisticsDirection;
  partnerParty: string;
  /** R11: the most frequent reasons (incoming only: the check on receipt is made by the requested side). */
  incompleteReasons: IncompleteReason[];
}

export interface Statistics {
  filters: { from: Month; to: Month; direction?: StatisticsDirection; partnerParty?: string; bodyId?: string };
  /** `node`: every body of the node (central); `body`: the officer's own body (supervisor). */
  scope: 'node' | 'body';
  /** The bodies the filter offers. */
  bodies: { id: string; name: string }[];
  months: Month[];
  /** Per month, direction, other Party and body (only groups with requests). */
  rows: StatisticsRow[];
  /** Per month and direction, every month of the period (zeros included): the charts. */
  byMonth: (StatisticsFigures & { month: Month; direction: StatisticsDirection })[];
  /** Per direction and other Party, with the reasons for incompleteness. */
  byPair: PairStatistics[];
  /** Per direction over the whole period. */
  totals: (StatisticsFigures & { direction: StatisticsDirection })[];
  /** The number of reasons shown per pair. */
  reasonsShown: number;
}

const REASONS_SHOWN = 5;

/** The roles that open the statistics. */
export const STATISTICS_ROLES = ['supervisor', 'central'] as const;

export async function getStatistics(ctx: AppContext, actor: Actor, input: unknown): Promise<Statistics> {
  const o = requireRole(actor, ...STATISTICS_ROLES);
  const p = parseInput(StatisticsInput, input, STATISTICS_FIELDS);
  return ctx.db.transaction().execute(async (tx) => {
    const node = o.roles.includes('central');
    const bodies = await bodiesInScope(tx, ctx, o);
    const f = checkFilters(ctx, o, p, node, bodies);
    const { first, last } = monthSpan(f.from, f.to);
    const now = ctx.clock.now();
    const today = partyDay(now, ctx.party);

    // The requested Parties' working-day ordinals over the period (and up to today for late answers).
    const parties = [ctx.party, ...Object.keys(PARTIES).filter((c) => c !== ctx.party)];
    const cal = { party: [] as string[], day: [] as string[], ord: [] as number[] };
    const todays = { party: [] as string[], day: [] as string[] };
    for (const party of parties) {
      todays.party.push(party);
      todays.day.push(partyDay(now, party));
      const c = await ctx.calendar(party).catch(() => null);
      if (!c) continue;
      const w = workingDayOrdinals(c, first, addDays(maxDate(last, today), 1));
      cal.party.push(...w.days.map(() => party));
      cal.day.push(...w.days);
      cal.ord.push(...w.ordinals);
    }
    const requested = sql`case when r.direction = 'incoming' then ${ctx.party} else r.counterpart_party end`;
    const where = sql.join(
      [
        sql`r.received_on is not null`,
        sql`r.received_on between ${first} and ${last}`,
        f.bodyId ? sql`r.body_id = ${f.bodyId}` : node ? sql`true` : sql`r.body_id = ${o.bodyId}`,
        ...(f.direction ? [sql`r.direction = ${f.direction}`] : []),
        ...(f.partnerParty ? [sql`r.counterpart_party = ${f.partnerParty}`] : []),
      ],
      sql` and `,
    );
    const open = sql.join(OPEN_STATES.map((s) => sql.lit(s)));
    const overdue = sql`r.state <> 'withdrawn' and r.deadline < coalesce(r.responded_on, td.today)`;
    const known = sql.join(REFUSAL_GROUNDS.map((g) => sql.lit(g)));
    const byGround = REFUSAL_GROUNDS.map((g) =>
      sql`count(*) filter (where r.state = 'refused' and r.refusal_ground = ${sql.lit(g)})`.as(`refused_${g}`),
    );
    // The sorts of the grouping sets stay in memory (PostgreSQL's default 4 MB spills a year of 1M requests to disk).
    await sql`set local work_mem = '64MB'`.execute(tx);
    const rows = await sql<AggregateRow>`
      with cal(party, day, ord) as (
        select * from unnest(${cal.party}::text[], ${cal.day}::date[], ${cal.ord}::int[])
      ), td(party, today) as (
        select * from unnest(${todays.party}::text[], ${todays.day}::date[])
      )
      select
        (r.received_on - (extract(day from r.received_on)::int - 1))::text as month, r.direction, r.counterpart_party as partner, r.body_id,
        grouping(r.received_on - (extract(day from r.received_on)::int - 1), r.direction, r.counterpart_party, r.body_id) as level,
        count(*) as requests,
        count(*) filter (where r.state = 'answered') as answered,
        count(*) filter (where r.state = 'answered' and r.responded_on <= r.deadline) as answered_in_time,
        count(*) filter (where r.state in (${open})) as open,
        count(*) filter (where ${overdue} and r.delay_until is not null) as overdue_notified,
        count(*) filter (where ${overdue} and r.delay_until is null) as overdue_silent,
        count(*) filter (where r.state = 'refused') as refused,
        ${sql.join(byGround)},
        count(*) filter (where r.state = 'refused' and (r.refusal_ground is null or r.refusal_ground not in (${known})))
          as refused_unknown,
        count(*) filter (where r.state = 'withdrawn') as withdrawn,
        count(*) filter (where (r.direction = 'incoming' and r.addressed_to is not null and r.addressed_to <> r.body_id)
          or (r.direction = 'outgoing' and r.counterpart_forwarded_to is not null)) as forwarded,
        count(*) filter (where r.additional_info_asked) as additional_info_asked,
        count(*) filter (where r.direction = 'incoming' and r.receipt_problems > 0) as incomplete_on_receipt,
        count(c2.ord - c1.ord) as turnaround_counted,
        percentile_cont(0.5) within group (order by c2.ord - c1.ord) as turnaround_median,
        percentile_cont(0.9) within group (order by c2.ord - c1.ord) as turnaround_p90
      from requests r
      left join td on td.party = ${requested}
      left join cal c1 on c1.party = ${requested} and c1.day = r.received_on
      left join cal c2 on c2.party = ${requested} and c2.day = r.responded_on
      where ${where}
      group by grouping sets (
        (r.received_on - (extract(day from r.received_on)::int - 1), r.direction, r.counterpart_party, r.body_id),
        (r.received_on - (extract(day from r.received_on)::int - 1), r.direction),
        (r.direction, r.counterpart_party),
        (r.direction)
      )`.execute(tx);
    // R11: the reasons of the check on receipt, per requesting Party (incoming requests only).
    const reasons =
      f.direction === 'outgoing'
        ? []
        : (
            await sql<{ partner: string; code: string; path: string; n: string }>`
              select r.counterpart_party as partner, p->>'code' as code, coalesce(p->>'path', '') as path,
                count(*) as n
              from requests r cross join lateral jsonb_array_elements(r.receipt_check -> 'problems') p
              where ${where} and r.direction = 'incoming' and r.receipt_problems > 0
              group by 1, 2, 3`.execute(tx)
          ).rows;
    const monthly = rows.rows.map((r) => ({ ...r, month: r.month === null ? null : r.month.slice(0, 7) }));
    return assemble(f, node, bodies, monthly, reasons);
  });
}

/** The bodies whose figures the officer sees: every body of the node (central), else his own. */
async function bodiesInScope(tx: Tx | Store, ctx: AppContext, o: Officer): Promise<{ id: string; name: string }[]> {
  return tx
    .selectFrom('bodies')
    .select(['id', 'name'])
    .where('party', '=', ctx.party)
    .$if(!o.roles.includes('central'), (q) => q.where('id', '=', o.bodyId))
    .orderBy('name')
    .execute();
}

/** The bodies the filter offers (the page's form after a wrong filter). */
export async function statisticsBodies(ctx: AppContext, actor: Actor): Promise<{ id: string; name: string }[]> {
  const o = requireRole(actor, ...STATISTICS_ROLES);
  return bodiesInScope(ctx.db, ctx, o);
}

/** Filters checked beyond their shape: the period in order and not too long, a known Party, a body in scope. */
function checkFilters(
  ctx: AppContext,
  o: Officer,
  p: StatisticsFilter,
  node: boolean,
  bodies: readonly { id: string }[],
): Statistics['filters'] {
  const bad = (field: string, message: string): never => {
    throw new EixError('input.invalid', { field }, message);
  };
  const current = partyDay(ctx.clock.now(), ctx.party).slice(0, 7);
  const to = p.to ?? (p.from && p.from > current ? p.from : current);
  const from = p.from ?? addMonths(`${to}-01`, -11).slice(0, 7);
  if (from > to)
    bad('to', `Поле «${STATISTICS_FIELDS.to}» раньше поля «${STATISTICS_FIELDS.from}»: укажите период по порядку`);
  if (monthsOf(from, to).length > MAX_MONTHS)
    bad('to', `Период длиннее ${MAX_MONTHS} месяцев: сократите его (поле «${STATISTICS_FIELDS.to}»)`);
  if (p.partnerParty && (!isSignatory(p.partnerParty) || p.partnerParty === ctx.party))
    bad(
      'partnerParty',
      `Поле «${STATISTICS_FIELDS.partnerParty}»: выберите государство — участника Соглашения из списка`,
    );
  if (p.bodyId && !bodies.some((b) => b.id === p.bodyId)) {
    if (!node)
      throw new EixError(
        'access.denied',
        { field: 'bodyId' },
        'Руководитель видит статистику только своего органа: выберите свой орган',
      );
    bad('bodyId', `Поле «${STATISTICS_FIELDS.bodyId}»: выберите орган из списка`);
  }
  return {
    from,
    to,
    ...(p.direction ? { direction: p.direction } : {}),
    ...(p.partnerParty ? { partnerParty: p.partnerParty } : {}),
    ...(p.bodyId ? { bodyId: p.bodyId } : node ? {} : { bodyId: o.bodyId }),
  };
}

interface AggregateRow {
  month: string | null;
  direction: StatisticsDirection;
  partner: string | null;
  body_id: string | null;
  level: number | string;
  requests: string;
  answered: string;
  answered_in_time: string;
  open: string;
  overdue_notified: string;
  overdue_silent: string;
  refused: string;
  refused_unknown: string;
  withdrawn: string;
  forwarded: string;
  additional_info_asked: string;
  incomplete_on_receipt: string;
  turnaround_counted: string;
  turnaround_median: number | string | null;
  turnaround_p90: number | string | null;
  [k: `refused_${string}`]: string;
}

/** GROUPING() bits: month 8, direction 4, partner 2, body 1 (a set bit = rolled up). */
const LEVEL = { detail: 0, month: 3, pair: 9, total: 11 } as const;

const num = (v: string | number | null | undefined): number => Number(v ?? 0);
const day = (v: string | number | null): number | null => (v === null ? null : Math.round(Number(v) * 10) / 10);

function figuresOf(r: AggregateRow | undefined): StatisticsFigures {
  return {
    requests: num(r?.requests),
    answered: num(r?.answered),
    answeredInTime: num(r?.answered_in_time),
    open: num(r?.open),
    overdueNotified: num(r?.overdue_notified),
    overdueSilent: num(r?.overdue_silent),
    refused: num(r?.refused),
    refusedBy: Object.fromEntries(STATISTICS_GROUNDS.map((g) => [g, num(r?.[`refused_${g}`])])) as Record<
      StatisticsGround,
      number
    >,
    withdrawn: num(r?.withdrawn),
    forwarded: num(r?.forwarded),
    additionalInfoAsked: num(r?.additional_info_asked),
    incompleteOnReceipt: num(r?.incomplete_on_receipt),
    turnaround: {
      counted: num(r?.turnaround_counted),
      median: r ? day(r.turnaround_median) : null,
      p90: r ? day(r.turnaround_p90) : null,
    },
  };
}

function assemble(
  f: Statistics['filters'],
  node: boolean,
  bodies: { id: string; name: string }[],
  rows: readonly AggregateRow[],
  reasons: readonly { partner: string; code: string; path: string; n: string }[],
): Statistics {
  const months = monthsOf(f.from, f.to);
  const directions = f.direction ? [f.direction] : [...STATISTICS_DIRECTIONS];
  const nameOf = new Map(bodies.map((b) => [b.id, b.name]));
  const at = (level: number) => rows.filter((r) => num(r.level) === level);
  const detail = at(LEVEL.detail)
    .map((r): StatisticsRow => ({
      month: r.month!,
      direction: r.direction,
      partnerParty: r.partner!,
      body: { id: r.body_id!, name: nameOf.get(r.body_id!) ?? r.body_id! },
      ...figuresOf(r),
    }))
    .sort(
      (a, b) =>
        a.month.localeCompare(b.month) ||
        a.direction.localeCompare(b.direction) ||
        a.partnerParty.localeCompare(b.partnerParty) ||
        a.body.name.localeCompare(b.body.name, 'ru'),
    );
  const perMonth = at(LEVEL.month);
  const byMonth = months.flatMap((month) =>
    directions.map((direction) => ({
      month,
      direction,
      ...figuresOf(perMonth.find((r) => r.month === month && r.direction === direction)),
    })),
  );
  // Reasons merged per pair on the code and the field without indexes, most frequent first.
  const reasonsOf = new Map<string, Map<string, IncompleteReason>>();
  for (const x of reasons) {
    const { key, label } = incompleteReason({ code: x.code, path: x.path });
    const m = reasonsOf.get(x.partner) ?? new Map<string, IncompleteReason>();
    const r = m.get(key) ?? { label, count: 0 };
    r.count += num(x.n);
    m.set(key, r);
    reasonsOf.set(x.partner, m);
  }
  const byPair = at(LEVEL.pair)
    .map((r): PairStatistics => ({
      direction: r.direction,
      partnerParty: r.partner!,
      ...figuresOf(r),
      incompleteReasons:
        r.direction === 'incoming'
          ? [...(reasonsOf.get(r.partner!)?.values() ?? [])]
              .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'ru'))
              .slice(0, REASONS_SHOWN)
          : [],
    }))
    .sort((a, b) => a.direction.localeCompare(b.direction) || b.requests - a.requests);
  const totals = directions.map((direction) => ({
    direction,
    ...figuresOf(at(LEVEL.total).find((r) => r.direction === direction)),
  }));
  return {
    filters: f,
    scope: node ? 'node' : 'body',
    bodies,
    months,
    rows: detail,
    byMonth,
    byPair,
    totals,
    reasonsShown: REASONS_SHOWN,
  };
}
