// Append-only, hash-chained audit log (R9.1). Pure: no I/O, no clock.
//
// Each entry's hash is sha256 (hex) over the canonical JSON (RFC 8785 style:
// keys sorted by UTF-16 code units, no whitespace, ECMAScript number and
// string serialization) of the entry without its `hash`; `prevHash` links it
// to the previous entry, the first entry links to GENESIS_HASH. Editing an
// entry breaks its hash; deleting or reordering entries breaks the sequence
// or the link.
//
// Keyed entries (issue 13, ASVS V7.3.3): whoever controls the database can
// recompute every later hash after a rewrite, so each entry also carries
// `mac` = HMAC-SHA256 under the node's audit key (kept in the node home, not
// in the database) over the previous entry's mac and this entry's hash. The
// macs form a chain of their own: the first keyed entry starts it from
// GENESIS_HASH. Entries written before the node had a key have no mac; they
// may only come first (a log is a legacy prefix, then keyed entries): the
// first keyed entry's hash covers its prevHash, so it anchors the whole
// legacy prefix under the key. An entry without a mac after a keyed one is
// a break ('mac').
import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface AuditEntry {
  seq: number;
  at: string; // ISO 8601 instant
  actor: string;
  bodyId: string | null;
  action: string;
  requestId: string | null;
  subject: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** HMAC chain value (hex); null on entries written before the node had an audit key. */
  mac: string | null;
}

export type AuditFields = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'mac'>;

export const GENESIS_HASH = '0'.repeat(64);

export type ChainVerdict =
  | {
      ok: true;
      count: number;
      lastHash: string;
      /** The mac of the last entry (null while the log has no keyed entry). */
      lastMac: string | null;
      /** Entries without a mac (written before the node had its audit key). */
      legacy: number;
      /** Whether the macs were checked (a key was given); without it only the hashes were. */
      keyed: boolean;
    }
  | { ok: false; count: number; brokenAt: number; reason: 'hash' | 'link' | 'sequence' | 'mac' };

/** Where verification of a chain segment starts: the last verified entry. */
export interface ChainAnchor {
  seq: number;
  hash: string;
  /** The anchor entry's mac (null or absent: no keyed entry yet). */
  mac?: string | null;
}

/**
 * Canonical JSON: sorted keys (recursively), no whitespace. Object members
 * whose value is undefined, a function or a symbol are omitted (as in
 * JSON.stringify); such array items become null. toJSON() is honoured
 * (e.g. Date). Non-finite numbers and bigints are rejected.
 */
export function canonicalJson(value: unknown): string {
  const out = serialize(value, new Set());
  if (out === undefined) throw new TypeError('canonicalJson: value is not representable in JSON');
  return out;
}

function serialize(value: unknown, stack: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value); // ECMAScript Number::toString, -0 → 0
    case 'bigint':
      throw new TypeError('canonicalJson: bigint is not supported');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (stack.has(obj)) throw new TypeError('canonicalJson: circular structure');
  stack.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = `[${obj.map((v: unknown) => serialize(v, stack) ?? 'null').join(',')}]`;
  } else {
    const rec = obj as Record<string, unknown>;
    const members: string[] = [];
    // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
    for (const k of Object.keys(rec).sort()) {
      const v = serialize(rec[k], stack);
      if (v !== undefined) members.push(`${JSON.stringify(k)}:${v}`);
    }
    out = `{${members.join(',')}}`;
  }
  stack.delete(obj);
  return out;
}

/** sha256 hex over the canonical JSON of the entry without `hash`. */
export function entryHash(e: Omit<AuditEntry, 'hash' | 'mac'>): string {
  const { seq, at, actor, bodyId, action, requestId, subject, details, prevHash } = e;
  const body = { seq, at, actor, bodyId, action, requestId, subject, details, prevHash };
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** The mac of an entry with hash `hash` after an entry with mac `prevMac` (null: the first keyed entry). */
export function entryMac(key: KeyObject, prevMac: string | null, hash: string): string {
  return createHmac('sha256', key)
    .update(`eix-audit-mac/1|${prevMac ?? GENESIS_HASH}|${hash}`, 'utf8')
    .digest('hex');
}

/** An entry's fields but for its time: what can be prepared before the append lock is taken. */
export type EntryContent = Omit<AuditFields, 'at'>;

/** An entry prepared before the append lock (prepareEntry): `link` chains it to `prev` at time `at`. */
export interface PreparedEntry {
  link(prev: AuditEntry | null, at: string, key?: KeyObject): AuditEntry;
}

/** `"name":value` of canonicalJson, or nothing for a member it omits (undefined). */
function member(name: string, value: unknown): string | undefined {
  const v = serialize(value, new Set());
  return v === undefined ? undefined : `${JSON.stringify(name)}:${v}`;
}

/**
 * The entry's canonical JSON (entryHash's input) built in two steps: the members known before the append lock
 * (the details above all: canonicalJson is most of an append's work) now, and at link() the three that need the
 * lock — `at`, `prevHash` and `seq` — spliced in their sorted places (action, actor, at, bodyId, details,
 * prevHash, requestId, seq, subject). The bytes are canonicalJson's (a test compares them with entryHash);
 * under the lock only string joins, one SHA-256 and one HMAC remain (issue 16: the lock is the log's queue).
 */
export function prepareEntry(content: EntryContent): PreparedEntry {
  const action = member('action', content.action);
  const actor = member('actor', content.actor);
  const bodyId = member('bodyId', content.bodyId);
  const details = member('details', content.details);
  const requestId = member('requestId', content.requestId);
  const subject = member('subject', content.subject);
  return {
    link(prev, at, key) {
      const seq = prev ? prev.seq + 1 : 1;
      const prevHash = prev ? prev.hash : GENESIS_HASH;
      // In canonicalJson's order: the keys sorted.
      const members = [
        action,
        actor,
        member('at', at),
        bodyId,
        details,
        member('prevHash', prevHash),
        requestId,
        member('seq', seq),
        subject,
      ];
      const text = `{${members.filter((m) => m !== undefined).join(',')}}`;
      const hash = createHash('sha256').update(text, 'utf8').digest('hex');
      return {
        seq,
        at,
        actor: content.actor,
        bodyId: content.bodyId,
        action: content.action,
        requestId: content.requestId,
        subject: content.subject,
        details: content.details,
        prevHash,
        hash,
        mac: key ? entryMac(key, prev?.mac ?? null, hash) : null,
      };
    },
  };
}

/**
 * The entry that follows `prev` (or the first entry when prev is null),
 * keyed when `key` is given. Pure and cheap (one SHA-256, one HMAC).
 */
export function chainEntry(prev: AuditEntry | null, fields: AuditFields, key?: KeyObject): AuditEntry {
  const { at, ...content } = fields;
  return prepareEntry(content).link(prev, at, key);
}

/**
 * Verifies entries in storage order. Reports the first broken seq:
 * - 'hash': the entry's content does not match its hash (edited entry);
 * - 'sequence': the seq is not the expected one. brokenAt is the expected
 *   seq when that entry appears later (reordering), else the seq of the
 *   entry found in its place (deletion: the first entry after the gap);
 * - 'link': prevHash is not the previous entry's hash;
 * - 'mac': the entry's mac is not the keyed chain value (checked when `key`
 *   is given), or the entry has no mac after a keyed entry.
 * `count` is the number of entries verified intact (before the break).
 * By default the chain must start at seq 1 linked to GENESIS_HASH; pass
 * `from` (the last entry already verified) to verify a continuation.
 */
export function verifyChain(entries: Iterable<AuditEntry>, from?: ChainAnchor, key?: KeyObject): ChainVerdict {
  let expectedSeq = from ? from.seq + 1 : 1;
  let prevHash = from ? from.hash : GENESIS_HASH;
  let prevMac = from?.mac ?? null;
  let count = 0;
  let legacy = 0;
  const it = entries[Symbol.iterator]();
  for (let step = it.next(); !step.done; step = it.next()) {
    const e = step.value;
    let actual: string;
    try {
      actual = entryHash(e);
    } catch {
      actual = '';
    }
    if (actual !== e.hash) return { ok: false, count, brokenAt: e.seq, reason: 'hash' };
    if (e.seq !== expectedSeq) {
      let misplaced = false;
      if (e.seq > expectedSeq) {
        for (let rest = it.next(); !rest.done; rest = it.next()) {
          if (rest.value.seq === expectedSeq) {
            misplaced = true;
            break;
          }
        }
      }
      return { ok: false, count, brokenAt: misplaced ? expectedSeq : e.seq, reason: 'sequence' };
    }
    if (e.prevHash !== prevHash) return { ok: false, count, brokenAt: e.seq, reason: 'link' };
    if (e.mac === null) {
      // Only a legacy prefix may lack a mac: stripping the macs of a tail to rewrite it is a break.
      if (prevMac !== null) return { ok: false, count, brokenAt: e.seq, reason: 'mac' };
      legacy++;
    } else {
      if (key && !macEqual(e.mac, entryMac(key, prevMac, e.hash)))
        return { ok: false, count, brokenAt: e.seq, reason: 'mac' };
      prevMac = e.mac;
    }
    prevHash = e.hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, count, lastHash: prevHash, lastMac: prevMac, legacy, keyed: key !== undefined };
}

function macEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
