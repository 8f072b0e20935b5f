// A bundle's requests append to the audit log last (issue 16). The log's lock is held from a transaction's first
// append to its commit, and every writing transaction of the node appends: whatever a bundle's transaction did
// after appending — its inbox rows, signing its receipt, storing it — the node's other transactions (the next
// bundle above all) waited for. Here, on PostgreSQL: while KZ signs the receipt of a bundle of RU's requests,
// another session asks for the audit lock, and must get it at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { AUDIT_LOCK, verifyAuditLog } from '../../src/app/audit.js';
import type { Officer } from '../../src/app/context.js';
import { BUNDLE_RECEIPT_JWS_TYPE } from '../../src/adapters/federation/context.js';
import { claimDue, deliverClaimed } from '../../src/adapters/federation/outbound.js';
import type { BodySigner } from '../../src/ports/signer.js';
import { TEST_DATABASE_URL, throwawayDatabases } from '../support/db.js';
import { officer, signRequestsToKz, startTestFederation } from '../support/federation.js';

const url = TEST_DATABASE_URL;

describe(
  'a bundle received on PostgreSQL appends to the audit log after its receipt is signed and stored',
  { skip: url ? false : 'no PostgreSQL for tests (EIX_TEST_DATABASE_URL)' },
  () => {
    let dbs: Awaited<ReturnType<typeof throwawayDatabases>>;
    let fed: Awaited<ReturnType<typeof startTestFederation>>;
    let ruOfficer: Officer;

    before(async () => {
      dbs = await throwawayDatabases(url!, 'last');
      fed = await startTestFederation({ databaseUrls: { KZ: dbs.urls.KZ } });
      ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    });
    after(async () => {
      await fed?.close();
      await dbs?.drop();
    });

    test('R9.1: the receipt is signed while the log is free; the requests, their entries and events are stored', async () => {
      const ruFed = fed.nodes.RU.wired.federation!;
      const kzFed = fed.nodes.KZ.wired.federation!;
      await fed.nodes.RU.worker!.stop(); // the requests leave when the test says, together
      const messageIds = await signRequestsToKz(fed.nodes.RU, ruOfficer, 3);
      // While KZ signs a bundle receipt, another session asks for the audit log's lock (and gives it back).
      const other = new pg.Client({ connectionString: dbs.urls.KZ });
      await other.connect();
      const signer = kzFed.signer as { -readonly [K in keyof BodySigner]: BodySigner[K] };
      const sign = signer.sign.bind(signer);
      const free: boolean[] = [];
      signer.sign = async (body, payload, typ) => {
        if (typ === BUNDLE_RECEIPT_JWS_TYPE) {
          const got = (await other.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [AUDIT_LOCK]))
            .rows[0]!.ok;
          if (got) await other.query('select pg_advisory_unlock($1)', [AUDIT_LOCK]);
          free.push(got);
        }
        return sign(body, payload, typ);
      };
      try {
        const due = await claimDue(ruFed, 10);
        assert.equal(due.length, 3, 'the three requests are due, to go in one bundle');
        await deliverClaimed(ruFed, due);
      } finally {
        signer.sign = sign;
        await other.end();
      }
      assert.deepEqual(free, [true], 'one bundle receipt, signed while the audit log was free');
      const kz = fed.nodes.KZ.wired.ctx;
      const stored = await kz.db.selectFrom('requests').select('id').where('message_id', 'in', messageIds).execute();
      assert.equal(stored.length, 3, 'the three requests are stored');
      const ids = stored.map((r) => r.id);
      const entries = await kz.db.selectFrom('audit_log').select('request_id').where('request_id', 'in', ids).execute();
      const events = await kz.db.selectFrom('events').select('request_id').where('request_id', 'in', ids).execute();
      assert.equal(new Set(entries.map((e) => e.request_id)).size, 3, 'each request has its audit entry');
      assert.equal(events.length, 3, 'each request has its event');
      assert.equal((await verifyAuditLog(kz.db, { key: kz.auditKey?.key })).ok, true, 'the audit chain holds');
    });
  },
);
