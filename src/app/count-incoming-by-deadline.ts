// R12.c: the dashboard's counters over every open incoming request the actor
// may see (not only those on the first page of the list): open, due soon,
// overdue with and without a delay notice — one SQL count per status, equal to
// classifying each request with classifyOverdue.
import { sql } from 'kysely';
import { dueSoonBefore } from '../domain/calendar.js';
import { localDate } from '../domain/dates.js';
import { OPEN_STATES, type RequestState } from '../domain/workflow.js';
import { CASEWORK_ROLES, requestScope, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';

export interface DeadlineCounts {
  open: number;
  due_soon: number;
  overdue_notified: number;
  overdue_silent: number;
}

export async function countIncomingByDeadline(ctx: AppContext, actor: Actor): Promise<DeadlineCounts> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const today = localDate(ctx.clock.now(), 'UTC');
  const soon = dueSoonBefore(await ctx.calendar(ctx.party), today);
  const r = await ctx.db
    .selectFrom('requests')
    .where('direction', '=', 'incoming')
    .where('state', 'in', OPEN_STATES as RequestState[])
    .where(requestScope(o))
    .select([
      sql<string>`count(*)`.as('open'),
      sql<string>`count(*) filter (where deadline < ${today} and delay_until is not null)`.as('overdue_notified'),
      sql<string>`count(*) filter (where deadline < ${today} and delay_until is null)`.as('overdue_silent'),
      sql<string>`count(*) filter (where deadline >= ${today} and deadline < ${soon})`.as('due_soon'),
    ])
    .executeTakeFirstOrThrow();
  return {
    open: Number(r.open),
    due_soon: Number(r.due_soon),
    overdue_notified: Number(r.overdue_notified),
    overdue_silent: Number(r.overdue_silent),
  };
}
