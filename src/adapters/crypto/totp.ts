// TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s) through otplib 13, and
// one-time recovery codes (issue 13, item 3; ASVS V2.8.x, V2.6.x). Replay: the
// caller keeps the last accepted time step and passes it back (`afterStep`).
import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';

export const TOTP_PERIOD = 30;
/** One period either side: a phone clock a little off, or a code typed at the turn of a period. */
const TOLERANCE_SECONDS = TOTP_PERIOD;
const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A new 160-bit secret, base32 (what authenticator apps take). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, issuer: string, account: string): string {
  return generateURI({ issuer, label: account, secret });
}

/** The accepted time step, or null (wrong, malformed, or not after `afterStep`). */
export async function verifyTotp(
  secret: string,
  code: string,
  now: Date,
  afterStep: number | null,
): Promise<number | null> {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const epoch = Math.floor(now.getTime() / 1000);
  const r = await verify({
    secret,
    token,
    epoch,
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  return r.valid && 'timeStep' in r ? r.timeStep : null;
}

/** Ten recovery codes of 120 random bits each (24 characters, shown as six groups of four). */
export function newRecoveryCodes(n = 10): string[] {
  return Array.from({ length: n }, () => {
    const bytes = randomBytes(24);
    const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]!).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** What a recovery code is stored as: SHA-256 of its normalised form (the code has ≥112 bits, V2.6.2). */
export function recoveryCodeHash(code: string): string {
  const norm = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return createHash('sha256').update(`eix-recovery:${norm}`).digest('hex');
}

export const looksLikeRecoveryCode = (code: string): boolean =>
  code.toUpperCase().replace(/[^A-Z0-9]/g, '').length === 24;
