// Storage engines for tests: PGlite always (in memory), and PostgreSQL at
// EIX_TEST_DATABASE_URL — by default the local server
// (postgres://postgres@127.0.0.1:5432/test) when it answers; set the variable
// to an empty string to test PGlite only (the server is given 10 s to answer: under load 2 s once was not
// enough, and the PostgreSQL half of a file was skipped). Each run gets its own schema,
// dropped by close().
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type Engine } from '../../src/adapters/db/database.js';
import './pglite-template.js';

export interface TestEngine {
  readonly engine: Engine;
  open(): Promise<Database>;
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function answers(connectionString: string): Promise<boolean> {
  const c = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The PostgreSQL the tests use, or null (not configured, or the default server does not answer). */
export const TEST_DATABASE_URL: string | null =
  process.env.EIX_TEST_DATABASE_URL !== undefined
    ? process.env.EIX_TEST_DATABASE_URL || null
    : (await answers(DEFAULT_URL))
      ? DEFAULT_URL
      : null;
const url = TEST_DATABASE_URL;

export const ENGINES: readonly TestEngine[] = [
  { engine: 'pglite', open: () => openDatabase({}) },
  ...(url ? [{ engine: 'postgres' as const, open: () => openPostgres(url) }] : []),
];

async function openPostgres(connectionString: string): Promise<Database> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase({ url: connectionString, schema });
  return {
    ...database,
    close: async () => {
      await database.close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        await client.query(`drop schema ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** One database per demo node on the server at `adminUrl` (`create database eix_<prefix>_<random>_<cc>`), dropped by drop(). */
export async function throwawayDatabases(
  adminUrl: string,
  prefix: string,
): Promise<{ urls: Record<'RU' | 'KZ' | 'BY', string>; drop(): Promise<void> }> {
  const tag = randomBytes(4).toString('hex');
  const names = { RU: `eix_${prefix}_${tag}_ru`, KZ: `eix_${prefix}_${tag}_kz`, BY: `eix_${prefix}_${tag}_by` };
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const n of Object.values(names)) await admin.query(`create database ${n}`);
  } finally {
    await admin.end();
  }
  const urlOf = (db: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${db}`;
    return u.toString();
  };
  return {
    urls: { RU: urlOf(names.RU), KZ: urlOf(names.KZ), BY: urlOf(names.BY) },
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        for (const n of Object.values(names)) await c.query(`drop database if exists ${n} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
