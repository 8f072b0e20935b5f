// CLI contract (stable; scripts depend on it): every command prints JSON with
// --json and exits 0 when it ran (the answer is in the JSON); on bad input it
// exits 2 and prints {"error":{"code","message","details"}} on stdout. Without
// --json it prints a Russian summary for people, and errors on stderr.
import { readFile } from 'node:fs/promises';
import { EixError, isEixError } from '../domain/errors.js';
import { isIsoDate, parseInstant } from '../domain/dates.js';
import { PARTY_CODE } from '../domain/parties.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

export interface Output {
  readonly json: boolean;
  readonly io: Io;
}

/** Prints a command's answer: JSON for scripts, the human rendering otherwise. */
export function print<T>(o: Output, result: T, human: (r: T) => string): void {
  o.io.out(o.json ? JSON.stringify(result, null, 2) : human(result));
}

/** Prints an error; returns the exit code (2 for bad input, 1 for our own failure). */
export function printError(o: Output, e: unknown): number {
  const err = isEixError(e)
    ? e
    : new EixError('internal', {}, 'Внутренняя ошибка: ' + (e instanceof Error ? e.message : String(e)));
  const bad = err.http < 500;
  if (o.json) o.io.out(JSON.stringify({ error: err.toJSON() }, null, 2));
  else o.io.err(`Ошибка [${err.code}]: ${err.message}`);
  return bad ? EXIT_BAD_INPUT : EXIT_FAILURE;
}

/**
 * An input file of a command, named by its option or argument (`field`): a missing or unreadable one is refused
 * with `input.file` naming both. A positional argument (`<file>`) is not repeated in the Russian message.
 */
export async function readInputFile(file: string, field: string): Promise<Buffer>;
export async function readInputFile(file: string, field: string, encoding: 'utf8'): Promise<string>;
export async function readInputFile(file: string, field: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding ? await readFile(file, encoding) : await readFile(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'файл не найден' : 'файл недоступен для чтения';
    const named = field.startsWith('<') ? '' : ` (${field})`;
    throw new EixError('input.file', { field, file }, `Не удалось прочитать файл ${file}${named}: ${reason}`);
  }
}

export async function readJsonFile(file: string, field: string): Promise<unknown> {
  const text = await readInputFile(file, field, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new EixError(
      'input.json',
      { field, file },
      `Файл ${file} (${field}) не является корректным JSON: ${(e as Error).message}`,
    );
  }
}

export function dateOption(value: unknown, field: string): string {
  if (!isIsoDate(value)) {
    throw new EixError(
      'input.date',
      { field, value },
      `Параметр ${field}: дата должна быть указана в формате ГГГГ-ММ-ДД (получено: ${String(value)})`,
    );
  }
  return value;
}

export function instantOption(value: unknown, field: string): Date {
  const t = parseInstant(value);
  if (!t) {
    throw new EixError(
      'input.instant',
      { field, value },
      `Параметр ${field}: момент времени должен быть в формате ISO 8601 с часовым поясом, например 2026-01-15T10:30:00+03:00 (получено: ${String(value)})`,
    );
  }
  return t;
}

export function partyOption(value: unknown, field: string): string {
  const code = typeof value === 'string' ? value.toUpperCase() : '';
  if (!PARTY_CODE.test(code)) {
    throw new EixError(
      'input.party',
      { field, value },
      `Параметр ${field}: код Стороны — две латинские буквы ISO 3166 (например, RU, KZ), получено: ${String(value)}`,
    );
  }
  return code;
}

/**
 * Runs a use case for a command and names the command-line option in its input
 * error instead of the use case's field (`bodyId` → `--body`).
 */
export async function asOptions<T>(run: () => Promise<T> | T, options: Readonly<Record<string, string>>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof EixError)) throw e;
    const field =
      typeof e.data.field === 'string' ? e.data.field : e.code === 'request.not_found' ? 'requestId' : undefined;
    const option = field !== undefined ? (options[field] ?? options[field.split(/[.[]/)[0] ?? '']) : undefined;
    if (option) throw new EixError(e.code, { ...e.data, field: option, inputField: field }, e.message);
    throw e;
  }
}
