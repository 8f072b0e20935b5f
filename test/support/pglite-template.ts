// The tests' new embedded databases start from one migrated data directory, archived once per test process
// (PGlite dumpDataDir), instead of each running initdb and every migration: initdb of a PGlite takes seconds
// of CPU, and the suite opens hundreds of them (in-memory ones for use cases, on-disk ones for the in-process
// federations). Imported for its effect by test/support/db.ts and test/support/federation.ts.
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrate, startNewEmbeddedDatabasesFrom } from '../../src/adapters/db/database.js';
import { PGliteDialect } from '../../src/adapters/db/pglite-dialect.js';
import type { DB } from '../../src/adapters/db/schema.js';

let archive: Promise<Blob> | undefined;

async function migratedArchive(): Promise<Blob> {
  const pglite = await PGlite.create();
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  try {
    await migrate(db);
    await pglite.query('checkpoint');
    return await pglite.dumpDataDir('none');
  } finally {
    await db.destroy();
  }
}

startNewEmbeddedDatabasesFrom(() => (archive ??= migratedArchive()));
