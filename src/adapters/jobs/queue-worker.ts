// What the node's durable delivery queues share (webhook deliveries, issue 17
// item 1; letters to officers, item 3): rows with `status` pending → sending →
// delivered | failed, `attempts`, `next_attempt_at` and `created_at`, claimed
// FOR UPDATE SKIP LOCKED with a lease (a crashed process's claim expires and
// another one sends), and a worker in every node process that runs rounds until
// nothing is due, then waits (or is kicked). What a round queues and how it
// sends and settles an attempt is the queue's own (webhook-worker.ts,
// mail-worker.ts); when to retry is src/domain/retry.ts.
import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../../ports/store.js';
import { workerLoop } from './wake-timer.js';

/** The tables holding a delivery queue (each has the columns above and a bigserial `id`). */
export type QueueTable = 'webhook_deliveries' | 'mail_outbox';

export interface ClaimedRow {
  readonly id: string;
  /** Attempts including the one just claimed. */
  readonly attempts: number;
  readonly createdAt: Date;
}

/**
 * Claims up to `limit` due rows, oldest first, in one statement: they become `sending` with one more
 * attempt, and due again after `leaseMs` should their sender never settle them. `ready` narrows the rows
 * (a condition on the queue row, aliased `q`).
 */
export async function claimDue(
  db: Store,
  table: QueueTable,
  opts: { readonly now: Date; readonly limit: number; readonly leaseMs: number; readonly ready?: RawBuilder<boolean> },
): Promise<ClaimedRow[]> {
  const t = sql.table(table);
  const lease = new Date(opts.now.getTime() + opts.leaseMs);
  const r = await sql<{ id: string | number; attempts: number; created_at: Date | string }>`
    update ${t} set status = 'sending', attempts = attempts + 1, next_attempt_at = ${lease}
    where id in (
      select q.id from ${t} as q
      where q.status in ('pending', 'sending') and q.next_attempt_at <= ${opts.now} and ${opts.ready ?? sql`true`}
      order by q.id limit ${opts.limit}
      for update skip locked)
    returning id, attempts, created_at`.execute(db);
  return r.rows
    .map((x) => ({ id: String(x.id), attempts: x.attempts, createdAt: new Date(x.created_at) }))
    .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
}

export interface QueueWorkerOptions {
  /** Pause between rounds when there was nothing to do. */
  readonly intervalMs: number;
  /** Delay after a kick, so that what is queued together is taken together (default 50 ms). */
  readonly kickDelayMs?: number;
  readonly onError?: (e: unknown) => void;
}

export interface QueueWorker {
  /** Look again soon (something was queued). */
  kick(): void;
  /** Runs rounds until nothing is due now (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `round` (it returns how many deliveries it attempted) while it finds work, then every `intervalMs`.
 * A kick that arrives while rounds run makes the worker look once more at once when they end (what was
 * queued after the last round's claim is not left for the interval). `stopping` is aborted by stop(): a
 * round ends what it has in flight (recorded as failed attempts, sent again later), so the node stops at once.
 */
export function startQueueWorker(
  round: (stopping: AbortSignal) => Promise<number>,
  options: QueueWorkerOptions,
): QueueWorker {
  const stopper = new AbortController();
  const loop = workerLoop(
    async (stopped) => {
      while (!stopped() && (await round(stopper.signal)) > 0) {
        /* keep going while there is work */
      }
    },
    {
      intervalMs: options.intervalMs,
      kickDelayMs: options.kickDelayMs ?? 50,
      ...(options.onError ? { onError: options.onError } : {}),
    },
  );
  loop.run();
  return {
    kick: loop.kick,
    drain: async () => {
      await loop.idle();
      while ((await round(stopper.signal)) > 0) {
        /* drain */
      }
    },
    stop: async () => {
      stopper.abort();
      await loop.stop();
    },
  };
}
