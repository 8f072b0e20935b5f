// Signed checkpoints of the audit log (issue 13, ASVS V7.3.3): the head of
// the log (last seq, its hash and mac, the count) signed as a compact JWS by
// the node's TLS key — the key whose certificate the Party's CA issued and
// the trust registry lists — with the project's one set of JWS primitives.
// Anyone holding the node certificate can check a checkpoint; shipped off the
// machine, it proves later that the log still holds that entry unchanged and
// is not shorter.
import { decodeProtectedHeader } from 'jose';
import { EixError } from '../../domain/errors.js';
import { readTextIfExists } from '../fs/read-if-exists.js';
import { canonicalBytes, compactSigner, verifiedPayload } from './jws.js';

export const CHECKPOINT_TYP = 'eix-audit-checkpoint+jws';
export const CHECKPOINT_FORMAT = 'eix-audit-checkpoint/1';

export interface CheckpointPayload {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly party: string;
  readonly nodeId: string | null;
  /** Last entry covered (0: empty log). */
  readonly seq: number;
  readonly hash: string;
  readonly mac: string | null;
  /** Entries covered; `legacy` of them were written before the node had its audit key. */
  readonly count: number;
  readonly legacy: number;
  /** Id of the audit key that keyed the log (from keys/audit.key). */
  readonly keyId: string | null;
  readonly at: string;
}

export interface CheckpointSigner {
  readonly certPem: string;
  sign(payload: CheckpointPayload): Promise<string>;
}

const PEM_CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/;

/** The first certificate of a PEM chain (the node's own, before its Party CA). */
export function firstCertificate(chainPem: string): string | null {
  return PEM_CERT_RE.exec(chainPem)?.[0] ?? null;
}

export async function checkpointSigner(keyPem: string, chainPem: string): Promise<CheckpointSigner> {
  const certPem = firstCertificate(chainPem);
  if (!certPem) throw new EixError('audit.no_signing_key', {}, 'В цепочке сертификатов узла нет сертификата');
  const sign = await compactSigner(keyPem, certPem);
  return { certPem, sign: (payload) => sign(canonicalBytes(payload), CHECKPOINT_TYP) };
}

/** The node's TLS key and certificate chain, or null when the node has none (not connected to the exchange). */
export async function loadCheckpointSigner(keyFile: string, chainFile: string): Promise<CheckpointSigner | null> {
  const [keyPem, chainPem] = await Promise.all([readTextIfExists(keyFile), readTextIfExists(chainFile)]);
  return keyPem === null || chainPem === null ? null : checkpointSigner(keyPem, chainPem);
}

const isHex64 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

const formatError = (field: string, what: string): EixError =>
  new EixError('audit.checkpoint_format', { field }, `Неверный формат контрольной точки журнала аудита: ${what}`);

/** Checks a payload's shape (after its signature verified). */
export function parseCheckpointPayload(value: unknown): CheckpointPayload {
  const r = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null) as Record<
    string,
    unknown
  > | null;
  if (!r) throw formatError('', 'ожидается объект JSON');
  if (r['format'] !== CHECKPOINT_FORMAT) throw formatError('format', `поле format должно быть ${CHECKPOINT_FORMAT}`);
  if (typeof r['party'] !== 'string' || !/^[A-Z]{2}$/.test(r['party'])) throw formatError('party', 'поле party');
  if (r['nodeId'] !== null && typeof r['nodeId'] !== 'string') throw formatError('nodeId', 'поле nodeId');
  if (!isCount(r['seq'])) throw formatError('seq', 'поле seq должно быть целым неотрицательным числом');
  if (!isHex64(r['hash'])) throw formatError('hash', 'поле hash должно быть SHA-256 в шестнадцатеричном виде');
  if (r['mac'] !== null && !isHex64(r['mac'])) throw formatError('mac', 'поле mac должно быть HMAC-SHA256 или null');
  if (!isCount(r['count'])) throw formatError('count', 'поле count должно быть целым неотрицательным числом');
  if (!isCount(r['legacy']) || r['legacy'] > r['count']) throw formatError('legacy', 'поле legacy');
  if (r['keyId'] !== null && typeof r['keyId'] !== 'string') throw formatError('keyId', 'поле keyId');
  if (typeof r['at'] !== 'string' || Number.isNaN(Date.parse(r['at']))) throw formatError('at', 'поле at');
  return {
    format: CHECKPOINT_FORMAT,
    party: r['party'],
    nodeId: r['nodeId'],
    seq: r['seq'],
    hash: r['hash'],
    mac: r['mac'],
    count: r['count'],
    legacy: r['legacy'],
    keyId: r['keyId'],
    at: r['at'],
  };
}

/**
 * Verifies a checkpoint with the node certificate given by the verifier —
 * never the one the JWS carries — and returns its payload.
 * Errors: audit.checkpoint_format (not a checkpoint), audit.checkpoint_signature.
 */
export async function verifyCheckpoint(jws: string, certPem: string): Promise<CheckpointPayload> {
  const text = jws.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text))
    throw formatError('', 'ожидается компактная подпись JWS (три части base64url через точку)');
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(text).typ;
  } catch {
    throw formatError('', 'заголовок подписи не читается');
  }
  if (typ !== CHECKPOINT_TYP) throw formatError('typ', `тип документа должен быть ${CHECKPOINT_TYP}`);
  let payload: Uint8Array;
  try {
    payload = await verifiedPayload(text, certPem);
  } catch {
    throw new EixError(
      'audit.checkpoint_signature',
      {},
      'Подпись контрольной точки журнала аудита неверна: она не сделана ключом этого узла или документ изменён',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw formatError('', 'содержимое не является JSON');
  }
  return parseCheckpointPayload(json);
}
