// The job queue (pg-boss) when several node processes share one PostgreSQL
// database: they start together (install and queue creation race), and a
// failed pg-boss statement never leaves a pooled connection inside an aborted
// transaction for the node's own queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../src/adapters/db/database.js';
import { bossExecutor, startJobs } from '../../src/adapters/jobs/pg-boss-jobs.js';
import { TEST_DATABASE_URL } from '../support/db.js';

test('two processes start the job queue on one fresh PostgreSQL schema together; no connection is left in an aborted transaction', async (t) => {
  if (!TEST_DATABASE_URL) {
    t.skip('no PostgreSQL for tests (EIX_TEST_DATABASE_URL)');
    return;
  }
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (let round = 0; round < 4; round++) {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      // Two pools on one schema stand for two node processes.
      const [a, b] = [
        await openDatabase({ url: TEST_DATABASE_URL, schema }),
        await openDatabase({ url: TEST_DATABASE_URL, schema, migrate: false }),
      ];
      const errors: Error[] = [];
      try {
        const jobs = await Promise.all(
          [a, b].map(async (d) => {
            return startJobs(
              d,
              [{ name: 'purge-expired-data', cron: '0 3 * * *', handler: async () => undefined }],
              (e) => errors.push(e),
            );
          }),
        );
        // Every pooled connection answers the node's own queries afterwards.
        const aborted = await admin.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'idle in transaction (aborted)'",
        );
        assert.equal(aborted.rows[0].n, 0, `round ${round}: connections left in an aborted transaction`);
        await Promise.all(
          [a, b].flatMap((d) => Array.from({ length: 8 }, () => d.db.selectFrom('bodies').select('id').execute())),
        );
        await Promise.all(jobs.map((j) => j.stop()));
        assert.deepEqual(
          errors.map((e) => e.message),
          [],
        );
      } finally {
        await a.close();
        await b.close();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.query(`drop schema if exists ${schema}_pgboss cascade`);
      }
    }
  } finally {
    await admin.end();
  }
});

test('a failed pg-boss transaction is rolled back before its connection returns to the pool', async (t) => {
  if (!TEST_DATABASE_URL) {
    t.skip('no PostgreSQL for tests (EIX_TEST_DATABASE_URL)');
    return;
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const d = await openDatabase({ url: TEST_DATABASE_URL, schema, migrate: false });
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const exec = bossExecutor(d.db as never);
    await assert.rejects(exec('BEGIN; select 1/0; COMMIT;'), /division by zero/);
    const aborted = await admin.query(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'idle in transaction (aborted)'",
    );
    assert.equal(aborted.rows[0].n, 0);
    assert.equal((await exec('select 1 as one')).rows.length, 1);
  } finally {
    await d.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
});
