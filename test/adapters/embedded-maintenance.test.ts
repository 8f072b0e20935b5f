// The embedded engine has no autovacuum: the node chooses the tables to VACUUM and ANALYZE as autovacuum does
// (PostgreSQL's default thresholds). A table nobody wrote to is never analysed: analysed while empty, it would be
// recorded as empty, and every plan cached until the next analyse — the foreign-key checks' above all — would read
// the whole table for each row of a burst (docs/PERFORMANCE.md, «Foreign-key checks that read whole tables»).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { maintainEmbedded, openDatabase, tableMaintenance } from '../../src/adapters/db/database.js';
import { ENGINES } from '../support/db.js';

const stats = async (db: Awaited<ReturnType<typeof openDatabase>>['db'], table: string) =>
  (
    await sql<{ reltuples: number; vacuums: number; analyses: number }>`
      select c.reltuples::float8 as reltuples, s.vacuum_count::int as vacuums, s.analyze_count::int as analyses
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname = ${table}`.execute(db)
  ).rows[0]!;

test('issue 16: a pass of the embedded engine’s maintenance leaves untouched tables unanalysed, analyses and vacuums changed ones', async () => {
  const database = await openDatabase({ vacuumEveryMs: 0 });
  try {
    const { db } = database;
    await sql`create table maint_probe (id integer primary key, x text)`.execute(db);
    await sql`insert into maint_probe select g, 'x' from generate_series(1, 400) g`.execute(db);
    const first = await maintainEmbedded(db);
    assert.ok(first.analysed.includes('public.maint_probe'), JSON.stringify(first));
    assert.equal((await stats(db, 'maint_probe')).reltuples, 400);
    // The requests table, empty and never written: not analysed, so the planner still assumes a table of some
    // pages and uses its indexes.
    assert.ok(!first.analysed.includes('public.requests') && !first.vacuumed.includes('public.requests'));
    assert.equal((await stats(db, 'requests')).reltuples, -1);
    // Nothing changed since: a pass does nothing.
    assert.deepEqual(await maintainEmbedded(db), { vacuumed: [], analysed: [] });
    // A third of the rows deleted: dead rows past 50 + 20 % of the table, changes past 50 + 10 %.
    await sql`delete from maint_probe where id <= 150`.execute(db);
    const after = await maintainEmbedded(db);
    assert.deepEqual(after, { vacuumed: ['public.maint_probe'], analysed: ['public.maint_probe'] });
    const s = await stats(db, 'maint_probe');
    assert.equal(s.reltuples, 250);
    assert.equal(s.vacuums, 1);
  } finally {
    await database.close();
  }
});

for (const e of ENGINES)
  test(`who maintains the tables: the node on the embedded engine, the server's autovacuum on PostgreSQL when it runs (${e.engine})`, async () => {
    const d = await e.open();
    try {
      if (e.engine === 'pglite') assert.equal(await tableMaintenance(d), 'embedded');
      else {
        // This machine's server may run without autovacuum (a CI configuration): the answer follows the server.
        const on = async (name: string) =>
          (await sql<{ v: string }>`select current_setting(${name}) as v`.execute(d.db)).rows[0]!.v === 'on';
        const expected = (await on('autovacuum')) && (await on('track_counts')) ? 'autovacuum' : 'off';
        assert.equal(await tableMaintenance(d), expected);
      }
    } finally {
      await d.close();
    }
  });

test('issue 16 item 4: the embedded engine bounds what it keeps in its memory — shared buffers, VACUUM’s and ANALYZE’s share', async () => {
  // Its WebAssembly memory never shrinks: what a setting lets PostgreSQL allocate once stays in the node's RSS.
  // ANALYZE holds 300 × default_statistics_target whole rows at once (at 100, +57 MB in the load bench's first
  // maintenance pass, the requests' documents being wide rows).
  const database = await openDatabase({ vacuumEveryMs: 0 });
  try {
    const setting = async (name: string) =>
      (
        await sql<{ setting: string; unit: string | null }>`
        select setting, unit from pg_settings where name = ${name}`.execute(database.db)
      ).rows[0]!;
    assert.deepEqual(await setting('shared_buffers'), { setting: '4096', unit: '8kB' });
    assert.deepEqual(await setting('maintenance_work_mem'), { setting: '16384', unit: 'kB' });
    assert.deepEqual(await setting('default_statistics_target'), { setting: '20', unit: null });
  } finally {
    await database.close();
  }
});
