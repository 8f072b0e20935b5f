// The two storage engines a benchmark compares: PGlite in a temporary
// directory and PostgreSQL in its own schema (skipped when unreachable);
// `cleanups` collects what closes and removes them.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/adapters/db/database.js';

export const STORED = Number(process.env.EIX_BENCH_REQUESTS ?? 100_000);
const PG_URL =
  process.env.EIX_BENCH_DATABASE_URL ?? process.env.EIX_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** EIX_BENCH_ENGINES=postgres skips PGlite (a 1M seed on PGlite takes hours). */
const ENGINES = (process.env.EIX_BENCH_ENGINES ?? 'pglite,postgres').split(',');

export async function benchEngines(prefix: string, cleanups: (() => Promise<void>)[]): Promise<[string, Database][]> {
  if (!ENGINES.includes('pglite')) return postgresOnly(prefix, cleanups);
  const dir = await mkdtemp(path.join(tmpdir(), `eix-${prefix}-`));
  const lite = await openDatabase({ dir });
  cleanups.push(async () => {
    await lite.close();
    await rm(dir, { recursive: true, force: true });
  });
  const out: [string, Database][] = [['pglite', lite]];
  try {
    const schema = `${prefix.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;
    const d = await openDatabase({ url: PG_URL, schema });
    cleanups.push(async () => {
      await d.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    });
    out.push(['postgres', d]);
  } catch (e) {
    process.stderr.write(`PostgreSQL not reachable (${(e as Error).message}); PGlite only\n`);
  }
  return out;
}

async function postgresOnly(prefix: string, cleanups: (() => Promise<void>)[]): Promise<[string, Database][]> {
  const schema = `${prefix.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;
  const d = await openDatabase({ url: PG_URL, schema });
  cleanups.push(async () => {
    await d.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  });
  return [['postgres', d]];
}
