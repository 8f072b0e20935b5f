// Storage engines for tests: PGlite always (in memory), PostgreSQL when
// EIX_TEST_DATABASE_URL is set (CI sets it); each run gets its own schema,
// dropped by close().
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type Engine } from '../../src/adapters/db/database.js';

export interface TestEngine {
  readonly engine: Engine;
  open(): Promise<Database>;
}

const url = process.env.EIX_TEST_DATABASE_URL;

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
      try { await client.query(`drop schema ${schema} cascade`); } finally { await client.end(); }
    },
  };
}
