// R10.a reminders: the paper original of every document sent electronically
// follows by post within PAPER_DUE_DAYS — the request (requesting side), the
// answer and the refusal (requested side). The officer's dashboard counts the
// body's documents still without a recorded dispatch; a request's page says
// which of its originals are late.
import { sql } from 'kysely';
import {
  PAPER_DOCUMENTS,
  PAPER_ORIGINALS,
  latePaperOriginals,
  paperOriginalDueBefore,
  type PaperDocument,
} from '../domain/paper-original.js';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import type { RequestView } from './get-request.js';

/** R10.a: documents of the actor's body (requests, answers, refusals) with no paper original posted after PAPER_DUE_DAYS. */
export async function countMissingPaperOriginals(ctx: AppContext, actor: Actor): Promise<number> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const due = paperOriginalDueBefore(ctx.clock.now());
  let total = 0;
  for (const document of PAPER_DOCUMENTS) {
    const spec = PAPER_ORIGINALS[document];
    // Measured from the event that sent the document, as on the request's page (latePaperOriginals).
    const row = await ctx.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('direction', '=', spec.sender === 'requesting' ? 'outgoing' : 'incoming')
      .where('body_id', '=', o.bodyId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('request_events')
            .select('request_events.request_id')
            .whereRef('request_events.request_id', '=', 'requests.id')
            .where('request_events.event', '=', spec.dueFrom as never)
            .where('request_events.at', '<', due),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('paper_originals')
              .select('request_id')
              .whereRef('paper_originals.request_id', '=', 'requests.id')
              .where('paper_originals.document', '=', document)
              .where('paper_originals.movement', '=', sql.lit('dispatch')),
          ),
        ),
      )
      .executeTakeFirstOrThrow();
    total += Number(row.n);
  }
  return total;
}

/** R10.a: this side's documents of the request sent more than PAPER_DUE_DAYS ago whose original is not posted. */
export function latePaperOriginalsOf(
  ctx: AppContext,
  view: Pick<RequestView, 'events' | 'paperOriginals' | 'side'>,
): PaperDocument[] {
  return latePaperOriginals({
    history: view.events.map((e) => ({ event: e.event, at: new Date(e.at) })),
    side: view.side,
    dispatched: view.paperOriginals.filter((p) => p.movement === 'dispatch').map((p) => p.document),
    now: ctx.clock.now(),
  });
}
