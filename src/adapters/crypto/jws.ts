// Compact JWS primitives (jose) shared by the federation's messages and
// receipts and by the depositary's trust registry: the payload is RFC 8785
// canonical JSON, the algorithm (ES256 or EdDSA) follows the signing
// certificate's key, never the header, and the certificate travels in x5c.
// What makes a document valid (its typ, whose certificate, the error codes)
// stays with each kind of document.
import { createHash, X509Certificate, type webcrypto } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CompactSign, compactVerify, importPKCS8, importX509 } from 'jose';
import { EixError } from '../../domain/errors.js';

export const ALLOWED_ALGS = ['ES256', 'EdDSA'] as const;
export type JwsAlg = (typeof ALLOWED_ALGS)[number];

/** RFC 8785 bytes of a JSON value: what is signed and hashed. */
/** The JSON payload of a compact JWS, read WITHOUT verifying it: only for documents this node signed itself. */
export function compactPayload<T = unknown>(jws: string): T {
  return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as T;
}

export function canonicalBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new EixError('internal', {}, 'Значение не может быть представлено в каноническом JSON');
  return new TextEncoder().encode(text);
}

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** The base64 text between the PEM armour lines (no parsing). */
export function pemToDerBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export function derBase64ToPem(b64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The x5c value of a certificate: base64 of its DER, read from the parsed certificate. */
export function certificateDerBase64(certPem: string): string {
  return new X509Certificate(certPem).raw.toString('base64');
}

// What follows from a certificate's bytes alone (its key's algorithm, the imported public key) is
// remembered: messages carry the same few certificates again and again, and parsing and importing cost
// more than the signature check. Nothing that depends on the time or the registry (validity dates,
// revocation, the chain to a Party's CA) is remembered here: those are checked at every message.
const MEMO_LIMIT = 1000;
const algs = new Map<string, JwsAlg>();
// The global CryptoKey type is the DOM library's, which the build (src alone) does not include.
type CryptoKey = webcrypto.CryptoKey;
const publicKeys = new Map<string, Promise<CryptoKey>>();

function remember<V>(m: Map<string, V>, key: string, value: V): V {
  if (m.size >= MEMO_LIMIT) m.delete(m.keys().next().value!);
  m.set(key, value);
  return value;
}

/** The JWS algorithm of the certificate's key. */
export function jwsAlgOf(certPem: string): JwsAlg {
  const known = algs.get(certPem);
  if (known) return known;
  const type = new X509Certificate(certPem).publicKey.asymmetricKeyType;
  if (type === 'ec') return remember(algs, certPem, 'ES256');
  if (type === 'ed25519') return remember(algs, certPem, 'EdDSA');
  throw new EixError('internal', { type }, `Неподдерживаемый тип ключа подписи: ${type}`);
}

/** The certificate's public key imported for `alg`, once per certificate (a failed import is not kept). */
function publicKeyOf(certPem: string, alg: JwsAlg): Promise<CryptoKey> {
  const key = `${alg}\n${certPem}`;
  const known = publicKeys.get(key);
  if (known) return known;
  const imported = remember(publicKeys, key, importX509(certPem, alg));
  imported.catch(() => {
    if (publicKeys.get(key) === imported) publicKeys.delete(key);
  });
  return imported;
}

export type CompactSigner = (payload: Uint8Array, typ: string) => Promise<string>;

/**
 * Prepares signing with one key and certificate once (algorithm, key import,
 * x5c): a node signs every message and receipt with the same body keys, and
 * the preparation costs about 15 times the signature itself.
 */
export async function compactSigner(keyPem: string, certPem: string): Promise<CompactSigner> {
  const alg = jwsAlgOf(certPem);
  const key = await importPKCS8(keyPem, alg);
  const x5c = [certificateDerBase64(certPem)];
  return (payload, typ) => new CompactSign(payload).setProtectedHeader({ alg, typ, x5c }).sign(key);
}

/** Compact JWS over `payload` with the protected header {alg, typ, x5c: [the certificate]}. */
export async function signCompact(payload: Uint8Array, keyPem: string, certPem: string, typ: string): Promise<string> {
  return (await compactSigner(keyPem, certPem))(payload, typ);
}

/**
 * Checks the signature with the certificate's key and returns the signed
 * payload; throws (an untyped error, for the caller to name) when it does not verify.
 */
export async function verifiedPayload(
  jws: string,
  certPem: string,
  alg: JwsAlg = jwsAlgOf(certPem),
): Promise<Uint8Array> {
  const key = await publicKeyOf(certPem, alg);
  const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: [alg] });
  if (protectedHeader.alg !== alg) throw new Error('alg');
  return payload;
}
