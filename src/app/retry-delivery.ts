// Issue 14, item 3: the officer asks for another attempt at an outgoing message that is delayed or failed:
// the message becomes due now (the outbox worker takes it on its next round). A failed message gets a fresh
// retry budget. Only the body's officers may ask; the request is locked; the audit log records who asked.
// Issue 15.4: the node's administrator may ask too, from the health page (he sees the message, not the request).
import Type from 'typebox';
import { deliveryStatus } from '../domain/delivery-status.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { loadRequest } from './request-record.js';
import { notFound } from './authorize.js';
import type { Tx } from '../ports/store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The request's id and body only: the administrator retries the delivery and reads nothing of the request. */
async function lockForAdmin(tx: Tx, id: string): Promise<{ id: string; body_id: string }> {
  if (!UUID.test(id)) throw notFound('request.not_found', id);
  const row = await tx
    .selectFrom('requests')
    .select(['id', 'body_id'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('request.not_found', id);
  return row;
}

export const RetryDeliveryInput = Type.Object(
  {
    requestId: Type.String({ minLength: 1, maxLength: 100 }),
    messageId: Type.String({ minLength: 8, maxLength: 100 }),
  },
  { additionalProperties: false },
);

export async function retryDelivery(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ messageId: string; dueAt: string }> {
  const p = parseInput(RetryDeliveryInput, input);
  return ctx.db.transaction().execute(async (tx) => {
    const row =
      actor.kind === 'officer' && actor.roles.includes('admin')
        ? await lockForAdmin(tx, p.requestId)
        : await loadRequest(tx, actor, p.requestId, { act: true });
    const msg = await tx
      .selectFrom('outbox')
      .select(['id', 'message_id', 'status', 'attempts', 'last_error', 'delivered_at'])
      .where('request_id', '=', row.id)
      .where('message_id', '=', p.messageId)
      .forUpdate()
      .executeTakeFirst();
    if (!msg) throw new EixError('input.invalid', { field: 'messageId' }, 'Нет такого сообщения по этому запросу');
    const s = deliveryStatus(
      {
        status: msg.status,
        attempts: msg.attempts,
        lastError: msg.last_error,
        deliveredAt: msg.delivered_at?.toISOString() ?? null,
      },
      (x) => x,
    );
    if (!s.canRetry)
      throw new EixError(
        'workflow.transition',
        { messageId: p.messageId },
        s.phase === 'delivered'
          ? 'Сообщение уже доставлено'
          : s.phase === 'sending'
            ? 'Сообщение уже отправляется'
            : 'Повторная отправка сейчас не поможет: сообщение ждёт обновления узла другой Стороны или реестра доверия',
      );
    const now = ctx.clock.now();
    await tx
      .updateTable('outbox')
      .set({
        status: 'pending',
        next_attempt_at: now,
        ...(msg.status === 'failed' ? { attempts: 0 } : {}),
      })
      .where('id', '=', msg.id)
      .execute();
    await appendAudit(tx, ctx, actor, {
      action: 'federation.delivery_retry',
      bodyId: row.body_id,
      requestId: row.id,
      subject: msg.message_id,
      details: { previousStatus: msg.status, attempts: msg.attempts },
    });
    return { messageId: msg.message_id, dueAt: now.toISOString() };
  });
}
