// The tests' new embedded databases start from one migrated data directory instead of each running initdb and
// every migration: initdb of a PGlite takes seconds of CPU, and the suite opens hundreds of them (in-memory
// ones for use cases, on-disk ones for the in-process federations). The archive (PGlite dumpDataDir) is built
// once per machine and kept in the system's temporary directory under a key of everything that shapes it —
// the database code and migrations (src/adapters/db/) and the PGlite version — so each test process (the
// runner starts one per file) reads it instead of building it again; a change to a migration makes a new key.
// Imported for its effect by test/support/db.ts and test/support/federation.ts.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrate, startNewEmbeddedDatabasesFrom } from '../../src/adapters/db/database.js';
import { PGliteDialect } from '../../src/adapters/db/pglite-dialect.js';
import type { DB } from '../../src/adapters/db/schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = path.join(tmpdir(), 'eix-test-pglite');

/** SHA-256 of the database code, every migration and the PGlite package's version. */
async function templateKey(): Promise<string> {
  const h = createHash('sha256');
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  };
  h.update(`pglite ${pkg.version}\n`);
  const dirs = ['src/adapters/db', 'src/adapters/db/migrations'];
  for (const dir of dirs) {
    for (const name of (await readdir(path.join(ROOT, dir))).filter((n) => n.endsWith('.ts')).sort()) {
      h.update(`${dir}/${name}\n`);
      h.update(await readFile(path.join(ROOT, dir, name)));
    }
  }
  return h.digest('hex').slice(0, 32);
}

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

async function cachedArchive(): Promise<Blob> {
  const file = path.join(CACHE, `${await templateKey()}.tar`);
  const kept = await readFile(file).catch(() => null);
  if (kept) return new Blob([kept]);
  const archive = await migratedArchive();
  // Written under a name of its own and renamed: a process reading the file never sees half of it, and two
  // processes building at once each leave a whole file.
  await mkdir(CACHE, { recursive: true });
  const partial = `${file}.${process.pid}.part`;
  await writeFile(partial, Buffer.from(await archive.arrayBuffer()));
  await rename(partial, file);
  // Archives of older migrations are of no further use.
  for (const name of await readdir(CACHE))
    if (name.endsWith('.tar') && path.join(CACHE, name) !== file)
      await rm(path.join(CACHE, name), { force: true }).catch(() => undefined);
  return archive;
}

let archive: Promise<Blob> | undefined;
startNewEmbeddedDatabasesFrom(() => (archive ??= cachedArchive()));
