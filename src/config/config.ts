// Configuration: read once from the environment into a typed, validated object
// (ARCHITECTURE rule 5). Nothing else reads process.env.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { EixError } from '../domain/errors.js';
import { BUNDLE_MAX_MESSAGES } from '../domain/messages.js';
import { DEFAULT_DIGEST_HOUR } from '../domain/mail.js';
import {
  DEFAULT_BUNDLE_LIMITS,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSIONS,
  isProtocolVersion,
  type BundleLimits,
  type ProtocolVersion,
} from '../domain/protocol.js';

export interface Config {
  /** Root of the shipped data (calendars, treaty files, schemas). */
  readonly dataDir: string;
  /** A fixed "today" for reproducible runs and demos (EIX_TODAY=YYYY-MM-DD); the system clock otherwise. */
  readonly today: string | null;
  /** The node's home directory: node.json, keys/, db/ (EIX_HOME, default ./var/node). */
  readonly home: string;
  /** PostgreSQL for production (EIX_DATABASE_URL); the embedded PGlite in home/db otherwise. */
  readonly databaseUrl: string | null;
  /** The depositary's events (until the signed registry replaces it): EIX_TREATY_EVENTS. */
  readonly treatyEventsFile: string;
  /** HTTP listen address (EIX_HOST, EIX_PORT). */
  readonly host: string;
  readonly port: number;
  /** Federation endpoint (mutual TLS): EIX_FEDERATION_HOST, EIX_FEDERATION_PORT. */
  readonly federationHost: string;
  readonly federationPort: number;
  /** Log level for pino (EIX_LOG_LEVEL). */
  readonly logLevel: string;
  /** REST API requests per minute per client address (EIX_API_RATE_LIMIT, default 600). */
  readonly apiRateLimit: number;
  /** Failed authentications (bad API tokens, bad passwords) per client address per 15 minutes (EIX_AUTH_FAILURE_LIMIT, default 10). */
  readonly authFailureLimit: number;
  /** Web uploads: the whole request in bytes (EIX_UPLOAD_MAX_BYTES, default 50 MiB) and files per request (EIX_UPLOAD_MAX_FILES, default 10). */
  readonly uploadMaxBytes: number;
  readonly uploadMaxFiles: number;
  /**
   * Oldest trust registry the node sends under (EIX_REGISTRY_MAX_AGE_DAYS, default 30, from its issuedAt):
   * past 80 % of it the node warns, past it the outbox holds messages until a newer registry is installed.
   */
  readonly registryMaxAgeDays: number;
  /** How often a running node looks for a newer registry in registry.jws and in the database (EIX_REGISTRY_CHECK_SECONDS, default 5). */
  readonly registryCheckSeconds: number;
  /**
   * Protocol versions the node speaks (EIX_PROTOCOL_VERSIONS, e.g. "1,2"; default every version of this code).
   * An operator narrows it to keep talking as an older node until the depositary's registry says otherwise.
   */
  readonly protocolVersions: readonly ProtocolVersion[];
  /** Bundled delivery (docs/MESSAGES.md §2.1): EIX_BUNDLE_MAX_MESSAGES (1–500), EIX_BUNDLE_MAX_BYTES, EIX_BUNDLE_LINGER_MS. */
  readonly bundle: BundleLimits;
  /** HTTPS for the API/UI listener: PEM files EIX_TLS_CERT (with its chain) and EIX_TLS_KEY; plain HTTP when unset. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /**
   * Reverse proxies whose X-Forwarded-For/-Proto are believed (EIX_TRUST_PROXY): false (default) or their
   * addresses/CIDRs (Fastify trustProxy, proxy-addr names loopback/linklocal/uniquelocal allowed).
   */
  readonly trustProxy: false | readonly string[];
  /** TLS to PostgreSQL (EIX_DATABASE_SSL, EIX_DATABASE_SSL_CA); null leaves it to EIX_DATABASE_URL. */
  readonly databaseSsl: DatabaseSsl | null;
  /** A web session unused this long ends (EIX_SESSION_IDLE_MINUTES, default 30; ASVS V3.3.2). */
  readonly sessionIdleMinutes: number;
  /**
   * E-mail notices to officers (issue 17 item 3): the SMTP server (EIX_SMTP_URL, smtp:// or smtps://), the
   * sender (EIX_MAIL_FROM, required with it) and the local hour of the daily digest (EIX_MAIL_DIGEST_HOUR,
   * 0–23, default 8). null when EIX_SMTP_URL is not set: no letter is sent.
   */
  readonly mail: MailConfig | null;
  /**
   * The node's address as officers open it in a browser, for the links in letters (EIX_PUBLIC_URL, e.g.
   * https://eix.fssp.example); by default the listener's own address (EIX_HOST, EIX_PORT).
   */
  readonly publicUrl: string;
  /** A fault-test hook, null unless EIX_TEST_HOLD_RECEIPT is set (never in production; receipt-hold.ts). */
  readonly testHoldReceipt: ReceiptHold | null;
}

export const HOLD_POINTS = ['transaction', 'answer'] as const;
export type HoldPoint = (typeof HOLD_POINTS)[number];

/**
 * EIX_TEST_HOLD_RECEIPT=`<point>[:<ms>[:<times>]]`: the node holds its first `times` receipts (default 1) at
 * `point` for `ms` milliseconds (default: until the process ends). See src/adapters/federation/receipt-hold.ts.
 */
export interface ReceiptHold {
  readonly point: HoldPoint;
  /** How long each hold lasts; null: until the process ends. */
  readonly ms: number | null;
  /** How many receipts are held (the first ones the process makes). */
  readonly times: number;
}

export function parseReceiptHold(value: string | undefined): ReceiptHold | null {
  if (!value) return null;
  const [point, ms, times, ...rest] = value.split(':');
  const number = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
  const msN = number(ms);
  const timesN = number(times) ?? 1;
  if (
    !(HOLD_POINTS as readonly string[]).includes(point ?? '') ||
    rest.length > 0 ||
    (msN !== null && !(Number.isInteger(msN) && msN >= 0)) ||
    !(Number.isInteger(timesN) && timesN >= 1)
  )
    throw new EixError(
      'input.invalid',
      { field: 'EIX_TEST_HOLD_RECEIPT', value },
      'Переменная EIX_TEST_HOLD_RECEIPT (только для тестов отказов): transaction или answer, затем :миллисекунды и :число квитанций',
    );
  return { point: point as HoldPoint, ms: msN, times: timesN };
}

export interface MailConfig {
  readonly smtpUrl: string;
  readonly from: string;
  readonly digestHour: number;
}

/** libpq's sslmode values that `pg` can honour exactly ('allow'/'prefer' fall back to plain text and are not offered). */
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type DatabaseSslMode = (typeof DATABASE_SSL_MODES)[number];
export interface DatabaseSsl {
  readonly mode: DatabaseSslMode;
  /** PEM file of the CA(s) that issued the server's certificate; the system store otherwise. */
  readonly caFile: string | null;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** EIX_TRUST_PROXY: unset/"false" → no proxy; "10.0.0.5,192.168.0.0/24,loopback" → the proxies' addresses. */
function parseTrustProxy(value: string | undefined): false | readonly string[] {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === 'off' || v === '0') return false;
  const bad = (why: string) =>
    new EixError(
      'input.invalid',
      { field: 'EIX_TRUST_PROXY', value },
      `Переменная EIX_TRUST_PROXY: ${why}. укажите адреса или подсети обратных прокси-серверов через запятую (например 127.0.0.1,10.0.0.0/8)`,
    );
  // A hop count cannot check who sent the headers (Fastify 5 then trusts nothing): addresses only.
  if (/^\d+$/.test(v)) throw bad('число прокси-серверов не принимается, нужен адрес прокси-сервера');
  if (v === 'true' || v === 'on')
    throw bad('доверие любому адресу позволило бы клиенту подделать свой адрес заголовком X-Forwarded-For');
  const list = v.split(',').map((a) => a.trim());
  for (const a of list) {
    if (PROXY_NAMES.includes(a)) continue;
    const [addr = '', prefix, ...rest] = a.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      rest.length > 0 ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max))
    )
      throw bad(`«${a}» не является IP-адресом или подсетью`);
  }
  return list;
}

/** EIX_SMTP_URL, EIX_MAIL_FROM, EIX_MAIL_DIGEST_HOUR; the URL never appears in a message (it may hold a password). */
function parseMail(env: Readonly<Record<string, string | undefined>>): MailConfig | null {
  const url = env.EIX_SMTP_URL || null;
  const bad = (field: string, why: string) => new EixError('input.invalid', { field }, `Переменная ${field}: ${why}`);
  if (url === null) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(
      'EIX_SMTP_URL',
      'укажите адрес почтового сервера, например smtps://пользователь:пароль@почта.example:465',
    );
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    throw bad('EIX_SMTP_URL', 'адрес должен начинаться с smtp:// или smtps://');
  if (!u.hostname) throw bad('EIX_SMTP_URL', 'не указано имя почтового сервера');
  const from = (env.EIX_MAIL_FROM ?? '').trim();
  if (!from) throw bad('EIX_MAIL_FROM', 'укажите адрес отправителя писем (например eix@fssp.example)');
  if (!/^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(from))
    throw bad('EIX_MAIL_FROM', 'адрес отправителя: адрес@домен или «Имя <адрес@домен>»');
  const hour = Number(env.EIX_MAIL_DIGEST_HOUR ?? String(DEFAULT_DIGEST_HOUR));
  if (!Number.isInteger(hour) || hour < 0 || hour > 23)
    throw bad('EIX_MAIL_DIGEST_HOUR', 'час ежедневной сводки — целое число от 0 до 23');
  return { smtpUrl: url, from, digestHour: hour };
}

/** EIX_PUBLIC_URL, or the listener's address (a wildcard host becomes this machine's name). */
function parsePublicUrl(value: string | undefined, tls: boolean, host: string, port: number): string {
  if (!value) {
    const name = host === '0.0.0.0' || host === '::' || host === '' ? hostname() : host;
    return `${tls ? 'https' : 'http'}://${name.includes(':') ? `[${name}]` : name}:${port}`;
  }
  let u: URL | null = null;
  try {
    u = new URL(value);
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search || u.hash)
    throw new EixError(
      'input.invalid',
      { field: 'EIX_PUBLIC_URL', value },
      'Переменная EIX_PUBLIC_URL: адрес узла, который открывают сотрудники, например https://eix.fssp.example',
    );
  return u.toString().replace(/\/+$/, '');
}

/** The project root: src/config → ../.. (also dist/config → ../..). */
export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const today = env.EIX_TODAY ?? null;
  if (today !== null && !/^\d{4}-\d{2}-\d{2}$/.test(today)) {
    throw new EixError(
      'input.date',
      { field: 'EIX_TODAY', value: today },
      'Переменная EIX_TODAY должна содержать дату в формате ГГГГ-ММ-ДД',
    );
  }
  const dataDir = path.resolve(env.EIX_DATA_DIR ?? path.join(PROJECT_ROOT, 'data'));
  const port = Number(env.EIX_PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_PORT', value: env.EIX_PORT },
      'Переменная EIX_PORT должна содержать номер порта 0–65535',
    );
  }
  const federationPort = Number(env.EIX_FEDERATION_PORT ?? '8443');
  if (!Number.isInteger(federationPort) || federationPort < 0 || federationPort > 65535) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_FEDERATION_PORT', value: env.EIX_FEDERATION_PORT },
      'Переменная EIX_FEDERATION_PORT должна содержать номер порта 0–65535',
    );
  }
  const databaseUrl = env.EIX_DATABASE_URL ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_DATABASE_URL' },
      'Переменная EIX_DATABASE_URL должна начинаться с postgres://',
    );
  }
  const apiRateLimit = Number(env.EIX_API_RATE_LIMIT ?? '600');
  if (!Number.isInteger(apiRateLimit) || apiRateLimit < 1) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_API_RATE_LIMIT', value: env.EIX_API_RATE_LIMIT },
      'Переменная EIX_API_RATE_LIMIT должна содержать целое число запросов в минуту (не меньше 1)',
    );
  }
  const positive = (name: string, fallback: string, what: string, min = 1): number => {
    const v = Number(env[name] ?? fallback);
    if (!Number.isInteger(v) || v < min)
      throw new EixError(
        'input.invalid',
        { field: name, value: env[name] },
        `Переменная ${name} должна содержать ${what}`,
      );
    return v;
  };
  const authFailureLimit = positive(
    'EIX_AUTH_FAILURE_LIMIT',
    '10',
    'целое число неудачных попыток входа за 15 минут (не меньше 1)',
  );
  const uploadMaxBytes = positive(
    'EIX_UPLOAD_MAX_BYTES',
    String(50 * 1024 * 1024),
    'размер запроса в байтах (не меньше 1)',
  );
  const uploadMaxFiles = positive('EIX_UPLOAD_MAX_FILES', '10', 'число файлов в одном запросе (не меньше 1)');
  const bundle: BundleLimits = {
    maxMessages: positive(
      'EIX_BUNDLE_MAX_MESSAGES',
      String(DEFAULT_BUNDLE_LIMITS.maxMessages),
      `число сообщений в пакете (от 1 до ${BUNDLE_MAX_MESSAGES})`,
    ),
    maxBytes: positive(
      'EIX_BUNDLE_MAX_BYTES',
      String(DEFAULT_BUNDLE_LIMITS.maxBytes),
      `размер пакета в байтах (от 1 до ${MAX_MESSAGE_BYTES})`,
    ),
    lingerMs: positive('EIX_BUNDLE_LINGER_MS', String(DEFAULT_BUNDLE_LIMITS.lingerMs), 'время в миллисекундах', 0),
  };
  if (bundle.maxMessages > BUNDLE_MAX_MESSAGES || bundle.maxBytes > MAX_MESSAGE_BYTES)
    throw new EixError(
      'input.invalid',
      { field: bundle.maxMessages > BUNDLE_MAX_MESSAGES ? 'EIX_BUNDLE_MAX_MESSAGES' : 'EIX_BUNDLE_MAX_BYTES' },
      bundle.maxMessages > BUNDLE_MAX_MESSAGES
        ? `Переменная EIX_BUNDLE_MAX_MESSAGES должна быть не больше ${BUNDLE_MAX_MESSAGES}`
        : `Переменная EIX_BUNDLE_MAX_BYTES должна быть не больше ${MAX_MESSAGE_BYTES}`,
    );
  const registryMaxAgeDays = Number(env.EIX_REGISTRY_MAX_AGE_DAYS ?? '30');
  if (!Number.isInteger(registryMaxAgeDays) || registryMaxAgeDays < 1 || registryMaxAgeDays > 3650) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_REGISTRY_MAX_AGE_DAYS', value: env.EIX_REGISTRY_MAX_AGE_DAYS },
      'Переменная EIX_REGISTRY_MAX_AGE_DAYS должна содержать целое число дней от 1 до 3650',
    );
  }
  const registryCheckSeconds = Number(env.EIX_REGISTRY_CHECK_SECONDS ?? '5');
  if (!Number.isFinite(registryCheckSeconds) || registryCheckSeconds < 0.05 || registryCheckSeconds > 3600) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_REGISTRY_CHECK_SECONDS', value: env.EIX_REGISTRY_CHECK_SECONDS },
      'Переменная EIX_REGISTRY_CHECK_SECONDS должна содержать число секунд от 0,05 до 3600',
    );
  }
  const versionList = (env.EIX_PROTOCOL_VERSIONS ?? PROTOCOL_VERSIONS.join(','))
    .split(',')
    .map((v) => Number(v.trim()));
  if (versionList.length === 0 || !versionList.every(isProtocolVersion)) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_PROTOCOL_VERSIONS', value: env.EIX_PROTOCOL_VERSIONS },
      `Переменная EIX_PROTOCOL_VERSIONS: версии протокола через запятую из ${PROTOCOL_VERSIONS.join(', ')}`,
    );
  }
  const sessionIdleMinutes = Number(env.EIX_SESSION_IDLE_MINUTES ?? '30');
  if (!Number.isInteger(sessionIdleMinutes) || sessionIdleMinutes < 1 || sessionIdleMinutes > 600) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_SESSION_IDLE_MINUTES', value: env.EIX_SESSION_IDLE_MINUTES },
      'Переменная EIX_SESSION_IDLE_MINUTES должна содержать целое число минут от 1 до 600',
    );
  }
  const logLevel = env.EIX_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_LOG_LEVEL', value: logLevel },
      'Переменная EIX_LOG_LEVEL: fatal, error, warn, info, debug, trace или silent',
    );
  }
  const tlsCert = env.EIX_TLS_CERT || null;
  const tlsKey = env.EIX_TLS_KEY || null;
  if ((tlsCert === null) !== (tlsKey === null)) {
    const missing = tlsCert === null ? 'EIX_TLS_CERT' : 'EIX_TLS_KEY';
    throw new EixError(
      'input.invalid',
      { field: missing },
      `Переменная ${missing} не задана: для HTTPS нужны обе переменные, EIX_TLS_CERT (сертификат) и EIX_TLS_KEY (закрытый ключ)`,
    );
  }
  const sslMode = env.EIX_DATABASE_SSL || null;
  if (sslMode !== null && !(DATABASE_SSL_MODES as readonly string[]).includes(sslMode)) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_DATABASE_SSL', value: sslMode },
      `Переменная EIX_DATABASE_SSL: ${DATABASE_SSL_MODES.join(', ')}`,
    );
  }
  const sslCa = env.EIX_DATABASE_SSL_CA || null;
  if (sslCa !== null && (sslMode === null || sslMode === 'disable' || sslMode === 'require')) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_DATABASE_SSL_CA' },
      'Переменная EIX_DATABASE_SSL_CA действует только с EIX_DATABASE_SSL=verify-ca или verify-full',
    );
  }
  if (sslMode !== null && databaseUrl !== null && /[?&](ssl|sslmode|sslrootcert|sslcert|sslkey)=/.test(databaseUrl)) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_DATABASE_SSL' },
      'Параметры TLS заданы дважды: уберите ssl/sslmode/sslrootcert из EIX_DATABASE_URL или не задавайте EIX_DATABASE_SSL',
    );
  }
  return {
    dataDir,
    today,
    home: path.resolve(env.EIX_HOME ?? path.join('var', 'node')),
    databaseUrl,
    treatyEventsFile: path.resolve(env.EIX_TREATY_EVENTS ?? path.join(dataDir, 'treaty', 'agreement-2025.json')),
    host: env.EIX_HOST ?? '127.0.0.1',
    port,
    federationHost: env.EIX_FEDERATION_HOST ?? '127.0.0.1',
    federationPort,
    logLevel,
    apiRateLimit,
    authFailureLimit,
    uploadMaxBytes,
    uploadMaxFiles,
    registryMaxAgeDays,
    registryCheckSeconds,
    protocolVersions: [...new Set(versionList as ProtocolVersion[])].sort(),
    bundle,
    tls: tlsCert && tlsKey ? { certFile: path.resolve(tlsCert), keyFile: path.resolve(tlsKey) } : null,
    trustProxy: parseTrustProxy(env.EIX_TRUST_PROXY),
    databaseSsl: sslMode ? { mode: sslMode as DatabaseSslMode, caFile: sslCa ? path.resolve(sslCa) : null } : null,
    sessionIdleMinutes,
    mail: parseMail(env),
    publicUrl: parsePublicUrl(env.EIX_PUBLIC_URL, tlsCert !== null, env.EIX_HOST ?? '127.0.0.1', port),
    testHoldReceipt: parseReceiptHold(env.EIX_TEST_HOLD_RECEIPT),
  };
}
