// Nodes (and test files) in schemas of one PostgreSQL database: Kysely's migrator looks for its tables through
// every schema of the database, and a schema dropped by someone else during that look failed the migration with
// 3F000 «schema … does not exist» naming the other schema (seen when the test files ran two at a time), and a table
// dropped with its schema failed it with 42703 «column "id" of relation … does not exist» from pg_get_serial_sequence
// (seen in CI on 2026-11-29: another test file's close() dropped its schema during the look).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../src/adapters/db/database.js';
import { TEST_DATABASE_URL } from '../support/db.js';

const url = TEST_DATABASE_URL;

test(
  'a node migrates its schema while other schemas of the database (with tables) are created and dropped',
  { skip: url ? false : 'no PostgreSQL for tests (EIX_TEST_DATABASE_URL)' },
  async () => {
    const tag = randomBytes(4).toString('hex');
    const churn = new pg.Client({ connectionString: url! });
    await churn.connect();
    let churning = true;
    let dropped = 0;
    const loop = (async () => {
      for (let i = 0; churning; i++) {
        const name = `churn_${tag}_${i % 4}`;
        await churn.query(`create schema ${name}`);
        // Half of the schemas hold a table with a serial key, as a node's schema does.
        if (i % 2) await churn.query(`create table ${name}.rows (id bigserial primary key, v text)`);
        await churn.query(`drop schema ${name} cascade`);
        dropped++;
      }
    })();
    const schemas = Array.from({ length: 6 }, (_, i) => `t_churn_${tag}_${i}`);
    const failures: string[] = [];
    try {
      for (const schema of schemas) {
        // Only the migrator's look at the catalog (its lock table, present after the first run) is repeated.
        for (let run = 0; run < 4; run++) {
          try {
            const d = await openDatabase({ url: url!, schema });
            await d.close();
          } catch (e) {
            failures.push((e as Error).message);
          }
        }
      }
    } finally {
      churning = false;
      await loop;
      const c = new pg.Client({ connectionString: url! });
      await c.connect();
      for (const s of schemas) await c.query(`drop schema if exists ${s} cascade`);
      await c.end();
      await churn.end();
    }
    assert.ok(dropped > 50, `schemas dropped meanwhile: ${dropped}`);
    assert.deepEqual(failures, []);
  },
);
