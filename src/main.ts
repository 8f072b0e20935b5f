// Hand wiring (ARCHITECTURE rule 6): config → adapters → the use cases' context.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCalendar } from './adapters/calendars/json-calendar-source.js';
import { shiftedClock, systemClock } from './adapters/clock/system-clock.js';
import { loadKeyRing } from './adapters/crypto/data-key.js';
import { openDatabase, type Database } from './adapters/db/database.js';
import type { AppContext } from './app/context.js';
import type { Config } from './config/config.js';
import { EixError } from './domain/errors.js';
import { loadTreaty } from './domain/treaty.js';

/** `node.json` in the node's home: what `eix node init` recorded. */
export interface NodeInfo {
  readonly party: string;
  readonly name: string;
  readonly createdAt: string;
}

export const nodePaths = (home: string) => ({
  info: path.join(home, 'node.json'),
  keys: path.join(home, 'keys'),
  dataKey: path.join(home, 'keys', 'data.key'),
  db: path.join(home, 'db'),
});

export async function readNodeInfo(home: string): Promise<NodeInfo> {
  let text: string;
  try {
    text = await readFile(nodePaths(home).info, 'utf8');
  } catch {
    throw new EixError('node.not_initialised', { field: 'EIX_HOME', home }, `Узел не создан в ${home}: выполните eix node init`);
  }
  const info = JSON.parse(text) as NodeInfo;
  if (!/^[A-Z]{2}$/.test(info.party)) throw new EixError('node.not_initialised', { home }, `Файл ${nodePaths(home).info} повреждён`);
  return info;
}

export interface Wired {
  readonly ctx: AppContext;
  readonly database: Database;
  readonly node: NodeInfo;
  close(): Promise<void>;
}

export async function openDatabaseFor(config: Config): Promise<Database> {
  return openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dir: nodePaths(config.home).db });
}

export async function buildContext(config: Config, overrides: Partial<AppContext> = {}): Promise<Wired> {
  const node = await readNodeInfo(config.home);
  const sealer = await loadKeyRing(nodePaths(config.home).dataKey);
  const treaty = loadTreaty(JSON.parse(await readFile(config.treatyEventsFile, 'utf8')));
  const database = await openDatabaseFor(config);
  const calendarsDir = path.join(config.dataDir, 'calendars');
  const ctx: AppContext = {
    db: database.db,
    sealer,
    clock: config.today ? shiftedClock(config.today) : systemClock,
    party: node.party,
    treaty: () => treaty,
    calendar: (party) => loadCalendar(party, calendarsDir),
    limits: { attachmentBytes: 20 * 1024 * 1024 },
    ...overrides,
  };
  return { ctx, database, node, close: () => database.close() };
}
