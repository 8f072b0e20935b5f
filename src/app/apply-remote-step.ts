// A step taken by the other Party on a shared request arrives as a message
// (consultation, additional information, delay, postponement, conditions,
// confidentiality, refusal, withdrawal …): the state machine checks it as the
// other side's move, the history records it. Idempotent by message id.
import Type from 'typebox';
import { isRefusalGround } from '../domain/statistics.js';
import { WORKFLOW_EVENTS } from '../domain/workflow.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { recordEvent } from './record-event.js';
import type { Tx } from '../ports/store.js';
import { applyEvent, loadForRemoteMessage, withTransaction } from './request-record.js';

export const ApplyRemoteStepInput = Type.Object(
  {
    messageId: Type.String({ minLength: 8, maxLength: 100 }),
    requestMessageId: Type.String({ minLength: 8, maxLength: 100 }),
    /** Which of our rows the step concerns: a step of the requested Party concerns our outgoing request. */
    by: Type.Union([Type.Literal('requesting'), Type.Literal('requested')]),
    event: Type.Enum(WORKFLOW_EVENTS),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

export async function applyRemoteStep(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  outer?: Tx,
): Promise<{ requestId: string; state: string; duplicate: boolean }> {
  const p = parseInput(ApplyRemoteStepInput, input);
  const direction = p.by === 'requested' ? 'outgoing' : 'incoming';
  return withTransaction(ctx, outer, async (tx) => {
    const { row, applied } = await loadForRemoteMessage(tx, actor, {
      requestMessageId: p.requestMessageId,
      direction: direction,
      messageId: p.messageId,
    });
    if (applied) return { requestId: row.id, state: row.state, duplicate: true };
    // Texts from the other Party may carry personal data: sealed at rest (R9.4), opened on reading (R9.1).
    const data = {
      messageId: p.messageId,
      sealed: ctx.sealer.encryptJson(p.data, `event:${row.id}:${p.messageId}`).toString('base64'),
      // R13.a: a refusal's Article 13 ground is a code, not personal data: kept in clear for the statistics (15.6).
      ...(p.event === 'refuse' && isRefusalGround(p.data.ground) ? { ground: p.data.ground } : {}),
    };
    const patch =
      p.event === 'notify_delay' && typeof p.data.newDate === 'string'
        ? { delay_until: p.data.newDate }
        : // R18: the other Party's territorial body executes the request from now on.
          p.event === 'forward' && typeof p.data.body === 'string'
          ? { counterpart_forwarded_to: p.data.body }
          : {};
    const { state } = await applyEvent(tx, ctx, actor, row, p.event, data, patch, true);
    await recordEvent(tx, ctx, {
      kind: 'step_received',
      requestId: row.id,
      bodyId: row.body_id,
      data: { messageId: p.messageId, event: p.event },
    });
    return { requestId: row.id, state, duplicate: false };
  });
}
