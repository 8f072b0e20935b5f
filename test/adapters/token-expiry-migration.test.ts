// Issue 13, item 4: the migration that gives API tokens an expiry, on both
// engines. A database at the migration before it holds two tokens; after it,
// the recent one expires a year after its issue and the old one (past a year
// already) gets 30 days of grace instead of dying at the upgrade.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { Migrator, sql, type Migration } from 'kysely';
import pg from 'pg';
import { migrate, openDatabase, type Database } from '../../src/adapters/db/database.js';
import { TEST_DATABASE_URL } from '../support/db.js';

const DIR = new URL('../../src/adapters/db/migrations/', import.meta.url);
const files = (await readdir(DIR)).filter((f) => f.endsWith('.ts')).sort();
const mine = files.find((f) => f.includes('session-idle-token-expiry'))!;
const before = files.filter((f) => f < mine);

async function migrateUpTo(db: Kysely<unknown>, schema?: string): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const f of before) {
    const { statements } = (await import(new URL(f, DIR).href)) as { statements: readonly string[] };
    migrations[f.slice(0, -3)] = {
      up: async (d) => {
        for (const s of statements) await sql.raw(s).execute(d);
      },
    };
  }
  const m = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await m.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

const engines: { name: string; open(): Promise<{ database: Database; schema?: string; drop(): Promise<void> }> }[] = [
  { name: 'pglite', open: async () => ({ database: await openDatabase({ migrate: false }), drop: async () => {} }) },
  ...(TEST_DATABASE_URL
    ? [
        {
          name: 'postgres',
          open: async () => {
            const schema = `t_${randomBytes(6).toString('hex')}`;
            const url = TEST_DATABASE_URL!;
            return {
              database: await openDatabase({ url, schema, migrate: false }),
              schema,
              drop: async () => {
                const c = new pg.Client({ connectionString: url });
                await c.connect();
                await c.query(`drop schema ${schema} cascade`).finally(() => c.end());
              },
            };
          },
        },
      ]
    : []),
];

for (const e of engines) {
  describe(`issue 13 item 4: migration ${mine} on ${e.name}`, () => {
    test('V3.5.x: existing tokens get created_at + 1 year, at least 30 days after the upgrade; expires_at is then required', async () => {
      const { database, schema, drop } = await e.open();
      try {
        const db = database.db;
        await migrateUpTo(db as unknown as Kysely<unknown>, schema);
        await sql`insert into bodies (id, party, name, kind) values ('ru-x', 'RU', 'Орган', 'central')`.execute(db);
        const officer = (
          await sql<{ id: string }>`insert into officers (body_id, login, full_name, position, roles, password_hash)
            values ('ru-x', 'old', 'x', 'x', '{officer}', 'scrypt$x') returning id`.execute(db)
        ).rows[0]!.id;
        await sql`insert into api_tokens (id, officer_id, name, token_hash, created_at) values
          ('0000000a', ${officer}, 'старый', 'h1', '2020-01-01T00:00:00Z'),
          ('0000000b', ${officer}, 'недавний', 'h2', now() - interval '1 month')`.execute(db);

        assert.deepEqual(
          await migrate(db, schema),
          [mine.slice(0, -3)].concat(files.filter((f) => f > mine).map((f) => f.slice(0, -3))),
        );
        const rows = (
          await sql<{ id: string; recent_ok: boolean; old_grace: boolean }>`select id,
              expires_at = created_at + interval '1 year' as recent_ok,
              expires_at > created_at + interval '1 year' and expires_at > now() + interval '29 days' as old_grace
            from api_tokens order by id`.execute(db)
        ).rows;
        assert.deepEqual(
          rows.map((r) => [r.id, r.id === '0000000a' ? r.old_grace : r.recent_ok]),
          [
            ['0000000a', true],
            ['0000000b', true],
          ],
        );
        await assert.rejects(
          sql`insert into api_tokens (id, officer_id, name, token_hash) values ('0000000c', ${officer}, 'x', 'h3')`.execute(
            db,
          ),
          /expires_at|null value/,
        );
      } finally {
        await database.close();
        await drop();
      }
    });
  });
}
