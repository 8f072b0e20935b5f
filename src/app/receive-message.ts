// Receiving a message: the federation adapter verified transport and
// signature and hands over a schema-checked message; this use case decides
// the rest in ONE transaction — duplicate or not, whether the sender may say
// it (bindMessage: RECEIVING.md), the effect (the handler of its type), the
// signed receipt and the inbox row. Either all of it commits or nothing does;
// a refusal leaves only its audit entry (recordRejectedMessage). The receipt's
// time is the official receipt time (R12.a). Duplicates get the first receipt.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { compactPayload } from '../adapters/crypto/jws.js';
import { EixError } from '../domain/errors.js';
import {
  bodyForVersion,
  type InboundType,
  type Message,
  type RequestMessageType,
  type TypedMessage,
} from '../domain/messages.js';
import { BUNDLE_VERSION, type ProtocolVersion } from '../domain/protocol.js';
import type { Tx } from '../ports/store.js';
import { applyRemoteStep } from './apply-remote-step.js';
import { appendAudit, appendPutOff, deferAppends, withSavepoint } from './audit.js';
import { bindMessage, type Binding } from './bind-message.js';
import type { Actor, AppContext } from './context.js';
import { getProtectionStatement } from './get-protection-statement.js';
import { receiveAnswer } from './receive-answer.js';
import { recordConsentRequest } from './record-consent-request.js';
import { recordDeletionNotice } from './notify-deletion.js';
import { recordProtectionAnswer } from './record-protection-answer.js';
import { receiveRequest, receiveRequests, type Received } from './receive-request.js';
import { recordDisclosureConsent } from './request-disclosure-consent.js';
import { originalJws, recordJwsHeaders, sealJws, storedJws } from './stored-jws.js';

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
  /** Fault tests only: called inside the transaction, everything written, before the commit (receipt-hold.ts). */
  beforeCommit?: (() => Promise<void>) | undefined;
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
  request: async ({ tx, ctx, message, receivedAt }) =>
    receiptExtras(await receiveRequest(ctx, FEDERATION, requestInput(message, receivedAt), tx)),
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

/** What receiveRequest takes from a received request message. */
function requestInput(message: TypedMessage<'request'>, receivedAt: Date) {
  const env = message.envelope;
  const doc = message.body.request;
  return {
    messageId: env.id,
    fromBody: { id: env.from.body, party: env.from.party, name: doc.requestingBody?.name ?? env.from.body },
    toBodyId: env.to.body,
    receivedAt: receivedAt.toISOString(),
    document: doc,
  };
}

/** A received request's receipt states its term (R12.a) and the date asked for (R12.b). */
const receiptExtras = (r: Received): ReceiptExtras => ({
  deadline: r.deadline,
  deadlineBasis: r.basis,
  ...requestedByExtra(r.requestedBy),
});

const isUniqueViolation = (e: unknown): boolean => (e as { code?: unknown }).code === '23505';

/** What a receipt states about one received message (R12.a): the official time of receipt and, for a request, its term. */
export interface ReceiptFacts {
  readonly receivedAt: string;
  readonly deadline?: string;
  readonly deadlineBasis?: string;
  readonly requestedBy?: string;
}

/** A message accepted before: its stored receipt (null when it came in a bundle) and what that receipt states. */
interface Prior {
  /** As stored (its header perhaps by reference: originalJws gives the bytes signed). */
  readonly receiptJws: string | null;
  facts(): ReceiptFacts;
}

/** The inbox row's `receipt`: the receipt signed alone, or (a bundle's message) the facts and the bundle receipt's id. */
type StoredReceipt =
  | { readonly jws: string; readonly messageSha256: string }
  | { readonly bundle: string; readonly messageSha256: string; readonly facts: ReceiptFacts };

/**
 * Steps 10–14 for one message inside the caller's transaction: a message
 * accepted before (same bytes) gets what its receipt stated, whatever the
 * checks of today say; a new one must be fresh, bound (RECEIVING.md) and
 * then has its effect. Returns the receipt facts and the inbox row to store.
 */
async function acceptOne(
  tx: Tx,
  ctx: AppContext,
  v: VerifiedMessage,
  receivedAt: Date,
  freshness: () => Promise<EixError | null>,
): Promise<{ prior: Prior } | { facts: ReceiptFacts }> {
  const env = v.message.envelope;
  const prior = await acceptedBefore(tx, env.id, v.digest);
  if (prior) {
    await countResends(tx, [env.id]);
    return { prior };
  }
  const objection = await freshness();
  if (objection) throw objection;
  const binding = await bindMessage(tx, ctx, v.message, receivedAt);
  const handler = HANDLERS[env.type] as Handler<InboundType>;
  const extra = await handler({ tx, ctx, message: v.message, binding, receivedAt });
  return { facts: { receivedAt: receivedAt.toISOString(), ...extra } };
}

async function storeInbox(
  tx: Tx,
  ctx: AppContext,
  rows: readonly { v: VerifiedMessage; receipt: StoredReceipt }[],
  at: Date,
) {
  if (rows.length === 0) return;
  await tx
    .insertInto('inbox')
    .values(
      rows.map(({ v, receipt }) => {
        const env = v.message.envelope;
        return {
          message_id: env.id,
          from_party: env.from.party,
          from_body: env.from.body,
          type: env.type,
          schema_version: env.schemaVersion,
          // The message and its receipt with their headers by reference (src/app/stored-jws.ts).
          payload_enc: sealJws(ctx, v.jws, `inbox:${env.id}`),
          key_id: ctx.sealer.activeKeyId,
          receipt: JSON.stringify('jws' in receipt ? { ...receipt, jws: storedJws(ctx.db, receipt.jws) } : receipt),
          processed_at: at,
        };
      }),
    )
    .execute();
}

/** The receipt of one message, signed by the body it was addressed to, in the version of the message. */
function receiptOf(env: Message['envelope'], digest: string, facts: ReceiptFacts, createdAt: Date): Message {
  // The receipt speaks the version of the message it answers (the sender chose one it reads).
  const version = env.schemaVersion as ProtocolVersion;
  return {
    envelope: {
      id: randomUUID(),
      type: 'receipt',
      schemaVersion: version,
      from: env.to,
      to: env.from,
      inReplyTo: env.id,
      createdAt: createdAt.toISOString(),
    },
    body: bodyForVersion('receipt', version, { messageId: env.id, messageSha256: digest, ...facts }),
  };
}

/**
 * After the commit, the header of a receipt this node signed (its body's certificate), so that its next receipts
 * are stored with it by reference: a receipt is signed inside the receiving transaction, where a header row may
 * not be written (src/app/stored-jws.ts), so the first of each kind after a start is stored whole. The receipt
 * is committed already; a failure here costs only that saving, never the sender's receipt.
 */
function recordOwnHeader(ctx: AppContext, receiptJws: string): Promise<void> {
  return recordJwsHeaders(ctx.db, [receiptJws]).catch(() => undefined);
}

export async function receiveMessage(ctx: AppContext, input: ReceiveMessageInput): Promise<Accepted> {
  const v = input.verified;
  // The sender's certificate (the message's header) kept once, recorded before the transaction that names it.
  await recordJwsHeaders(ctx.db, [v.jws]);
  const run = () =>
    ctx.db.transaction().execute(async (tx) => {
      const r = await acceptOne(tx, ctx, v, input.receivedAt, input.freshness);
      if ('prior' in r) {
        // The stored receipt, exactly as signed then.
        if (r.prior.receiptJws)
          return { receiptJws: await originalJws(ctx.db, r.prior.receiptJws, tx), duplicate: true };
        // Accepted in a bundle, now resent alone: a receipt of its own stating what the bundle receipt stated.
        const again = receiptOf(v.message.envelope, v.digest, r.prior.facts(), ctx.clock.now());
        return { receiptJws: await input.signReceipt(again), duplicate: true };
      }
      const receiptJws = await input.signReceipt(receiptOf(v.message.envelope, v.digest, r.facts, input.receivedAt));
      await storeInbox(tx, ctx, [{ v, receipt: { jws: receiptJws, messageSha256: v.digest } }], input.receivedAt);
      await input.beforeCommit?.();
      return { receiptJws, duplicate: false };
    });
  let accepted: Accepted;
  try {
    accepted = await run();
  } catch (e) {
    // The same message accepted meanwhile by a concurrent delivery: its effect and inbox row are
    // that transaction's; ours rolled back whole. Answer as to a resend.
    if (!isUniqueViolation(e)) throw e;
    accepted = await run();
  }
  await recordOwnHeader(ctx, accepted.receiptJws);
  return accepted;
}

/** One message of a bundle as the transport adapter left it: verified (steps 0–9), or refused there. */
export type BundleEntry =
  | {
      readonly verified: VerifiedMessage;
      /** As in ReceiveMessageInput: what holds only against a message not accepted before. */
      freshness(): Promise<EixError | null>;
    }
  | {
      readonly refused: EixError;
      readonly digest: string;
      readonly messageId: string | null;
      readonly claimed: unknown;
    };

export type BundleItem =
  | ({ readonly messageId: string; readonly messageSha256: string } & ReceiptFacts)
  | {
      readonly messageId?: string;
      readonly messageSha256: string;
      readonly error: { readonly code: string; readonly message: string };
    };

export interface ReceiveBundleInput {
  readonly entries: readonly BundleEntry[];
  /** SHA-256 (hex) of the bundle document as received. */
  readonly bundleSha256: string;
  readonly from: { readonly party: string; readonly body: string };
  readonly to: { readonly party: string; readonly body: string };
  readonly receivedAt: Date;
  /** Signs the bundle receipt with the key of the body the bundle was addressed to. */
  signReceipt(receipt: Message): Promise<string>;
  /** As in ReceiveMessageInput (fault tests only). */
  beforeCommit?: (() => Promise<void>) | undefined;
}

/**
 * A bundle (docs/MESSAGES.md §2.1) in ONE transaction: each message is
 * accepted or refused on its own (a savepoint each: a refused message leaves
 * only its audit entry, the others keep their effect), then one receipt
 * signed by the addressed body states every message's outcome in order,
 * stored once. A failure of the database fails the whole bundle (nothing
 * stored; the sender resends it).
 */
/**
 * Lock order. The use cases lock their request, then append to the audit log (whose lock is held to commit). A
 * bundle's messages are bound one after another, so a later message's request would be locked while the
 * transaction already holds the audit lock from an earlier one — and a use case holding that request (the
 * sender recording its receipt, an officer's step) waits for the audit lock: on PostgreSQL «deadlock detected»
 * (found by the chaos soak: an answer that overtook its receipt, in a bundle). So every request the bundle's
 * messages refer to is locked first, in id order, before anything takes the audit lock.
 */
async function lockReferencedRequests(tx: Tx, entries: readonly BundleEntry[]): Promise<void> {
  const refs = new Set(
    entries.flatMap((e) =>
      'verified' in e && e.verified.message.envelope.inReplyTo ? [e.verified.message.envelope.inReplyTo] : [],
    ),
  );
  if (refs.size === 0) return;
  await tx
    .selectFrom('requests')
    .select('id')
    .where('message_id', 'in', [...refs])
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function receiveBundle(
  ctx: AppContext,
  input: ReceiveBundleInput,
): Promise<{ receiptJws: string; items: BundleItem[] }> {
  await recordJwsHeaders(
    ctx.db,
    input.entries.map((e) => ('verified' in e ? e.verified.jws : null)),
  );
  const run = () =>
    ctx.db.transaction().execute(async (tx) => {
      await lockReferencedRequests(tx, input.entries);
      // The requests' audit entries and events are written last, after the receipt (the log's lock, audit.ts).
      deferAppends(tx);
      const receiptId = randomUUID();
      const items: BundleItem[] = new Array<BundleItem>(input.entries.length);
      // The bundle's new requests first, together (issue 16: a few multi-row statements instead of ~10 each);
      // when that fails for any reason but a concurrent delivery, each is judged alone below instead.
      const together = requestsOf(input.entries);
      if (together.length > 1) {
        try {
          await withSavepoint(tx, 'eix_bundle_requests', () =>
            acceptRequests(tx, ctx, input, together, receiptId, items),
          );
        } catch (e) {
          if (isUniqueViolation(e)) throw e;
          for (const i of together) delete items[i];
        }
      }
      for (const [i, entry] of input.entries.entries()) {
        if (items[i]) continue;
        if ('refused' in entry) {
          items[i] = refusedItem(entry.messageId, entry.digest, entry.refused);
          await auditRejected(tx, ctx, entry.refused.code, entry.messageId, entry.claimed);
          continue;
        }
        const v = entry.verified;
        const env = v.message.envelope;
        try {
          items[i] = await withSavepoint(tx, `eix_bundle_${i}`, async () => {
            const r = await acceptOne(tx, ctx, v, input.receivedAt, entry.freshness);
            const facts = 'prior' in r ? r.prior.facts() : r.facts;
            if ('facts' in r)
              await storeInbox(
                tx,
                ctx,
                [{ v, receipt: { bundle: receiptId, messageSha256: v.digest, facts } }],
                input.receivedAt,
              );
            return { messageId: env.id, messageSha256: v.digest, ...facts };
          });
        } catch (e) {
          // A concurrent delivery of the same message: the whole bundle is answered again after it commits.
          if (isUniqueViolation(e)) throw e;
          const err = e instanceof EixError ? e : new EixError('internal', {}, 'Внутренняя ошибка узла получателя');
          items[i] = refusedItem(env.id, v.digest, err);
          await auditRejected(tx, ctx, err.code, env.id, env);
        }
      }
      const receipt: Message = {
        envelope: {
          id: receiptId,
          type: 'bundle_receipt',
          schemaVersion: BUNDLE_VERSION,
          from: input.to,
          to: input.from,
          createdAt: input.receivedAt.toISOString(),
        },
        body: { bundleSha256: input.bundleSha256, items },
      };
      const receiptJws = await input.signReceipt(receipt);
      await tx
        .insertInto('bundle_receipts')
        .values({
          id: receiptId,
          direction: 'in',
          party: input.from.party,
          from_body: input.from.body,
          to_body: input.to.body,
          bundle_sha256: input.bundleSha256,
          jws: storedJws(ctx.db, receiptJws),
          created_at: input.receivedAt,
        })
        .execute();
      await appendPutOff(tx);
      await input.beforeCommit?.();
      return { receiptJws, items };
    });
  let received: { receiptJws: string; items: BundleItem[] };
  try {
    received = await run();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    received = await run();
  }
  await recordOwnHeader(ctx, received.receiptJws);
  return received;
}

type VerifiedEntry = Extract<BundleEntry, { verified: VerifiedMessage }>;

/** The positions of the bundle's verified requests, each message id once (a repeated one is judged alone after). */
function requestsOf(entries: readonly BundleEntry[]): number[] {
  const ids = new Set<string>();
  return entries.flatMap((entry, i) => {
    if (!('verified' in entry) || entry.verified.message.envelope.type !== 'request') return [];
    const id = entry.verified.message.envelope.id;
    if (ids.has(id)) return [];
    ids.add(id);
    return [i];
  });
}

/**
 * Steps 10–14 for the bundle's requests together, with the same outcome per message as acceptOne: a request
 * accepted before gets what its receipt stated; a new one must be fresh and bound, then receiveRequests checks
 * and stores it; a refused one gets its error and its audit entry. Fills `items` at the requests' positions.
 */
async function acceptRequests(
  tx: Tx,
  ctx: AppContext,
  input: ReceiveBundleInput,
  positions: readonly number[],
  receiptId: string,
  items: BundleItem[],
): Promise<void> {
  const at = input.receivedAt;
  const entries = positions.map((i) => ({ i, entry: input.entries[i] as VerifiedEntry }));
  const stored = await tx
    .selectFrom('inbox')
    .select(['message_id', 'receipt'])
    .where(
      'message_id',
      'in',
      entries.map(({ entry }) => entry.verified.message.envelope.id),
    )
    .execute();
  const seen = new Map(stored.map((r) => [r.message_id, r.receipt as StoredReceipt]));
  const refuse = async (i: number, v: VerifiedMessage, e: unknown) => {
    if (!(e instanceof EixError)) throw e;
    items[i] = refusedItem(v.message.envelope.id, v.digest, e);
    await auditRejected(tx, ctx, e.code, v.message.envelope.id, v.message.envelope);
  };
  const fresh: { i: number; v: VerifiedMessage }[] = [];
  const resent: string[] = [];
  for (const { i, entry } of entries) {
    const v = entry.verified;
    const env = v.message.envelope;
    try {
      const before = seen.get(env.id);
      if (before) {
        items[i] = { messageId: env.id, messageSha256: v.digest, ...priorOf(before, env.id, v.digest).facts() };
        resent.push(env.id);
        continue;
      }
      const objection = await entry.freshness();
      if (objection) throw objection;
      await bindMessage(tx, ctx, v.message, at);
      fresh.push({ i, v });
    } catch (e) {
      await refuse(i, v, e);
    }
  }
  await countResends(tx, resent);
  const results = await receiveRequests(
    tx,
    ctx,
    FEDERATION,
    fresh.map(({ v }) => requestInput(v.message as TypedMessage<'request'>, at)),
  );
  const accepted: { v: VerifiedMessage; receipt: StoredReceipt }[] = [];
  for (const [k, r] of results.entries()) {
    const { i, v } = fresh[k]!;
    if (r instanceof EixError) {
      await refuse(i, v, r);
      continue;
    }
    const facts: ReceiptFacts = { receivedAt: at.toISOString(), ...receiptExtras(r) };
    items[i] = { messageId: v.message.envelope.id, messageSha256: v.digest, ...facts };
    accepted.push({ v, receipt: { bundle: receiptId, messageSha256: v.digest, facts } });
  }
  await storeInbox(tx, ctx, accepted, at);
}

function refusedItem(messageId: string | null, digest: string, e: EixError): BundleItem {
  return {
    ...(messageId ? { messageId } : {}),
    messageSha256: digest,
    error: { code: e.code, message: e.message.slice(0, 2000) },
  };
}

/** The facts a receipt stated (its body, minus what names the message). */
function factsOf(body: Record<string, unknown>): ReceiptFacts {
  const { receivedAt, deadline, deadlineBasis, requestedBy } = body as Partial<Record<string, string>>;
  return {
    receivedAt: receivedAt ?? '',
    ...(deadline ? { deadline } : {}),
    ...(deadlineBasis ? { deadlineBasis } : {}),
    ...(requestedBy ? { requestedBy } : {}),
  };
}

/** The receipt of a message already accepted with these bytes; a different document under the same id is a replay. */
async function acceptedBefore(db: Tx, messageId: string, digest: string): Promise<Prior | null> {
  const seen = await db.selectFrom('inbox').select('receipt').where('message_id', '=', messageId).executeTakeFirst();
  return seen ? priorOf(seen.receipt as StoredReceipt, messageId, digest) : null;
}

/**
 * A resend of stored messages answered with what their receipt stated: counted on their inbox rows (the duplicate
 * the primary key turned away leaves this trace, for operators and the fault tests; docs/RELIABILITY.md).
 */
async function countResends(tx: Tx, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await tx
    .updateTable('inbox')
    .set({ resends: sql`resends + 1` })
    .where('message_id', 'in', messageIds)
    .execute();
}

function priorOf(r: StoredReceipt, messageId: string, digest: string): Prior {
  if (r.messageSha256 !== digest) throw new EixError('message.replay', { messageId });
  if ('facts' in r) return { receiptJws: null, facts: () => r.facts };
  return {
    receiptJws: r.jws,
    // Our own signed receipt (read only when a bundle repeats its facts): its payload is the JSON of the middle part.
    facts: () => factsOf(compactPayload<Message>(r.jws).body),
  };
}

async function auditRejected(tx: Tx, ctx: AppContext, code: string, messageId: string | null, claimed: unknown) {
  const env = (claimed ?? {}) as Partial<Message['envelope']>;
  await appendAudit(tx, ctx, FEDERATION, {
    action: 'federation.rejected',
    bodyId: null,
    subject: messageId,
    details: { code, type: env.type ?? null, from: env.from ?? null },
  });
}

/** The only trace of a refused message (R9.1: nothing of its content is kept). */
export async function recordRejectedMessage(
  ctx: AppContext,
  r: { code: string; messageId: string | null; type: string | null; from: unknown },
): Promise<void> {
  await ctx.db
    .transaction()
    .execute((tx) => auditRejected(tx, ctx, r.code, r.messageId, { type: r.type ?? undefined, from: r.from }));
}
