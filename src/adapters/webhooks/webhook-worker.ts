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
import { WEBHOOK_MAX_AGE_MS, WEBHOOK_TIMEOUT_MS, type WebhookPayload } from '../../domain/webhooks.js';
import type { EventKind } from '../../domain/events.js';
import { afterFailure } from '../../domain/retry.js';
import { withDeadline } from '../http/deadline.js';
import { claimDue, startQueueWorker, type ClaimedRow, type QueueWorker } from '../jobs/queue-worker.js';
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

export type WebhookWorker = QueueWorker;

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
    const res = await withDeadline(timeoutMs, stopping, async (signal) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: webhookHeaders(secret, payload.id, Math.floor(now.getTime() / 1000), body),
        body,
        redirect: 'manual',
        signal,
      });
      await r.body?.cancel().catch(() => undefined);
      return r;
    });
    if (res.status >= 200 && res.status < 300) return null;
    return {
      error: res.status >= 300 && res.status < 400 ? `redirect:${res.status}` : `status:${res.status}`,
      status: res.status,
    };
  } catch (e) {
    return { error: failureCode(e), status: null };
  }
}

type Settings = Required<Omit<WebhookWorkerOptions, 'onError' | 'intervalMs'>> & { readonly stopping: AbortSignal };

async function deliverOne(ctx: AppContext, d: ClaimedRow, opts: Settings) {
  const row = await ctx.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select([
      's.id',
      's.url',
      's.secret_enc',
      'e.id as event_id',
      'e.kind',
      'e.occurred_at',
      'e.request_id',
      'e.body_id',
      'e.data',
    ])
    .where('d.id', '=', d.id)
    .executeTakeFirst();
  if (!row) return; // the subscription was deleted meanwhile (its deliveries went with it)
  const payload: WebhookPayload = {
    id: String(row.event_id),
    kind: row.kind,
    at: new Date(row.occurred_at).toISOString(),
    requestId: row.request_id,
    bodyId: row.body_id,
    data: row.data,
  };
  const failure = await post(row.url, webhookSecret(ctx, row), payload, ctx.clock.now(), opts.timeoutMs, opts.stopping);
  const now = ctx.clock.now();
  if (!failure) {
    await ctx.db
      .updateTable('webhook_deliveries')
      .set({ status: 'delivered', delivered_at: now, last_attempt_at: now, last_error: null, last_status: null })
      .where('id', '=', d.id)
      .execute();
    return;
  }
  const next = afterFailure({ baseMs: opts.backoffBaseMs, maxDelayMs: 3600_000, maxAgeMs: opts.maxAgeMs }, d, now);
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({
      status: next.status,
      last_attempt_at: now,
      last_error: failure.error,
      last_status: failure.status,
      next_attempt_at: next.nextAttemptAt,
    })
    .where('id', '=', d.id)
    .execute();
}

/** Due deliveries of enabled subscriptions only (a paused one keeps its queue). */
const ENABLED = sql<boolean>`exists (select 1 from webhook_subscriptions s where s.id = q.subscription_id and s.enabled)`;

/** One round: queue new events, then send what is due. Returns how many deliveries were attempted. */
export async function webhookRound(ctx: AppContext, opts: Settings): Promise<number> {
  await queueWebhookEvents(ctx);
  const claimed = await claimDue(ctx.db, 'webhook_deliveries', {
    now: ctx.clock.now(),
    limit: opts.batch,
    // Longer than the timeout: a live sender always settles its claim first.
    leaseMs: opts.timeoutMs + 30_000,
    ready: ENABLED,
  });
  await Promise.all(claimed.map((d) => deliverOne(ctx, d, opts)));
  return claimed.length;
}

export function startWebhookWorker(ctx: AppContext, options: WebhookWorkerOptions = {}): WebhookWorker {
  const settings = {
    timeoutMs: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    backoffBaseMs: options.backoffBaseMs ?? 10_000,
    maxAgeMs: options.maxAgeMs ?? WEBHOOK_MAX_AGE_MS,
    batch: options.batch ?? 8,
  };
  return startQueueWorker((stopping) => webhookRound(ctx, { ...settings, stopping }), {
    intervalMs: options.intervalMs ?? 1000,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
