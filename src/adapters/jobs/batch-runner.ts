// Runs the stored batches of requests (issue 16.1) in the node process, one at a time: on start (a batch a
// previous process left unfinished is resumed after its last committed chunk), when one is submitted (kick),
// and every `intervalMs` (another process of the node may have left one behind). Each chunk commits with the
// batch's cursor (src/app/batch-requests.ts), so stopping at any point loses nothing and creates nothing twice.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { openBatches, runBatch, type RunBatchOptions } from '../../app/batch-requests.js';
import type { AppContext } from '../../app/context.js';
import { isStorageUnavailable } from '../http/errors.js';

export interface BatchRunner {
  kick(): void;
  /** Resolves when every open batch has been run (tests, the CLI). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export function startBatchRunner(
  ctx: AppContext,
  opts: {
    /** Called after each committed chunk that queued messages: the outbox worker has new messages. */
    onQueued?: () => void;
    onError?: (e: unknown) => void;
    intervalMs?: number;
    /** A single-process node (PGlite) takes over at once what a previous process held; PostgreSQL waits for the lease. */
    exclusive?: boolean;
    chunkSize?: number;
  } = {},
): BatchRunner {
  const runner = `${hostname()}#${process.pid}#${randomBytes(3).toString('hex')}`;
  const leaseMs = opts.exclusive ? 0 : undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  const pass = async (): Promise<void> => {
    do {
      again = false;
      for (const id of await openBatches(ctx, runner, leaseMs ?? 60_000)) {
        if (stopped) return;
        // The outbox worker is woken when a chunk has queued messages (its count of created rows grew), not at the
        // other reports (validated, creating, done): a pass then finds nothing due, and its claim would only
        // compete with the chunk's transaction and the sending of the messages already queued (issue 16).
        let created: number | undefined;
        const run: RunBatchOptions = {
          runner,
          ...(leaseMs !== undefined ? { leaseMs } : {}),
          ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
          onProgress: (p) => {
            const before = created;
            created = p.created;
            if (before !== undefined && p.created > before) opts.onQueued?.();
          },
          shouldStop: () => stopped,
          // A lost database (a failover, backends terminated) leaves the batch open: the next pass resumes it.
          transient: isStorageUnavailable,
        };
        await runBatch(ctx, id, run);
      }
    } while (again && !stopped);
  };
  const kick = () => {
    if (stopped) return;
    again = true;
    running = running.then(pass).catch((e: unknown) => opts.onError?.(e));
  };
  const timer = setInterval(kick, opts.intervalMs ?? 30_000);
  timer.unref();
  kick();
  return {
    kick,
    drain: async () => {
      kick();
      await running;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
