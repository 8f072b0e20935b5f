// The trust registry travels as a compact JWS signed by the depositary. Trust
// comes only from the depositary certificate pinned on the node: the `x5c`
// header names the signer but is never used to verify. Signing, verifying and
// canonical bytes are the shared JWS primitives (./jws.ts); this file adds the
// registry's own checks and error codes.
import { decodeProtectedHeader } from 'jose';
import { EixError } from '../../domain/errors.js';
import { parseRegistry, type Registry } from '../../domain/registry.js';
import { canonicalBytes, certificateDerBase64, sha256Hex, signCompact, verifiedPayload, type JwsAlg } from './jws.js';
import { certificateAlgorithm } from './pki.js';

export const REGISTRY_JWS_TYPE = 'eix-registry+jws';

/** The depositary certificate's algorithm; a certificate that cannot sign a registry is named here (pki.*). */
function jwsAlg(certPem: string): JwsAlg {
  return certificateAlgorithm(certPem) === 'Ed25519' ? 'EdDSA' : 'ES256';
}

function certDerBase64(certPem: string, field: string): string {
  try {
    return certificateDerBase64(certPem);
  } catch {
    throw new EixError(
      'pki.certificate',
      { field },
      'Не удалось прочитать сертификат депозитария: ожидается X.509 в формате PEM',
    );
  }
}

/** The canonical bytes of a registry (RFC 8785): what is signed and hashed. */
export function registryBytes(registry: Registry): Uint8Array {
  return canonicalBytes(registry);
}

/** SHA-256 (hex) of the registry's canonical bytes: the hash `acceptRegistry` compares. */
export function registrySha256(registry: Registry): string {
  return sha256Hex(registryBytes(registry));
}

/** Signs a registry (checked first) with the depositary's key. */
export async function signRegistry(
  registry: Registry,
  depositary: { certPem: string; keyPem: string },
): Promise<string> {
  const checked = parseRegistry(registry);
  jwsAlg(depositary.certPem); // a certificate that cannot sign is named before the key is tried
  let jws: string;
  try {
    jws = await signCompact(registryBytes(checked), depositary.keyPem, depositary.certPem, REGISTRY_JWS_TYPE);
  } catch {
    throw new EixError(
      'pki.key',
      { field: 'depositary.keyPem' },
      'Закрытый ключ депозитария повреждён или не соответствует алгоритму его сертификата',
    );
  }
  // A key that does not belong to the certificate would produce a registry no node accepts.
  await verifyRegistry(jws, depositary.certPem).catch(() => {
    throw new EixError(
      'pki.key',
      { field: 'depositary.keyPem' },
      'Закрытый ключ депозитария не соответствует его сертификату',
    );
  });
  return jws;
}

/** Verifies a registry JWS with the pinned depositary certificate and parses it. */
export async function verifyRegistry(jws: string, depositaryCertPem: string): Promise<Registry> {
  const pinned = certDerBase64(depositaryCertPem, 'depositaryCert');
  const alg = jwsAlg(depositaryCertPem);
  const compact = jws.trim();
  let header;
  try {
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(compact)) throw new Error('not compact');
    header = decodeProtectedHeader(compact);
  } catch {
    throw new EixError('registry.format', { field: 'jws' }, 'Реестр доверия должен быть компактной подписью JWS');
  }
  if (header.typ !== REGISTRY_JWS_TYPE) {
    throw new EixError(
      'registry.format',
      { field: 'jws.typ', typ: header.typ },
      `Неверный тип подписанного документа: ожидается ${REGISTRY_JWS_TYPE}`,
    );
  }
  const x5c0 = Array.isArray(header.x5c) ? header.x5c[0] : undefined;
  if (x5c0 !== pinned) {
    throw new EixError(
      'registry.depositary',
      { field: 'jws.x5c' },
      'Реестр доверия подписан не тем депозитарием, сертификат которого закреплён на узле',
    );
  }
  if (header.alg !== alg) {
    throw new EixError(
      'registry.signature',
      { field: 'jws.alg', alg: header.alg },
      `Неверный алгоритм подписи реестра: ожидается ${alg}`,
    );
  }
  let payload: Uint8Array;
  try {
    payload = await verifiedPayload(compact, depositaryCertPem, alg);
  } catch {
    throw new EixError(
      'registry.signature',
      { field: 'jws' },
      'Подпись реестра доверия неверна: документ изменён или подписан другим ключом',
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new EixError(
      'registry.format',
      { field: 'payload' },
      'Содержимое реестра доверия не является корректным JSON',
    );
  }
  return parseRegistry(doc);
}

/** Refuses a registry older than the accepted one, or the same version with other content. */
export function acceptRegistry(
  current: { version: number; sha256: string } | null,
  next: Registry,
  nextSha256: string,
): void {
  if (!current) return;
  if (next.version < current.version) {
    throw new EixError(
      'registry.rollback',
      { field: 'version', current: current.version, next: next.version },
      `Версия реестра доверия ${next.version} меньше принятой версии ${current.version}; откат не допускается`,
    );
  }
  if (next.version === current.version && nextSha256.toLowerCase() !== current.sha256.toLowerCase()) {
    throw new EixError(
      'registry.rollback',
      { field: 'version', current: current.version, next: next.version },
      `Реестр доверия версии ${next.version} отличается от уже принятого реестра той же версии`,
    );
  }
}

/** The payload of a registry JWS without any verification (for display only). */
export function decodeRegistryUnverified(jws: string): unknown {
  const part = jws.trim().split('.')[1];
  try {
    if (part === undefined) throw new Error('no payload');
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new EixError(
      'registry.format',
      { field: 'jws' },
      'Не удалось прочитать содержимое реестра доверия: ожидается JWS или JSON',
    );
  }
}
