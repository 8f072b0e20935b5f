// R12.c, issue 14 item 7: the clock's events. A periodic job (src/main.ts)
// records, once per request and kind, that an open incoming request has five
// working days of this (the requested) Party or fewer left, that it is overdue,
// and that an outgoing request's answer did not come in the other Party's term.
// "Today" is each body's local day (partyDay), the other Party's day for an
// outgoing request; the classification is classifyOverdue's, as in the lists.
// Running twice, or in two processes at once, records nothing more: the unique
// index of migration 014 (request, kind) and `on conflict do nothing`.
import { sql } from 'kysely';
import { classifyOverdue, dueSoonBefore } from '../domain/calendar.js';
import { addDays, compareDates, localDate } from '../domain/dates.js';
import { partyDay } from '../domain/parties.js';
import { OPEN_STATES, type RequestState } from '../domain/workflow.js';
import { requireAdmin } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { recordEvent, type NewEvent } from './record-event.js';

export interface DeadlineNotices {
  /** Events recorded by this run (0 when an earlier run recorded them). */
  readonly dueSoon: number;
  readonly overdue: number;
}

/** Not yet told of the kind (the index events_once_per_request answers). */
const notTold = (kind: 'deadline_soon' | 'overdue') =>
  sql<boolean>`not exists (select 1 from events e where e.request_id = r.id and e.kind = ${kind})`;

export async function recordDeadlineNotices(ctx: AppContext, actor: Actor): Promise<DeadlineNotices> {
  requireAdmin(actor);
  const now = ctx.clock.now();
  const calendar = await ctx.calendar(ctx.party);
  let dueSoon = 0;
  let overdue = 0;
  await ctx.db.transaction().execute(async (tx) => {
    // Every request to tell about is locked (in id order, per query) before the first recordEvent takes the
    // audit log's lock, as every use case does: an event's reference to a request would otherwise wait, under
    // the audit lock, for an officer's transaction holding that request and waiting for the audit lock.
    const notices: NewEvent[] = [];
    const zones = await tx.selectFrom('bodies').select('time_zone').distinct().execute();
    for (const { time_zone: zone } of zones) {
      const today = partyDay(now, ctx.party, zone);
      const rows = await tx
        .selectFrom('requests as r')
        .select(['r.id', 'r.body_id', 'r.deadline', 'r.delay_until'])
        .select(sql<boolean>`not ${notTold('deadline_soon')}`.as('told_soon'))
        .where('r.direction', '=', 'incoming')
        .where('r.state', 'in', OPEN_STATES as RequestState[])
        .where('r.deadline', '<', dueSoonBefore(calendar, today))
        .where('r.body_id', 'in', (eb) =>
          eb
            .selectFrom('bodies')
            .select('id')
            .where('time_zone', zone === null ? 'is' : '=', zone),
        )
        .where(notTold('overdue'))
        .orderBy('r.id')
        .forUpdate('r')
        .execute();
      for (const r of rows) {
        const c = classifyOverdue(calendar, { deadline: r.deadline!, today, delayNotified: r.delay_until !== null });
        if (c.status === 'overdue_notified' || c.status === 'overdue_silent') {
          const data = { deadline: r.deadline!, direction: 'incoming' as const, delayNotified: r.delay_until !== null };
          notices.push({ kind: 'overdue', requestId: r.id, bodyId: r.body_id, data });
        } else if (c.status === 'due_soon' && !r.told_soon) {
          notices.push({
            kind: 'deadline_soon',
            requestId: r.id,
            bodyId: r.body_id,
            data: { deadline: r.deadline!, workingDaysLeft: c.workingDaysLeft },
          });
        }
      }
    }
    // The other Party's term for our requests: overdue on its own local day (no Party is a day ahead of UTC + 1).
    const late = await tx
      .selectFrom('requests as r')
      .select(['r.id', 'r.body_id', 'r.deadline', 'r.delay_until', 'r.counterpart_party'])
      .where('r.direction', '=', 'outgoing')
      .where('r.state', 'in', OPEN_STATES as RequestState[])
      .where('r.deadline', '<', addDays(localDate(now, 'UTC'), 1))
      .where(notTold('overdue'))
      .orderBy('r.id')
      .forUpdate('r')
      .execute();
    for (const r of late) {
      if (compareDates(partyDay(now, r.counterpart_party, null), r.deadline!) <= 0) continue;
      const data = { deadline: r.deadline!, direction: 'outgoing' as const, delayNotified: r.delay_until !== null };
      notices.push({ kind: 'overdue', requestId: r.id, bodyId: r.body_id, data });
    }
    for (const n of notices) {
      if (!(await recordEvent(tx, ctx, n))) continue;
      if (n.kind === 'overdue') overdue += 1;
      else dueSoon += 1;
    }
  });
  return { dueSoon, overdue };
}
