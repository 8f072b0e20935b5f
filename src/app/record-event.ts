// Records an event of the node's log (migration 014) inside the caller's
// transaction: it commits with the change it reports or not at all, so an
// event is never lost nor told twice (a redelivered message changes nothing and
// records nothing). The log serves the officer's notices (issue 14 item 7) and
// the national systems' feed (issue 17), whose cursor is `events.id`.
import { ONCE_PER_REQUEST, type AnyEvent } from '../domain/events.js';
import type { Tx } from '../ports/store.js';
import { takeAuditLock } from './audit.js';
import type { AppContext } from './context.js';

export type NewEvent = AnyEvent & {
  readonly requestId: string;
  /** Whose notice it is: the body that holds the request now. */
  readonly bodyId: string;
  /** When it happened; the clock's now when absent. */
  readonly at?: Date;
};

/**
 * Appends the event; returns its id, or null when a once-per-request kind
 * (≤ 5 working days left, overdue) was already recorded for the request.
 */
export async function recordEvent(tx: Tx, ctx: AppContext, e: NewEvent): Promise<string | null> {
  const [id] = await recordEvents(tx, ctx, [e]);
  return id ?? null;
}

/**
 * Appends events in one statement (a bundle's received requests); returns the ids of those recorded — a
 * once-per-request kind already recorded for its request is skipped.
 */
export async function recordEvents(tx: Tx, ctx: AppContext, events: readonly NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  // The audit log's lock (re-entrant within the transaction): ids commit in order, so a feed
  // reading "after id N" never passes over an id that a slower transaction commits later.
  await takeAuditLock(tx);
  let q = tx.insertInto('events').values(
    events.map((e) => ({
      kind: e.kind,
      request_id: e.requestId,
      body_id: e.bodyId,
      occurred_at: e.at ?? ctx.clock.now(),
      data: JSON.stringify(e.data),
    })),
  );
  if (events.some((e) => ONCE_PER_REQUEST.includes(e.kind))) q = q.onConflict((oc) => oc.doNothing());
  const rows = await q.returning('id').execute();
  return rows.map((r) => String(r.id));
}
