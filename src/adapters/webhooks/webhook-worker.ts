// Webhook deliveries (issue 17 item 1, docs/EVENTS.md): a worker in every node
// process, like the outbox worker. Each round it
// 1. queues: for each enabled subscription (locked FOR UPDATE SKIP LOCKED, so
//    one process does it), the events after the subscription's cursor, of its
//    body and kinds, become rows of webhook_deliveries (unique per subscription
//    and event: queued once) and the cursor moves to the last event looked at —
//    ids become visible in order (record-event.ts), so none is skipped;
// 2. claims due deliveries (FOR UPDATE SKIP LOCKED, with a lease longer than
//    the timeout: a crashed process's claim expires and another one sends);
// 3. POSTs each, signed (signature.ts), with a timeout: a 2xx answer is
//    delivered; anything else — an error status, a redirect, no answer in
//    time, no connection — is retried with exponential backoff until the
//    delivery is older than the retry period (24 h), then failed (visible on
//    the admin page, where «Повторить» makes it due again).
// At least once: an answer lost after the receiver processed the event (a
// timeout, a crash before the row is updated) sends it again with the same id.
import { sql } from 'kysely';
import type { AppContext } from '../../app/context.js';
import { webhookSecret } from '../../app/manage-webhooks.js';
import {
  WEBHOOK_MAX_AGE_MS,
  WEBHOOK_TIMEOUT_MS,
  webhookBackoffMs,
  type WebhookPayload,
} from '../../domain/webhooks.js';
import type { EventKind } from '../../domain/events.js';
import { webhookHeaders } from './signature.js';

export interface WebhookWorkerOptions {
  /** Wait for the receiver's answer (10 s). */
  readonly timeoutMs?: number;
  /** First backoff (10 s; doubled per attempt, at most an hour). */
  readonly backoffBaseMs?: number;
  /** Retry period of a delivery (24 h). */
  readonly maxAgeMs?: number;
  /** Pause between rounds when there was nothing to do (1 s). */
  readonly intervalMs?: number;
  /** Deliveries claimed and sent at once (8). */
  readonly batch?: number;
  readonly onError?: (e: unknown) => void;
}

export interface WebhookWorker {
  kick(): void;
  /** Runs rounds until nothing is due now (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Events looked at per subscription and round. */
const QUEUE_BATCH = 500;

/** Moves events after each enabled subscription's cursor into its queue; returns how many were queued. */
export async function queueWebhookEvents(ctx: AppContext): Promise<number> {
  const subs = await ctx.db.selectFrom('webhook_subscriptions').select('id').where('enabled', '=', true).execute();
  let queued = 0;
  for (const { id } of subs) {
    queued += await ctx.db.transaction().execute(async (tx) => {
      const sub = await tx
        .selectFrom('webhook_subscriptions')
        .select(['id', 'body_id', 'kinds', 'cursor', 'enabled'])
        .where('id', '=', id)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!sub || !sub.enabled) return 0;
      const events = await tx
        .selectFrom('events')
        .select(['id', 'kind', 'body_id'])
        .where('id', '>', String(sub.cursor))
        .orderBy('id')
        .limit(QUEUE_BATCH)
        .execute();
      if (events.length === 0) return 0;
      const now = ctx.clock.now();
      const wanted = events.filter(
        (e) => e.body_id === sub.body_id && (sub.kinds === null || sub.kinds.includes(e.kind as EventKind)),
      );
      if (wanted.length > 0)
        await tx
          .insertInto('webhook_deliveries')
          .values(
            wanted.map((e) => ({
              subscription_id: sub.id,
              event_id: String(e.id),
              next_attempt_at: now,
              created_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
          .execute();
      await tx
        .updateTable('webhook_subscriptions')
        .set({ cursor: String(events[events.length - 1]!.id) })
        .where('id', '=', sub.id)
        .execute();
      return wanted.length;
    });
  }
  return queued;
}

interface Claimed {
  readonly id: string;
  readonly subscription_id: string;
  readonly event_id: string;
  readonly attempts: number;
  readonly created_at: Date;
}

/** Claims due deliveries of enabled subscriptions, oldest first, with a lease. */
async function claimDue(ctx: AppContext, limit: number, leaseMs: number): Promise<Claimed[]> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('webhook_deliveries as d')
      .select('d.id')
      .where('d.status', 'in', ['pending', 'sending'])
      .where('d.next_attempt_at', '<=', now)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('webhook_subscriptions as s')
            .select('s.id')
            .whereRef('s.id', '=', 'd.subscription_id')
            .where('s.enabled', '=', true),
        ),
      )
      .orderBy('d.id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    const rows = await tx
      .updateTable('webhook_deliveries')
      .set({ status: 'sending', attempts: sql`attempts + 1`, next_attempt_at: new Date(now.getTime() + leaseMs) })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returning(['id', 'subscription_id', 'event_id', 'attempts', 'created_at'])
      .execute();
    return rows.map((r) => ({
      ...r,
      id: String(r.id),
      event_id: String(r.event_id),
      created_at: new Date(r.created_at),
    }));
  });
}

/** What went wrong with one POST, as stored (domain/webhooks.ts webhookErrorRu reads it). */
function failureCode(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string; name?: string }; code?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.cause?.name === 'TimeoutError') return 'timeout';
  const code = err.cause?.code ?? err.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code)) return 'tls';
  return `network:${code || (e as Error).message || 'unknown'}`.slice(0, 200);
}

/** POSTs one delivery; returns null when delivered, else the failure code and the HTTP status if any. */
async function post(
  url: string,
  secret: string,
  payload: WebhookPayload,
  now: Date,
  timeoutMs: number,
  stopping: AbortSignal,
): Promise<{ error: string; status: number | null } | null> {
  const body = JSON.stringify(payload);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: webhookHeaders(secret, payload.id, Math.floor(now.getTime() / 1000), body),
      body,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping]),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return null;
    return {
      error: res.status >= 300 && res.status < 400 ? `redirect:${res.status}` : `status:${res.status}`,
      status: res.status,
    };
  } catch (e) {
    return { error: failureCode(e), status: null };
  }
}

type Settings = Required<Omit<WebhookWorkerOptions, 'onError'>> & { readonly stopping: AbortSignal };

async function deliverOne(ctx: AppContext, d: Claimed, opts: Settings) {
  const sub = await ctx.db
    .selectFrom('webhook_subscriptions')
    .select(['id', 'url', 'secret_enc'])
    .where('id', '=', d.subscription_id)
    .executeTakeFirst();
  if (!sub) return; // deleted meanwhile (its deliveries went with it)
  const ev = await ctx.db
    .selectFrom('events')
    .select(['id', 'kind', 'occurred_at', 'request_id', 'body_id', 'data'])
    .where('id', '=', d.event_id)
    .executeTakeFirstOrThrow();
  const payload: WebhookPayload = {
    id: String(ev.id),
    kind: ev.kind,
    at: new Date(ev.occurred_at).toISOString(),
    requestId: ev.request_id,
    bodyId: ev.body_id,
    data: ev.data,
  };
  const failure = await post(sub.url, webhookSecret(ctx, sub), payload, ctx.clock.now(), opts.timeoutMs, opts.stopping);
  const now = ctx.clock.now();
  if (!failure) {
    await ctx.db
      .updateTable('webhook_deliveries')
      .set({ status: 'delivered', delivered_at: now, last_attempt_at: now, last_error: null, last_status: null })
      .where('id', '=', d.id)
      .execute();
    return;
  }
  const expired = now.getTime() - d.created_at.getTime() >= opts.maxAgeMs;
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({
      status: expired ? 'failed' : 'pending',
      last_attempt_at: now,
      last_error: failure.error,
      last_status: failure.status,
      next_attempt_at: new Date(now.getTime() + webhookBackoffMs(d.attempts, opts.backoffBaseMs)),
    })
    .where('id', '=', d.id)
    .execute();
}

/** One round: queue new events, then send what is due. Returns how many deliveries were attempted. */
export async function webhookRound(ctx: AppContext, opts: Settings): Promise<number> {
  await queueWebhookEvents(ctx);
  const claimed = await claimDue(ctx, opts.batch, opts.timeoutMs + 30_000);
  await Promise.all(claimed.map((d) => deliverOne(ctx, d, opts)));
  return claimed.length;
}

export function startWebhookWorker(ctx: AppContext, options: WebhookWorkerOptions = {}): WebhookWorker {
  const stopper = new AbortController();
  const opts = {
    timeoutMs: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    backoffBaseMs: options.backoffBaseMs ?? 10_000,
    maxAgeMs: options.maxAgeMs ?? WEBHOOK_MAX_AGE_MS,
    intervalMs: options.intervalMs ?? 1000,
    batch: options.batch ?? 8,
    // A stop ends the POSTs in flight (recorded as failed attempts, sent again later): the node stops at once.
    stopping: stopper.signal,
  };
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const loop = () => {
    if (stopped || running) return;
    running = (async () => {
      try {
        while (!stopped && (await webhookRound(ctx, opts)) > 0) {
          /* keep going while there is work */
        }
      } catch (e) {
        options.onError?.(e);
      } finally {
        running = null;
        if (!stopped) timer = setTimeout(loop, opts.intervalMs);
      }
    })();
  };
  loop();
  return {
    kick: () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(loop, 50);
    },
    drain: async () => {
      while (running) await running;
      while ((await webhookRound(ctx, opts)) > 0) {
        /* drain */
      }
    },
    stop: async () => {
      stopped = true;
      stopper.abort();
      if (timer) clearTimeout(timer);
      while (running) await running;
    },
  };
}
