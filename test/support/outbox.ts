// Outbox rows the claim's tests queue directly (no use case): node-level messages, with no request.
import { randomUUID } from 'node:crypto';
import type { RawBuilder } from 'kysely';

/** A node-level message (no request) to KZ's central body, due at the column's default now() or at `nextAttemptAt`. */
export function nodeLevelMessage(nextAttemptAt?: Date | RawBuilder<Date>) {
  return {
    message_id: randomUUID(),
    request_id: null,
    type: 'protection_query' as const,
    to_party: 'KZ',
    to_body: 'kz-central',
    payload: '{}',
    last_error: null,
    delivered_at: null,
    ...(nextAttemptAt ? { next_attempt_at: nextAttemptAt } : {}),
  };
}
