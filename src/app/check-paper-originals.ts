// R10.a reminders: the paper original of a sent request follows by post within
// PAPER_DUE_DAYS. The officer's dashboard counts the body's sent requests still
// without a recorded dispatch; a request's page says when its original is late.
import { isPaperOriginalLate, paperOriginalDueBefore } from '../domain/paper-original.js';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import type { RequestView } from './get-request.js';

/** R10.a: sent requests of the actor's body with no paper original recorded after PAPER_DUE_DAYS. */
export async function countMissingPaperOriginals(ctx: AppContext, actor: Actor): Promise<number> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  // Measured from the 'send' event, as on the request's page (isPaperOriginalOverdue).
  const due = paperOriginalDueBefore(ctx.clock.now());
  const row = await ctx.db
    .selectFrom('requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('direction', '=', 'outgoing')
    .where('body_id', '=', o.bodyId)
    .where('state', 'not in', ['draft', 'signed'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('request_events')
          .select('request_events.request_id')
          .whereRef('request_events.request_id', '=', 'requests.id')
          .where('request_events.event', '=', 'send')
          .where('request_events.at', '<', due),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('paper_originals').select('request_id').whereRef('paper_originals.request_id', '=', 'requests.id'),
        ),
      ),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** R10.a: the request was sent more than PAPER_DUE_DAYS ago and its paper original is not recorded as dispatched. */
export function isPaperOriginalOverdue(ctx: AppContext, view: Pick<RequestView, 'events' | 'paperOriginal'>): boolean {
  const sent = view.events.find((e) => e.event === 'send')?.at;
  return isPaperOriginalLate({
    sentAt: sent === undefined ? null : new Date(sent),
    dispatched: view.paperOriginal !== null,
    now: ctx.clock.now(),
  });
}
