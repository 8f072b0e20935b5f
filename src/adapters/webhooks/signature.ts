// Webhook signatures after Standard Webhooks 1.0 (docs/EVENTS.md): the secret is
// `whsec_<base64 of 32 random bytes>`; the signature is
// base64(HMAC-SHA256(key, `<webhook-id>.<webhook-timestamp>.<raw body>`)),
// sent as `webhook-signature: v1,<signature>`. Any Standard Webhooks library
// verifies it; so does the openssl recipe of docs/EVENTS.md.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_TOLERANCE_SECONDS } from '../../domain/webhooks.js';

export const SECRET_PREFIX = 'whsec_';

/** A new per-subscription secret (shown once to the administrator). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/** The `webhook-signature` header value for one delivery. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The headers of one delivery (timestamp: Unix seconds when it is sent). */
export function webhookHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

/**
 * The receiver's check (what docs/EVENTS.md tells a national system to do): the signature over the raw
 * body is one of the `v1,` entries, and the timestamp is within the tolerance of `now`.
 */
export function verifyWebhook(
  secret: string,
  headers: { readonly id: string; readonly timestamp: string; readonly signature: string },
  body: string,
  now: Date,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): { readonly ok: true } | { readonly ok: false; readonly reason: 'timestamp' | 'signature' } {
  const ts = Number(headers.timestamp);
  if (!/^\d{1,12}$/.test(headers.timestamp) || Math.abs(now.getTime() / 1000 - ts) > toleranceSeconds)
    return { ok: false, reason: 'timestamp' };
  const expected = Buffer.from(signWebhook(secret, headers.id, ts, body).slice(3), 'base64');
  const match = headers.signature.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'signature' };
}
