// Issue 17.2: the registry lookups of received requests, in every process of a
// node with connectors (like the outbox and webhook workers): rounds of
// draftAnswerFromRegistries while there is work, then a pause. Rows are claimed
// FOR UPDATE SKIP LOCKED with a lease, so processes share the work and a
// crashed one's rows are taken over.
import { draftAnswerFromRegistries } from '../../app/draft-answer-from-registries.js';
import type { AppContext } from '../../app/context.js';
import { startQueueWorker, type QueueWorker } from './queue-worker.js';

export type RegistryLookupWorker = QueueWorker;

export function startRegistryLookupWorker(
  ctx: AppContext,
  options: { readonly intervalMs?: number; readonly onError?: (e: unknown) => void } = {},
): RegistryLookupWorker {
  return startQueueWorker((signal) => draftAnswerFromRegistries(ctx, { signal }), {
    intervalMs: options.intervalMs ?? 1000,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
