// The outbox worker's claim after many deliveries (issue 16, migration 031): every message passes through
// 'pending' and 'sending' before 'delivered', each a row version of its own, and nothing vacuums the table between
// claims (this machine's PostgreSQL runs without autovacuum; the embedded engine's maintenance comes every few
// minutes). The claim must read the messages still due — not every version of every message delivered before —
// and leave the held ones (due later) unread.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import { claimDue, dueMessages } from '../../src/adapters/federation/outbound.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import type { Database } from '../../src/adapters/db/database.js';
import { nodeOn } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { nodeLevelMessage } from '../support/outbox.js';

/** Queues `n` node-level messages (no request), due now or at `dueAt`. */
async function queue(d: Database, n: number, dueAt?: Date): Promise<void> {
  await d.db
    .insertInto('outbox')
    .values(Array.from({ length: n }, () => nodeLevelMessage(dueAt)))
    .execute();
}

/** Pages (shared buffers hit or read) the due query touches, from EXPLAIN (ANALYZE, BUFFERS). */
async function pagesRead(d: Database, limit: number): Promise<number> {
  const r = await d.db.transaction().execute(async (tx) => {
    const q = (await dueMessages(tx, new Date(), limit)).compile();
    return tx.executeQuery<{ 'QUERY PLAN': unknown }>(
      CompiledQuery.raw(`explain (analyze, buffers, format json) ${q.sql}`, [...q.parameters]),
    );
  });
  const raw = r.rows[0]!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: Record<string, number> }[];
  return plan[0]!.Plan['Shared Hit Blocks']! + plan[0]!.Plan['Shared Read Blocks']!;
}

for (const e of ENGINES)
  for (const statistics of [true, false])
    describe(`the outbox claim after many deliveries (${e.engine}, ${statistics ? 'with' : 'without'} statistics)`, () => {
      test('reads the messages due now, not the dead versions of those delivered before nor the held ones', async () => {
        const d = await e.open();
        try {
          const fed = { app: { ...nodeOn(d, 'RU').ctx, clock: { now: () => new Date() } } } as unknown as Federation;
          // 2,000 messages claimed and delivered 100 at a time, as the worker does: 4,000 dead versions behind them.
          await queue(d, 2000);
          // Statistics as autovacuum (or the embedded engine's maintenance) keeps them, or none yet (a server
          // without autovacuum); no VACUUM either way.
          if (statistics) await sql`analyze outbox`.execute(d.db);
          for (;;) {
            const rows = await claimDue(fed, 100);
            if (rows.length === 0) break;
            await d.db
              .updateTable('outbox')
              .set({ status: 'delivered', delivered_at: new Date() })
              .where(
                'id',
                'in',
                rows.map((r) => r.id),
              )
              .execute();
          }
          // 1,000 held for tomorrow (a peer's node not upgraded yet), 5 due now.
          await queue(d, 1000, new Date(Date.now() + 86_400_000));
          await queue(d, 5);
          const pages = await pagesRead(d, 100);
          assert.ok(pages <= 30, `the claim read ${pages} pages for 5 due messages`);
          assert.equal((await claimDue(fed, 100)).length, 5, 'the 5 due messages are claimed, the held ones not');
        } finally {
          await d.close();
        }
      });
    });
