// Issue 16: the tables a unit of work wrote, noted on every connection (written-tables.ts), and the workers
// they wake (workers-to-wake.ts).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Database } from '../../src/adapters/db/database.js';
import { recordingWrites } from '../../src/adapters/db/written-tables.js';
import { workersToWake } from '../../src/adapters/jobs/workers-to-wake.js';
import { ENGINES } from '../support/db.js';

test('the workers woken are those taking a table written', () => {
  assert.deepEqual(workersToWake(new Set(['requests', 'audit_log', 'proceedings'])), []);
  assert.deepEqual(workersToWake(new Set(['requests', 'outbox'])), ['outbox']);
  assert.deepEqual(workersToWake(new Set(['batches'])), ['batches']);
  assert.deepEqual(workersToWake(new Set(['events'])), ['webhooks', 'mail']);
  assert.deepEqual(workersToWake(new Set(['webhook_deliveries', 'mail_outbox'])), ['webhooks', 'mail']);
});

for (const e of ENGINES) {
  describe(`tables written, noted on ${e.engine}`, () => {
    let d: Database;
    before(async () => {
      d = await e.open();
    });
    after(() => d.close());

    test('inserts and updates, built or written as SQL, in and out of a transaction; reads and deletes not', async () => {
      const written = new Set<string>();
      await recordingWrites(written, async () => {
        await d.db.selectFrom('outbox').select('id').limit(1).execute();
        await d.db
          .deleteFrom('mail_outbox')
          .where(sql<boolean>`false`)
          .execute();
        await d.db
          .insertInto('bodies')
          .values({ id: 'noted-1', party: 'RU', name: 'x', kind: 'other', parent_id: null, time_zone: null })
          .execute();
        await d.db.transaction().execute(async (tx) => {
          await tx
            .updateTable('outbox as o')
            .set({ attempts: 0 })
            .where(sql<boolean>`false`)
            .execute();
          await sql`UPDATE "batches" set next_row = next_row where false`.execute(tx);
        });
        await sql`insert into ${sql.table('events')} (kind, body_id, occurred_at, data)
          select kind, body_id, occurred_at, data from events where false`.execute(d.db);
      });
      assert.deepEqual([...written].sort(), ['batches', 'bodies', 'events', 'outbox']);
    });

    test('each unit of work keeps its own tables, however their statements interleave; outside one none', async () => {
      const a = new Set<string>();
      const b = new Set<string>();
      await Promise.all([
        recordingWrites(a, async () => {
          await sleep(5);
          await sql`update outbox set attempts = attempts where false`.execute(d.db);
        }),
        recordingWrites(b, async () => {
          await sql`update batches set next_row = next_row where false`.execute(d.db);
          await sleep(10);
          await sql`update mail_outbox set attempts = attempts where false`.execute(d.db);
        }),
        sql`update events set data = data where false`.execute(d.db),
      ]);
      assert.deepEqual([...a], ['outbox']);
      assert.deepEqual([...b].sort(), ['batches', 'mail_outbox']);
    });
  });
}
