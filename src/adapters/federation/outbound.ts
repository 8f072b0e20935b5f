// The sending side: the outbox is the queue. A worker claims due messages with
// FOR UPDATE SKIP LOCKED (several node processes share the work), keeps the
// order of messages of one request, builds and signs each message when it
// sends it, delivers it over mutual TLS and checks the signed receipt. Failures
// retry with exponential backoff; after the limit the message is failed and the
// officer sees it in the request's history.
import { hostname } from 'node:os';
import { Agent, request as httpsRequest } from 'node:https';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { OutboxTable } from '../db/schema.js';
import { appendAudit } from '../../app/audit.js';
import type { Actor } from '../../app/context.js';
import { recordDelivery } from '../../app/record-delivery.js';
import { EixError } from '../../domain/errors.js';
import type { Message } from '../../domain/messages.js';
import type { Request } from '../../domain/request.js';
import { canonicalBytes, sha256Hex } from '../crypto/jws.js';
import { verifySigned } from './inbound.js';
import { FEDERATION_PATH, MESSAGE_JWS_TYPE, RECEIPT_JWS_TYPE, type Federation } from './context.js';

type OutboxRow = Selectable<OutboxTable>;
const TRANSPORT: Actor = { kind: 'system', name: 'transport' };

/** Errors of the receiver that another attempt may cure. */
const RETRYABLE = new Set([
  'message.clock',
  'message.context',
  'rate_limited',
  'internal',
  'transport.failed',
  'storage.unavailable',
]);

/** This process, as recorded on the outbox rows it claims. */
export const WORKER_ID = `${hostname()}#${process.pid}`;

export function backoffMs(attempt: number): number {
  return Math.min(2 ** Math.max(0, attempt - 1) * 1000, 10 * 60_000);
}

/** Builds the signed document for one outbox row. */
export async function buildMessage(fed: Federation, row: OutboxRow): Promise<Message> {
  const ctx = fed.app;
  const refs = row.payload as Record<string, unknown>;
  const req = row.request_id
    ? await ctx.db.selectFrom('requests').selectAll().where('id', '=', row.request_id).executeTakeFirstOrThrow()
    : null;
  const fromBody =
    req?.body_id ??
    // Node-level messages (R9.5) name the body that asks or answers.
    (typeof refs.fromBody === 'string' ? refs.fromBody : undefined) ??
    (
      await ctx.db
        .selectFrom('bodies')
        .select('id')
        .where('party', '=', ctx.party)
        .where('kind', '=', 'central')
        .orderBy('id')
        .executeTakeFirstOrThrow()
    ).id;
  let officer: Message['envelope']['officer'];
  let body: Record<string, unknown>;
  const event = async (id: unknown) =>
    ctx.db.selectFrom('request_events').selectAll().where('id', '=', String(id)).executeTakeFirstOrThrow();
  const withOfficer = async (officerId: string | null) => {
    if (!officerId) return;
    const o = await ctx.db
      .selectFrom('officers')
      .select(['id', 'full_name', 'position'])
      .where('id', '=', officerId)
      .executeTakeFirst();
    if (o) officer = { id: o.id, name: o.full_name, position: o.position };
  };
  switch (row.type) {
    case 'request': {
      body = { request: req!.document as Request };
      const signed = await ctx.db
        .selectFrom('request_events')
        .select('officer_id')
        .where('request_id', '=', req!.id)
        .where('event', '=', 'sign')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      await withOfficer(signed?.officer_id ?? null);
      break;
    }
    case 'answer_partial':
    case 'answer_final': {
      const ids = refs.answerIds as string[];
      const answers = await ctx.db
        .selectFrom('answers')
        .selectAll()
        .where('id', 'in', ids)
        .orderBy('item_no')
        .execute();
      const files = await ctx.db
        .selectFrom('answer_attachments')
        .innerJoin('attachments', 'attachments.sha256', 'answer_attachments.sha256')
        .select([
          'answer_attachments.answer_id',
          'answer_attachments.file_name',
          'attachments.media_type',
          'attachments.content_enc',
          'attachments.sha256',
        ])
        .where('answer_attachments.answer_id', 'in', ids)
        .execute();
      body = {
        items: answers.map((a) => {
          const data = ctx.sealer.decryptJson<Record<string, unknown>>(a.data_enc!, `answer:${a.id}`);
          const attachments = files
            .filter((f) => f.answer_id === a.id)
            .map((f) => ({
              fileName: f.file_name,
              mediaType: f.media_type,
              contentBase64: ctx.sealer.decrypt(f.content_enc!, `attachment:${f.sha256}`).toString('base64'),
            }));
          return {
            itemNo: a.item_no,
            outcome: a.outcome,
            ...(Object.keys(data).length ? { data } : {}),
            ...(attachments.length ? { attachments } : {}),
          };
        }),
      };
      await withOfficer(answers[0]?.created_by ?? null);
      break;
    }
    case 'forward':
      body = { body: String(refs.body), name: String(refs.name) };
      break;
    case 'consent_request': {
      const c = await ctx.db
        .selectFrom('disclosure_consents')
        .selectAll()
        .where('id', '=', String(refs.consentId))
        .executeTakeFirstOrThrow();
      body = { consentId: c.id, recipient: c.recipient, purpose: c.purpose };
      break;
    }
    case 'protection_answer':
    case 'protection_query': {
      // Routing refs are not part of the body.
      const { inReplyTo: _inReplyTo, fromBody: _fromBody, ...rest } = refs;
      body = rest;
      break;
    }
    case 'consent_answer':
      body = refs;
      break;
    default: {
      // Steps and refusals carry what the officer recorded in the history.
      const e = await event(refs.eventId);
      body = Object.fromEntries(Object.entries(e.data).filter(([k]) => k !== 'messageId'));
      await withOfficer(e.officer_id);
    }
  }
  return {
    envelope: {
      id: row.message_id,
      type: row.type,
      schemaVersion: 1,
      from: { party: ctx.party, body: fromBody },
      to: { party: row.to_party, body: row.to_body },
      ...(req?.message_id && row.type !== 'request' ? { inReplyTo: req.message_id } : {}),
      ...(!req && typeof refs.inReplyTo === 'string' ? { inReplyTo: refs.inReplyTo } : {}),
      createdAt: ctx.clock.now().toISOString(),
      ...(officer ? { officer } : {}),
    },
    body,
  };
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
    });
    agents.set(fed.tls, agent);
  }
  return agent;
}

/** POSTs a signed message to the peer node over mutual TLS; returns the receipt JWS. */
export function postMessage(fed: Federation, url: string, jws: string, timeoutMs = 30_000): Promise<string> {
  const target = new URL(FEDERATION_PATH, url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      target,
      {
        method: 'POST',
        agent: agentFor(fed),
        headers: { 'content-type': 'application/jose', 'content-length': Buffer.byteLength(jws) },
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
          reject(
            Object.assign(new EixError('transport.failed', { status: res.statusCode, remoteCode: code }, message), {
              remoteCode: code,
            }),
          );
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) =>
      reject(
        new EixError(
          'transport.failed',
          { remoteCode: 'transport.failed', reason: e.message },
          `Узел недоступен: ${e.message}`,
        ),
      ),
    );
    req.end(jws);
  });
}

/** The message as signed at its first attempt (or afresh after a `message.clock` refusal); built, signed and sealed now if there is none. */
async function signedOnce(fed: Federation, row: OutboxRow): Promise<string> {
  const ctx = fed.app;
  const aad = `outbox:${row.message_id}`;
  if (row.signed_enc) return ctx.sealer.decrypt(row.signed_enc, aad).toString('utf8');
  const message = await buildMessage(fed, row);
  const jws = await fed.signer.sign(message.envelope.from.body, canonicalBytes(message), MESSAGE_JWS_TYPE);
  await ctx.db
    .updateTable('outbox')
    .set({ signed_enc: ctx.sealer.encrypt(Buffer.from(jws), aad), signed_key_id: ctx.sealer.activeKeyId })
    .where('id', '=', row.id)
    .execute();
  return jws;
}

/** Delivers one claimed row; returns true when delivered. */
export async function deliver(fed: Federation, row: OutboxRow): Promise<boolean> {
  const ctx = fed.app;
  const node = fed.registry().parties[row.to_party]?.nodes[0];
  try {
    if (!node)
      throw new EixError(
        'transport.failed',
        { remoteCode: 'registry.node' },
        `В реестре нет узла Стороны ${row.to_party}`,
      );
    const jws = await signedOnce(fed, row);
    const receiptJws = await postMessage(fed, node.url, jws);
    const { message: receipt } = await verifySigned(fed, receiptJws, RECEIPT_JWS_TYPE, {
      party: row.to_party,
      body: row.to_body,
      at: (m) => new Date(m.envelope.createdAt),
    });
    const rb = receipt.body as { messageId: string; receivedAt: string; messageSha256: string; deadline?: string };
    if (rb.messageId !== row.message_id || rb.messageSha256 !== sha256Hex(jws))
      throw new EixError('message.signature', {}, 'Квитанция относится к другому сообщению');
    await recordDelivery(ctx, TRANSPORT, {
      messageId: row.message_id,
      receiptAt: rb.receivedAt,
      receipt: { jws: receiptJws, ...(rb.deadline ? { deadline: rb.deadline } : {}) },
    });
    return true;
  } catch (e) {
    const err = e instanceof EixError ? e : new EixError('internal', {}, (e as Error).message);
    const remote = String(err.data.remoteCode ?? err.code);
    const permanent = !RETRYABLE.has(remote) || row.attempts >= fed.maxAttempts;
    await ctx.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('outbox')
        .set({
          status: permanent ? 'failed' : 'pending',
          last_error: `${remote}: ${err.message}`.slice(0, 1000),
          next_attempt_at: new Date(ctx.clock.now().getTime() + backoffMs(row.attempts)),
          // Refused for its createdAt: the receiver stored nothing under this id
          // (it answers identical bytes it already holds with the original receipt
          // before it looks at the clock), so the next attempt signs afresh with
          // the clock as it is then: a sender whose clock was wrong and is fixed
          // gets its message through instead of resending the bad date until failed.
          ...(remote === 'message.clock' ? { signed_enc: null, signed_key_id: null } : {}),
        })
        .where('id', '=', row.id)
        .execute();
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
        await appendAudit(tx, ctx, TRANSPORT, {
          action: 'federation.delivery_failed',
          requestId: row.request_id,
          subject: row.message_id,
          details: { error: remote },
        });
      }
    });
    return false;
  }
}

/**
 * Claims due messages (a lease of `leaseMs`: a crashed sender's claim expires),
 * oldest first, at most one in flight per request so its messages keep order.
 */
export async function claimDue(fed: Federation, limit: number, leaseMs = 60_000): Promise<OutboxRow[]> {
  const now = fed.app.clock.now();
  return fed.app.db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('outbox as o')
      .select('o.id')
      .where('o.status', 'in', ['pending', 'sending'])
      .where('o.next_attempt_at', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('outbox as p')
              .select('p.id')
              .whereRef('p.request_id', '=', 'o.request_id')
              .whereRef('p.id', '<', 'o.id')
              .where('p.status', 'in', ['pending', 'sending']),
          ),
        ),
      )
      .orderBy('o.id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return tx
      .updateTable('outbox')
      .set({
        status: 'sending',
        attempts: sql`attempts + 1`,
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
  /** Runs until the outbox has nothing due (tests, shutdown drain). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export function startOutboxWorker(
  fed: Federation,
  opts: { intervalMs?: number; batch?: number; onError?: (e: unknown) => void } = {},
): OutboxWorker {
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const batch = opts.batch ?? 16;
  const tick = async (): Promise<number> => {
    const rows = await claimDue(fed, batch);
    await Promise.all(rows.map((r) => deliver(fed, r)));
    return rows.length;
  };
  const loop = () => {
    if (stopped || running) return;
    running = (async () => {
      try {
        while (!stopped && (await tick()) > 0) {
          /* keep going while there is work */
        }
      } catch (e) {
        opts.onError?.(e);
      } finally {
        running = null;
        if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 1000);
      }
    })();
  };
  loop();
  return {
    kick: () => {
      if (timer) clearTimeout(timer);
      loop();
    },
    drain: async () => {
      while (running) await running;
      while ((await tick()) > 0) {
        /* drain */
      }
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running) await running;
    },
  };
}
