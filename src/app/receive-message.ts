// Receiving a message: the federation adapter verified transport and
// signature and hands over a schema-checked message; this use case decides
// the rest in ONE transaction — duplicate or not, whether the sender may say
// it (bindMessage: RECEIVING.md), the effect (the handler of its type), the
// signed receipt and the inbox row. Either all of it commits or nothing does;
// a refusal leaves only its audit entry (recordRejectedMessage). The receipt's
// time is the official receipt time (R12.a). Duplicates get the first receipt.
import { randomUUID } from 'node:crypto';
import { EixError } from '../domain/errors.js';
import {
  bodyForVersion,
  type InboundType,
  type Message,
  type RequestMessageType,
  type TypedMessage,
} from '../domain/messages.js';
import type { ProtocolVersion } from '../domain/protocol.js';
import type { Tx } from '../ports/store.js';
import { applyRemoteStep } from './apply-remote-step.js';
import { appendAudit } from './audit.js';
import { bindMessage, type Binding } from './bind-message.js';
import type { Actor, AppContext } from './context.js';
import { getProtectionStatement } from './get-protection-statement.js';
import { receiveAnswer } from './receive-answer.js';
import { recordConsentRequest } from './record-consent-request.js';
import { recordDeletionNotice } from './notify-deletion.js';
import { recordProtectionAnswer } from './record-protection-answer.js';
import { receiveRequest } from './receive-request.js';
import { recordDisclosureConsent } from './request-disclosure-consent.js';

const FEDERATION: Actor = { kind: 'system', name: 'federation' };

/** A message whose transport, signature and schema the adapter has verified. */
export interface VerifiedMessage {
  readonly message: TypedMessage<InboundType>;
  /** SHA-256 (hex) of the compact JWS as received: what the receipt confirms. */
  readonly digest: string;
  readonly jws: string;
}

export interface ReceiveMessageInput {
  readonly verified: VerifiedMessage;
  readonly receivedAt: Date;
  /**
   * What holds only against a message not accepted before (its creation time
   * against the clock, its certificate valid and unrevoked now): a resend of
   * an accepted message gets its receipt whatever these say today.
   */
  freshness(): Promise<EixError | null>;
  /** Signs the receipt with the key of the body the message was addressed to. */
  signReceipt(receipt: Message): Promise<string>;
}

export interface Accepted {
  readonly receiptJws: string;
  readonly duplicate: boolean;
}

/** What a handler adds to the receipt (a request's deadline, R12.a). */
type ReceiptExtras = Record<string, unknown>;

/**
 * R12.b on the receipt: the date the requesting body asked for, next to the
 * deadline, so both sides show the same pair. A key of its own, added in
 * protocol version 2 (docs/MESSAGES.md, versioning): a receipt for a
 * version-1 peer leaves this one key out and is otherwise unchanged.
 */
export function requestedByExtra(requestedBy: string | null): ReceiptExtras {
  return requestedBy ? { requestedBy } : {};
}

interface HandlerInput<T extends InboundType> {
  readonly tx: Tx;
  readonly ctx: AppContext;
  readonly message: TypedMessage<T>;
  readonly binding: Binding;
  readonly receivedAt: Date;
}

type Handler<T extends InboundType> = (h: HandlerInput<T>) => Promise<ReceiptExtras>;

/** The request a message was bound to (bindMessage binds every request-bound type to one). */
function boundRequest(b: Binding): Extract<Binding, { kind: 'request' }> {
  if (b.kind !== 'request') throw new EixError('internal', {}, 'Сообщение не связано с запросом');
  return b;
}

/** An answer of the requested Party (R4–R8): stored sealed, the request's state moves. */
const answer =
  (final: boolean): Handler<'answer_partial' | 'answer_final'> =>
  async ({ tx, ctx, message }) => {
    await receiveAnswer(
      ctx,
      FEDERATION,
      {
        messageId: message.envelope.id,
        requestMessageId: message.envelope.inReplyTo,
        final,
        items: message.body.items,
      },
      tx,
    );
    return {};
  };

/** A step of the other side (R12.c–R16, R18, R24): the state machine checks it as that side's move. */
const step: Handler<
  Exclude<RequestMessageType, 'answer_partial' | 'answer_final' | 'consent_request' | 'consent_answer'>
> = async ({ tx, ctx, message, binding }) => {
  const { side } = boundRequest(binding);
  const type = message.envelope.type;
  await applyRemoteStep(
    ctx,
    FEDERATION,
    {
      messageId: message.envelope.id,
      requestMessageId: message.envelope.inReplyTo,
      by: side,
      event: type === 'refusal' ? 'refuse' : type,
      data: message.body,
    },
    tx,
  );
  return {};
};

/**
 * The effect of each message type: one entry per type, so the compiler names
 * this table when a type is added to the catalogue (docs/ARCHITECTURE.md).
 */
const HANDLERS: { readonly [T in InboundType]: Handler<T> } = {
  request: async ({ tx, ctx, message, receivedAt }) => {
    const env = message.envelope;
    const doc = message.body.request;
    const r = await receiveRequest(
      ctx,
      FEDERATION,
      {
        messageId: env.id,
        fromBody: { id: env.from.body, party: env.from.party, name: doc.requestingBody?.name ?? env.from.body },
        toBodyId: env.to.body,
        receivedAt: receivedAt.toISOString(),
        document: doc,
      },
      tx,
    );
    return { deadline: r.deadline, deadlineBasis: r.basis, ...requestedByExtra(r.requestedBy) };
  },
  answer_partial: answer(false),
  answer_final: answer(true),
  refusal: step,
  consult: step,
  request_additional_info: step,
  reply_additional_info: step,
  notify_delay: step,
  postpone: step,
  propose_conditions: step,
  accept_conditions: step,
  reject_conditions: step,
  resume: step,
  notify_confidentiality_impossible: step,
  continue_without_confidentiality: step,
  withdraw: step,
  forward: step,
  consent_request: async ({ tx, ctx, message, binding, receivedAt }) => {
    // R9.2, providing side: an open consent request for the officers of the body holding the request.
    await recordConsentRequest(tx, ctx, {
      request: boundRequest(binding).row,
      messageId: message.envelope.id,
      consentId: message.body.consentId,
      recipient: message.body.recipient,
      purpose: message.body.purpose,
      receivedAt,
    });
    return {};
  },
  consent_answer: async ({ tx, ctx, message }) => {
    await recordDisclosureConsent(
      ctx,
      FEDERATION,
      { consentId: message.body.consentId, granted: message.body.granted },
      tx,
    );
    return {};
  },
  deletion_notice: async ({ tx, ctx, message, binding }) => {
    // R9.6: the other Party destroyed what this node provided about the request; the notice is kept as proof.
    await recordDeletionNotice(tx, ctx, {
      row: boundRequest(binding).row,
      messageId: message.envelope.id,
      ...message.body,
    });
    return {};
  },
  protection_query: async ({ tx, ctx, message, binding }) => {
    // R9.5: answered from this node's own statement, by the body that was asked, to the body that asked.
    const asked = binding.kind === 'node' ? binding.body.id : message.envelope.to.body;
    const s = await getProtectionStatement(ctx, tx);
    await tx
      .insertInto('outbox')
      .values({
        message_id: randomUUID(),
        request_id: null,
        type: 'protection_answer',
        to_party: message.envelope.from.party,
        to_body: message.envelope.from.body,
        payload: JSON.stringify({
          inReplyTo: message.envelope.id,
          fromBody: asked,
          measures: s?.measures ?? 'Сведения о мерах защиты не указаны',
          retention: s?.retention ?? 'Сроки хранения не указаны',
          ...(s?.contact ? { contact: s.contact } : {}),
        }),
        last_error: null,
        delivered_at: null,
      })
      .execute();
    return {};
  },
  protection_answer: async ({ tx, ctx, message, receivedAt }) => {
    // R9.5: fills in the query this node sent (bindMessage checked it is open and to that Party).
    await recordProtectionAnswer(tx, ctx, {
      queryId: message.envelope.inReplyTo ?? '',
      fromParty: message.envelope.from.party,
      measures: message.body.measures,
      retention: message.body.retention,
      ...(message.body.contact !== undefined ? { contact: message.body.contact } : {}),
      receivedAt,
      messageId: message.envelope.id,
    });
    return {};
  },
};

const isUniqueViolation = (e: unknown): boolean => (e as { code?: unknown }).code === '23505';

export async function receiveMessage(ctx: AppContext, input: ReceiveMessageInput): Promise<Accepted> {
  const { message, digest, jws } = input.verified;
  const env = message.envelope;
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      const prior = await acceptedBefore(tx, env.id, digest);
      if (prior) return prior;
      const objection = await input.freshness();
      if (objection) throw objection;
      const binding = await bindMessage(tx, ctx, message, input.receivedAt);
      const handler = HANDLERS[env.type] as Handler<InboundType>;
      const extra = await handler({ tx, ctx, message, binding, receivedAt: input.receivedAt });
      // The receipt speaks the version of the message it answers (the sender chose one it reads).
      const version = env.schemaVersion as ProtocolVersion;
      const receipt: Message = {
        envelope: {
          id: randomUUID(),
          type: 'receipt',
          schemaVersion: version,
          from: env.to,
          to: env.from,
          inReplyTo: env.id,
          createdAt: input.receivedAt.toISOString(),
        },
        body: bodyForVersion('receipt', version, {
          messageId: env.id,
          receivedAt: input.receivedAt.toISOString(),
          messageSha256: digest,
          ...extra,
        }),
      };
      const receiptJws = await input.signReceipt(receipt);
      await tx
        .insertInto('inbox')
        .values({
          message_id: env.id,
          from_party: env.from.party,
          from_body: env.from.body,
          type: env.type,
          schema_version: version,
          payload_enc: ctx.sealer.encrypt(Buffer.from(jws), `inbox:${env.id}`),
          key_id: ctx.sealer.activeKeyId,
          receipt: JSON.stringify({ jws: receiptJws, messageSha256: digest }),
          processed_at: input.receivedAt,
        })
        .execute();
      return { receiptJws, duplicate: false };
    });
  } catch (e) {
    // The same message accepted meanwhile by a concurrent delivery: its effect and inbox row are
    // that transaction's; ours rolled back whole. Answer with the receipt it stored.
    if (isUniqueViolation(e)) {
      const prior = await acceptedBefore(ctx.db, env.id, digest);
      if (prior) return prior;
    }
    throw e;
  }
}

/** The receipt of a message already accepted with these bytes; a different document under the same id is a replay. */
async function acceptedBefore(db: Tx | AppContext['db'], messageId: string, digest: string): Promise<Accepted | null> {
  const seen = await db.selectFrom('inbox').select('receipt').where('message_id', '=', messageId).executeTakeFirst();
  if (!seen) return null;
  const r = seen.receipt as { jws: string; messageSha256: string };
  if (r.messageSha256 !== digest) throw new EixError('message.replay', { messageId });
  return { receiptJws: r.jws, duplicate: true };
}

/** The only trace of a refused message (R9.1: nothing of its content is kept). */
export async function recordRejectedMessage(
  ctx: AppContext,
  r: { code: string; messageId: string | null; type: string | null; from: unknown },
): Promise<void> {
  await ctx.db.transaction().execute((tx) =>
    appendAudit(tx, ctx, FEDERATION, {
      action: 'federation.rejected',
      bodyId: null,
      subject: r.messageId,
      details: { code: r.code, type: r.type, from: r.from ?? null },
    }),
  );
}
