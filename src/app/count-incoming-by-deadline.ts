// R12.c: the dashboard's counters over every open incoming request the actor
// may see (not only those on the first page of the list): open, due soon,
// overdue with and without a delay notice — one SQL count per status, equal to
// classifying each request with classifyOverdue on its body's local day.
import { sql } from 'kysely';
import { dueSoonBefore } from '../domain/calendar.js';
import { partyDay } from '../domain/parties.js';
import { OPEN_STATES, type RequestState } from '../domain/workflow.js';
import { CASEWORK_ROLES, requestScope, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import type { DeadlineStatus } from './request-list.js';

export interface DeadlineCounts {
  open: number;
  due_soon: number;
  overdue_notified: number;
  overdue_silent: number;
}

export async function countIncomingByDeadline(ctx: AppContext, actor: Actor): Promise<DeadlineCounts> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const calendar = await ctx.calendar(ctx.party);
  const now = ctx.clock.now();
  const total: DeadlineCounts = { open: 0, due_soon: 0, overdue_notified: 0, overdue_silent: 0 };
  // "Today" is the local day of each body (partyDay): bodies of one Party may
  // keep different time zones, so the count runs once per zone (usually one).
  const zones = await ctx.db.selectFrom('bodies').select('time_zone').distinct().execute();
  for (const { time_zone: zone } of zones) {
    const today = partyDay(now, ctx.party, zone);
    const soon = dueSoonBefore(calendar, today);
    const r = await ctx.db
      .selectFrom('requests')
      .where('direction', '=', 'incoming')
      .where('state', 'in', OPEN_STATES as RequestState[])
      .where(requestScope(o))
      .where('body_id', 'in', (eb) =>
        eb
          .selectFrom('bodies')
          .select('id')
          .where('time_zone', zone === null ? 'is' : '=', zone),
      )
      .select([
        sql<string>`count(*)`.as('open'),
        sql<string>`count(*) filter (where deadline < ${today} and delay_until is not null)`.as('overdue_notified'),
        sql<string>`count(*) filter (where deadline < ${today} and delay_until is null)`.as('overdue_silent'),
        sql<string>`count(*) filter (where deadline >= ${today} and deadline < ${soon})`.as('due_soon'),
      ])
      .executeTakeFirstOrThrow();
    total.open += Number(r.open);
    total.due_soon += Number(r.due_soon);
    total.overdue_notified += Number(r.overdue_notified);
    total.overdue_silent += Number(r.overdue_silent);
  }
  return total;
}

/** A dashboard counter with the list filter it counts (issue 14: counters open their list). */
export interface DeadlineCounter {
  readonly key: keyof DeadlineCounts;
  readonly count: number;
  /** The input of listRequests (or its export) whose `total` is this count. */
  readonly filter: { readonly direction: 'incoming'; readonly deadlineStatus: DeadlineStatus };
}

/** Each counter of countIncomingByDeadline and its list filter: the filter's status has the counter's name. */
export const DEADLINE_COUNTER_KEYS: readonly (keyof DeadlineCounts)[] = [
  'open',
  'due_soon',
  'overdue_notified',
  'overdue_silent',
];

export async function countIncomingByDeadlineWithFilters(ctx: AppContext, actor: Actor): Promise<DeadlineCounter[]> {
  const counts = await countIncomingByDeadline(ctx, actor);
  return DEADLINE_COUNTER_KEYS.map((key) => ({
    key,
    count: counts[key],
    filter: { direction: 'incoming', deadlineStatus: key },
  }));
}
