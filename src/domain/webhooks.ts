// Webhooks of national systems (issue 17 item 1, docs/EVENTS.md): which URLs an
// administrator may register, the payload a subscriber receives, when a failed
// delivery is tried again, and the Russian reason of a failure on the admin page.
// Signing (Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`) is in
// src/adapters/webhooks/signature.ts.
import type { EventKind } from './events.js';
import { backoffMs } from './retry.js';

/** How long a delivery is retried before it is failed for good (an administrator may still retry it). */
export const WEBHOOK_MAX_AGE_MS = 24 * 3600_000;
/** How long the node waits for the subscriber's answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** A receiver should refuse a timestamp further than this from its clock (replay window, docs/EVENTS.md). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** The wait before attempt `attempt + 1`: base, 2·base, 4·base … at most an hour. */
export function webhookBackoffMs(attempt: number, baseMs = 10_000): number {
  return backoffMs(attempt, baseMs, 3600_000);
}

/** The JSON body POSTed to a subscriber: the event as the pull feed shows it (no personal data). */
export interface WebhookPayload {
  /** The event id: the same on every retry, unique per node (deduplicate by it). */
  readonly id: string;
  readonly kind: EventKind;
  /** When it happened (ISO 8601, UTC). */
  readonly at: string;
  readonly requestId: string | null;
  readonly bodyId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * A subscriber's URL: https, or http to the loopback interface only (a receiver on the node's own
 * machine, tests); no user name or password in it, no fragment. Returns the Russian problem or null.
 */
export function webhookUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'укажите полный адрес, начиная с https://';
  }
  if (url.length > 2000) return 'адрес длиннее 2000 знаков';
  if (u.username || u.password) return 'адрес не должен содержать имя пользователя или пароль';
  if (u.hash) return 'адрес не должен содержать часть после «#»';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return null;
  if (u.protocol === 'http:') return 'допускается только https:// (http:// — только для адресов этого компьютера)';
  return 'допускается только https://';
}

/**
 * Why a delivery failed, as stored (`webhook_deliveries.last_error`): `status:<code>`, `timeout`,
 * `refused`, `dns`, `tls`, `redirect:<code>` or `network:<detail>`.
 */
export type WebhookErrorCode = string;

/** The Russian reason of a stored failure code (the admin page; no codes on the page). */
export function webhookErrorRu(code: string | null, timeoutMs = WEBHOOK_TIMEOUT_MS): string {
  if (!code) return '';
  const [kind, detail] = [code.split(':')[0], code.split(':').slice(1).join(':')];
  switch (kind) {
    case 'status':
      return `Система ответила ошибкой (код ответа ${detail})`;
    case 'redirect':
      return `Система ответила перенаправлением (код ответа ${detail}); укажите окончательный адрес`;
    case 'timeout':
      return `Система не ответила за ${Math.round(timeoutMs / 1000)} с`;
    case 'refused':
      return 'Система недоступна: соединение отклонено';
    case 'dns':
      return 'Адрес системы не найден (имя сервера не разрешается)';
    case 'tls':
      return 'Сертификат TLS системы не принят';
    default:
      return 'Система недоступна: ошибка сети';
  }
}
