// Reads a Party's region table (R18 routing) from `data/regions/<CC>.json`; a Party without one gets no suggestion.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EixError } from '../../domain/errors.js';
import { readTextIfExists } from '../fs/read-if-exists.js';
import { parseRegionTable, type RegionTable } from '../../domain/regions.js';

export const DEFAULT_REGIONS_DIR = fileURLToPath(new URL('../../../data/regions', import.meta.url));

const cache = new Map<string, Promise<RegionTable | null>>();

/** The Party's region table, checked; null when the Party has none. Cached per directory. */
export function loadRegionTable(party: string, dir: string = DEFAULT_REGIONS_DIR): Promise<RegionTable | null> {
  const key = `${dir}\u0000${party}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = readTable(party, dir);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

async function readTable(party: string, dir: string): Promise<RegionTable | null> {
  if (!/^[A-Z]{2}$/.test(party)) return null;
  const file = path.join(dir, `${party}.json`);
  const text = await readTextIfExists(file);
  if (text === null) return null;
  let table: RegionTable;
  try {
    table = parseRegionTable(JSON.parse(text));
  } catch (e) {
    throw new EixError(
      'input.invalid',
      { file },
      `Не удалось прочитать таблицу регионов ${file}: ${(e as Error).message}`,
    );
  }
  if (table.party !== party)
    throw new EixError('input.invalid', { file }, `Таблица регионов ${file} описывает Сторону ${table.party}`);
  return table;
}
