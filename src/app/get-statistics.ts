// Statistics for central bodies and supervisors (issue 15, item 6): per month,
// Party pair and body — requests received and sent, answered in time, overdue
// (with or without a delay notice, R12.c), the median and 90th percentile of
// the turnaround in the REQUESTED Party's working days (R12.a), refusals by
// Article 13 ground, withdrawals, forwards (R18), requests that came back for
// additional information (R14) and, per Party pair, the most frequent reasons
// the check on receipt found a request incomplete (R11).
//
// The figures are read from a summary, not from the requests (migration 024, docs/ARCHITECTURE.md decision 38):
// a trigger on requests appends what each change adds or removes (facts of the group month × direction × other
// Party × body: counts, the deadline of a request still unanswered, the turnaround in the requested Party's
// working days, the reasons of the check on receipt), and one statement sums the summary and the changes not
// folded yet — some thirty thousand rows for a year at a million requests. Overdue-ness of an unanswered
// request depends on today and is decided here; the coarser groups (months for the charts, pairs, totals) and
// the median and 90th percentile (exactly percentile_cont, from the turnaround histogram) in assemble.
// R9.1: counts, days and Article codes only — no personal data, nothing unsealed, no audit entry.
// Who: a `central` officer sees every body of the node (or the one chosen), a
// supervisor his own body; officers without either role and administrators are
// refused (the statistics are a management view; an officer's own work is on
// his start page).
import Type, { type Static } from 'typebox';
import { sql } from 'kysely';
import { addMonths, dayNumber } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { PARTIES, isSignatory, partyDay } from '../domain/parties.js';
import {
  MONTH,
  STATISTICS_GROUNDS,
  histogramPercentile,
  incompleteReason,
  monthSpan,
  monthsOf,
  type Month,
  type StatisticsGround,
} from '../domain/statistics.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';
import { parseInput } from './input.js';
import { refreshStatisticsCalendars } from './refresh-statistics-calendars.js';
import { foldStatisticsChanges } from './statistics-summary.js';
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
  // R12.a: the working days of the calendars in force (once per process), then the trigger's changes folded in.
  await refreshStatisticsCalendars(ctx);
  await foldStatisticsChanges(ctx.db);
  return ctx.db.transaction().execute(async (tx) => {
    const node = o.roles.includes('central');
    const bodies = await bodiesInScope(tx, ctx, o);
    const f = checkFilters(ctx, o, p, node, bodies);
    const { first, last } = monthSpan(f.from, f.to);
    const now = ctx.clock.now();
    // R12.c: an unanswered request is overdue once its deadline is before the requested Party's today.
    const todayOf = (party: string) => dayNumber(partyDay(now, party));
    const others = Object.keys(PARTIES).filter((c) => c !== ctx.party);
    const today = sql`case when s.direction = 'incoming' then ${todayOf(ctx.party)}::int
      else case s.partner ${sql.join(
        others.map((c) => sql`when ${c} then ${todayOf(c)}::int`),
        sql` `,
      )} end end`;
    const where = sql.join(
      [
        sql`s.month between ${first}::date and ${last}::date`,
        f.bodyId ? sql`s.body_id = ${f.bodyId}` : node ? sql`true` : sql`s.body_id = ${o.bodyId}`,
        ...(f.direction ? [sql`s.direction = ${f.direction}`] : []),
        ...(f.partnerParty ? [sql`s.partner = ${f.partnerParty}`] : []),
      ],
      sql` and `,
    );
    const fact = (name: string) => sql`coalesce(sum(n) filter (where fact = ${name}), 0)::int`;
    // The summary (migration 024) and the changes not folded yet, in one statement (every change counted once);
    // a request still unanswered is overdue when its deadline is before the requested Party's today. One row per
    // month × direction × other Party × body, the turnarounds as a histogram (days ascending, how many requests).
    const rows = await sql<AggregateRow>`
      with facts as (
        select s.month, s.direction, s.partner, s.body_id,
          case when s.fact like 'pending%' then
            case when s.value < ${today} then replace(s.fact, 'pending', 'overdue') end
          else s.fact end as fact,
          s.value, s.n
        from (
          select * from request_statistics
          union all
          select * from request_statistics_changes
        ) s
        where ${where} and s.fact not like 'reason:%'
      ), turnarounds as (
        select month, direction, partner, body_id, array_agg(value order by value) as t_days,
          array_agg(n order by value) as t_counts
        from (
          select month, direction, partner, body_id, value, sum(n)::int as n
          from facts where fact = 'turnaround'
          group by 1, 2, 3, 4, 5
          having sum(n) <> 0
        ) t
        group by 1, 2, 3, 4
      ), counts as (
        select month, direction, partner, body_id,
          ${sql.join(COUNTED.map((c) => sql`${fact(c)} as ${sql.id(c)}`))}
        from facts where fact is not null and fact <> 'turnaround'
        group by 1, 2, 3, 4
      )
      select c.month::text as month, c.direction, c.partner, c.body_id, ${sql.join(COUNTED.map((k) => sql.ref(`c.${k}`)))},
        coalesce(t.t_days, '{}') as t_days, coalesce(t.t_counts, '{}') as t_counts
      from counts c
      left join turnarounds t on t.month = c.month and t.direction = c.direction and t.partner = c.partner
        and t.body_id = c.body_id
      where c.requests > 0`.execute(tx);
    // R11: the reasons of the check on receipt, per requesting Party (incoming requests only).
    const reasons =
      f.direction === 'outgoing'
        ? []
        : (
            await sql<{ partner: string; fact: string; n: number }>`
              select s.partner, s.fact, sum(s.n)::int as n
              from (
                select * from request_statistics
                union all
                select * from request_statistics_changes
              ) s
              where ${where} and s.direction = 'incoming' and s.fact like 'reason:%'
              group by 1, 2
              having sum(s.n) > 0`.execute(tx)
          ).rows.map((r) => {
            const reason = r.fact.slice('reason:'.length);
            const bar = reason.indexOf('|');
            return { partner: r.partner, code: reason.slice(0, bar), path: reason.slice(bar + 1), n: r.n };
          });
    const groups = rows.rows.map((r) => ({ ...r, month: r.month.slice(0, 7) }));
    return assemble(f, node, bodies, groups, reasons);
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

/** One group of the statement: month × direction × other Party × body. */
interface AggregateRow {
  month: string;
  direction: StatisticsDirection;
  partner: string;
  body_id: string;
  requests: number;
  answered: number;
  answered_in_time: number;
  open: number;
  overdue_notified: number;
  overdue_silent: number;
  refused: number;
  refused_unknown: number;
  withdrawn: number;
  forwarded: number;
  additional_info_asked: number;
  incomplete_on_receipt: number;
  /** R12.a turnarounds in working days, ascending, and how many requests took each. */
  t_days: number[];
  t_counts: number[];
  [k: `refused_${string}`]: number;
}

/** The figures of a group of requests, summed as they come (every figure is a count; the turnarounds a histogram). */
class Figures {
  readonly counts = new Map<string, number>();
  readonly turnarounds = new Map<number, number>();

  add(r: AggregateRow): this {
    for (const k of COUNTED) this.counts.set(k, (this.counts.get(k) ?? 0) + Number(r[k]));
    r.t_days.forEach((d, i) => this.turnarounds.set(d, (this.turnarounds.get(d) ?? 0) + Number(r.t_counts[i])));
    return this;
  }

  figures(): StatisticsFigures {
    const n = (k: (typeof COUNTED)[number]) => this.counts.get(k) ?? 0;
    const days = [...this.turnarounds.keys()].sort((a, b) => a - b);
    const counts = days.map((d) => this.turnarounds.get(d)!);
    return {
      requests: n('requests'),
      answered: n('answered'),
      answeredInTime: n('answered_in_time'),
      open: n('open'),
      overdueNotified: n('overdue_notified'),
      overdueSilent: n('overdue_silent'),
      refused: n('refused'),
      refusedBy: Object.fromEntries(STATISTICS_GROUNDS.map((g) => [g, n(`refused_${g}`)])) as Record<
        StatisticsGround,
        number
      >,
      withdrawn: n('withdrawn'),
      forwarded: n('forwarded'),
      additionalInfoAsked: n('additional_info_asked'),
      incompleteOnReceipt: n('incomplete_on_receipt'),
      turnaround: {
        counted: counts.reduce((a, b) => a + b, 0),
        median: histogramPercentile(days, counts, 0.5),
        p90: histogramPercentile(days, counts, 0.9),
      },
    };
  }
}

const COUNTED = [
  'requests',
  'answered',
  'answered_in_time',
  'open',
  'overdue_notified',
  'overdue_silent',
  'refused',
  ...STATISTICS_GROUNDS.map((g) => `refused_${g}` as const),
  'withdrawn',
  'forwarded',
  'additional_info_asked',
  'incomplete_on_receipt',
] as const;

/** Sums the groups per key (in the order first met). */
function sumBy(rows: readonly AggregateRow[], key: (r: AggregateRow) => string): Map<string, Figures> {
  const out = new Map<string, Figures>();
  for (const r of rows) {
    const k = key(r);
    const f = out.get(k) ?? new Figures();
    out.set(k, f.add(r));
  }
  return out;
}

function assemble(
  f: Statistics['filters'],
  node: boolean,
  bodies: { id: string; name: string }[],
  rows: readonly AggregateRow[],
  reasons: readonly { partner: string; code: string; path: string; n: number }[],
): Statistics {
  const months = monthsOf(f.from, f.to);
  const directions = f.direction ? [f.direction] : [...STATISTICS_DIRECTIONS];
  const nameOf = new Map(bodies.map((b) => [b.id, b.name]));
  const detail = rows
    .map((r): StatisticsRow => ({
      month: r.month,
      direction: r.direction,
      partnerParty: r.partner,
      body: { id: r.body_id, name: nameOf.get(r.body_id) ?? r.body_id },
      ...new Figures().add(r).figures(),
    }))
    .sort(
      (a, b) =>
        a.month.localeCompare(b.month) ||
        a.direction.localeCompare(b.direction) ||
        a.partnerParty.localeCompare(b.partnerParty) ||
        a.body.name.localeCompare(b.body.name, 'ru'),
    );
  const perMonth = sumBy(rows, (r) => `${r.month}|${r.direction}`);
  const byMonth = months.flatMap((month) =>
    directions.map((direction) => ({
      month,
      direction,
      ...(perMonth.get(`${month}|${direction}`) ?? new Figures()).figures(),
    })),
  );
  // Reasons merged per pair on the code and the field without indexes, most frequent first.
  const reasonsOf = new Map<string, Map<string, IncompleteReason>>();
  for (const x of reasons) {
    const { key, label } = incompleteReason({ code: x.code, path: x.path });
    const m = reasonsOf.get(x.partner) ?? new Map<string, IncompleteReason>();
    const r = m.get(key) ?? { label, count: 0 };
    r.count += Number(x.n);
    m.set(key, r);
    reasonsOf.set(x.partner, m);
  }
  const perPair = sumBy(rows, (r) => `${r.direction}|${r.partner}`);
  const byPair = [...perPair.entries()]
    .map(([key, figures]): PairStatistics => {
      const [direction, partner] = key.split('|') as [StatisticsDirection, string];
      return {
        direction,
        partnerParty: partner,
        ...figures.figures(),
        incompleteReasons:
          direction === 'incoming'
            ? [...(reasonsOf.get(partner)?.values() ?? [])]
                .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'ru'))
                .slice(0, REASONS_SHOWN)
            : [],
      };
    })
    .sort((a, b) => a.direction.localeCompare(b.direction) || b.requests - a.requests);
  const perDirection = sumBy(rows, (r) => r.direction);
  const totals = directions.map((direction) => ({
    direction,
    ...(perDirection.get(direction) ?? new Figures()).figures(),
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
