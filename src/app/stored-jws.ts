// A compact JWS as the node stores it (issue 16 item 4, docs/ARCHITECTURE.md decision 46). Every signed
// message and receipt carries its signer's certificate in its protected header (x5c): one body signing with
// one key writes the same header, about 1–1.5 kB of base64url, into every document of one type, and the node
// stored it with each (the message on both nodes, its receipt on both). The header is now kept once, in
// jws_headers under the SHA-256 (hex) of its base64url text (migration 029), and the JWS is stored as
//
//   ~<sha256 of the header, 64 hex>.<payload>.<signature>
//
// `originalJws` puts the header back, byte for byte: what is sent, resent, hashed, exported or verified is
// always the original. A full JWS never starts with `~` (base64url has no such character), so both forms are
// read, and rows stored before migration 029 stay as they are. In a sealed column (`sealJws`) the reference
// form is kept as bytes (below), read back to the same text.
//
// Only a header of exactly alg, typ and x5c (one certificate) is shared: public material, the same
// for every document of one signer and type (src/adapters/crypto/jws.ts signs with no other member). A header
// with anything else — a peer's extra member, perhaps per message — stays inside its JWS, so nothing personal
// or per message outlives the purge of its row in jws_headers, which is never purged.
//
// A header row is written by a statement of its own, committed before any row names it (`recordJwsHeaders`,
// outside the caller's transaction: an insert inside it could be rolled back under rows of another
// transaction that trusted it, and would wait on locks there). `storedJws` shortens a JWS only if its header
// is known to be committed in this database; otherwise — the first documents of a signer and type after a
// start, before the header is recorded — it stores the JWS whole, which is always right.
import { ALLOWED_ALGS, sha256Hex } from '../adapters/crypto/jws.js';
import { EixError } from '../domain/errors.js';
import type { Sealer } from '../ports/sealer.js';
import type { Store, Tx } from '../ports/store.js';

export const HEADER_REFERENCE = '~';
const REFERENCE = /^~([0-9a-f]{64})\./;

/** Headers known to be committed in a database (by its Store), with their text; content-addressed. */
const recorded = new WeakMap<Store, Map<string, string>>();
/** Most headers remembered per database: a few per signing certificate; past it the oldest are read again. */
const LIMIT = 1000;

function known(db: Store): Map<string, string> {
  let m = recorded.get(db);
  if (!m) recorded.set(db, (m = new Map()));
  return m;
}

function remember(db: Store, sha256: string, header: string): void {
  const m = known(db);
  if (m.size >= LIMIT) m.delete(m.keys().next().value!);
  m.set(sha256, header);
}

/**
 * The JWS's protected header (its base64url text) when it may be shared: exactly alg (ES256 or EdDSA), typ (a
 * media type name) and x5c holding one certificate — what docs/MESSAGES.md §4 allows and every node signs. Any
 * other header, however a peer made it, is stored whole with its document.
 */
export function shareableHeader(jws: string): string | null {
  const dot = jws.indexOf('.');
  if (dot <= 0) return null;
  const text = jws.slice(0, dot);
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let h: unknown;
  try {
    h = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return null;
  const { alg, typ, x5c, ...other } = h as Record<string, unknown>;
  if (Object.keys(other).length > 0 || !(ALLOWED_ALGS as readonly unknown[]).includes(alg)) return null;
  if (typeof typ !== 'string' || !/^[A-Za-z0-9.+-]{1,64}$/.test(typ)) return null;
  // Exactly the signing certificate (docs/MESSAGES.md §4: x5c holds only the body certificate), as base64 DER.
  if (!Array.isArray(x5c) || x5c.length !== 1 || typeof x5c[0] !== 'string') return null;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(x5c[0]) ? text : null;
}

/**
 * Records the shareable headers of these JWSs that this process does not know to be recorded yet, in a
 * statement committed on its own (never inside a transaction): afterwards `storedJws` shortens them.
 */
export async function recordJwsHeaders(db: Store, jwses: readonly (string | null | undefined)[]): Promise<void> {
  if (db.isTransaction) throw new EixError('internal', {}, 'Заголовки подписей записываются вне транзакции');
  const m = known(db);
  const fresh = new Map<string, string>();
  for (const jws of jwses) {
    const header = jws ? shareableHeader(jws) : null;
    if (!header) continue;
    const sha256 = sha256Hex(header);
    if (!m.has(sha256)) fresh.set(sha256, header);
  }
  if (fresh.size === 0) return;
  await db
    .insertInto('jws_headers')
    .values([...fresh].map(([sha256, header]) => ({ sha256, header })))
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  for (const [sha256, header] of fresh) remember(db, sha256, header);
}

/** The form to store: the header by reference when it is recorded in this database, else the JWS as it is. */
export function storedJws(db: Store, jws: string): string {
  const header = shareableHeader(jws);
  if (!header) return jws;
  const sha256 = sha256Hex(header);
  return known(db).has(sha256) ? `${HEADER_REFERENCE}${sha256}${jws.slice(header.length)}` : jws;
}

/**
 * The JWSs exactly as signed, from their stored forms (either), in order; null stays null. `db` names the
 * database; `via` is the transaction to read in, if any. A header that is missing, or whose text does not hash
 * to its reference, is an error (`internal`, reason jws_header), never a guess.
 */
export async function originalJwsAll(
  db: Store,
  stored: readonly (string | null)[],
  via: Store | Tx = db,
): Promise<(string | null)[]> {
  const m = known(db);
  const headers = new Map<string, string>();
  const wanted = new Set<string>();
  for (const s of stored) {
    if (s === null || !s.startsWith(HEADER_REFERENCE)) continue;
    const sha256 = REFERENCE.exec(s)?.[1];
    if (!sha256) throw headerError(null, 'ссылка на заголовок подписи повреждена');
    const header = m.get(sha256);
    if (header !== undefined) headers.set(sha256, header);
    else wanted.add(sha256);
  }
  if (wanted.size > 0) {
    const rows = await via
      .selectFrom('jws_headers')
      .select(['sha256', 'header'])
      .where('sha256', 'in', [...wanted])
      .execute();
    for (const r of rows) {
      if (sha256Hex(r.header) !== r.sha256) throw headerError(r.sha256, 'текст заголовка не соответствует его хешу');
      headers.set(r.sha256, r.header);
      remember(db, r.sha256, r.header);
    }
  }
  return stored.map((s) => {
    if (s === null || !s.startsWith(HEADER_REFERENCE)) return s;
    const sha256 = s.slice(1, 65);
    const header = headers.get(sha256);
    if (header === undefined) throw headerError(sha256, 'заголовок не найден в таблице jws_headers');
    return `${header}${s.slice(65)}`;
  });
}

/** One JWS exactly as signed, from its stored form (either). */
export async function originalJws(db: Store, stored: string, via: Store | Tx = db): Promise<string> {
  return (await originalJwsAll(db, [stored], via))[0]!;
}

/** Where a sealed JWS is kept: the node's database and its data key ring. */
export interface JwsStorage {
  readonly db: Store;
  readonly sealer: Sealer;
}

/**
 * Inside a sealed column the reference form is kept as bytes: the payload and the signature decoded from
 * base64url (a quarter of their text), after a first byte `!` that no text form starts with —
 *
 *   0x21, the header's SHA-256 (32 bytes), the payload's length (4 bytes, big-endian), payload, signature
 *
 * — when both segments are exact base64url (re-encoding them gives the same text back); otherwise the text form.
 * Decoding base64 is not compression: the length stays a function of the length alone, not of the content.
 */
const SEALED_BINARY = 0x21;

/** The bytes of a base64url segment, if encoding them again gives exactly this segment. */
function exactBase64url(segment: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return null;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : null;
}

/** A JWS sealed for its column (outbox.signed_enc, inbox.payload_enc): its stored form, encrypted. */
export function sealJws(ctx: JwsStorage, jws: string, aad: string): Buffer {
  const stored = storedJws(ctx.db, jws);
  const parts = stored.startsWith(HEADER_REFERENCE) ? stored.split('.') : [];
  const [payload, signature] = parts.length === 3 ? [exactBase64url(parts[1]!), exactBase64url(parts[2]!)] : [];
  if (!payload || !signature) return ctx.sealer.encrypt(Buffer.from(stored), aad);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(payload.length);
  const head = Buffer.concat([Buffer.from([SEALED_BINARY]), Buffer.from(parts[0]!.slice(1), 'hex'), length]);
  return ctx.sealer.encrypt(Buffer.concat([head, payload, signature]), aad);
}

/** A sealed JWS decrypted, in its stored text form (a whole JWS, or the header by reference). */
export function unsealedJws(ctx: JwsStorage, sealed: Uint8Array, aad: string): string {
  const plain = ctx.sealer.decrypt(sealed, aad);
  if (plain[0] !== SEALED_BINARY) return plain.toString('utf8');
  if (plain.length < 37 || 37 + plain.readUInt32BE(33) > plain.length)
    throw headerError(null, 'сохранённая форма подписанного документа повреждена');
  const end = 37 + plain.readUInt32BE(33);
  return `${HEADER_REFERENCE}${plain.subarray(1, 33).toString('hex')}.${plain.subarray(37, end).toString('base64url')}.${plain.subarray(end).toString('base64url')}`;
}

/** A sealed JWS opened: decrypted, then its header put back (the bytes that were signed). */
export async function openSealedJws(
  ctx: JwsStorage,
  sealed: Uint8Array,
  aad: string,
  via: Store | Tx = ctx.db,
): Promise<string> {
  return originalJws(ctx.db, unsealedJws(ctx, sealed, aad), via);
}

/**
 * `internal` (500), named by `data.reason`: a fault of this node's database, never of the request, and a code the
 * exchange already knows (a peer resending a message whose stored receipt cannot be read retries it later).
 */
function headerError(sha256: string | null, why: string): EixError {
  return new EixError(
    'internal',
    { reason: 'jws_header', table: 'jws_headers', sha256 },
    `Подписанный документ в базе данных узла неполон: ${why}${sha256 ? ` (SHA-256 ${sha256})` : ''}`,
  );
}
