// The sending side: the outbox is the queue. A worker claims due messages with
// FOR UPDATE SKIP LOCKED (several node processes share the work), keeps the
// order of messages of one request, builds and signs each message when it
// sends it, delivers it over mutual TLS and checks the signed receipt. Failures
// retry with exponential backoff; after the limit the message is failed and the
// officer sees it in the request's history.
import { hostname } from 'node:os';
import { Agent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { OutboxTable } from '../db/schema.js';
import { appendAudit } from '../../app/audit.js';
import type { Actor } from '../../app/context.js';
import { recordDeliveries, recordDelivery } from '../../app/record-delivery.js';
import { recordEvent } from '../../app/record-event.js';
import { openSealedJws, recordJwsHeaders, sealJws, storedJws } from '../../app/stored-jws.js';
import { EixError } from '../../domain/errors.js';
import { composeMessages } from '../../app/compose-message.js';
import { checkNodeCertificate } from './node-identity.js';
import { MESSAGE_TYPES, messageSchema, type Message } from '../../domain/messages.js';
import { PARTIES, isSignatory } from '../../domain/parties.js';
import {
  CURRENT_VERSION,
  bundlesWith,
  chooseVersion,
  peerProtocol,
  type ProtocolVersion,
} from '../../domain/protocol.js';
import { checkSchema } from '../../domain/problems.js';
import type { BundleItem, ReceiptFacts } from '../../app/receive-message.js';
import type { Tx } from '../../ports/store.js';
import { registryFreshness, type Registry } from '../../domain/registry.js';
import { canonicalBytes, compactPayload, derBase64ToPem, sha256Hex } from '../crypto/jws.js';
import { verifySigned } from './inbound.js';
import { workerLoop } from '../jobs/wake-timer.js';
import {
  BUNDLE_MEDIA_TYPE,
  BUNDLE_PATH,
  BUNDLE_RECEIPT_JWS_TYPE,
  FEDERATION_PATH,
  MESSAGE_JWS_TYPE,
  RECEIPT_JWS_TYPE,
  type BundleLimits,
  type Federation,
} from './context.js';

type OutboxRow = Selectable<OutboxTable>;
const TRANSPORT: Actor = { kind: 'system', name: 'transport' };

/** Errors of the receiver that another attempt may cure. */
// `message.early`: the receiver has not yet processed our receipt of the request the step concerns;
// `message.context` (a sender with no part in the request) is final: retrying cannot cure it.
const RETRYABLE = new Set([
  'message.clock',
  'message.early',
  'rate_limited',
  'internal',
  'transport.failed',
  // The server at the registry's address is not a node of the Party addressed:
  // nothing was sent (the check precedes the first byte), so another attempt is
  // harmless, and the cause is usually a registry out of date on one side
  // (a node moved, a certificate renewed), which the depositary's next registry
  // cures without a restart. A lasting mismatch still fails after maxAttempts.
  'transport.peer',
  // The receiver does not speak the version its registry entry claims: the receiver stored nothing, so the
  // next attempt builds and signs afresh in a version chosen from the registry as it is then.
  'message.version',
  'storage.unavailable',
]);

/** Not an attempt: the message waits for a newer registry (stale registry; the peer does not speak its type yet). */
const HELD = new Set(['registry.stale', 'protocol.unsupported']);

/** How often a message held for a stale registry is looked at again (a newer registry also wakes the worker). */
const STALE_RETRY_MS = 60_000;

/** This process, as recorded on the outbox rows it claims. */
export const WORKER_ID = `${hostname()}#${process.pid}`;

export function backoffMs(attempt: number): number {
  return Math.min(2 ** Math.max(0, attempt - 1) * 1000, 10 * 60_000);
}

const agents = new WeakMap<Federation['tls'], Agent>();

/** One keep-alive mutual-TLS agent per node identity: connections are reused between messages. */
function agentFor(fed: Federation): Agent {
  let agent = agents.get(fed.tls);
  if (!agent) {
    agent = new Agent({
      keepAlive: true,
      maxSockets: 16,
      key: fed.tls.keyPem,
      cert: fed.tls.certChainPem,
      ca: fed.tls.rootPem,
      minVersion: 'TLSv1.2',
      // No TLS session resumption: a resumed session does not present the server's certificate again, and
      // verifyServer must see it on every new connection (connections are kept alive, so full handshakes are rare).
      maxCachedSessions: 0,
    });
    agents.set(fed.tls, agent);
  }
  return agent;
}

/**
 * Checks the server behind a TLS connection before anything is written to it:
 * its certificate must name (`urn:eix:node:<id>`) a node that the registry in
 * force lists under the Party addressed, chain to one of that Party's CAs now
 * and not be revoked now. The TLS handshake has already checked the chain to the
 * depositary root and the host name; this binds the server to the Party.
 */
export async function verifyServer(fed: Federation, party: string, url: string, socket: TLSSocket): Promise<void> {
  const peer = socket.getPeerCertificate(false);
  const refuse = (nodeId: string | null, why: string) =>
    new EixError(
      'transport.peer',
      { party, url, nodeId },
      `Сообщение Стороне ${party} не отправлено на ${url}: ${why}`,
    );
  if (!peer?.raw) throw refuse(null, 'сервер не предъявил сертификат');
  const id = await checkNodeCertificate(
    fed.registry(),
    derBase64ToPem(peer.raw.toString('base64')),
    party,
    fed.app.clock.now(),
  );
  if (!id.ok) throw refuse(id.nodeId, id.problem);
}

/**
 * POSTs a signed message to a node of `to.party` over mutual TLS; returns the receipt JWS.
 * The body (and the request head) is written only after `verifyServer` accepted the
 * connection the agent handed out: the agent pools sockets by host and port, not by
 * Party, so a kept-alive socket is checked again for every message.
 */
export function postMessage(
  fed: Federation,
  to: { readonly party: string; readonly url: string },
  jws: string,
  timeoutMs = 30_000,
): Promise<string> {
  return post(fed, to, { path: FEDERATION_PATH, mediaType: 'application/jose', body: jws }, timeoutMs);
}

/** POSTs a bundle (docs/MESSAGES.md §2.1) like postMessage; returns the bundle receipt JWS. */
export function postBundle(
  fed: Federation,
  to: { readonly party: string; readonly url: string },
  bundle: string,
  timeoutMs = 30_000,
): Promise<string> {
  return post(fed, to, { path: BUNDLE_PATH, mediaType: BUNDLE_MEDIA_TYPE, body: bundle }, timeoutMs);
}

function post(
  fed: Federation,
  to: { readonly party: string; readonly url: string },
  what: { readonly path: string; readonly mediaType: string; readonly body: string },
  timeoutMs: number,
): Promise<string> {
  const target = new URL(what.path, to.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      target,
      {
        method: 'POST',
        agent: agentFor(fed),
        headers: { 'content-type': what.mediaType, 'content-length': Buffer.byteLength(what.body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) return resolve(text);
          let code = 'transport.failed';
          let message = `HTTP ${res.statusCode}`;
          try {
            const e = (JSON.parse(text) as { error: { code: string; message: string } }).error;
            code = e.code;
            message = e.message;
          } catch {
            /* not our error shape */
          }
          reject(remoteError(code, message, { status: res.statusCode }));
        });
      },
    );
    req.on('socket', (s) => {
      const socket = s as TLSSocket;
      const send = () =>
        verifyServer(fed, to.party, to.url, socket).then(
          () => req.end(what.body),
          (e: unknown) => req.destroy(e as Error),
        );
      // A pooled socket has finished its handshake; a new one verifies after it.
      if (socket.getPeerCertificate()?.raw) void send();
      else socket.once('secureConnect', () => void send());
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) =>
      reject(
        e instanceof EixError
          ? e
          : new EixError(
              'transport.failed',
              { remoteCode: 'transport.failed', reason: e.message },
              `Узел недоступен: ${e.message}`,
            ),
      ),
    );
  });
}

/** The receiver's refusal, as the sender records it: `remoteCode` decides whether another attempt may cure it. */
function remoteError(code: string, message: string, data: Record<string, unknown> = {}): EixError {
  return Object.assign(new EixError('transport.failed', { ...data, remoteCode: code }, message), { remoteCode: code });
}

/**
 * The message as signed at its first attempt (or afresh after a `message.clock` refusal); built in the
 * chosen protocol version, signed and sealed now if there is none. Signed bytes keep their version.
 */
async function signedOnce(fed: Federation, row: OutboxRow, version: ProtocolVersion): Promise<string> {
  const [r] = await signedAll(fed, [{ row, version }]);
  if (r instanceof Error) throw r;
  return r!.jws;
}

/**
 * signedOnce for many rows (a bundle): composed together (composeMessages), signed, and their signed bytes
 * stored in one statement; with each row's sending body (known from the composed message, read from the
 * signed bytes of a row signed before). Each row gets its signed message or the error that stops it.
 */
async function signedAll(
  fed: Federation,
  rows: readonly { readonly row: OutboxRow; readonly version: ProtocolVersion }[],
): Promise<({ jws: string; from: string } | Error)[]> {
  const ctx = fed.app;
  const out: ({ jws: string; from: string } | Error)[] = new Array(rows.length);
  const fresh: number[] = [];
  for (const [i, { row }] of rows.entries()) {
    if (!row.signed_enc) {
      fresh.push(i);
      continue;
    }
    try {
      // The bytes signed at the first attempt, its header put back (src/app/stored-jws.ts): a resend is identical.
      const jws = await openSealedJws(ctx, row.signed_enc, `outbox:${row.message_id}`);
      out[i] = { jws, from: signedBy(jws) };
    } catch (e) {
      out[i] = e as Error;
    }
  }
  if (fresh.length === 0) return out;
  const messages = await composeMessages(
    ctx,
    fresh.map((i) => rows[i]!),
  );
  const signed: { i: number; jws: string }[] = [];
  await Promise.all(
    fresh.map(async (i, k) => {
      const message = messages[k]!;
      if (message instanceof Error) {
        out[i] = message;
        return;
      }
      try {
        const jws = await fed.signer.sign(message.envelope.from.body, canonicalBytes(message), MESSAGE_JWS_TYPE);
        signed.push({ i, jws });
        out[i] = { jws, from: message.envelope.from.body };
      } catch (e) {
        out[i] = e as Error;
      }
    }),
  );
  if (signed.length === 0) return out;
  // The signing certificate is kept once (jws_headers), each message naming it: recorded before the rows.
  await recordJwsHeaders(
    ctx.db,
    signed.map((x) => x.jws),
  );
  const stored = signed.map(({ i, jws }) => {
    const { row, version } = rows[i]!;
    return {
      id: row.id,
      enc: sealJws(ctx, jws, `outbox:${row.message_id}`).toString('base64'),
      key_id: ctx.sealer.activeKeyId,
      v: version,
      // What proves the exchange once the retention period destroys the bytes (R9.6, R10.a).
      sha: sha256Hex(jws),
    };
  });
  // A message is signed once. Another attempt at the same row — claimed again when this one's lease ran out
  // (a slow peer, a black-holed link, the process's clock jumping forward past the lease) — may have stored
  // its bytes first and sent them: those are the message, so this attempt sends them too (a second signature
  // under the same id would be refused as message.replay and would no longer match the receiver's receipt).
  const taken = new Set(
    (
      await sql<{ id: string }>`update outbox as o set signed_enc = decode(x.enc, 'base64'), signed_key_id = x.key_id,
        schema_version = x.v, signed_sha256 = x.sha
      from jsonb_to_recordset(cast(${JSON.stringify(stored)} as jsonb))
        as x(id bigint, enc text, key_id text, v integer, sha text)
      where o.id = x.id and o.signed_enc is null
      returning o.id`.execute(ctx.db)
    ).rows.map((r) => String(r.id)),
  );
  const lost = stored.filter((s) => !taken.has(String(s.id)));
  if (lost.length === 0) return out;
  const slot = new Map(fresh.map((i) => [String(rows[i]!.row.id), i]));
  const before = await ctx.db
    .selectFrom('outbox')
    .select(['id', 'message_id', 'signed_enc'])
    .where(
      'id',
      'in',
      lost.map((s) => s.id),
    )
    .execute();
  for (const r of before) {
    const i = slot.get(String(r.id))!;
    try {
      if (!r.signed_enc) throw new EixError('internal', {}, 'Подписанное сообщение сброшено другой попыткой доставки');
      const jws = await openSealedJws(ctx, r.signed_enc, `outbox:${r.message_id}`);
      out[i] = { jws, from: signedBy(jws) };
    } catch (e) {
      out[i] = e as Error;
    }
  }
  return out;
}

/**
 * The protocol version to build the message in for its recipient (the highest both speak), or a hold:
 * the recipient's node does not speak this message type (or any version of ours) yet. A held message is
 * no attempt; it goes out when a newer registry says the peer was upgraded.
 */
function versionFor(fed: Federation, registry: Registry, row: OutboxRow): ProtocolVersion {
  // Signed bytes keep the version they were built in (a resend must be identical).
  if (row.signed_enc && row.schema_version !== null) return row.schema_version as ProtocolVersion;
  const peer = peerProtocol(registry, row.to_party);
  if (!peer) return CURRENT_VERSION; // no node in the registry: the delivery fails below with its own error
  const choice = chooseVersion(fed.protocolVersions, peer, row.type);
  if (choice.send) return choice.version;
  const party = isSignatory(row.to_party) ? PARTIES[row.to_party].nameGenRu : row.to_party;
  throw new EixError(
    'protocol.unsupported',
    { party: row.to_party, type: row.type, peerVersions: choice.versions, reason: choice.reason },
    choice.reason === 'type_not_supported'
      ? `Узел ${party} ещё не поддерживает сообщение «${MESSAGE_TYPES[row.type].title}»: оно будет отправлено, когда реестр доверия покажет обновление узла`
      : `Узел ${party} поддерживает только версии протокола ${choice.versions.join(', ')}: сообщение будет отправлено после обновления одного из узлов`,
  );
}

/**
 * Where a message may go now: the registry in force is fresh enough and lists a node of the recipient's Party.
 * Past its maximum age the registry may miss revocations and withdrawals: nothing is sent under it (held, not
 * failed) until a newer one is installed. Receiving goes on: a message from another Party is still checked
 * against the newest registry this node has, and refusing it would cost that Party its receipt time and
 * deadline (R12.a) for our operator's lapse.
 */
function destination(
  fed: Federation,
  registry: Registry,
  party: string,
): { readonly party: string; readonly url: string } {
  const freshness = registryFreshness(registry, fed.app.clock.now(), fed.registryMaxAgeMs);
  if (freshness.state === 'stale')
    throw new EixError(
      'registry.stale',
      { version: registry.version, issuedAt: registry.issuedAt, ageMs: freshness.ageMs },
      `Реестр доверия версии ${registry.version} от ${registry.issuedAt.slice(0, 10)} старше допустимых ${Math.round(
        fed.registryMaxAgeMs / 86_400_000,
      )} дн.: сообщение будет отправлено после установки нового реестра (eix registry install)`,
    );
  const node = registry.parties[party]?.nodes[0];
  if (!node)
    throw new EixError('transport.failed', { remoteCode: 'registry.node' }, `В реестре нет узла Стороны ${party}`);
  return { party, url: node.url };
}

/** Delivers one claimed row; returns true when delivered. */
export async function deliver(fed: Federation, row: OutboxRow): Promise<boolean> {
  try {
    const registry = fed.registry();
    const to = destination(fed, registry, row.to_party);
    const jws = await signedOnce(fed, row, versionFor(fed, registry, row));
    await sendAlone(fed, row, to, jws);
    return true;
  } catch (e) {
    await recordFailure(fed, row, e);
    return false;
  }
}

/** POSTs one signed message, checks its receipt (§6) and records the delivery. */
async function sendAlone(
  fed: Federation,
  row: OutboxRow,
  to: { readonly party: string; readonly url: string },
  jws: string,
): Promise<void> {
  const receiptJws = await postMessage(fed, to, jws);
  const { message: receipt } = await verifySigned(fed, receiptJws, RECEIPT_JWS_TYPE, {
    party: row.to_party,
    body: row.to_body,
    at: (m) => new Date(m.envelope.createdAt),
  });
  const rb = receipt.body as unknown as { messageId: string; messageSha256: string } & ReceiptFacts;
  if (rb.messageId !== row.message_id || rb.messageSha256 !== sha256Hex(jws))
    throw new EixError('message.signature', {}, 'Квитанция относится к другому сообщению');
  await recordDelivery(fed.app, TRANSPORT, {
    messageId: row.message_id,
    receiptAt: rb.receivedAt,
    receipt: { jws: receiptJws, ...deadlines(rb) },
  });
}

/** What the sender keeps of a receipt's facts beside its proof (R12.a deadline, R12.b date asked for). */
const deadlines = (f: ReceiptFacts) => ({
  ...(f.deadline ? { deadline: f.deadline } : {}),
  ...(f.requestedBy ? { requestedBy: f.requestedBy } : {}),
});

/**
 * Delivers claimed rows: rows for a Party whose node takes bundles (protocol version 3 on both sides) go in
 * bundles of one sending body to one addressed body (bounded in count and bytes); the others one by one,
 * `SINGLE_CONCURRENCY` at a time. Every row ends delivered, or with its failure recorded (retried or failed).
 */
export async function deliverClaimed(fed: Federation, rows: readonly OutboxRow[]): Promise<void> {
  const registry = fed.registry();
  const alone: OutboxRow[] = [];
  const groups = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    if (!bundlesWith(fed.protocolVersions, peerProtocol(registry, row.to_party))) {
      alone.push(row);
      continue;
    }
    const key = `${row.to_party}/${row.to_body}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  for (const g of groups.values()) if (g.length === 1) alone.push(g.pop()!);
  const singles = async () => {
    for (let i = 0; i < alone.length; i += SINGLE_CONCURRENCY)
      await Promise.all(alone.slice(i, i + SINGLE_CONCURRENCY).map((r) => deliver(fed, r)));
  };
  await Promise.all([singles(), ...[...groups.values()].filter((g) => g.length > 0).map((g) => deliverGroup(fed, g))]);
}

/** How many single messages are in flight at once. */
const SINGLE_CONCURRENCY = 16;

/** Rows for one addressed body: each signed (or its failure recorded), then bundled by sending body. */
async function deliverGroup(fed: Federation, rows: readonly OutboxRow[]): Promise<void> {
  const registry = fed.registry();
  let to: { readonly party: string; readonly url: string };
  try {
    to = destination(fed, registry, rows[0]!.to_party);
  } catch (e) {
    for (const row of rows) await recordFailure(fed, row, e);
    return;
  }
  // Composed, signed and their signed bytes stored together (a few statements for the group, not four per row).
  type Versioned = { row: OutboxRow; version: ProtocolVersion } | { row: OutboxRow; error: Error };
  const versions = rows.map((row): Versioned => {
    try {
      return { row, version: versionFor(fed, registry, row) };
    } catch (e) {
      return { row, error: e as Error };
    }
  });
  const ready = versions.flatMap((v) => ('version' in v ? [v] : []));
  const results = await signedAll(fed, ready);
  const signed: ((Signed & { from: string }) | null)[] = [];
  for (const v of versions) if ('error' in v) await recordFailure(fed, v.row, v.error);
  for (const [k, r] of results.entries()) {
    const row = ready[k]!.row;
    if (r instanceof Error) {
      await recordFailure(fed, row, r);
      signed.push(null);
    } else signed.push({ row, ...r });
  }
  const byBody = new Map<string, Signed[]>();
  for (const s of signed) {
    if (!s) continue;
    const same = byBody.get(s.from);
    if (same) same.push(s);
    else byBody.set(s.from, [s]);
  }
  const sends: Promise<void>[] = [];
  for (const [from, signed] of byBody)
    for (const chunk of chunks(signed, fed.bundle)) {
      sends.push(
        chunk.length === 1
          ? sendAlone(fed, chunk[0]!.row, to, chunk[0]!.jws).catch((e: unknown) => recordFailure(fed, chunk[0]!.row, e))
          : sendBundle(fed, to, { party: fed.app.party, body: from }, chunk),
      );
    }
  await Promise.all(sends);
}

interface Signed {
  readonly row: OutboxRow;
  readonly jws: string;
}

/** The sending body of our own signed message (its envelope, read without verifying: we signed it). */
function signedBy(jws: string): string {
  return compactPayload<Message>(jws).envelope.from.body;
}

/** Consecutive chunks of at most `maxMessages` messages and about `maxBytes` (a larger message goes alone). */
function chunks(signed: readonly Signed[], limits: BundleLimits): Signed[][] {
  const out: Signed[][] = [];
  let current: Signed[] = [];
  let bytes = 0;
  for (const s of signed) {
    if (current.length > 0 && (current.length >= limits.maxMessages || bytes + s.jws.length > limits.maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(s);
    bytes += s.jws.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * One bundle: POSTed, its receipt verified (signed by the addressed body, for exactly these bytes, an item per
 * message in order with that message's SHA-256), then the receipt stored once and every received message
 * recorded delivered in one transaction; each refused message is a failed attempt with the receiver's code.
 */
async function sendBundle(
  fed: Federation,
  to: { readonly party: string; readonly url: string },
  from: { readonly party: string; readonly body: string },
  chunk: readonly Signed[],
): Promise<void> {
  const toBody = chunk[0]!.row.to_body;
  const text = JSON.stringify({ from, to: { party: to.party, body: toBody }, messages: chunk.map((c) => c.jws) });
  let receipt: { jws: string; id: string; items: BundleItem[] };
  try {
    const receiptJws = await postBundle(fed, to, text);
    const { message } = await verifySigned(fed, receiptJws, BUNDLE_RECEIPT_JWS_TYPE, {
      party: to.party,
      body: toBody,
      at: (m) => new Date(m.envelope.createdAt),
    });
    const schema = messageSchema('bundle_receipt', message.envelope.schemaVersion as ProtocolVersion);
    const body = message.body as { bundleSha256: string; items: BundleItem[] };
    const mismatch =
      message.envelope.type !== 'bundle_receipt' ||
      !schema ||
      checkSchema(schema, message).length > 0 ||
      body.bundleSha256 !== sha256Hex(text) ||
      body.items.length !== chunk.length ||
      body.items.some(
        (item, i) =>
          item.messageSha256 !== sha256Hex(chunk[i]!.jws) ||
          (item.messageId !== undefined && item.messageId !== chunk[i]!.row.message_id),
      );
    if (mismatch) throw new EixError('message.signature', {}, 'Квитанция относится к другому пакету сообщений');
    receipt = { jws: receiptJws, id: message.envelope.id, items: body.items };
  } catch (e) {
    for (const c of chunk) await recordFailure(fed, c.row, e);
    return;
  }
  const received = chunk.flatMap((c, i) => {
    const item = receipt.items[i]!;
    return 'error' in item ? [] : [{ row: c.row, i, facts: item as ReceiptFacts }];
  });
  // The proof is the bundle receipt (stored once, bundle_receipts) and this message's item in it.
  const delivery = (r: (typeof received)[number]) => ({
    messageId: r.row.message_id,
    receiptAt: r.facts.receivedAt,
    receipt: { bundle: receipt.id, item: r.i, receivedAt: r.facts.receivedAt, ...deadlines(r.facts) },
  });
  try {
    await recordJwsHeaders(fed.app.db, [receipt.jws]);
    await fed.app.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('bundle_receipts')
        .values({
          id: receipt.id,
          direction: 'out',
          party: to.party,
          from_body: from.body,
          to_body: toBody,
          bundle_sha256: sha256Hex(text),
          jws: storedJws(fed.app.db, receipt.jws),
          created_at: fed.app.clock.now(),
        })
        .execute();
      await recordDeliveries(fed.app, TRANSPORT, received.map(delivery), tx);
    });
  } catch {
    // Recorded one by one instead; a message that cannot be is an attempt failed (the resend gets its receipt).
    for (const r of received)
      await recordDelivery(fed.app, TRANSPORT, delivery(r)).catch((err: unknown) => recordFailure(fed, r.row, err));
  }
  for (const [i, c] of chunk.entries()) {
    const item = receipt.items[i]!;
    if ('error' in item) await recordFailure(fed, c.row, remoteError(item.error.code, item.error.message));
  }
}

/** The event log's entry for a message of a request that is late or failed (issue 14.7 notices, issue 17 feed). */
async function deliveryEvent(
  tx: Tx,
  fed: Federation,
  row: OutboxRow,
  kind: 'delivery_delayed' | 'delivery_failed',
  error: string,
): Promise<void> {
  // The request is locked before recordEvent takes the audit log's lock, as every use case does: the event's
  // reference to it would otherwise wait, under the audit lock, for an officer's transaction that holds the
  // request and waits for the audit lock (a deadlock, found by the chaos soak on PostgreSQL).
  const req = await tx
    .selectFrom('requests')
    .select('body_id')
    .where('id', '=', row.request_id!)
    .forUpdate()
    .executeTakeFirstOrThrow();
  await recordEvent(tx, fed.app, {
    kind,
    requestId: row.request_id!,
    bodyId: req.body_id,
    data: { messageId: row.message_id, type: row.type, error },
  });
}

/** A failed attempt: retried with backoff, held, or (not retryable, or the last attempt) failed for good. */
async function recordFailure(fed: Federation, row: OutboxRow, e: unknown): Promise<void> {
  const ctx = fed.app;
  const err = e instanceof EixError ? e : new EixError('internal', {}, (e as Error).message);
  const remote = String(err.data.remoteCode ?? err.code);
  // Held for a stale registry: not an attempt at all (the retry budget is kept for the peer).
  const held = HELD.has(remote);
  const permanent = !held && (!RETRYABLE.has(remote) || row.attempts >= fed.maxAttempts);
  await ctx.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('outbox')
      .set({
        status: permanent ? 'failed' : 'pending',
        last_error: `${remote}: ${err.message}`.slice(0, 1000),
        last_attempt_at: ctx.clock.now(),
        next_attempt_at: new Date(ctx.clock.now().getTime() + (held ? STALE_RETRY_MS : backoffMs(row.attempts))),
        ...(held ? { attempts: Math.max(0, row.attempts - 1) } : {}),
        // Refused for its createdAt: the receiver stored nothing under this id
        // (it answers identical bytes it already holds with the original receipt
        // before it looks at the clock), so the next attempt signs afresh with
        // the clock as it is then: a sender whose clock was wrong and is fixed
        // gets its message through instead of resending the bad date until failed.
        ...(remote === 'message.clock' || remote === 'message.version'
          ? { signed_enc: null, signed_key_id: null, signed_sha256: null, schema_version: null }
          : {}),
      })
      .where('id', '=', row.id)
      // Only this attempt's outcome: a row delivered meanwhile, or claimed again after this attempt's lease ran
      // out (another process, or this one after its clock jumped past the lease), is not this attempt's to
      // change — a late failure would otherwise put a delivered message back in the queue, and its resend would
      // then meet a request already received (workflow.transition, `failed` on an answered request).
      .where('status', '!=', 'delivered')
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    // Issue 17: the first failed attempt of a message tells the national system that delivery is delayed —
    // once per message (a held message's attempt is given back, so its first real failure is still attempt 1).
    if (!permanent && !held && row.attempts === 1 && row.request_id) {
      await deliveryEvent(tx, fed, row, 'delivery_delayed', remote);
    }
    if (permanent && row.request_id) {
      await tx
        .insertInto('request_events')
        .values({
          request_id: row.request_id,
          event: 'delivery_failed',
          side: 'requesting',
          officer_id: null,
          at: ctx.clock.now(),
          data: JSON.stringify({
            messageId: row.message_id,
            type: row.type,
            attempts: row.attempts,
            error: remote,
            message: err.message,
          }),
        })
        .execute();
      await deliveryEvent(tx, fed, row, 'delivery_failed', remote);
      await appendAudit(tx, ctx, TRANSPORT, {
        action: 'federation.delivery_failed',
        requestId: row.request_id,
        subject: row.message_id,
        details: { error: remote },
      });
    }
  });
}

/**
 * A newer registry came into force: messages held for it (a stale registry, a peer that did not speak
 * their type) are due now rather than at their next look. Returns how many.
 */
export async function releaseHeld(fed: Federation): Promise<number> {
  const rows = await fed.app.db
    .updateTable('outbox')
    .set({ next_attempt_at: fed.app.clock.now() })
    .where('status', '=', 'pending')
    .where((eb) =>
      eb.or([eb('last_error', 'like', 'registry.stale:%'), eb('last_error', 'like', 'protocol.unsupported:%')]),
    )
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * The messages due now: still to go, due within this millisecond, and no earlier message of the same request still
 * to go — soonest due first, then oldest. Locked for the caller's transaction; rows another claim holds are skipped.
 * The plan is set for the rest of the transaction (migration 031): a plain scan of the index of messages still to
 * go, in this order, stopping at `limit`. Every message leaves a dead version in that index at each step ('pending',
 * 'sending'); a plain index scan marks those it passes so the next claim skips them, a bitmap scan (which
 * PostgreSQL prefers for a table it has no statistics of yet, as on a server without autovacuum) reads them all at
 * every claim until a VACUUM — thousands per claim under load.
 */
export async function dueMessages(tx: Tx, now: Date, limit: number) {
  await sql`select set_config('enable_bitmapscan', 'off', true)`.execute(tx);
  return (
    tx
      .selectFrom('outbox as o')
      .select('o.id')
      .where('o.status', 'in', ['pending', 'sending'])
      // Due within this millisecond: a row queued with the database's now() (microseconds) in the millisecond the
      // node's clock reads is due, not left for the next pass (a claim right after the queueing missed it).
      .where('o.next_attempt_at', '<', new Date(now.getTime() + 1))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('outbox as p')
              .select('p.id')
              .whereRef('p.request_id', '=', 'o.request_id')
              .whereRef('p.id', '<', 'o.id')
              .where('p.status', 'in', ['pending', 'sending'])
              // Asked per message the scan returns (OFFSET keeps PostgreSQL from making it a join, which reads
              // every message still to go, the held ones too, to build a hash): one look into outbox_by_request.
              .offset(0),
          ),
        ),
      )
      .orderBy('o.next_attempt_at')
      .orderBy('o.id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
  );
}

/**
 * Claims due messages (a lease of `leaseMs`: a crashed sender's claim expires),
 * soonest due first, at most one in flight per request so its messages keep order.
 */
export async function claimDue(fed: Federation, limit: number, leaseMs = 60_000): Promise<OutboxRow[]> {
  const now = fed.app.clock.now();
  return fed.app.db.transaction().execute(async (tx) => {
    const due = await (await dueMessages(tx, now, limit)).execute();
    if (due.length === 0) return [];
    return tx
      .updateTable('outbox')
      .set({
        status: 'sending',
        attempts: sql`attempts + 1`,
        // Still 'sending' (the old value): its lease expired with no outcome recorded — a takeover, not a retry.
        lease_takeovers: sql`lease_takeovers + case when status = 'sending' then 1 else 0 end`,
        next_attempt_at: new Date(now.getTime() + leaseMs),
        claimed_by: WORKER_ID,
      })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute();
  });
}

export interface OutboxWorker {
  /** Wakes the worker now (after a use case queued something). */
  kick(): void;
  /** Wakes the worker at once, without the linger (a batch's chunk committed: nothing more will join it). */
  flush(): void;
  /** Runs until the outbox has nothing due (tests, shutdown drain). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Claimed sets of rows being delivered at once: a slow or silent peer holds one of them, not the worker. */
const MAX_IN_FLIGHT = 8;

export function startOutboxWorker(
  fed: Federation,
  opts: {
    intervalMs?: number;
    batch?: number;
    onError?: (e: unknown) => void;
    /** Test seam: told the number of messages of each claim a pass makes. */
    onClaim?: (claimed: number) => void;
  } = {},
): OutboxWorker {
  const inFlight = new Set<Promise<void>>();
  // Enough due rows for a full bundle; messages to peers without bundles still go 16 at a time.
  const batch = opts.batch ?? Math.max(16, fed.bundle.maxMessages);
  const tick = async (): Promise<number> => {
    const rows = await claimDue(fed, batch);
    await deliverClaimed(fed, rows);
    return rows.length;
  };
  const settled = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  // Claims while there is work and dispatches each claim without waiting for it (claimed rows are leased, so
  // nobody else takes them): the next bundle is signed while the previous one is on the wire, and a peer that
  // does not answer (until the 30 s timeout) delays only the rows it was sent. A short linger after a kick:
  // messages queued together (a batch, a burst) leave together, in one bundle; later kicks join the pass
  // already due (wake-timer.ts), so a steady stream of kicks cannot starve the worker.
  const loop = workerLoop(
    async (stopped) => {
      while (!stopped()) {
        if (inFlight.size >= MAX_IN_FLIGHT) {
          await Promise.race(inFlight);
          continue;
        }
        const rows = await claimDue(fed, batch);
        opts.onClaim?.(rows.length);
        if (rows.length === 0) break;
        const delivery: Promise<void> = deliverClaimed(fed, rows)
          .catch((e: unknown) => opts.onError?.(e))
          .finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
        // A claim that was not full took every message due: another would find none (what is queued meanwhile
        // wakes the worker again), and would only compete with this delivery for the process and the database.
        if (rows.length < batch) break;
      }
    },
    {
      intervalMs: opts.intervalMs ?? 1000,
      kickDelayMs: fed.bundle.lingerMs,
      ...(opts.onError ? { onError: opts.onError } : {}),
    },
  );
  loop.run();
  return {
    kick: loop.kick,
    flush: loop.flush,
    drain: async () => {
      await loop.idle();
      await settled();
      while ((await tick()) > 0) {
        /* drain */
      }
    },
    stop: async () => {
      await loop.stop();
      await settled();
    },
  };
}
