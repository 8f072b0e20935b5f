// The transport's report for an outgoing request: delivered, with the signed
// receipt's time (the official receipt that starts the requested Party's
// R12 deadline). The request becomes sent, then received; the outbox row is done.
// The receipt's deadline (R12.a) and, from protocol version 2, the shorter
// date the requested body recorded (R12.b `requestedBy`) are kept on our side.
import Type from 'typebox';
import { sha256Hex } from '../adapters/crypto/jws.js';
import { isIsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { partyDay } from '../domain/parties.js';
import type { Tx } from '../ports/store.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { applyEvent, loadRequest } from './request-record.js';

export const RecordDeliveryInput = Type.Object(
  {
    messageId: Type.String({ minLength: 8, maxLength: 100 }),
    receiptAt: Type.String({ format: 'date-time' }),
    receipt: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

/** What the history keeps of a receipt: its facts, and the JWS by its SHA-256 (the bytes stay on the outbox row). */
function eventReceipt(receipt: Record<string, unknown>): Record<string, unknown> {
  const { jws, ...facts } = receipt;
  return typeof jws === 'string' ? { ...facts, jwsSha256: sha256Hex(jws) } : facts;
}

export async function recordDelivery(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  /** The caller's transaction (a bundle's deliveries are recorded together); a new one when absent. */
  outer?: Tx,
): Promise<{ requestId: string | null; state: string | null }> {
  const p = parseInput(RecordDeliveryInput, input);
  const inTx = <T>(f: (tx: Tx) => Promise<T>) => (outer ? f(outer) : ctx.db.transaction().execute(f));
  return inTx(async (tx) => {
    const msg = await tx
      .selectFrom('outbox')
      .selectAll()
      .where('message_id', '=', p.messageId)
      .forUpdate()
      .executeTakeFirst();
    if (!msg) throw new EixError('input.invalid', { field: 'messageId' }, `Нет исходящего сообщения ${p.messageId}`);
    if (msg.status === 'delivered') return { requestId: msg.request_id, state: null };
    await tx
      .updateTable('outbox')
      .set({
        status: 'delivered',
        delivered_at: new Date(p.receiptAt),
        last_error: null,
        // The receiver's signed receipt stays with the message after its bytes are purged (R9.6).
        ...(p.receipt ? { receipt: JSON.stringify(p.receipt) } : {}),
      })
      .where('id', '=', msg.id)
      .execute();
    if (msg.type !== 'request' || !msg.request_id) return { requestId: msg.request_id, state: null };
    let row = await loadRequest(tx, actor, msg.request_id, { act: true });
    await applyEvent(tx, ctx, actor, row, 'send', { messageId: p.messageId });
    row = await loadRequest(tx, actor, msg.request_id, { act: true });
    const deadline = isIsoDate(p.receipt?.deadline) ? p.receipt.deadline : null;
    const requestedBy = isIsoDate(p.receipt?.requestedBy) ? p.receipt.requestedBy : null;
    // The receipt is the requested Party's act (its signed receipt): the history says so on this side too
    // (issue 14: not «подтвердить получение (запрашивающая сторона)» when the other side confirmed).
    const { state } = await applyEvent(
      tx,
      ctx,
      actor,
      row,
      'receipt',
      {
        messageId: p.messageId,
        receiptAt: p.receiptAt,
        ...(deadline ? { deadline } : {}),
        ...(requestedBy ? { requestedBy } : {}),
        // The receipt itself (its JWS, with the signing certificate in x5c) is kept once, on the outbox row;
        // the history names it by its SHA-256 instead of storing its bytes again with every request.
        ...(p.receipt ? { receipt: eventReceipt(p.receipt) } : {}),
      },
      {},
      true,
    );
    // When the other Party received it (the list's «получен» and period filter), on this body's local day.
    const receiptAt = new Date(p.receiptAt);
    const zone = await tx.selectFrom('bodies').select('time_zone').where('id', '=', row.body_id).executeTakeFirst();
    await tx
      .updateTable('requests')
      .set({
        received_at: receiptAt,
        received_on: partyDay(receiptAt, ctx.party, zone?.time_zone),
        // The requested Party's legal term as its signed receipt states it (R12.a).
        ...(deadline ? { deadline, deadline_basis: 'R12.a' } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    return { requestId: msg.request_id, state };
  });
}
