// The requesting node stores an answer received from the requested Party
// (called by the federation inbox): encrypted at rest (R9.4), retained per
// R9.6, readable only with an audit entry (R9.1). Idempotent by message id.
import Type from 'typebox';
import { AnswerItemsSchema } from '../domain/answer.js';
import { appendAudit } from './audit.js';
import { storeAnswers } from './answer-request.js';
import { checkAttachments } from './check-attachments.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { recordEvent } from './record-event.js';
import type { Tx } from '../ports/store.js';
import { applyEvent, loadForRemoteMessage, withTransaction } from './request-record.js';

export const ReceiveAnswerInput = Type.Object(
  {
    messageId: Type.String({ minLength: 8, maxLength: 100 }),
    requestMessageId: Type.String({ minLength: 8, maxLength: 100 }),
    final: Type.Boolean(),
    items: AnswerItemsSchema,
  },
  { additionalProperties: false },
);

export async function receiveAnswer(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  outer?: Tx,
): Promise<{ requestId: string; state: string; duplicate: boolean }> {
  const p = parseInput(ReceiveAnswerInput, input);
  // Another Party's files meet the same rule as an upload (type by content, per-file size): a refused file
  // refuses the whole message before anything is stored (docs/MESSAGES.md, "Attachments").
  const files = await checkAttachments(ctx, p.items, (i, j) => `body.items[${i}].attachments[${j}]`);
  return withTransaction(ctx, outer, async (tx) => {
    const { row, applied } = await loadForRemoteMessage(tx, actor, {
      requestMessageId: p.requestMessageId,
      direction: 'outgoing',
      messageId: p.messageId,
    });
    if (applied) return { requestId: row.id, state: row.state, duplicate: true };
    const { state } = await applyEvent(
      tx,
      ctx,
      actor,
      row,
      p.final ? 'answer_final' : 'answer_partial',
      { messageId: p.messageId, items: p.items.map((i) => ({ itemNo: i.itemNo, outcome: i.outcome })) },
      {},
      true,
    );
    await storeAnswers(tx, ctx, { requestId: row.id, final: p.final, createdBy: null, items: p.items, files });
    await appendAudit(tx, ctx, actor, {
      action: 'personal_data.received',
      requestId: row.id,
      subject: row.number,
      details: { messageId: p.messageId, items: p.items.length },
    });
    await recordEvent(tx, ctx, {
      kind: 'answer_received',
      requestId: row.id,
      bodyId: row.body_id,
      data: { messageId: p.messageId, final: p.final, items: p.items.length },
    });
    return { requestId: row.id, state, duplicate: false };
  });
}
