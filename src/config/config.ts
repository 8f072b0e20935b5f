// Configuration: read once from the environment into a typed, validated object
// (ARCHITECTURE rule 5). Nothing else reads process.env.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { EixError } from '../domain/errors.js';

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
  const logLevel = env.EIX_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new EixError(
      'input.invalid',
      { field: 'EIX_LOG_LEVEL', value: logLevel },
      'Переменная EIX_LOG_LEVEL: fatal, error, warn, info, debug, trace или silent',
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
  };
}
