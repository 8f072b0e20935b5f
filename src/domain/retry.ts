// When a failed delivery of a durable queue is tried again (webhooks, e-mail
// notices): exponential backoff from a base, capped, for a retry period; after
// it, or at once for a failure another attempt cannot cure, the delivery fails
// until an administrator retries it.

export interface RetryPolicy {
  /** The wait after the first failed attempt; doubled after each further one. */
  readonly baseMs: number;
  /** The longest wait between two attempts. */
  readonly maxDelayMs: number;
  /** How long after its creation a delivery is still retried. */
  readonly maxAgeMs: number;
}

/** The wait before attempt `attempt + 1`: base, 2·base, 4·base … at most maxDelayMs. */
export function backoffMs(attempt: number, baseMs: number, maxDelayMs: number): number {
  return Math.min(2 ** Math.max(0, attempt - 1) * baseMs, maxDelayMs);
}

/** What a failed attempt leaves: due again later, or failed for good. */
export function afterFailure(
  policy: RetryPolicy,
  d: { readonly attempts: number; readonly createdAt: Date },
  now: Date,
  permanent = false,
): { readonly status: 'pending' | 'failed'; readonly nextAttemptAt: Date } {
  const expired = now.getTime() - d.createdAt.getTime() >= policy.maxAgeMs;
  return {
    status: permanent || expired ? 'failed' : 'pending',
    nextAttemptAt: new Date(now.getTime() + backoffMs(d.attempts, policy.baseMs, policy.maxDelayMs)),
  };
}
