// Letters to officers (issue 17 item 3): a worker in every node process, like
// the webhook worker, on the same queue parts (jobs/queue-worker.ts). Each round
// 1. queues the letters and digest items of new events (queueMailNotices);
// 2. makes the daily digests that are due (composeMailDigests);
// 3. claims due letters (FOR UPDATE SKIP LOCKED, with a lease beyond the SMTP
//    timeouts) and sends each through the node's SMTP server: accepted is
//    delivered; a refusal for good (a 5xx answer) fails at once; anything else
//    (no connection, a timeout, a 4xx answer, a refused login) is retried with
//    exponential backoff for a day (domain/mail.ts MAIL_RETRY), then failed —
//    visible on the health page, where an administrator retries it.
// At least once: a letter accepted by the server whose row was not updated
// (a crash in between) is sent again.
import type { AppContext } from '../../app/context.js';
import { composeMailDigests } from '../../app/compose-mail-digests.js';
import { queueMailNotices } from '../../app/queue-mail-notices.js';
import { MAIL_RETRY } from '../../domain/mail.js';
import { afterFailure, type RetryPolicy } from '../../domain/retry.js';
import type { Mailer } from '../../ports/mailer.js';
import { claimDue, startQueueWorker, type ClaimedRow, type QueueWorker } from '../jobs/queue-worker.js';

export interface MailWorkerOptions {
  /** Retries (1 min doubling, at most an hour apart, for a day). */
  readonly retry?: RetryPolicy;
  /** Pause between rounds when there was nothing to do (2 s). */
  readonly intervalMs?: number;
  /** Letters claimed and sent at once (4). */
  readonly batch?: number;
  /** The longest a round's sends may take before their claims lapse (5 min: 4 letters × the SMTP timeouts). */
  readonly leaseMs?: number;
  readonly onError?: (e: unknown) => void;
}

export type MailWorker = QueueWorker;

interface Settings {
  readonly retry: RetryPolicy;
  readonly batch: number;
  readonly leaseMs: number;
}

async function sendOne(ctx: AppContext, mailer: Mailer, d: ClaimedRow, opts: Settings, stopping: AbortSignal) {
  const letter = await ctx.db
    .selectFrom('mail_outbox')
    .select(['recipient', 'subject', 'body'])
    .where('id', '=', d.id)
    .executeTakeFirstOrThrow();
  const failure = await mailer.send({ to: letter.recipient, subject: letter.subject, text: letter.body }, stopping);
  const now = ctx.clock.now();
  if (!failure) {
    await ctx.db
      .updateTable('mail_outbox')
      .set({ status: 'delivered', delivered_at: now, last_attempt_at: now, last_error: null })
      .where('id', '=', d.id)
      .execute();
    return;
  }
  const next = afterFailure(opts.retry, d, now, failure.permanent);
  await ctx.db
    .updateTable('mail_outbox')
    .set({ status: next.status, last_attempt_at: now, last_error: failure.error, next_attempt_at: next.nextAttemptAt })
    .where('id', '=', d.id)
    .execute();
}

/** One round: queue, make digests, send what is due. Returns how much it did (0: nothing to do now). */
export async function mailRound(
  ctx: AppContext,
  mailer: Mailer,
  opts: Settings,
  stopping: AbortSignal,
): Promise<number> {
  const queued = await queueMailNotices(ctx);
  const digests = await composeMailDigests(ctx);
  const claimed = await claimDue(ctx.db, 'mail_outbox', {
    now: ctx.clock.now(),
    limit: opts.batch,
    leaseMs: opts.leaseMs,
  });
  // One at a time: an SMTP server limits connections, and a node's letters are few.
  for (const d of claimed) await sendOne(ctx, mailer, d, opts, stopping);
  return queued + digests + claimed.length;
}

export function startMailWorker(ctx: AppContext, mailer: Mailer, options: MailWorkerOptions = {}): MailWorker {
  const settings: Settings = {
    retry: options.retry ?? MAIL_RETRY,
    batch: options.batch ?? 4,
    leaseMs: options.leaseMs ?? 300_000,
  };
  return startQueueWorker((stopping) => mailRound(ctx, mailer, settings, stopping), {
    intervalMs: options.intervalMs ?? 2000,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
