// R9.5: this Party asks another what measures it takes to protect the
// information exchanged under the Agreement and how long it keeps it. A
// node-level question (no request, no personal data): asked by an officer of a
// central body, a supervisor or the node administrator — the people who answer
// for how their Party handles the data — not by every case officer. The query
// is recorded (id = its message id) and queued; the other Party's node answers
// from its own statement, and recordProtectionAnswer fills the row in.
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { partyDay } from '../domain/parties.js';
import { canSend, designatedBodies } from '../domain/treaty.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { requireSeal } from './get-body-seal.js';
import { parseInput } from './input.js';

/** Who may ask (and see the answers): node-level data protection, no casework. */
export const PROTECTION_QUERY_ROLES = ['central', 'supervisor', 'admin'] as const;

export const AskProtectionMeasuresInput = Type.Object(
  { party: Type.String({ pattern: '^[A-Z]{2}$' }) },
  { additionalProperties: false },
);

export async function askProtectionMeasures(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ queryId: string; party: string; body: string }> {
  const o = requireRole(actor, ...PROTECTION_QUERY_ROLES);
  const p = parseInput(AskProtectionMeasuresInput, input, { party: 'Сторона' });
  const now = ctx.clock.now();
  const today = partyDay(now, ctx.party);
  const treaty = ctx.treaty();
  // R-pair: only a Party the Agreement binds with this one today.
  const pair = canSend(treaty, { from: ctx.party, to: p.party, date: today });
  if (!pair.allowed) throw new EixError('registry.pair', { field: 'party', code: pair.code }, pair.reason);
  const to = designatedBodies(treaty, p.party, today)?.central[0];
  if (!to)
    throw new EixError(
      'registry.pair',
      { field: 'party', code: 'no_central_body' },
      `Сторона ${p.party} не назначила центральный орган (статья 18)`,
    );
  const queryId = randomUUID();
  return ctx.db.transaction().execute(async (tx) => {
    // Issue 15.1: the asker's body signs the query; without a usable seal nothing is recorded or queued.
    await requireSeal(ctx, o.bodyId, tx);
    await tx
      .insertInto('protection_queries')
      .values({
        id: queryId,
        to_party: p.party,
        to_body: to.id,
        from_body: o.bodyId,
        asked_by: o.officerId,
        asked_at: now,
        answered_at: null,
        answer_message_id: null,
        measures: null,
        retention: null,
        contact: null,
      })
      .execute();
    // Node level: no request; the asker's body signs, the answer comes back to it.
    await tx
      .insertInto('outbox')
      .values({
        message_id: queryId,
        request_id: null,
        type: 'protection_query',
        to_party: p.party,
        to_body: to.id,
        payload: JSON.stringify({ fromBody: o.bodyId }),
        last_error: null,
        delivered_at: null,
      })
      .execute();
    await appendAudit(tx, ctx, o, {
      action: 'protection_query.ask',
      subject: queryId,
      details: { party: p.party, body: to.id },
    });
    return { queryId, party: p.party, body: to.id };
  });
}
