// Compact JWS for messages and receipts (jose): ES256 or EdDSA, the signing
// certificate in x5c, the payload RFC 8785 canonical JSON. Anything standard
// verifies it given the certificate (docs/MESSAGES.md shows how). The JWS
// primitives are shared with the trust registry (../crypto/jws.ts); this file
// adds what a message must be and the body keys on disk.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeProtectedHeader, type CompactJWSHeaderParameters } from 'jose';
import { EixError } from '../../domain/errors.js';
import type { BodySigner } from '../../ports/signer.js';
import {
  ALLOWED_ALGS,
  canonicalBytes,
  compactSigner,
  derBase64ToPem,
  jwsAlgOf,
  verifiedPayload,
  type CompactSigner,
} from '../crypto/jws.js';

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
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new EixError('message.signature', {}, 'Сообщение не является JWS в компактной форме');
  let header: CompactJWSHeaderParameters;
  let payload: unknown;
  try {
    header = decodeProtectedHeader(jws) as CompactJWSHeaderParameters;
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new EixError('message.signature', {}, 'Заголовок или содержимое JWS повреждены');
  }
  if (!(ALLOWED_ALGS as readonly string[]).includes(String(header.alg)))
    throw new EixError(
      'message.signature',
      { alg: header.alg ?? null },
      `Недопустимый алгоритм подписи: ${String(header.alg)}`,
    );
  if (header.typ !== typ)
    throw new EixError('message.signature', { typ: header.typ ?? null }, `Неверный тип JWS: ${String(header.typ)}`);
  if (header.crit !== undefined || header.jku !== undefined || header.jwk !== undefined || header.x5u !== undefined) {
    throw new EixError('message.signature', {}, 'Недопустимые параметры заголовка JWS');
  }
  const x5c = header.x5c;
  // x5c holds base64 DER (RFC 7515 §4.1.6); anything else (an empty string crashed the PEM conversion) is no certificate.
  if (!Array.isArray(x5c) || typeof x5c[0] !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(x5c[0]))
    throw new EixError('message.signature', {}, 'В JWS нет сертификата подписи (x5c)');
  return { header, certPem: derBase64ToPem(x5c[0]), payload };
}

/** Verifies the signature with the certificate's key; the payload must be exactly the canonical form. */
export async function verifyCompact(jws: string, certPem: string): Promise<void> {
  const alg = jwsAlgOf(certPem);
  try {
    const payload = await verifiedPayload(jws, certPem, alg);
    const canonical = canonicalBytes(JSON.parse(new TextDecoder().decode(payload)));
    if (Buffer.compare(Buffer.from(canonical), Buffer.from(payload)) !== 0) throw new Error('not canonical');
  } catch {
    throw new EixError('message.signature', {}, 'Подпись сообщения не прошла проверку');
  }
}

/**
 * Body keys as files: <dir>/<bodyId>.key (PKCS#8, 0600) and <dir>/<bodyId>.crt. A certificate installed
 * while the node runs (issue 15.1: a new body's first seal, a rotation) is picked up at the next signature:
 * the certificate file is looked at each time and the key read again when it changed.
 */
export function fileBodySigner(dir: string): BodySigner {
  const cache = new Map<string, { stamp: string; entry: Promise<{ certPem: string; sign: CompactSigner }> }>();
  const stats = new Map<string, Promise<string>>();
  // The key is imported at the first signature (a body's certificate is readable even if its key is not).
  const load = async (bodyId: string) => {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(bodyId)) throw new EixError('body.not_found', { id: bodyId });
    const crt = path.join(dir, `${bodyId}.crt`);
    // Signatures made together (a bundle's messages) look at the file once: one stat in flight per body.
    let looking = stats.get(bodyId);
    if (!looking) {
      looking = stat(crt)
        .then((s) => `${s.ino}:${s.size}:${s.mtimeMs}`)
        .catch(() => '')
        .finally(() => stats.delete(bodyId));
      stats.set(bodyId, looking);
    }
    const stamp = await looking;
    let hit = cache.get(bodyId);
    if (!hit || hit.stamp !== stamp) {
      const entry = Promise.all([readFile(path.join(dir, `${bodyId}.key`), 'utf8'), readFile(crt, 'utf8')])
        .catch(() => {
          throw new EixError('signer.missing', { bodyId }, `Нет ключа подписи органа ${bodyId} (${dir})`);
        })
        .then(([keyPem, certPem]) => {
          let prepared: Promise<CompactSigner> | undefined;
          return {
            certPem,
            sign: async (payload: Uint8Array, typ: string) =>
              (await (prepared ??= compactSigner(keyPem, certPem)))(payload, typ),
          };
        });
      hit = { stamp, entry };
      cache.set(bodyId, hit);
      const mine = hit;
      entry.catch(() => {
        if (cache.get(bodyId) === mine) cache.delete(bodyId);
      });
    }
    return hit.entry;
  };
  return {
    certificatePem: async (bodyId) => (await load(bodyId)).certPem,
    sign: async (bodyId, payload, typ) => (await load(bodyId)).sign(payload, typ),
    bodies: async () =>
      (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.crt')).map((f) => f.slice(0, -4)),
  };
}
