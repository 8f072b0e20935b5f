// Several node processes on one PostgreSQL database share the outbox: a due
// message is claimed by exactly one of them (FOR UPDATE SKIP LOCKED), a
// request's messages leave in order, and a crashed sender's claim expires.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql, type RawBuilder } from 'kysely';
import { openDatabase, type Database } from '../../src/adapters/db/database.js';
import { claimDue } from '../../src/adapters/federation/outbound.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { nodeOn, seedBody, seedOfficer } from '../support/app.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { aRequest } from '../support/requests.js';
import { TEST_DATABASE_URL } from '../support/db.js';
import { nodeLevelMessage } from '../support/outbox.js';

const url = TEST_DATABASE_URL;

describe(
  'outbox shared by two node processes on PostgreSQL',
  { skip: url ? false : 'no PostgreSQL for tests (EIX_TEST_DATABASE_URL)' },
  () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let a: Database;
    let b: Database;
    const requestIds: string[] = [];

    before(async () => {
      // Two pools = two processes' connections to the same schema.
      a = await openDatabase({ url: url!, schema });
      b = await openDatabase({ url: url!, schema, migrate: false });
      const node = nodeOn(a, 'RU');
      const body = await seedBody(node.ctx, { id: 'ru-fssp-77' });
      const officer = await seedOfficer(node.ctx, body);
      const example = aRequest();
      const { id: proceedingId } = await createProceeding(node.ctx, officer, {
        number: 'SKIP-1',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      for (let i = 0; i < 40; i++) {
        requestIds.push(
          (
            await draftRequest(node.ctx, officer, {
              proceedingId,
              requestedBody: { id: 'kz-central', party: 'KZ', name: 'К' },
              items: [],
              grounds: 'x',
            })
          ).id,
        );
      }
      // 40 requests × 5 messages each = 200 due messages.
      await a.db
        .insertInto('outbox')
        .values(
          requestIds.flatMap((requestId) =>
            Array.from({ length: 5 }, () => ({
              message_id: randomUUID(),
              request_id: requestId,
              type: 'consult',
              to_party: 'KZ',
              to_body: 'kz-central',
              payload: '{}',
              last_error: null,
              delivered_at: null,
            })),
          ),
        )
        .execute();
    });
    after(async () => {
      await b?.close();
      await a?.close();
      const c = new pg.Client({ connectionString: url! });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    });

    const fed = (d: Database, now = () => new Date()): Federation =>
      ({ app: { ...nodeOn(d, 'RU').ctx, clock: { now } } }) as unknown as Federation;
    /** A node-level message (no request) queued at RU; `nextAttemptAt` instead of the column's default now(). */
    const queueNodeMessage = async (nextAttemptAt?: RawBuilder<Date>): Promise<string> => {
      const row = nodeLevelMessage(nextAttemptAt);
      await a.db.insertInto('outbox').values(row).execute();
      return row.message_id;
    };

    test('each due message is claimed by exactly one process, at most one in flight per request, in order', async () => {
      const claimed: { by: string; id: string; request: string }[] = [];
      const deliverAll = async (name: string, d: Database) => {
        for (let round = 0; round < 100; round++) {
          const rows = await claimDue(fed(d), 7);
          if (rows.length === 0) {
            if (round > 5) break;
            continue;
          }
          for (const r of rows) claimed.push({ by: name, id: String(r.id), request: r.request_id! });
          // "Delivered": the next message of each request becomes claimable.
          await d.db
            .updateTable('outbox')
            .set({ status: 'delivered' })
            .where(
              'id',
              'in',
              rows.map((r) => r.id),
            )
            .execute();
        }
      };
      await Promise.all([deliverAll('A', a), deliverAll('B', b), deliverAll('A2', a), deliverAll('B2', b)]);
      const ids = claimed.map((c) => c.id);
      assert.equal(new Set(ids).size, ids.length, 'no message claimed twice');
      assert.equal(ids.length, 200, 'every message claimed');
      assert.ok(new Set(claimed.map((c) => c.by)).size >= 2, 'the work was shared');
      for (const requestId of requestIds) {
        const order = claimed.filter((c) => c.request === requestId).map((c) => Number(c.id));
        assert.deepEqual(
          order,
          [...order].sort((x, y) => x - y),
          'a request’s messages leave in order',
        );
      }
      const attempts = await a.db.selectFrom('outbox').select(['attempts', 'lease_takeovers']).execute();
      assert.ok(attempts.every((r) => r.attempts === 1));
      assert.ok(
        attempts.every((r) => r.lease_takeovers === 0),
        'no lease expired, none taken over',
      );
    });

    test('a message queued within the millisecond the clock reads is due (the database keeps microseconds)', async () => {
      const at = new Date('2026-11-28T10:00:00.000Z');
      // As the column's default now() writes it: 0.5 ms into the millisecond the node's clock reads.
      const id = await queueNodeMessage(sql<Date>`${at.toISOString()}::timestamptz + interval '500 microseconds'`);
      const claimed = await claimDue(
        fed(a, () => new Date(at)),
        10,
        50,
      );
      assert.deepEqual(
        claimed.map((r) => r.message_id),
        [id],
      );
      await a.db.updateTable('outbox').set({ status: 'delivered' }).where('message_id', '=', id).execute();
    });

    test('a claim of a crashed sender expires after its lease and the message is claimed again (a takeover, counted)', async () => {
      const id = await queueNodeMessage();
      const first = await claimDue(fed(a), 10, 50);
      assert.ok(first.some((r) => r.message_id === id));
      assert.equal((await claimDue(fed(b), 10, 50)).length, 0, 'leased');
      await new Promise((r) => setTimeout(r, 120));
      const again = await claimDue(fed(b), 10, 50);
      assert.deepEqual(
        again.map((r) => [r.message_id, r.attempts, r.lease_takeovers]),
        [[id, 2, 1]],
        'the expired lease is counted as taken over',
      );
      // A retry after a failure its worker recorded (status back to pending) is not a takeover.
      await b.db
        .updateTable('outbox')
        .set({ status: 'pending', next_attempt_at: new Date(0), last_error: 'transport.failed: x' })
        .where('message_id', '=', id)
        .execute();
      const retried = await claimDue(fed(a), 10, 50);
      assert.deepEqual(
        retried.map((r) => [r.message_id, r.attempts, r.lease_takeovers]),
        [[id, 3, 1]],
      );
    });
  },
);
