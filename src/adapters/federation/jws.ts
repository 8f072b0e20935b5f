// Compact JWS for messages and receipts (jose): ES256 or EdDSA, the signing
// certificate in x5c, the payload RFC 8785 canonical JSON. Anything standard
// verifies it given the certificate (docs/MESSAGES.md shows how).
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CompactSign, compactVerify, decodeProtectedHeader, importPKCS8, importX509, type CompactJWSHeaderParameters } from 'jose';
import { EixError } from '../../domain/errors.js';
import type { BodySigner } from '../../ports/signer.js';

export const ALLOWED_ALGS = ['ES256', 'EdDSA'] as const;

export function canonicalBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new EixError('internal', {}, 'Значение не может быть представлено в каноническом JSON');
  return new TextEncoder().encode(text);
}

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

export function pemToDerBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export function derBase64ToPem(b64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function algOf(certPem: string): 'ES256' | 'EdDSA' {
  const type = new X509Certificate(certPem).publicKey.asymmetricKeyType;
  if (type === 'ec') return 'ES256';
  if (type === 'ed25519') return 'EdDSA';
  throw new EixError('internal', { type }, `Неподдерживаемый тип ключа подписи: ${type}`);
}

export async function signCompact(payload: Uint8Array, keyPem: string, certPem: string, typ: string): Promise<string> {
  const alg = algOf(certPem);
  const key = await importPKCS8(keyPem, alg);
  return new CompactSign(payload).setProtectedHeader({ alg, typ, x5c: [pemToDerBase64(certPem)] }).sign(key);
}

export interface Unverified {
  readonly header: CompactJWSHeaderParameters;
  readonly certPem: string;
  readonly payload: unknown;
}

/**
 * Reads a compact JWS without trusting it yet: the header (alg must be one of
 * ours, never `none` or HMAC), the x5c certificate and the JSON payload.
 */
export function readCompact(jws: string, typ: string): Unverified {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new EixError('message.signature', {}, 'Сообщение не является JWS в компактной форме');
  let header: CompactJWSHeaderParameters;
  let payload: unknown;
  try {
    header = decodeProtectedHeader(jws) as CompactJWSHeaderParameters;
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new EixError('message.signature', {}, 'Заголовок или содержимое JWS повреждены');
  }
  if (!(ALLOWED_ALGS as readonly string[]).includes(String(header.alg))) throw new EixError('message.signature', { alg: header.alg ?? null }, `Недопустимый алгоритм подписи: ${String(header.alg)}`);
  if (header.typ !== typ) throw new EixError('message.signature', { typ: header.typ ?? null }, `Неверный тип JWS: ${String(header.typ)}`);
  if (header.crit !== undefined || header.jku !== undefined || header.jwk !== undefined || header.x5u !== undefined) {
    throw new EixError('message.signature', {}, 'Недопустимые параметры заголовка JWS');
  }
  const x5c = header.x5c;
  if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') throw new EixError('message.signature', {}, 'В JWS нет сертификата подписи (x5c)');
  return { header, certPem: derBase64ToPem(x5c[0]), payload };
}

/** Verifies the signature with the certificate's key; the payload must be exactly the canonical form. */
export async function verifyCompact(jws: string, certPem: string): Promise<void> {
  const alg = algOf(certPem);
  try {
    const key = await importX509(certPem, alg);
    const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: [alg] });
    if (protectedHeader.alg !== alg) throw new Error('alg');
    const canonical = canonicalBytes(JSON.parse(new TextDecoder().decode(payload)));
    if (Buffer.compare(Buffer.from(canonical), Buffer.from(payload)) !== 0) throw new Error('not canonical');
  } catch {
    throw new EixError('message.signature', {}, 'Подпись сообщения не прошла проверку');
  }
}

/** Body keys as files: <dir>/<bodyId>.key (PKCS#8, 0600) and <dir>/<bodyId>.crt. */
export function fileBodySigner(dir: string): BodySigner {
  const cache = new Map<string, Promise<{ keyPem: string; certPem: string }>>();
  const load = (bodyId: string) => {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(bodyId)) throw new EixError('body.not_found', { id: bodyId });
    let hit = cache.get(bodyId);
    if (!hit) {
      hit = Promise.all([readFile(path.join(dir, `${bodyId}.key`), 'utf8'), readFile(path.join(dir, `${bodyId}.crt`), 'utf8')])
        .then(([keyPem, certPem]) => ({ keyPem, certPem }))
        .catch(() => { throw new EixError('signer.missing', { bodyId }, `Нет ключа подписи органа ${bodyId} (${dir})`); });
      cache.set(bodyId, hit);
      hit.catch(() => cache.delete(bodyId));
    }
    return hit;
  };
  return {
    certificatePem: async (bodyId) => (await load(bodyId)).certPem,
    sign: async (bodyId, payload, typ) => {
      const k = await load(bodyId);
      return signCompact(payload, k.keyPem, k.certPem, typ);
    },
    bodies: async () => (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.crt')).map((f) => f.slice(0, -4)),
  };
}
