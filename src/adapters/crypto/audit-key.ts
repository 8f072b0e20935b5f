// The audit log's MAC key (issue 13, ASVS V7.3.3): 32 random bytes in
// EIX_HOME/keys/audit.key (0600), never in the database, so whoever controls
// only the database cannot recompute the keyed chain after a rewrite.
//
// File: {"version":1,"id":"a<8 hex>","created":"<ISO>","key":"<base64>"}.
// The id travels in checkpoints, so a verifier sees which key keyed the log.
// Key material never appears in errors or logs.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { EixError } from '../../domain/errors.js';

const KEY_BYTES = 32;
const FILE_MODE = 0o600;
const ID_RE = /^a[0-9a-f]{8}$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export interface AuditKey {
  readonly id: string;
  readonly created: string;
  readonly key: KeyObject;
}

const fileError = (file: string, message: string, data: Record<string, unknown> = {}): EixError =>
  new EixError('audit.key_file', { path: file, ...data }, message);

/** An audit key held in memory only (tests, tools). */
export function auditKeyFromBytes(bytes: Uint8Array, id = 'a00000000', created = '2026-01-01T00:00:00.000Z'): AuditKey {
  return { id, created, key: createSecretKey(Buffer.from(bytes)) };
}

/** Writes a new key file (mode 0600); refuses to overwrite one: entries keyed with it would no longer verify. */
export async function createAuditKeyFile(file: string, now: Date): Promise<AuditKey> {
  const bytes = randomBytes(KEY_BYTES);
  const content = {
    version: 1,
    id: `a${randomBytes(4).toString('hex')}`,
    created: now.toISOString(),
    key: bytes.toString('base64'),
  };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written whole under a private name, then published with link(): another
  // process of the node starting at the same moment sees no key or a whole one.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', FILE_MODE);
    try {
      await fh.chmod(FILE_MODE);
      await fh.writeFile(`${JSON.stringify(content, null, 2)}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await rm(tmp, { force: true });
    throw fileError(file, `Не удалось записать ключ журнала аудита: ${file}`, {
      errno: (e as NodeJS.ErrnoException).code ?? null,
    });
  }
  try {
    await link(tmp, file);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code ?? null;
    if (errno === 'EEXIST')
      throw fileError(file, `Ключ журнала аудита уже существует и не будет перезаписан: ${file}`, { errno });
    throw fileError(file, `Не удалось создать ключ журнала аудита: ${file}`, { errno });
  } finally {
    await rm(tmp, { force: true });
  }
  return auditKeyFromBytes(bytes, content.id, content.created);
}

/** Reads and checks the key file; null when it does not exist (a node created before audit keys). */
export async function readAuditKeyFile(file: string): Promise<AuditKey | null> {
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code ?? null;
    if (errno === 'ENOENT') return null;
    throw fileError(file, `Не удалось прочитать ключ журнала аудита: ${file}`, { errno });
  }
  if (!st.isFile()) throw fileError(file, `Ключ журнала аудита не является обычным файлом: ${file}`);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new EixError(
      'crypto.key_permissions',
      { path: file, mode },
      `Ключ журнала аудита доступен группе или другим пользователям (права ${mode}); выполните chmod 600 ${file}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // The parser's message may quote key material: never pass it on.
    throw fileError(file, `Ключ журнала аудита повреждён (не JSON): ${file}`);
  }
  const r = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const { id, created, key } = r;
  if (r['version'] !== 1)
    throw fileError(file, `Ключ журнала аудита ${file}: неподдерживаемая версия`, { field: 'version' });
  if (typeof id !== 'string' || !ID_RE.test(id))
    throw fileError(file, `Ключ журнала аудита ${file}: неверный идентификатор`, { field: 'id' });
  if (typeof created !== 'string' || Number.isNaN(Date.parse(created)))
    throw fileError(file, `Ключ журнала аудита ${file}: неверная дата создания`, { field: 'created' });
  if (typeof key !== 'string' || !BASE64_RE.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES)
    throw fileError(file, `Ключ журнала аудита ${file}: ключ должен содержать ${KEY_BYTES} байта в base64`, {
      field: 'key',
    });
  return auditKeyFromBytes(Buffer.from(key, 'base64'), id, created);
}
