// Reads the Parties' working-day calendars from `data/calendars/<CC>/<year>.json`.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCalendar, parseCalendarYear, type Calendar } from '../../domain/calendar.js';
import { EixError } from '../../domain/errors.js';

export const DEFAULT_CALENDARS_DIR = fileURLToPath(new URL('../../../data/calendars', import.meta.url));

const cache = new Map<string, Promise<Calendar>>();

/** All years of one Party's calendar, checked; cached per directory. */
export function loadCalendar(party: string, dir: string = DEFAULT_CALENDARS_DIR): Promise<Calendar> {
  const key = `${dir}\u0000${party}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = readCalendar(party, dir);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

async function readCalendar(party: string, dir: string): Promise<Calendar> {
  const partyDir = path.join(dir, party);
  let files: string[];
  try {
    files = (await readdir(partyDir)).filter((f) => /^\d{4}\.json$/.test(f)).sort();
  } catch {
    files = [];
  }
  if (files.length === 0) {
    throw new EixError(
      'calendar.missing',
      { field: 'party', party },
      `Нет производственного календаря Стороны ${party} (${partyDir})`,
    );
  }
  const years = await Promise.all(
    files.map(async (f) => {
      const file = path.join(partyDir, f);
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch (e) {
        throw new EixError(
          'calendar.format',
          { file },
          `Не удалось прочитать календарь ${file}: ${(e as Error).message}`,
        );
      }
      try {
        const year = parseCalendarYear(json);
        if (year.party !== party || `${year.year}.json` !== f) {
          throw new EixError(
            'calendar.format',
            { file, field: 'year' },
            `Календарь ${file} описывает ${year.party} ${year.year}, а не ${party} ${f.slice(0, 4)}`,
          );
        }
        return year;
      } catch (e) {
        if (e instanceof EixError && !e.data.file)
          throw new EixError(e.code, { ...e.data, file }, `${file}: ${e.message}`);
        throw e;
      }
    }),
  );
  return buildCalendar(years);
}
