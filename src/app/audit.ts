// The append-only, hash-chained audit log (R9.1): every read of received
// personal data, every change of a request and every admin action.
// Entries are keyed (HMAC under ctx.auditKey, see audit-chain.ts); the
// append does no I/O beyond the lock, one read and one insert.
import type { KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import {
  prepareEntry,
  verifyChain,
  type AuditEntry,
  type ChainAnchor,
  type ChainVerdict,
} from '../adapters/crypto/audit-chain.js';
import type { AuditAction } from '../domain/vocabulary.js';
import type { Store, Tx } from '../ports/store.js';
import { actorName, type Actor, type AppContext } from './context.js';

/**
 * One lock id for appends, so concurrent transactions never fork the chain. The event log takes it too
 * (record-event.ts): its ids then become visible in order, and one lock cannot deadlock with another.
 */
export const AUDIT_LOCK = 7_420_001;

export interface AuditFields {
  readonly action: AuditAction;
  readonly bodyId?: string | null;
  readonly requestId?: string | null;
  readonly subject?: string | null;
  readonly details?: Record<string, unknown>;
}

/**
 * The transactions that hold the append lock, with the last entry each appended (undefined: none yet).
 * The lock is a transaction lock: once taken it is held until commit or rollback, so a transaction takes
 * it once, not at every entry or event; and while it is held no other transaction appends, so the entry
 * this one appended last is the log's last. (An error inside a transaction aborts it whole, and no code
 * uses savepoints except through withSavepoint below, which restores the remembered entry on a rollback.)
 */
const holding = new WeakMap<Tx, AuditEntry | undefined>();

/**
 * Runs `fn` inside a savepoint of the transaction (a bundle's messages, each judged alone): when it fails,
 * its writes are rolled back, and so is the remembered last entry — the next append reads the log's last
 * entry again instead of chaining to one that no longer exists.
 */
export async function withSavepoint<T>(tx: Tx, name: string, fn: () => Promise<T>): Promise<T> {
  const savepoint = sql.raw(name);
  await sql`savepoint ${savepoint}`.execute(tx);
  const had = holding.has(tx);
  const head = holding.get(tx);
  const queued = putOff.get(tx)?.length;
  try {
    const r = await fn();
    await sql`release savepoint ${savepoint}`.execute(tx);
    return r;
  } catch (e) {
    await sql`rollback to savepoint ${savepoint}`.execute(tx);
    // A lock first taken inside the savepoint went with it: the next append takes it again.
    if (had) holding.set(tx, head);
    else holding.delete(tx);
    // Appends put off inside it report writes that are undone: they go too.
    if (queued !== undefined) putOff.get(tx)!.length = queued;
    throw e;
  }
}

/**
 * Appends a transaction has put off until just before its commit (deferAppends). The log's lock is held from a
 * transaction's first append to its commit, so whatever the transaction does after appending, every other
 * appending transaction of the node waits for: a bundle used to append its requests' entries and events, then
 * write its inbox rows, sign its receipt and store it, while the next bundle waited (issue 16).
 */
const putOff = new WeakMap<Tx, (() => Promise<unknown>)[]>();

/** From now on the transaction's appendLast calls wait for appendPutOff (call it before the commit). */
export function deferAppends(tx: Tx): void {
  putOff.set(tx, []);
}

/** Runs `append` now, or at appendPutOff when the transaction puts its appends off. */
export async function appendLast(tx: Tx, append: () => Promise<unknown>): Promise<void> {
  const queue = putOff.get(tx);
  if (queue) queue.push(append);
  else await append();
}

/** The appends put off, in the order they were asked for: the transaction's last writes before its commit. */
export async function appendPutOff(tx: Tx): Promise<void> {
  const queue = putOff.get(tx) ?? [];
  putOff.delete(tx);
  for (const append of queue) await append();
}

/**
 * The log's last entry, the append lock held: remembered when this transaction appended last; else read. A
 * transaction's first append takes the lock and reads the entry in one statement (audit_append_head, migration
 * 035: a volatile function reads with a snapshot taken after the lock was granted, so it sees the entry that
 * the transaction it waited for committed) — one round trip less under the lock, where every other appending
 * transaction of the node waits.
 */
async function lockedHead(tx: Tx): Promise<AuditEntry | null> {
  const head = holding.get(tx);
  if (head) return head;
  const row = holding.has(tx)
    ? await tx.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst()
    : (await sql<AuditRow>`select * from audit_append_head()`.execute(tx)).rows[0];
  holding.set(tx, undefined);
  return row ? rowToEntry(row) : null;
}

/** Takes the append lock for the rest of the transaction (once per transaction). */
export async function takeAuditLock(tx: Tx): Promise<void> {
  if (holding.has(tx)) return;
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(tx);
  holding.set(tx, undefined);
}

/**
 * Appends one entry inside the caller's transaction (it commits or rolls back with the change).
 * Under the global lock only CPU work is added (a SHA-256 and an HMAC, ~µs): the key is in memory.
 */
export async function appendAudit(tx: Tx, ctx: AppContext, actor: Actor, f: AuditFields): Promise<AuditEntry> {
  return (await appendAuditMany(tx, ctx, actor, [f]))[0]!;
}

/** Rows of one multi-row insert into the log (11 parameters each, well below PostgreSQL's 65,535). */
const AUDIT_INSERT_ROWS = 2000;

/**
 * Appends many entries in the caller's transaction, in the order given (issue 16: a batch of requests).
 * The global lock is taken once and the last entry read once; the entries are chained in memory (each
 * links to the one before, exactly as one-by-one appends would) and inserted with multi-row inserts,
 * so `eix audit verify` checks them like any others. The lock is held until the transaction ends:
 * callers append last, after their other writes.
 */
export async function appendAuditMany(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  fields: readonly AuditFields[],
): Promise<AuditEntry[]> {
  if (fields.length === 0) return [];
  // Everything but the chain links before the lock: the lock is the node's queue for appends (issue 16).
  const prepared = fields.map((f) =>
    prepareEntry({
      actor: actorName(actor),
      bodyId: f.bodyId ?? (actor.kind === 'officer' ? actor.bodyId : null),
      action: f.action,
      requestId: f.requestId ?? null,
      subject: f.subject ?? null,
      details: f.details ?? {},
    }),
  );
  let prev = await lockedHead(tx);
  const at = ctx.clock.now().toISOString();
  const entries = prepared.map((p) => (prev = p.link(prev, at, ctx.auditKey?.key)));
  for (let i = 0; i < entries.length; i += AUDIT_INSERT_ROWS) {
    await tx
      .insertInto('audit_log')
      .values(
        entries.slice(i, i + AUDIT_INSERT_ROWS).map((entry) => ({
          seq: entry.seq,
          at: entry.at,
          actor: entry.actor,
          body_id: entry.bodyId,
          action: entry.action,
          request_id: entry.requestId,
          subject: entry.subject,
          details: JSON.stringify(entry.details),
          prev_hash: entry.prevHash,
          hash: entry.hash,
          mac: entry.mac,
        })),
      )
      .execute();
  }
  holding.set(tx, entries.at(-1));
  return entries;
}

type AuditRow = {
  seq: string | number | bigint;
  at: Date;
  actor: string;
  body_id: string | null;
  action: string;
  request_id: string | null;
  subject: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
  mac: string | null;
};

export function rowToEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: r.actor,
    bodyId: r.body_id,
    action: r.action,
    requestId: r.request_id,
    subject: r.subject,
    details: (r.details ?? {}) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
    mac: r.mac,
  };
}

/** What a checkpoint says about the log: its entry `seq` had this hash and mac. */
export interface CheckpointClaim {
  readonly seq: number;
  readonly hash: string;
  readonly mac: string | null;
}

export type AuditVerdict =
  | ChainVerdict
  /** 'truncated': the log ends before the checkpointed entry; 'checkpoint': that entry differs from the checkpoint. */
  | { ok: false; count: number; brokenAt: number; reason: 'truncated' | 'checkpoint' };

export interface VerifyAuditOptions {
  /** The audit key: without it only the hashes and links are checked (a rewrite with recomputed hashes passes). */
  readonly key?: KeyObject | undefined;
  /** A checkpoint (already signature-checked): the log must still hold its entry unchanged and not be shorter. */
  readonly checkpoint?: CheckpointClaim | undefined;
  readonly pageSize?: number;
}

/**
 * Reads the whole log in pages and checks every link and mac (`eix audit verify`);
 * holds one page in memory at a time.
 */
export async function verifyAuditLog(db: Store, opts: VerifyAuditOptions = {}): Promise<AuditVerdict> {
  const pageSize = opts.pageSize ?? 5000;
  const cp = opts.checkpoint;
  let anchor: ChainAnchor | undefined;
  let count = 0;
  let legacyBefore = 0;
  for (;;) {
    const page = (
      await db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', String(anchor?.seq ?? 0))
        .orderBy('seq')
        .limit(pageSize)
        .execute()
    ).map(rowToEntry);
    const v = verifyChain(page, anchor, opts.key);
    if (!v.ok) return { ...v, count: count + v.count };
    count += v.count;
    const held = cp ? page.find((e) => e.seq === cp.seq) : undefined;
    if (cp && held && (held.hash !== cp.hash || held.mac !== cp.mac))
      return { ok: false, count: cp.seq - 1, brokenAt: cp.seq, reason: 'checkpoint' };
    const last = page.at(-1);
    if (last) anchor = { seq: last.seq, hash: last.hash, mac: v.lastMac };
    if (page.length < pageSize) {
      const lastSeq = anchor?.seq ?? 0;
      if (cp && lastSeq < cp.seq) return { ok: false, count, brokenAt: lastSeq + 1, reason: 'truncated' };
      return { ...v, count, legacy: v.legacy + legacyBefore };
    }
    legacyBefore += v.legacy;
  }
}
