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
}

/** The project root: src/config → ../.. (also dist/config → ../..). */
export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const today = env.EIX_TODAY ?? null;
  if (today !== null && !/^\d{4}-\d{2}-\d{2}$/.test(today)) {
    throw new EixError('input.date', { field: 'EIX_TODAY', value: today }, 'Переменная EIX_TODAY должна содержать дату в формате ГГГГ-ММ-ДД');
  }
  return {
    dataDir: path.resolve(env.EIX_DATA_DIR ?? path.join(PROJECT_ROOT, 'data')),
    today,
  };
}
