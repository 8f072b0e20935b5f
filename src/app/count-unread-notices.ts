// Issue 14.7: the badge on every page — how many of the officer's notices are
// unread. Fast at any history size: only events above the officer's read
// cursor are looked at (index events_by_body, newest first), and counting stops
// past NOTICE_BADGE_CAP («99+»).
import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../ports/store.js';
import { CASEWORK_ROLES, noticeScope } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';

/** The badge shows at most this number, then «99+». */
export const NOTICE_BADGE_CAP = 99;

export interface UnreadNotices {
  /** Unread notices, at most NOTICE_BADGE_CAP. */
  readonly unread: number;
  /** There are more than NOTICE_BADGE_CAP. */
  readonly more: boolean;
}

/** The officer's notices (events joined with their requests, in his scope). */
export function noticesOf<O>(q: SelectQueryBuilder<DB, 'events', O>, o: Officer) {
  return q.innerJoin('requests', 'requests.id', 'events.request_id').where(noticeScope(o));
}

/** The condition "unread by the officer" on `events`: above his cursor and not read one by one. */
export function unreadBy(officerId: string) {
  return sql<boolean>`events.id > coalesce((select c.read_through from notice_cursors c where c.officer_id = ${officerId}), 0)
    and not exists (select 1 from notice_reads nr where nr.officer_id = ${officerId} and nr.event_id = events.id)`;
}

/** An actor without a casework role (an administrator, the node itself) has no notices: 0, never an error. */
export async function countUnreadNotices(ctx: AppContext, actor: Actor): Promise<UnreadNotices> {
  if (actor.kind !== 'officer' || !CASEWORK_ROLES.some((r) => actor.roles.includes(r)))
    return { unread: 0, more: false };
  const capped = noticesOf(ctx.db.selectFrom('events'), actor)
    .select('events.id')
    .where(unreadBy(actor.officerId))
    .orderBy('events.id', 'desc')
    .limit(NOTICE_BADGE_CAP + 1);
  const r = await ctx.db
    .selectFrom(capped.as('u'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(r.n);
  return { unread: Math.min(n, NOTICE_BADGE_CAP), more: n > NOTICE_BADGE_CAP };
}
