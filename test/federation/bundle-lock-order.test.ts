// Lock order between a received bundle and the use cases (issue 18.9, found by the chaos soak: three officers'
// answers at RU on PostgreSQL got a 500 «deadlock detected»). A use case locks its request and then appends to
// the audit log, whose lock is held to commit. A bundle's messages were bound one after another, so the
// receiving transaction locked a later message's request while it already held the audit lock from an earlier
// message: a use case holding that request (the sender recording the request's receipt) and waiting for the
// audit lock closed the cycle. Here, on PostgreSQL: KZ answers two of RU's requests in one bundle while another
// session holds the second request's row, as recording its receipt would, and then asks for the audit lock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { answerRequest } from '../../src/app/answer-request.js';
import { AUDIT_LOCK } from '../../src/app/audit.js';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { claimDue, deliver, deliverClaimed } from '../../src/adapters/federation/outbound.js';
import { TEST_DATABASE_URL } from '../support/db.js';
import { officer, settle, signRequestsToKz, startTestFederation } from '../support/federation.js';
import { waitFor } from '../support/processes.js';

const url = TEST_DATABASE_URL;

describe(
  'a bundle received on PostgreSQL locks the requests it refers to before the audit log',
  { skip: url ? false : 'no PostgreSQL for tests (EIX_TEST_DATABASE_URL)' },
  () => {
    const dbName = `eix_lock_${randomBytes(4).toString('hex')}`;
    let admin: pg.Client;
    let ruUrl: string;
    let fed: Awaited<ReturnType<typeof startTestFederation>>;
    let ruOfficer: Officer;
    let kzOfficer: Officer;

    before(async () => {
      admin = new pg.Client({ connectionString: url! });
      await admin.connect();
      await admin.query(`create database ${dbName}`);
      const u = new URL(url!);
      u.pathname = `/${dbName}`;
      ruUrl = u.toString();
      fed = await startTestFederation({ databaseUrls: { RU: ruUrl } });
      ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
      kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
    });
    after(async () => {
      await fed?.close();
      await admin?.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
      await admin?.end();
    });

    /**
     * Once a transaction of the node waits for the row `other` holds, and longer than deadlock_timeout (1 s, so
     * that the check runs in this session when it asks), `other` takes the audit log's lock: granted at once
     * unless the waiting transaction holds it (then PostgreSQL reports the cycle, 40P01).
     */
    async function auditLockWhileWaiting(other: pg.Client, who: string): Promise<void> {
      const blocked = await waitFor(
        async () =>
          (
            await admin.query(
              `select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
               where a.datname = $1 and not l.granted and l.locktype = 'transactionid'`,
              [dbName],
            )
          ).rows[0].n > 0,
        20_000,
        100,
      );
      assert.ok(blocked.ok, `${who} waits for the held request`);
      await new Promise((r) => setTimeout(r, 1500));
      let lock: string = 'granted';
      await other.query('select pg_advisory_xact_lock($1)', [AUDIT_LOCK]).catch((e: Error & { code?: string }) => {
        lock = `${e.code}: ${e.message}`;
      });
      assert.equal(lock, 'granted', `${who} did not hold the audit lock while it waited`);
    }

    test('R10.a: a session holding one of the requests gets the audit lock at once; both answers are received', async () => {
      const ru = fed.nodes.RU.wired.ctx;
      const kz = fed.nodes.KZ.wired.ctx;
      const messageIds = await signRequestsToKz(fed.nodes.RU, ruOfficer, 2);
      await settle(fed); // both delivered, their receipts recorded at RU
      await fed.nodes.KZ.worker!.stop(); // KZ's answers leave when the test says, together
      for (const m of messageIds) {
        const incoming = await kz.db
          .selectFrom('requests')
          .select('id')
          .where('message_id', '=', m)
          .executeTakeFirstOrThrow();
        await answerRequest(kz, kzOfficer, {
          requestId: incoming.id,
          final: true,
          items: [{ itemNo: 1, outcome: 'not_found' }],
        });
      }
      const kzFed = fed.nodes.KZ.wired.federation!;
      const answers = (await claimDue(kzFed, 10)).filter((r) => r.type === 'answer_final');
      assert.equal(answers.length, 2, 'both answers due, to go in one bundle');
      // The request of the bundle's second message is held by another session, as recording its receipt would.
      const second = await kz.db
        .selectFrom('requests')
        .select('message_id')
        .where('id', '=', answers[1]!.request_id!)
        .executeTakeFirstOrThrow();
      const other = new pg.Client({ connectionString: ruUrl });
      await other.connect();
      try {
        await other.query('begin');
        await other.query('select id from requests where message_id = $1 for update', [second.message_id]);
        const delivering = deliverClaimed(kzFed, answers);
        // RU's receiving transaction waits for that request…
        await auditLockWhileWaiting(other, 'the receiving transaction');
        await other.query('rollback');
        await delivering;
      } finally {
        await other.end();
      }
      const states = await ru.db.selectFrom('requests').select('state').where('message_id', 'in', messageIds).execute();
      assert.deepEqual(
        states.map((s) => s.state),
        ['answered', 'answered'],
      );
      const sent = await kz.db
        .selectFrom('outbox')
        .select('status')
        .where(
          'id',
          'in',
          answers.map((a) => a.id),
        )
        .execute();
      assert.deepEqual(
        sent.map((s) => s.status),
        ['delivered', 'delivered'],
      );
    });

    test('R10.a: a failed attempt locks its request before it records «delivery delayed»; a session holding the request gets the audit lock', async () => {
      const ru = fed.nodes.RU.wired.ctx;
      const real = fed.nodes.RU.wired.federation!;
      await fed.nodes.RU.worker!.stop(); // the attempt is made when the test says
      // KZ unreachable for this attempt: a transport failure, retried — its first one records «delivery delayed».
      const down: Federation = {
        ...real,
        registry: () => ({
          ...real.registry(),
          parties: {
            ...real.registry().parties,
            KZ: { ...real.registry().parties.KZ!, nodes: [{ id: 'kz-node', url: 'https://127.0.0.1:1' }] },
          },
        }),
      };
      const proceedingId = (await ru.db.selectFrom('proceedings').select('id').executeTakeFirstOrThrow()).id;
      const d = await draftRequest(ru, ruOfficer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: [{ kind: 'location', target: 'debtor' }],
        grounds: 'Должник проживает в Республике Казахстан.',
      });
      const s = await signRequest(ru, ruOfficer, { requestId: d.id });
      const [row] = (await claimDue(real, 10)).filter((r) => r.message_id === s.messageId);
      assert.ok(row, 'the request message claimed, attempt 1');
      const other = new pg.Client({ connectionString: ruUrl });
      await other.connect();
      try {
        // Another session holds the request, as an officer's use case does before it appends to the audit log.
        await other.query('begin');
        await other.query('select id from requests where id = $1 for update', [d.id]);
        const attempt = deliver(down, row);
        await auditLockWhileWaiting(other, 'the failed attempt');
        await other.query('rollback');
        assert.equal(await attempt, false, 'the attempt failed (KZ unreachable)');
      } finally {
        await other.end();
      }
      const out = await ru.db
        .selectFrom('outbox')
        .select(['status', 'last_error'])
        .where('message_id', '=', s.messageId)
        .executeTakeFirstOrThrow();
      assert.equal(out.status, 'pending', 'retried later');
      assert.match(out.last_error ?? '', /^transport\.failed/);
      const delayed = await ru.db
        .selectFrom('events')
        .select('id')
        .where('request_id', '=', d.id)
        .where('kind', '=', 'delivery_delayed')
        .execute();
      assert.equal(delayed.length, 1, 'one «delivery delayed» event');
    });
  },
);
