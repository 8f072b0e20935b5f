// The receiving side of the protocol, transport part: the TLS peer is a node
// of the sending Party, the body certificate chains to that Party's CA and is
// not revoked (when signed and, for a new message, now), the signature
// verifies and the schema of the type holds. Then src/app/receive-message.ts
// decides whom to believe for what, applies the effect and signs the receipt.
import Type from 'typebox';
import {
  receiveBundle,
  receiveMessage,
  recordRejectedMessage,
  type Accepted,
  type BundleEntry,
} from '../../app/receive-message.js';
import { EixError } from '../../domain/errors.js';
import {
  BUNDLE_MAX_MESSAGES,
  EnvelopeSchema,
  MESSAGE_TYPES,
  isMessageType,
  isReceiptType,
  messageSchema,
  type InboundType,
  type Message,
  type TypedMessage,
} from '../../domain/messages.js';
import { checkSchema } from '../../domain/problems.js';
import { BUNDLE_VERSION, type ProtocolVersion } from '../../domain/protocol.js';
import { isRevoked } from '../../domain/registry.js';
import { certificateInfo, verifyCertificate } from '../crypto/pki.js';
import { toEixError } from '../http/errors.js';
import { canonicalBytes, sha256Hex } from '../crypto/jws.js';
import { readCompact, verifyCompact } from './jws.js';
import { checkNodeCertificate } from './node-identity.js';
import {
  BUNDLE_RECEIPT_JWS_TYPE,
  MAX_MESSAGE_BYTES,
  MESSAGE_JWS_TYPE,
  RECEIPT_JWS_TYPE,
  type Federation,
} from './context.js';

export type { Accepted };

export interface TlsPeer {
  readonly certPem: string;
}

/** The peer node behind a TLS client certificate, checked against the registry. */
export async function identifyPeer(fed: Federation, peer: TlsPeer): Promise<{ nodeId: string; party: string }> {
  const id = await checkNodeCertificate(fed.registry(), peer.certPem, null, fed.app.clock.now());
  if (!id.ok)
    throw new EixError('message.tls', { nodeId: id.nodeId }, `Клиентский сертификат TLS отклонён: ${id.problem}`);
  return { nodeId: id.nodeId, party: id.party };
}

/** Verifies a signed document of a body of `party` (message or receipt); returns its payload. */
export async function verifySigned(
  fed: Federation,
  jws: string,
  typ: string,
  expect: { party?: string; body?: string; at: (payload: Message) => Date },
): Promise<{ message: Message; certPem: string }> {
  const u = readCompact(jws, typ);
  // The protocol version first: a later version's envelope may not fit this node's schema at all.
  const version = (u.payload as { envelope?: { schemaVersion?: unknown } } | null)?.envelope?.schemaVersion;
  if (typeof version === 'number' && !fed.protocolVersions.includes(version as ProtocolVersion)) {
    throw new EixError(
      'message.version',
      { field: 'envelope.schemaVersion', version, accepted: [...fed.protocolVersions] },
      `Версия протокола ${version} не поддерживается: узел принимает версии ${fed.protocolVersions.join(', ')}`,
    );
  }
  const env = checkSchema(EnvelopeSchema, (u.payload as { envelope?: unknown })?.envelope);
  if (env.length > 0)
    throw new EixError(
      'message.schema',
      { field: `envelope.${env[0]!.path}`, problems: env },
      `Конверт сообщения: ${env[0]!.message}`,
    );
  const message = u.payload as Message;
  const { from } = message.envelope;
  if ((expect.party && from.party !== expect.party) || (expect.body && from.body !== expect.body)) {
    throw new EixError(
      'message.sender',
      { from },
      `Отправитель ${from.party}/${from.body} не соответствует ожидаемому`,
    );
  }
  const registry = fed.registry();
  const party = registry.parties[from.party];
  if (!party) throw new EixError('message.sender', { from }, `Сторона ${from.party} отсутствует в реестре`);
  const info = certificateInfo(u.certPem);
  if (info.bodyId !== from.body || info.party !== from.party) {
    throw new EixError(
      'message.sender',
      { from, certificateBody: info.bodyId ?? null },
      `Сообщение подписано сертификатом органа ${info.bodyId ?? '?'}, а не ${from.body}`,
    );
  }
  const invalid = await certificateObjection(fed, u.certPem, from, expect.at(message));
  if (invalid) throw invalid;
  await verifyCompact(jws, u.certPem);
  return { message, certPem: u.certPem };
}

/** Why a body certificate of `from.party` is not valid at `at` (not chained to its CA, expired, revoked), or null. */
async function certificateObjection(
  fed: Federation,
  certPem: string,
  from: { party: string; body: string },
  at: Date,
): Promise<EixError | null> {
  const registry = fed.registry();
  const party = registry.parties[from.party];
  if (!party) return new EixError('message.sender', { from }, `Сторона ${from.party} отсутствует в реестре`);
  const checks = await Promise.all(party.caCertificates.map((ca) => verifyCertificate(certPem, ca, at)));
  if (!checks.some((c) => c.ok)) {
    const reason = checks.find((c) => !c.ok && c.reason !== 'signature') ?? checks[0];
    return new EixError('message.certificate', {
      reason: reason && !reason.ok ? reason.reason : 'signature',
      at: at.toISOString(),
    });
  }
  const serialNumber = certificateInfo(certPem).serialNumber;
  if (isRevoked(registry, serialNumber, at)) {
    return new EixError(
      'message.certificate',
      { reason: 'revoked', serialNumber, at: at.toISOString() },
      `Сертификат органа ${from.body} отозван`,
    );
  }
  return null;
}

/**
 * Steps 1–9 of docs/MESSAGES.md §5 for one message: signed by a body of the
 * TLS peer's Party with a certificate valid when it was signed, a known type
 * other than a receipt, and the schema of that type in the message's version.
 */
async function verifyInbound(
  fed: Federation,
  jws: string,
  tlsPeer: { party: string },
  claim: (env: Partial<Message['envelope']>) => void,
): Promise<{ message: TypedMessage<InboundType>; certPem: string }> {
  const { message, certPem } = await verifySigned(fed, jws, MESSAGE_JWS_TYPE, {
    party: tlsPeer.party,
    at: (m) => new Date(m.envelope.createdAt),
  });
  claim(message.envelope);
  const type = message.envelope.type;
  if (!isMessageType(type) || isReceiptType(type))
    throw new EixError('message.type', { field: 'envelope.type', type }, `Неизвестный тип сообщения: ${type}`);
  // The version was checked against this node's in verifySigned; a type the version does not define is unknown in it.
  const schema = messageSchema(type, message.envelope.schemaVersion as ProtocolVersion);
  if (!schema)
    throw new EixError(
      'message.type',
      { field: 'envelope.type', type, version: message.envelope.schemaVersion },
      `Тип сообщения «${MESSAGE_TYPES[type].title}» не определён в версии протокола ${message.envelope.schemaVersion}`,
    );
  const problems = checkSchema(schema, message);
  if (problems.length > 0)
    throw new EixError(
      'message.schema',
      { field: problems[0]!.path, problems },
      `Сообщение «${MESSAGE_TYPES[type].title}»: ${problems[0]!.path}: ${problems[0]!.message}`,
    );
  return { message: message as unknown as TypedMessage<InboundType>, certPem };
}

/**
 * Steps 11–12, against a message not accepted before: fresh, and signed with a certificate valid now, not only
 * when it says it was signed (a back-dated createdAt must not carry a revoked or expired certificate through).
 */
const freshnessOf =
  (fed: Federation, env: Message['envelope'], certPem: string, now: Date) => async (): Promise<EixError | null> =>
    clockObjection(fed, env.createdAt, now) ?? certificateObjection(fed, certPem, env.from, now);

/**
 * The federation endpoint's work: who is at the other end of the TLS
 * connection, whether the document is signed by a body of that Party with a
 * certificate valid when it was signed, and whether it matches the schema of
 * its type. The rest (duplicates, whom to believe for what, the effect, the
 * receipt) is the receiveMessage use case. A refused message leaves one audit entry.
 */
export async function acceptMessage(fed: Federation, jws: string, peer: TlsPeer): Promise<Accepted> {
  const ctx = fed.app;
  let claimed: Partial<Message['envelope']> = {};
  try {
    const tlsPeer = await identifyPeer(fed, peer);
    const now = ctx.clock.now();
    const { message, certPem } = await verifyInbound(fed, jws, tlsPeer, (env) => (claimed = env));
    const env = message.envelope;
    const accepted = await receiveMessage(ctx, {
      verified: { message, digest: sha256Hex(jws), jws },
      receivedAt: now,
      freshness: freshnessOf(fed, env, certPem, now),
      signReceipt: (receipt) => fed.signer.sign(env.to.body, canonicalBytes(receipt), RECEIPT_JWS_TYPE),
      beforeCommit: fed.holdReceipt && (() => fed.holdReceipt!('transaction', [env.id])),
    });
    await fed.holdReceipt?.('answer', [env.id]);
    return accepted;
  } catch (e) {
    const err = toEixError(e);
    await recordRejectedMessage(ctx, {
      code: err.code,
      messageId: claimed.id ?? null,
      type: claimed.type ?? null,
      from: claimed.from ?? null,
    }).catch(() => undefined);
    throw err;
  }
}

const Party = Type.Object(
  { party: Type.String({ pattern: '^[A-Z]{2}$' }), body: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) },
  { additionalProperties: false },
);

/** A bundle as POSTed (docs/MESSAGES.md §2.1): the sending and the addressed body, the compact JWS of each message. */
export const BundleSchema = Type.Object(
  {
    from: Party,
    to: Party,
    messages: Type.Array(Type.String({ minLength: 1, maxLength: MAX_MESSAGE_BYTES }), {
      minItems: 1,
      maxItems: BUNDLE_MAX_MESSAGES,
    }),
  },
  { additionalProperties: false },
);

/**
 * A bundle: the TLS peer must be a node of the sending Party and the addressed
 * body one this node serves (otherwise the whole bundle is refused, nothing
 * stored); then each message passes steps 1–9 on its own, must name the
 * bundle's sender and addressee, and the rest is receiveBundle: one
 * transaction, one receipt stating every message's outcome in order.
 */
export async function acceptBundle(fed: Federation, text: string, peer: TlsPeer): Promise<{ receiptJws: string }> {
  try {
    return await receiveWholeBundle(fed, text, peer);
  } catch (e) {
    // A bundle refused whole (its sender, its addressee, its form): nothing of it is stored but this entry.
    const err = toEixError(e);
    await recordRejectedMessage(fed.app, { code: err.code, messageId: null, type: 'bundle', from: null }).catch(
      () => undefined,
    );
    throw err;
  }
}

async function receiveWholeBundle(fed: Federation, text: string, peer: TlsPeer): Promise<{ receiptJws: string }> {
  const ctx = fed.app;
  const tlsPeer = await identifyPeer(fed, peer);
  if (!fed.protocolVersions.includes(BUNDLE_VERSION))
    throw new EixError(
      'message.version',
      { field: 'bundle', version: BUNDLE_VERSION, accepted: [...fed.protocolVersions] },
      `Пакеты сообщений (версия протокола ${BUNDLE_VERSION}) не поддерживаются: узел принимает версии ${fed.protocolVersions.join(', ')}`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new EixError('message.schema', { field: 'bundle' }, 'Пакет сообщений не является документом JSON');
  }
  const problems = checkSchema(BundleSchema, doc);
  if (problems.length > 0)
    throw new EixError(
      'message.schema',
      { field: `bundle.${problems[0]!.path}`, problems },
      `Пакет сообщений: ${problems[0]!.path}: ${problems[0]!.message}`,
    );
  const bundle = doc as Type.Static<typeof BundleSchema>;
  if (bundle.from.party !== tlsPeer.party)
    throw new EixError(
      'message.sender',
      { field: 'bundle.from.party', from: bundle.from },
      `Пакет от имени Стороны ${bundle.from.party} пришёл с узла Стороны ${tlsPeer.party}`,
    );
  const served = await ctx.db.selectFrom('bodies').select('party').where('id', '=', bundle.to.body).executeTakeFirst();
  if (bundle.to.party !== ctx.party || served?.party !== ctx.party)
    throw new EixError(
      'message.recipient',
      { field: 'bundle.to.body', id: bundle.to.body },
      `Орган ${bundle.to.body} не обслуживается этим узлом`,
    );
  const now = ctx.clock.now();
  // Each message checked on its own, all at once: their signature checks are jobs of the crypto thread pool, which
  // then overlap instead of waiting for one another; the entries keep the bundle's order.
  const entries = await Promise.all(
    bundle.messages.map(async (jws): Promise<BundleEntry> => {
      const digest = sha256Hex(jws);
      let claimed: Partial<Message['envelope']> = {};
      try {
        const { message, certPem } = await verifyInbound(fed, jws, tlsPeer, (env) => (claimed = env));
        const env = message.envelope;
        if (env.from.body !== bundle.from.body)
          throw new EixError(
            'message.sender',
            { field: 'envelope.from.body', from: env.from },
            `Сообщение органа ${env.from.body} в пакете органа ${bundle.from.body}`,
          );
        if (env.to.party !== bundle.to.party || env.to.body !== bundle.to.body)
          throw new EixError(
            'message.recipient',
            { field: 'envelope.to.body', to: env.to },
            `Сообщение органу ${env.to.body} в пакете органу ${bundle.to.body}`,
          );
        return { verified: { message, digest, jws }, freshness: freshnessOf(fed, env, certPem, now) };
      } catch (e) {
        return { refused: toEixError(e), digest, messageId: claimed.id ?? null, claimed };
      }
    }),
  );
  const ids = entries.flatMap((e) => ('verified' in e ? [e.verified.message.envelope.id] : []));
  const r = await receiveBundle(ctx, {
    entries,
    bundleSha256: sha256Hex(text),
    from: bundle.from,
    to: bundle.to,
    receivedAt: now,
    signReceipt: (receipt) => fed.signer.sign(bundle.to.body, canonicalBytes(receipt), BUNDLE_RECEIPT_JWS_TYPE),
    beforeCommit: fed.holdReceipt && (() => fed.holdReceipt!('transaction', ids)),
  });
  await fed.holdReceipt?.('answer', ids);
  return { receiptJws: r.receiptJws };
}

/** A message may not come from the future beyond the skew, nor be older than the retry window. */
function clockObjection(fed: Federation, createdAt: string, now: Date): EixError | null {
  const age = now.getTime() - Date.parse(createdAt);
  return -age > fed.clockSkewMs || age > fed.maxMessageAgeMs
    ? new EixError('message.clock', { ageMs: age, toleranceMs: fed.clockSkewMs, maxAgeMs: fed.maxMessageAgeMs })
    : null;
}
