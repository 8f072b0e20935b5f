// R18: a central body forwards a received request to one of its Party's
// territorial bodies; the request moves there, its history keeps the step.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { isDesignated } from '../domain/treaty.js';
import type { Tx } from '../ports/store.js';
import type { BodiesTable } from '../adapters/db/schema.js';
import type { Selectable } from 'kysely';
import { requireRole } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';
import { parseInput } from './input.js';
import { recordEvent } from './record-event.js';
import { applyEvent, bodyToday, enqueue, loadRequest, type RequestRow } from './request-record.js';

export const ForwardRequestInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    toBodyId: Type.String({ minLength: 1 }),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false },
);

/**
 * R18, RA.4: only the central body the request sits with forwards it, and only a request it received:
 * returns that body. The request page offers forwarding on the same condition (get-request).
 */
export async function requireForwarding(tx: Tx, o: Officer, row: RequestRow): Promise<Selectable<BodiesTable>> {
  if (row.direction !== 'incoming')
    throw new EixError('workflow.actor', { requestId: row.id }, 'Передать можно только полученный запрос');
  const from = await tx.selectFrom('bodies').selectAll().where('id', '=', row.body_id).executeTakeFirstOrThrow();
  if (from.kind !== 'central' || o.bodyId !== from.id)
    throw new EixError(
      'access.denied',
      { requestId: row.id },
      'Передать запрос может центральный орган, которому он адресован',
    );
  return from;
}

/** R18: the bodies a request may go to: the Party's designated territorial bodies served here, other than `from`. */
export async function forwardTargets(
  tx: Tx,
  ctx: AppContext,
  from: Selectable<BodiesTable>,
): Promise<Selectable<BodiesTable>[]> {
  const day = await bodyToday(tx, ctx, from.id);
  const bodies = await tx
    .selectFrom('bodies')
    .selectAll()
    .where('party', '=', from.party)
    .where('id', '<>', from.id)
    .where('kind', '<>', 'central')
    .orderBy('name')
    .execute();
  return bodies.filter((b) => isDesignated(ctx.treaty(), from.party, b.id, day));
}

export async function forwardRequest(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; state: string; bodyId: string }> {
  const o = requireRole(actor, 'central');
  const p = parseInput(ForwardRequestInput, input, { toBodyId: 'орган, которому передаётся запрос' });
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: false });
    const from = await requireForwarding(tx, o, row);
    // R18: to one of its Party's territorial bodies the Party designated (the requesting node checks the same).
    const to = (await forwardTargets(tx, ctx, from)).find((b) => b.id === p.toBodyId);
    if (!to) {
      throw new EixError(
        'body.not_found',
        { field: 'toBodyId', id: p.toBodyId },
        `Орган ${p.toBodyId} не является назначенным территориальным органом той же Стороны`,
      );
    }
    const { state, eventId } = await applyEvent(
      tx,
      ctx,
      o,
      row,
      'forward',
      { from: from.id, to: to.id, toName: to.name, ...(p.note ? { note: p.note } : {}) },
      { body_id: to.id },
    );
    // R18: the requesting body learns who executes its request now.
    // The forwarding (central) body speaks: the requesting node binds later messages to the new body by this one.
    // The territorial body's officers are told that a request is theirs now.
    await recordEvent(tx, ctx, {
      kind: 'request_forwarded',
      requestId: row.id,
      bodyId: to.id,
      data: { fromBody: from.id },
    });
    await enqueue(tx, ctx, row, 'forward', {
      requestId: row.id,
      eventId,
      fromBody: from.id,
      body: to.id,
      name: to.name,
    });
    return { id: row.id, state, bodyId: to.id };
  });
}
