// Fault: the RECEIVER's database fails in the middle of a receipt. KZ runs on
// PostgreSQL (a fresh database per run), RU on PGlite, both as node processes,
// real mutual TLS on loopback. KZ runs with EIX_TEST_HOLD_RECEIPT=transaction:…
// so each receipt waits inside its transaction — the request, its items,
// history, event, audit entry and inbox row written, not committed — and says
// so on stderr. While the first is held the test terminates exactly that
// transaction's backend (pg_terminate_backend on the one session holding a
// write lock on `requests`, idle in transaction), with RU frozen (SIGSTOP) so it
// cannot resend before KZ is inspected. Twice: a message sent alone, then a
// bundle of three. Expected each time: KZ answers the retryable 503
// `storage.unavailable` (its audit says so, RU records a «delivery delayed»
// with that code), nothing of the messages is left at KZ (no request, inbox
// row, history entry, event or audit entry), and once RU runs again its resend
// is stored exactly once — as a first receipt (inbox.resends = 0: the refused
// attempt committed nothing to be a duplicate of). Counts go to
// test-results/faults-receiver-database.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../support/db.js';
import { spawnNode, waitFor, type NodeProcess } from '../support/processes.js';
import {
  assertExactlyOnce,
  draft,
  exactlyOnce,
  heldReceipts,
  onceReport,
  pool,
  prepareFaultFederation,
  proceedingId,
  sign,
  total,
  withNodeDatabase,
  writeResult,
  type FaultFederation,
} from './harness.js';

const HOLD_MS = 6_000;
const CAP_MS = 60_000;

test(
  'the receiver’s database fails mid-receipt (alone and in a bundle): a retryable refusal, nothing half written, the resend stored once',
  { timeout: 420_000 },
  async (t) => {
    if (!TEST_DATABASE_URL) {
      t.skip('no PostgreSQL for tests (EIX_TEST_DATABASE_URL)');
      return;
    }
    const t0 = Date.now();
    const dbName = `eix_fault_kz_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const kzUrl = new URL(TEST_DATABASE_URL);
    kzUrl.pathname = `/${dbName}`;
    const inspect = new pg.Client({ connectionString: kzUrl.toString() });
    inspect.on('error', () => undefined);
    let fed: FaultFederation | null = null;
    const procs: NodeProcess[] = [];
    try {
      fed = await prepareFaultFederation({ databaseUrls: { KZ: kzUrl.toString() } });
      await inspect.connect();
      // Every receipt held in its transaction (the refused ones and their resends: 2 + 2).
      const kz = spawnNode(fed.home('KZ'), fed.ports.KZ, {
        EIX_DATABASE_URL: kzUrl.toString(),
        EIX_TEST_HOLD_RECEIPT: `transaction:${HOLD_MS}:4`,
      });
      // Requests signed within 1.5 s of each other leave RU together, in one bundle.
      const ru = spawnNode(fed.home('RU'), fed.ports.RU, { EIX_BUNDLE_LINGER_MS: '1500' });
      procs.push(kz, ru);
      await Promise.all([kz.ready, ru.ready]);
      const tStarted = Date.now();
      const ruToken = fed.token('ru.officer');
      const proceeding = await proceedingId(ru.apiUrl, ruToken);
      const q = async (text: string, values: unknown[] = []) => (await inspect.query(text, values)).rows;
      /** What KZ holds of these messages, committed (another session sees only that). */
      const traces = async (ids: readonly string[]) => {
        const [row] = await q(
          `select
             (select count(*)::int from requests where message_id = any($1)) as requests,
             (select count(*)::int from inbox where message_id = any($1)) as inbox,
             (select count(*)::int from request_events e join requests r on r.id = e.request_id
               where r.message_id = any($1)) as history,
             (select count(*)::int from events where data->>'messageId' = any($1)) as events,
             (select count(*)::int from audit_log where action = 'request.receipt'
               and details->>'messageId' = any($1)) as "receiptAudit"`,
          [ids],
        );
        return row as Record<string, number>;
      };

      /** One receipt failed under its database: held, its backend terminated, the refusal recorded, nothing kept. */
      const failOne = async (k: number, signIds: () => Promise<string[]>) => {
        const ids = await signIds();
        const held = (await heldReceipts(kz, k, CAP_MS))[k - 1]!;
        assert.equal(held.point, 'transaction');
        assert.deepEqual([...held.messageIds].sort(), [...ids].sort(), 'the held receipt is of the messages signed');
        ru.proc.kill('SIGSTOP');
        try {
          // The receipt's session: idle in a transaction that wrote a received request (no other session does).
          const sessions = await q(
            `select distinct a.pid from pg_stat_activity a join pg_locks l on l.pid = a.pid
               join pg_class c on c.oid = l.relation
              where a.datname = current_database() and a.state = 'idle in transaction'
                and c.relname = 'requests' and l.mode = 'RowExclusiveLock'`,
          );
          assert.equal(sessions.length, 1, 'one session holds the receipt’s transaction open');
          const before = await traces(ids);
          const [killed] = await q('select pg_terminate_backend($1) as ok', [sessions[0]!.pid]);
          assert.equal(killed!.ok, true, 'the receipt’s backend was terminated');
          // The refusal is KZ's audit entry, written on a fresh connection once the hold ends and the commit fails.
          const refused = await waitFor(
            async () =>
              (
                await q(
                  `select count(*)::int as n from audit_log where action = 'federation.rejected'
                      and details->>'code' = 'storage.unavailable' and (subject = any($1) or subject is null)`,
                  [ids],
                )
              )[0]!.n >= 1,
            HOLD_MS + CAP_MS,
            100,
          );
          assert.ok(refused.ok, `KZ did not record the refusal: ${kz.stderr().slice(-1500)}`);
          const after = await traces(ids);
          return { ids, before, after };
        } finally {
          ru.proc.kill('SIGCONT');
        }
      };

      const none = { requests: 0, inbox: 0, history: 0, events: 0, receiptAudit: 0 };
      // 1. A message alone.
      const alone = await failOne(1, async () => [
        (await sign(ru.apiUrl, ruToken, await draft(ru.apiUrl, ruToken, proceeding))).messageId,
      ]);
      assert.deepEqual(alone.before, none, 'nothing committed while the receipt was held');
      assert.deepEqual(alone.after, none, 'nothing of the refused message is left at KZ');
      const stored1 = await waitFor(async () => (await traces(alone.ids)).inbox === 1, CAP_MS, 250);
      assert.ok(stored1.ok, 'the resend was stored');

      // 2. A bundle of three (the resend of the first took the second hold).
      const drafts = await pool([0, 1, 2], 3, () => draft(ru.apiUrl, ruToken, proceeding));
      const bundled = await failOne(3, async () => {
        const signed = await pool(
          drafts.map((d) => (d.status === 'fulfilled' ? d.value : '')),
          3,
          (id) => sign(ru.apiUrl, ruToken, id),
        );
        return signed.map((s) => (s.status === 'fulfilled' ? s.value.messageId : String(s.reason)));
      });
      assert.deepEqual(bundled.before, none);
      assert.deepEqual(bundled.after, none, 'nothing of the refused bundle is left at KZ');
      const kzToken = fed.token('kz.officer');
      const stored2 = await waitFor(async () => (await total(kz.apiUrl, kzToken, 'incoming')) >= 4, CAP_MS, 250);
      assert.ok(stored2.ok, 'the resent bundle was stored');
      const holds = (await heldReceipts(kz, 4, CAP_MS)).map((h) => h.messageIds.length);
      const allReceived = await waitFor(
        async () => (await total(ru.apiUrl, ruToken, 'outgoing', 'received')) >= 4,
        CAP_MS,
        250,
      );
      assert.ok(allReceived.ok, 'RU holds the four receipts');

      await Promise.all(procs.map((p) => p.kill('SIGTERM')));
      const ids = [...alone.ids, ...bundled.ids];
      const once = await exactlyOnce({ home: fed.home('RU') }, { home: fed.home('KZ'), url: kzUrl.toString() });
      // The sender's side of the refusal: a «delivery delayed» per message naming the receiver's code, a second attempt.
      const sender = await withNodeDatabase(fed.home('RU'), undefined, async (db) => ({
        delayed: (
          await db
            .selectFrom('events')
            .select(sql<string>`data->>'error'`.as('error'))
            .where('kind', '=', 'delivery_delayed')
            .execute()
        ).map((r) => r.error),
        attempts: (
          await db
            .selectFrom('outbox')
            .select('attempts')
            .where('message_id', 'in', ids)
            .orderBy('message_id')
            .execute()
        ).map((r) => r.attempts),
      }));
      const result = {
        scenario: 'receiver-database',
        holdMs: HOLD_MS,
        heldReceipts: holds,
        alone: { before: alone.before, afterRefusal: alone.after },
        bundle: { before: bundled.before, afterRefusal: bundled.after },
        sender,
        exactlyOnce: onceReport(once),
        durationsMs: { startNodes: tStarted - t0, total: Date.now() - t0 },
      };
      const file = await writeResult('faults-receiver-database.json', result);
      console.log(`receiver-database: ${JSON.stringify(result)} → ${file}`);

      // Held: the message, its resend, the bundle, then (part of) its resend — the three rows come due a few
      // milliseconds apart, so they may leave together or not.
      assert.deepEqual(holds.slice(0, 3), [1, 1, 3], 'held: the message, its resend, the bundle');
      assert.deepEqual(
        sender.delayed,
        ['storage.unavailable', 'storage.unavailable', 'storage.unavailable', 'storage.unavailable'],
        'RU got the retryable refusal for each message, and only that',
      );
      assert.deepEqual(sender.attempts, [2, 2, 2, 2], 'each message delivered at its second attempt');
      assertExactlyOnce(once, 4, ['storage.unavailable']);
      assert.equal(
        once.receiver.rejectedByCode['storage.unavailable'],
        2,
        'one refusal for the message, one for the bundle',
      );
      assert.equal(
        once.receiver.resendsAnswered,
        0,
        'the resends were first receipts: the refused attempts had committed nothing',
      );
    } finally {
      for (const p of procs) p.proc.kill('SIGCONT');
      await Promise.all(procs.map((p) => p.kill('SIGTERM')));
      await inspect.end().catch(() => undefined);
      await fed?.cleanup();
      await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
      await admin.end();
    }
  },
);
