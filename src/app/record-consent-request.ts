// R9.2, providing side: a consent request from the requesting Party, about an
// incoming request, becomes an open consent its officer can grant or refuse.
// Called by the receive pipeline inside its transaction, after it has bound the
// message to the request and checked who sent it (no sender checks here). The
// third party's name and the purpose are sealed at rest (R9.4); reading them
// is logged (getRequest, R9.1). Idempotent by message id.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ReceivedConsentsTable } from '../adapters/db/schema.js';
import { EixError } from '../domain/errors.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import type { RequestRow } from './request-record.js';

const FEDERATION: Actor = { kind: 'system', name: 'federation' };

export interface ConsentRequestReceived {
  /** The incoming request the message was bound to (`envelope.inReplyTo`). */
  readonly request: RequestRow;
  /** The consent_request message's id. */
  readonly messageId: string;
  /** The requesting node's consent id (message body). */
  readonly consentId: string;
  readonly recipient: string;
  readonly purpose: string;
  /** When the message arrived (the receipt time); the clock's now if absent. */
  readonly receivedAt?: Date;
}

export type ReceivedConsentRow = Selectable<ReceivedConsentsTable>;

export interface ConsentDetails {
  readonly recipient: string;
  readonly purpose: string;
}

export const consentDetailsAad = (id: string) => `received_consent:${id}`;

export async function recordConsentRequest(
  tx: Tx,
  ctx: AppContext,
  m: ConsentRequestReceived,
): Promise<{ id: string; duplicate: boolean }> {
  const { request } = m;
  if (request.direction !== 'incoming')
    throw new EixError(
      'message.context',
      { field: 'inReplyTo', requestId: request.id },
      'Согласие запрашивается у Стороны, исполнившей запрос: запрос должен быть входящим для этого узла',
    );
  const existing = await tx
    .selectFrom('received_consents')
    .select(['id', 'message_id'])
    .where('request_id', '=', request.id)
    .where('consent_id', '=', m.consentId)
    .executeTakeFirst();
  if (existing) {
    if (existing.message_id === m.messageId) return { id: existing.id, duplicate: true };
    throw new EixError(
      'message.context',
      { field: 'body.consentId', consentId: m.consentId },
      'Запрос согласия с этим идентификатором по этому запросу уже получен',
    );
  }
  const now = m.receivedAt ?? ctx.clock.now();
  const id = randomUUID();
  const details: ConsentDetails = { recipient: m.recipient, purpose: m.purpose };
  await tx
    .insertInto('received_consents')
    .values({
      id,
      request_id: request.id,
      consent_id: m.consentId,
      message_id: m.messageId,
      details_enc: ctx.sealer.encryptJson(details, consentDetailsAad(id)),
      key_id: ctx.sealer.activeKeyId,
      received_at: now,
      decided_at: null,
      decided_by: null,
      answer_message_id: null,
    })
    .execute();
  // The history entry in the form the other received steps use (sealed, opened on reading).
  await tx
    .insertInto('request_events')
    .values({
      request_id: request.id,
      event: 'consent_request',
      side: 'requesting',
      officer_id: null,
      data: JSON.stringify({
        messageId: m.messageId,
        sealed: ctx.sealer
          .encryptJson({ consentId: m.consentId, ...details }, `event:${request.id}:${m.messageId}`)
          .toString('base64'),
      }),
      at: now,
    })
    .execute();
  await appendAudit(tx, ctx, FEDERATION, {
    action: 'consent.received',
    bodyId: request.body_id,
    requestId: request.id,
    subject: request.number,
    details: { consentId: m.consentId, messageId: m.messageId },
  });
  return { id, duplicate: false };
}
