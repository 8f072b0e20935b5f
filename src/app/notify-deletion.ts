// R9.6, both ends of a deletion notice. When this node destroys data another
// Party provided about a request (the purge, at the end of the retention
// period of the requesting Party's law), it tells that Party with a signed
// `deletion_notice` (protocol version 2); the providing node keeps the notice
// as proof and shows «сведения уничтожены получателем» on its request.
import type { DESTROYED_KINDS } from '../domain/messages.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { enqueue, sideOf, type RequestRow } from './request-record.js';

type DestroyedKind = (typeof DESTROYED_KINDS)[number];

const FEDERATION: Actor = { kind: 'system', name: 'federation' };

export interface DeletionNotice {
  readonly destroyed: readonly DestroyedKind[];
  /** The retention rule applied (its legal basis, as the administrator recorded it). */
  readonly rule: string;
  readonly destroyedAt: string;
}

/** Queues the notice to the request's counterpart in the caller's (the purge's) transaction; returns its message id. */
export async function notifyDeletion(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  n: DeletionNotice & { readonly requestId: string },
): Promise<string | null> {
  const row = await tx.selectFrom('requests').selectAll().where('id', '=', n.requestId).executeTakeFirstOrThrow();
  if (!row.message_id) return null; // never exchanged: nobody to tell
  const messageId = await enqueue(tx, ctx, row, 'deletion_notice', {
    requestId: row.id,
    destroyed: [...n.destroyed],
    rule: n.rule,
    destroyedAt: n.destroyedAt,
  });
  await appendAudit(tx, ctx, actor, {
    action: 'retention.deletion_notice',
    bodyId: row.body_id,
    requestId: row.id,
    subject: row.number,
    details: { messageId, destroyed: n.destroyed },
  });
  return messageId;
}

/** The counterpart's notice, recorded in the request's history (no personal data in it). */
export async function recordDeletionNotice(
  tx: Tx,
  ctx: AppContext,
  n: DeletionNotice & { readonly row: RequestRow; readonly messageId: string },
): Promise<void> {
  const side = sideOf(n.row) === 'requesting' ? 'requested' : 'requesting';
  await tx
    .insertInto('request_events')
    .values({
      request_id: n.row.id,
      event: 'deletion_notice',
      side,
      officer_id: null,
      at: ctx.clock.now(),
      data: JSON.stringify({
        messageId: n.messageId,
        destroyed: n.destroyed,
        rule: n.rule,
        destroyedAt: n.destroyedAt,
      }),
    })
    .execute();
  await appendAudit(tx, ctx, FEDERATION, {
    action: 'federation.deletion_notice',
    bodyId: n.row.body_id,
    requestId: n.row.id,
    subject: n.row.number,
    details: { messageId: n.messageId, destroyed: n.destroyed },
  });
}
