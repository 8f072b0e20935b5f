// Encryption at rest of personal data received from another Party (R9.4).
//
// A key file holds a ring of AES-256 keys; the active one seals new data, the
// older ones stay to open what they sealed. Rotation itself never re-encrypts:
// `resealData` (src/app/reseal-data.ts) moves sealed values to the active key,
// after which an old key can be retired (ASVS V1.6.3).
// Sealed format (all integers are single bytes):
//   version (1) | keyId length | keyId (ascii) | IV (12) | ciphertext | tag (16)
// The caller's `aad` (e.g. 'answer:<uuid>') binds a ciphertext to its row, so
// a ciphertext moved to another row does not decrypt. The header is bound too.
//
// Key material never appears in errors or logs: keys live only as KeyObjects
// inside the ring's closure.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { EixError } from '../../domain/errors.js';
import type { DataKeyFile, DataKeyFileSummary } from '../../ports/data-key-file.js';

export const KEY_FILE_VERSION = 1;
export const SEALED_VERSION = 1;
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_RE = /^k[0-9a-f]{8}$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const FILE_MODE = 0o600;

export interface KeyFileEntry {
  readonly id: string;
  readonly created: string;
  readonly key: string;
}

export interface KeyFile {
  readonly version: 1;
  readonly active: string;
  readonly keys: readonly KeyFileEntry[];
  /**
   * Blind-index key (base64, 32 bytes). Absent until the first key is retired: until then the
   * index key is derived from the first key; retiring it stores the derived key here so that
   * the keyed hashes already in the database keep matching.
   */
  readonly index?: string;
}

/** What a key file says about its keys, without key material. */
export type KeyFileSummary = DataKeyFileSummary;

export interface KeyRing {
  /** Id of the key that seals new data. */
  readonly activeKeyId: string;
  /** Ids of all keys in the ring (active one included). */
  readonly keyIds: readonly string[];
  encrypt(plain: Uint8Array, aad: string): Buffer;
  decrypt(sealed: Uint8Array, aad: string): Buffer;
  encryptJson(value: unknown, aad: string): Buffer;
  decryptJson<T>(sealed: Uint8Array, aad: string): T;
  /**
   * Keyed hash for searching encrypted data (national ids, name keys). Derived
   * from the first key of the file (kept in the file's `index` once that key is
   * retired), so it stays stable across rotations.
   */
  blindIndex(value: string): string;
}

type CryptoReason =
  | 'crypto.key_exists'
  | 'crypto.key_file'
  | 'crypto.key_permissions'
  | 'crypto.unknown_key'
  | 'crypto.decrypt'
  | 'data_key.unknown'
  | 'data_key.active';

function cryptoError(reason: CryptoReason, data: Record<string, unknown>, message: string): EixError {
  return new EixError(reason, data, message);
}

/** A fresh key id: 'k' + 8 random hex chars. */
export function newKeyId(): string {
  return `k${randomBytes(4).toString('hex')}`;
}

function newEntry(now: Date): KeyFileEntry {
  return { id: newKeyId(), created: now.toISOString(), key: randomBytes(KEY_BYTES).toString('base64') };
}

function serialize(file: KeyFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Creates a new key file with one active key. Refuses if the file exists:
 * a key is never overwritten (data sealed with it would be lost).
 */
export async function createKeyFile(file: string, now: Date = new Date()): Promise<void> {
  const entry = newEntry(now);
  const content: KeyFile = { version: KEY_FILE_VERSION, active: entry.id, keys: [entry] };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let fh;
  try {
    fh = await open(file, 'wx', FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw cryptoError(
        'crypto.key_exists',
        { path: file },
        `Файл ключей уже существует и не будет перезаписан: ${file}`,
      );
    }
    throw cryptoError(
      'crypto.key_file',
      { path: file, errno: (e as NodeJS.ErrnoException).code ?? null },
      `Не удалось создать файл ключей: ${file}`,
    );
  }
  try {
    try {
      await fh.chmod(FILE_MODE);
      await fh.writeFile(serialize(content), 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    // The file was created by this call (flag 'wx'): do not leave a partial key behind.
    await rm(file, { force: true });
    throw cryptoError(
      'crypto.key_file',
      { path: file, errno: (e as NodeJS.ErrnoException).code ?? null },
      `Не удалось записать файл ключей: ${file}`,
    );
  }
  await syncDir(path.dirname(file));
}

/**
 * Adds a new key and makes it active; older keys stay for decryption.
 * The file is replaced atomically (temp file + rename), mode 0600.
 * Returns the new key id.
 */
export async function rotateKey(file: string, now: Date = new Date()): Promise<string> {
  const current = await readKeyFile(file);
  let entry = newEntry(now);
  while (current.keys.some((k) => k.id === entry.id)) entry = newEntry(now);
  await replaceKeyFile(file, { ...current, active: entry.id, keys: [...current.keys, entry] });
  return entry.id;
}

/**
 * Removes a key that no longer seals anything (the caller has checked that no stored
 * value uses it: data sealed with a removed key can never be opened again). The active
 * key cannot be retired. Retiring the first key keeps the blind index: its derived
 * index key is written to the file first.
 */
export async function retireKey(file: string, keyId: string): Promise<void> {
  const current = await readKeyFile(file);
  const at = current.keys.findIndex((k) => k.id === keyId);
  if (at < 0) {
    throw cryptoError(
      'data_key.unknown',
      { field: 'keyId', keyId, known: current.keys.map((k) => k.id) },
      `Ключа ${keyId} нет в файле ключей (есть: ${current.keys.map((k) => k.id).join(', ')})`,
    );
  }
  if (current.active === keyId) {
    throw cryptoError(
      'data_key.active',
      { field: 'keyId', keyId },
      `Ключ ${keyId} активен (им шифруются новые данные) и не может быть выведен из обращения; сначала выполните eix node rotate-data-key`,
    );
  }
  const index = current.index ?? indexKeyOf(current).toString('base64');
  await replaceKeyFile(file, { ...current, index, keys: current.keys.filter((k) => k.id !== keyId) });
}

/** Key ids and dates of a key file (no key material). */
export async function describeKeyFile(file: string): Promise<KeyFileSummary> {
  const f = await readKeyFile(file);
  return { active: f.active, keys: f.keys.map((k) => ({ id: k.id, created: k.created })) };
}

/** Replaces a key file atomically (temp file + rename), mode 0600. Concurrent writers of one file are not serialized. */
async function replaceKeyFile(file: string, next: KeyFile): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', FILE_MODE);
    try {
      await fh.chmod(FILE_MODE);
      await fh.writeFile(serialize(next), 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    if (e instanceof EixError) throw e;
    throw cryptoError(
      'crypto.key_file',
      { path: file, errno: (e as NodeJS.ErrnoException).code ?? null },
      `Не удалось записать файл ключей: ${file}`,
    );
  }
  await syncDir(path.dirname(file));
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; not supported everywhere (e.g. Windows), hence best effort.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // ignore
  }
}

/** Reads, permission-checks and validates a key file, then builds the ring. */
export async function loadKeyRing(file: string): Promise<KeyRing> {
  return keyRingFromFile(await readKeyFile(file));
}

async function readKeyFile(file: string): Promise<KeyFile> {
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code ?? null;
    throw cryptoError(
      'crypto.key_file',
      { path: file, errno },
      errno === 'ENOENT' ? `Файл ключей не найден: ${file}` : `Не удалось прочитать файл ключей: ${file}`,
    );
  }
  if (!st.isFile()) {
    throw cryptoError('crypto.key_file', { path: file }, `Файл ключей не является обычным файлом: ${file}`);
  }
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw cryptoError(
      'crypto.key_permissions',
      { path: file, mode },
      `Файл ключей доступен группе или другим пользователям (права ${mode}); выполните chmod 600 ${file}`,
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw cryptoError(
      'crypto.key_file',
      { path: file, errno: (e as NodeJS.ErrnoException).code ?? null },
      `Не удалось прочитать файл ключей: ${file}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message may quote file content (key material): never pass it on.
    throw cryptoError('crypto.key_file', { path: file }, `Файл ключей не является корректным JSON: ${file}`);
  }
  return validateKeyFile(json, file);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateKeyFile(json: unknown, file: string): KeyFile {
  const bad = (field: string, what: string): EixError =>
    cryptoError('crypto.key_file', { path: file, field }, `Неверный формат файла ключей ${file}: ${what}`);
  if (!isRecord(json)) throw bad('', 'ожидается объект JSON');
  if (json['version'] !== KEY_FILE_VERSION)
    throw bad('version', `неподдерживаемая версия (ожидается ${KEY_FILE_VERSION})`);
  const keys = json['keys'];
  if (!Array.isArray(keys) || keys.length === 0) throw bad('keys', 'нет ни одного ключа');
  const seen = new Set<string>();
  const out: KeyFileEntry[] = [];
  keys.forEach((k: unknown, i) => {
    const field = `keys[${i}]`;
    if (!isRecord(k)) throw bad(field, 'запись ключа должна быть объектом');
    const { id, created, key } = k;
    if (typeof id !== 'string' || !KEY_ID_RE.test(id)) throw bad(`${field}.id`, 'неверный идентификатор ключа');
    if (seen.has(id)) throw bad(`${field}.id`, `идентификатор ключа ${id} повторяется`);
    seen.add(id);
    if (typeof created !== 'string' || Number.isNaN(Date.parse(created))) {
      throw bad(`${field}.created`, `неверная дата создания ключа ${id}`);
    }
    if (typeof key !== 'string' || !BASE64_RE.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) {
      throw bad(`${field}.key`, `ключ ${id} должен содержать ${KEY_BYTES} байта в base64`);
    }
    out.push({ id, created, key });
  });
  const active = json['active'];
  if (typeof active !== 'string' || !seen.has(active)) throw bad('active', 'активный ключ отсутствует в списке ключей');
  const index = json['index'];
  if (index === undefined) return { version: KEY_FILE_VERSION, active, keys: out };
  if (typeof index !== 'string' || !BASE64_RE.test(index) || Buffer.from(index, 'base64').length !== KEY_BYTES) {
    throw bad('index', `ключ индекса поиска должен содержать ${KEY_BYTES} байта в base64`);
  }
  return { version: KEY_FILE_VERSION, active, keys: out, index };
}

function header(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  return Buffer.concat([Buffer.from([SEALED_VERSION, id.length]), id]);
}

function gcmAad(head: Uint8Array, aad: string): Buffer {
  return Buffer.concat([head, Buffer.from(aad, 'utf8')]);
}

/** The blind-index key derived from the first key of a file (before any key was retired). */
function indexKeyOf(file: KeyFile): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(file.keys[0]!.key, 'base64'), Buffer.alloc(0), 'eix blind index v1', 32),
  );
}

/** The header a sealed value starts with when sealed under `keyId` (used to find values by key in SQL). */
export function sealedHeader(keyId: string): Buffer {
  return header(keyId);
}

/** Builds a ring from an already validated key file (exported for tests and tools). */
export function keyRingFromFile(file: KeyFile): KeyRing {
  const keys = new Map<string, KeyObject>();
  for (const k of file.keys) keys.set(k.id, createSecretKey(Buffer.from(k.key, 'base64')));
  const activeKeyId = file.active;
  const activeKey = keys.get(activeKeyId);
  if (!activeKey)
    throw cryptoError('crypto.unknown_key', { keyId: activeKeyId }, 'Активный ключ шифрования отсутствует');
  const sealKey: KeyObject = activeKey;
  const keyIds = Object.freeze([...keys.keys()]);
  const indexKey = file.index ? Buffer.from(file.index, 'base64') : indexKeyOf(file);
  const blindIndex = (value: string): string =>
    createHmac('sha256', indexKey).update(value, 'utf8').digest('base64url').slice(0, 24);

  const undecryptable = (data: Record<string, unknown>, why: string): EixError =>
    cryptoError('crypto.decrypt', data, `Не удалось расшифровать данные: ${why}`);

  function encrypt(plain: Uint8Array, aad: string): Buffer {
    const head = header(activeKeyId);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, sealKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(gcmAad(head, aad));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([head, iv, body, cipher.getAuthTag()]);
  }

  function decrypt(sealed: Uint8Array, aad: string): Buffer {
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (buf.length < 2) throw undecryptable({}, 'данные повреждены');
    const version = buf[0];
    if (version !== SEALED_VERSION) throw undecryptable({ version }, 'неподдерживаемая версия формата');
    const idLen = buf[1] ?? 0;
    const ivStart = 2 + idLen;
    if (buf.length < ivStart + IV_BYTES + TAG_BYTES) throw undecryptable({}, 'данные повреждены');
    const keyId = buf.subarray(2, ivStart).toString('ascii');
    const key = keys.get(keyId);
    if (!key) {
      throw cryptoError(
        'crypto.unknown_key',
        { keyId: KEY_ID_RE.test(keyId) ? keyId : null },
        KEY_ID_RE.test(keyId)
          ? `Ключ шифрования ${keyId} отсутствует в файле ключей`
          : 'Не удалось расшифровать данные: данные повреждены',
      );
    }
    const iv = buf.subarray(ivStart, ivStart + IV_BYTES);
    const body = buf.subarray(ivStart + IV_BYTES, buf.length - TAG_BYTES);
    const tag = buf.subarray(buf.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(gcmAad(buf.subarray(0, ivStart), aad));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw undecryptable({ keyId }, 'данные повреждены или относятся к другой записи');
    }
  }

  function encryptJson(value: unknown, aad: string): Buffer {
    const text = JSON.stringify(value);
    if (text === undefined) {
      throw new EixError('internal', { reason: 'crypto.json' }, 'Значение не может быть представлено в JSON');
    }
    return encrypt(Buffer.from(text, 'utf8'), aad);
  }

  function decryptJson<T>(sealed: Uint8Array, aad: string): T {
    const plain = decrypt(sealed, aad);
    try {
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      throw undecryptable({}, 'расшифрованные данные не являются JSON');
    }
  }

  return Object.freeze({ activeKeyId, keyIds, encrypt, decrypt, encryptJson, decryptJson, blindIndex });
}

/** The key file at `file` as the DataKeyFile port. */
export function dataKeyFile(file: string): DataKeyFile {
  return {
    describe: () => describeKeyFile(file),
    rotate: (now) => rotateKey(file, now),
    retire: (keyId) => retireKey(file, keyId),
  };
}
