// Issue 17.2: the registry lookups of received requests, in every process of a
// node with connectors (like the outbox and webhook workers): rounds of
// draftAnswerFromRegistries while there is work, then a pause. Rows are claimed
// FOR UPDATE SKIP LOCKED with a lease, so processes share the work and a
// crashed one's rows are taken over.
import { draftAnswerFromRegistries } from '../../app/draft-answer-from-registries.js';
import type { AppContext } from '../../app/context.js';

export interface RegistryLookupWorker {
  kick(): void;
  /** Runs rounds until nothing is due (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export function startRegistryLookupWorker(
  ctx: AppContext,
  options: { readonly intervalMs?: number; readonly onError?: (e: unknown) => void } = {},
): RegistryLookupWorker {
  const stopper = new AbortController();
  const intervalMs = options.intervalMs ?? 1000;
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const round = () => draftAnswerFromRegistries(ctx, { signal: stopper.signal });
  const loop = () => {
    if (stopped || running) return;
    running = (async () => {
      try {
        while (!stopped && (await round()) > 0) {
          /* keep going while there is work */
        }
      } catch (e) {
        options.onError?.(e);
      } finally {
        running = null;
        if (!stopped) timer = setTimeout(loop, intervalMs);
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
      while ((await round()) > 0) {
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
