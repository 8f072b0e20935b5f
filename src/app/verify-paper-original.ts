// R10.a: the paper original of a request (or an answer) carries a QR code
// `EIX1|<messageId>|<sha256 of the signed JWS>`. Verification finds the signed
// message this node sent (outbox) or received (inbox) under that id, among the
// requests the actor may see, and compares the digest of the sealed JWS — or,
// once the retention period destroyed the signed bytes (R9.6), the SHA-256
// kept in their place: the check then says the content was destroyed and
// whether the hash matches. sealFor() computes the same data for printing a form.
import { sql } from 'kysely';
import { sha256Hex } from '../adapters/crypto/jws.js';
import { EixError } from '../domain/errors.js';
import { paperShortCode, readPaperShortCode } from '../domain/paper-original.js';
import { partyTimeZone } from '../domain/parties.js';
import type { PdfSeal } from '../ports/pdf.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import type { RequestView } from './get-request.js';
import { loadRequest } from './request-record.js';
import { openSealedJws } from './stored-jws.js';

const PAYLOAD = /^EIX1\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\|([0-9a-f]{64})$/i;

export interface PaperOriginalCheck {
  valid: boolean;
  messageId: string;
  requestId: string | null;
  number: string | null;
  reason?: 'unknown' | 'hash_mismatch';
  /** R9.6: the signed content was destroyed after its retention period; the check used the stored SHA-256. */
  contentDestroyed?: true;
}

/** Parses a QR payload; a malformed one is an input error naming `payload`. */
export function parseQrPayload(payload: unknown): { messageId: string; sha256: string } {
  const m = typeof payload === 'string' ? PAYLOAD.exec(payload.trim()) : null;
  if (!m) {
    throw new EixError(
      'input.invalid',
      { field: 'payload' },
      'Содержимое QR-кода должно иметь вид EIX1|<идентификатор сообщения>|<SHA-256 документа (64 шестнадцатеричных знака)>',
    );
  }
  return { messageId: m[1]!.toLowerCase(), sha256: m[2]!.toLowerCase() };
}

interface Found {
  requestId: string;
  /** SHA-256 (hex) of the signed JWS: of the sealed bytes, or the stored hash after the purge. */
  sha256: string;
  destroyed: boolean;
}

/** The JWS (opened from storage, its header put back: the bytes signed) or, after the purge, the hash that replaced it. */
async function signed(
  tx: Tx,
  ctx: AppContext,
  enc: Uint8Array | null,
  aad: string,
  kept: string | null,
): Promise<Omit<Found, 'requestId'> | null> {
  if (enc) return { sha256: sha256Hex(await openSealedJws(ctx, enc, aad, tx)), destroyed: false };
  return kept ? { sha256: kept, destroyed: true } : null;
}

/** The signed message under this id (sent or received) and the request it belongs to. */
async function findSigned(tx: Tx, ctx: AppContext, messageId: string): Promise<Found | null> {
  const out = await tx
    .selectFrom('outbox')
    .select(['request_id', 'signed_enc', 'signed_sha256'])
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  if (out) {
    const s = await signed(tx, ctx, out.signed_enc, `outbox:${messageId}`, out.signed_sha256);
    if (!out.request_id || !s) return null;
    return { requestId: out.request_id, ...s };
  }
  const inb = await tx
    .selectFrom('inbox')
    .select(['payload_enc', 'payload_sha256'])
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  if (!inb) return null;
  const req =
    (await tx
      .selectFrom('requests')
      .select('id')
      .where('message_id', '=', messageId)
      .where('direction', '=', 'incoming')
      .executeTakeFirst()) ??
    (await tx
      .selectFrom('request_events')
      .select('request_id as id')
      .where(sql<boolean>`data->>'messageId' = ${messageId}`)
      .orderBy('id')
      .executeTakeFirst());
  const s = await signed(tx, ctx, inb.payload_enc, `inbox:${messageId}`, inb.payload_sha256);
  if (!req || !s) return null;
  return { requestId: req.id, ...s };
}

/**
 * What was typed or scanned on «Проверка оригинала»: the QR code's full text, or the short code printed next to
 * it (issue 14, item 8). A short code with a typo is an input error saying so; a well-formed one the node never
 * printed is an unknown document.
 */
export function readPaperInput(payload: unknown): { messageId: string; sha256: string } | { shortCode: string } {
  const text = typeof payload === 'string' ? payload.trim() : '';
  if (/^EIX1\|/i.test(text)) return parseQrPayload(text);
  const short = readPaperShortCode(text);
  if ('code' in short) return { shortCode: short.code };
  if (short.problem === 'check')
    throw new EixError(
      'input.invalid',
      { field: 'payload' },
      'Код проверки введён с ошибкой: проверьте каждый знак (буквы O и 0, I и 1 не различаются) и порядок знаков',
    );
  throw new EixError(
    'input.invalid',
    { field: 'payload' },
    'Введите код проверки из 12 знаков, напечатанный рядом с QR-кодом (например, 7K3M-Q9XA-2BCD), или отсканируйте QR-код',
  );
}

export async function verifyPaperOriginal(
  ctx: AppContext,
  actor: Actor,
  input: { payload: string },
): Promise<PaperOriginalCheck> {
  const read = readPaperInput(input?.payload);
  if ('shortCode' in read) {
    const row = await ctx.db
      .selectFrom('paper_codes')
      .select(['message_id', 'document_sha256'])
      .where('code', '=', read.shortCode)
      .executeTakeFirst();
    if (!row) return { valid: false, messageId: '', requestId: null, number: null, reason: 'unknown' };
    return check(ctx, actor, row.message_id, row.document_sha256);
  }
  return check(ctx, actor, read.messageId, read.sha256);
}

async function check(ctx: AppContext, actor: Actor, messageId: string, sha256: string): Promise<PaperOriginalCheck> {
  return ctx.db.transaction().execute(async (tx) => {
    const unknown: PaperOriginalCheck = { valid: false, messageId, requestId: null, number: null, reason: 'unknown' };
    const found = await findSigned(tx, ctx, messageId);
    if (!found) return unknown;
    let row;
    try {
      row = await loadRequest(tx, actor, found.requestId, { act: false });
    } catch (e) {
      // A request the actor may not see is as unknown as one that does not exist.
      if (e instanceof EixError && e.code === 'request.not_found') return unknown;
      throw e;
    }
    const valid = found.sha256 === sha256;
    await appendAudit(tx, ctx, actor, {
      action: 'paper_original.verified',
      bodyId: row.body_id,
      requestId: row.id,
      subject: row.number,
      details: { messageId, valid, ...(found.destroyed ? { contentDestroyed: true } : {}) },
    });
    const destroyed = found.destroyed ? { contentDestroyed: true as const } : {};
    return valid
      ? { valid, messageId, requestId: row.id, number: row.number, ...destroyed }
      : { valid, messageId, requestId: row.id, number: row.number, reason: 'hash_mismatch', ...destroyed };
  });
}

// ---- the seal of a printed form ----------------------------------------------

interface SignedInfo {
  createdAt?: string;
  fromBody?: string;
  officer?: { name: string; position: string };
  certificateSha256?: string;
}

/** Reads what a form shows from a compact JWS (already verified when it was sent or received). */
export function signedInfo(jws: string): SignedInfo {
  const info: SignedInfo = {};
  const [h, p] = jws.split('.');
  try {
    const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as { x5c?: unknown };
    if (Array.isArray(header.x5c) && typeof header.x5c[0] === 'string')
      info.certificateSha256 = sha256Hex(Buffer.from(header.x5c[0], 'base64'));
  } catch {
    /* not a JWS header: nothing to show */
  }
  try {
    const m = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as {
      envelope?: { createdAt?: unknown; from?: { body?: unknown }; officer?: { name?: unknown; position?: unknown } };
    };
    const env = m.envelope;
    if (typeof env?.createdAt === 'string') info.createdAt = env.createdAt;
    if (typeof env?.from?.body === 'string') info.fromBody = env.from.body;
    if (typeof env?.officer?.name === 'string' && typeof env.officer.position === 'string')
      info.officer = { name: env.officer.name, position: env.officer.position };
  } catch {
    /* not a JSON payload */
  }
  return info;
}

const ANSWER_TYPES: readonly ('answer_final' | 'answer_partial')[] = ['answer_final', 'answer_partial'];
const isAnswer = (e: string): boolean => (ANSWER_TYPES as readonly string[]).includes(e);

/**
 * The seal of a printed request or answer: the signed message behind it and
 * who signed it. Null when nothing signed exists yet (a draft, or a message
 * the transport has not signed yet): the form is then printed as a draft.
 */
export async function sealFor(
  ctx: AppContext,
  view: RequestView,
  kind: 'request' | 'answer' = 'request',
): Promise<PdfSeal | null> {
  // The signed bytes, or — after the purge (R9.6) — only the hash kept in their place.
  let found: { messageId: string; jws: string | null; digest: string } | null = null;
  const open = async (id: string, enc: Uint8Array | null, aad: string, kept: string | null) => {
    if (enc) {
      const jws = await openSealedJws(ctx, enc, aad);
      return { messageId: id, jws, digest: sha256Hex(jws) };
    }
    return kept ? { messageId: id, jws: null, digest: kept } : null;
  };
  let event: RequestView['events'][number] | undefined;
  if (kind === 'request') {
    event = view.events.find((e) => e.event === 'sign');
    if (view.direction === 'outgoing') {
      const row = await ctx.db
        .selectFrom('outbox')
        .select(['message_id', 'signed_enc', 'signed_sha256'])
        .where('request_id', '=', view.id)
        .where('type', '=', 'request')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (row) found = await open(row.message_id, row.signed_enc, `outbox:${row.message_id}`, row.signed_sha256);
    } else if (view.messageId) {
      const row = await ctx.db
        .selectFrom('inbox')
        .select(['message_id', 'payload_enc', 'payload_sha256'])
        .where('message_id', '=', view.messageId)
        .executeTakeFirst();
      if (row) found = await open(row.message_id, row.payload_enc, `inbox:${row.message_id}`, row.payload_sha256);
    }
  } else if (view.direction === 'incoming') {
    // We answered: the last answer message we signed.
    const row = await ctx.db
      .selectFrom('outbox')
      .select(['message_id', 'signed_enc', 'signed_sha256'])
      .where('request_id', '=', view.id)
      .where('type', 'in', ANSWER_TYPES)
      .where((eb) => eb.or([eb('signed_enc', 'is not', null), eb('signed_sha256', 'is not', null)]))
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (row) found = await open(row.message_id, row.signed_enc, `outbox:${row.message_id}`, row.signed_sha256);
    event = [...view.events].reverse().find((e) => isAnswer(e.event));
  } else {
    // We received the answer: the last answer message in the history.
    event = [...view.events].reverse().find((e) => isAnswer(e.event) && typeof e.data.messageId === 'string');
    const id = event?.data.messageId as string | undefined;
    const row = id
      ? await ctx.db
          .selectFrom('inbox')
          .select(['message_id', 'payload_enc', 'payload_sha256'])
          .where('message_id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (row) found = await open(row.message_id, row.payload_enc, `inbox:${row.message_id}`, row.payload_sha256);
  }
  if (!found) return null;
  const { messageId, jws } = found;

  const info = jws === null ? {} : signedInfo(jws);
  const signedBy = event?.data.signedBy as { fullName?: unknown; position?: unknown } | undefined;
  let officer =
    info.officer ??
    (typeof signedBy?.fullName === 'string' && typeof signedBy.position === 'string'
      ? { name: signedBy.fullName, position: signedBy.position }
      : undefined);
  // This node's officer: the name if the signed envelope had none, and the contacts printed under the signature.
  const local = event?.officerId
    ? await ctx.db
        .selectFrom('officers')
        .select(['full_name', 'position', 'phone', 'email'])
        .where('id', '=', event.officerId)
        .executeTakeFirst()
    : undefined;
  if (!officer && local) officer = { name: local.full_name, position: local.position };
  const officerContacts =
    local && (local.phone || local.email) ? present({ phone: local.phone, email: local.email }) : null;
  const letterhead = await letterheadOf(ctx, view, info.fromBody, kind);
  const shortCode = paperShortCode(found.digest);
  // The node keeps every code it printed, so that «Проверка оригинала» finds the document by it.
  await ctx.db
    .insertInto('paper_codes')
    .values({ code: shortCode, message_id: messageId, document_sha256: found.digest, request_id: view.id })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  return {
    messageId,
    documentSha256: found.digest,
    signedAt: info.createdAt ?? event?.at ?? '',
    officer: officer ?? { name: '—', position: '—' },
    bodyName: letterhead.name,
    ...(info.certificateSha256 ? { certificateSha256: info.certificateSha256 } : {}),
    shortCode,
    timeZone: partyTimeZone(ctx.party),
    letterhead,
    ...(officerContacts ? { officerContacts } : {}),
  };
}

/** The fields that have a value (nulls and empty strings left out). */
function present<T extends Record<string, string | null | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string' && v !== '')) as {
    [K in keyof T]?: string;
  };
}

/** The letterhead of the body that made the document: this node's bodies in full, another Party's by name. */
async function letterheadOf(
  ctx: AppContext,
  view: RequestView,
  fromBody: string | undefined,
  kind: 'request' | 'answer',
): Promise<NonNullable<PdfSeal['letterhead']>> {
  const d = view.document;
  const ours = (kind === 'request') === (view.direction === 'outgoing');
  const id = fromBody ?? (ours ? view.bodyId : view.counterpartBody.id);
  const local = await ctx.db
    .selectFrom('bodies')
    .select(['name', 'address', 'phone', 'email'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (local)
    return { name: local.name, ...present({ address: local.address, phone: local.phone, email: local.email }) };
  for (const b of [view.counterpartBody, d.requestingBody, d.requestedBody])
    if (b?.id === id && b.name) return { name: b.name };
  return { name: '—' };
}
