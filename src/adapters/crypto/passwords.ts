// Operator passwords (scrypt) and API tokens (random secrets stored as sha256).
//
// Password encoding: scrypt$N$r$p$saltB64$hashB64 — the parameters travel with
// the hash, so they can be raised later without invalidating stored hashes.
// API token: eix_<id: 8 hex>_<32 random bytes, base64url>; the id is a lookup
// key (not secret), only the sha256 of the whole token is stored.
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { checkPassword, normalizePassword, type PasswordContext } from '../../domain/password-policy.js';

export const SCRYPT_N = 2 ** 15;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Upper bounds accepted when verifying, so a crafted hash cannot exhaust memory/CPU.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** No 0/O/o, 1/l/I: safe to dictate or copy from paper. */
export const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
export const PASSWORD_LENGTH = 16;

const TOKEN_RE = /^eix_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
const B64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

function scryptAsync(pw: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(normalizePassword(pw), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  // scrypt needs about 128 * N * r bytes; leave headroom over Node's 32 MiB default.
  return { N, r, p, maxmem: 128 * N * r * 2 + 1024 * 1024 };
}

export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(pw, salt, KEY_BYTES, scryptOptions(SCRYPT_N, SCRYPT_R, SCRYPT_P));
  return ['scrypt', SCRYPT_N, SCRYPT_R, SCRYPT_P, salt.toString('base64'), hash.toString('base64')].join('$');
}

function parseInt10(s: string | undefined): number | null {
  return s !== undefined && /^[1-9]\d{0,9}$/.test(s) ? Number(s) : null;
}

/** False for a wrong password and for a malformed or out-of-bounds encoding. */
export async function verifyPassword(pw: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const N = parseInt10(parts[1]);
  const r = parseInt10(parts[2]);
  const p = parseInt10(parts[3]);
  const saltB64 = parts[4] ?? '';
  const hashB64 = parts[5] ?? '';
  if (N === null || r === null || p === null) return false;
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r > MAX_R || p > MAX_P) return false;
  if (!B64_RE.test(saltB64) || !B64_RE.test(hashB64)) return false;
  const salt = Buffer.from(saltB64, 'base64');
  const expected = Buffer.from(hashB64, 'base64');
  if (salt.length < 8 || expected.length < 16 || expected.length > 64) return false;
  const actual = await scryptAsync(pw, salt, expected.length, scryptOptions(N, r, p));
  return timingSafeEqual(actual, expected);
}

/** True when a stored hash uses weaker parameters than the current ones. */
export function passwordNeedsRehash(encoded: string): boolean {
  const [scheme, n, r, p] = encoded.split('$');
  return scheme !== 'scrypt' || Number(n) < SCRYPT_N || Number(r) < SCRYPT_R || Number(p) < SCRYPT_P;
}

/** A random password that passes the policy (a draw that happens to spell the login or a common word is redrawn). */
export function generatePassword(context: PasswordContext = {}): string {
  // About 93 bits: a redraw is rare, a hundred in a row means the generator no longer fits the policy.
  for (let attempt = 0; attempt < 100; attempt++) {
    let out = '';
    for (let i = 0; i < PASSWORD_LENGTH; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
    if (checkPassword(out, context).problem === null) return out;
  }
  throw new Error('generatePassword: no generated password meets the password policy');
}

export interface ApiToken {
  /** The secret, shown once to the user. */
  readonly token: string;
  /** Public lookup id (8 hex chars), also embedded in the token. */
  readonly id: string;
  /** sha256 hex of the token: the only thing stored. */
  readonly hash: string;
}

export function generateApiToken(): ApiToken {
  const id = randomBytes(4).toString('hex');
  const token = `eix_${id}_${randomBytes(32).toString('base64url')}`;
  return { token, id, hash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The id of a well-formed token, null for anything else. */
export function parseApiTokenId(token: string): string | null {
  return TOKEN_RE.exec(token)?.[1] ?? null;
}

/** Constant-time comparison of a presented token with a stored sha256 hex hash. */
export function verifyApiToken(token: string, storedHash: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashApiToken(token), 'hex'), Buffer.from(storedHash, 'hex'));
}
