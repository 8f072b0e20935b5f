// The outbox worker's passes claim no more than there is to send (issue 16). A pass claims the due messages,
// sends them, and claims again only when the claim was full: a claim that took fewer than it may took every
// message due, and another would find none — under a steady load those empty claims (a transaction each) were
// most of the sending node's claims and ran beside the delivery they followed, on the same process and database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOutboxWorker, type OutboxWorker } from '../../src/adapters/federation/outbound.js';
import type { Officer } from '../../src/app/context.js';
import { officer, signRequestsToKz, startTestFederation } from '../support/federation.js';
import { waitFor } from '../support/processes.js';

/** Waits until RU's outbox has nothing left to send. */
async function delivered(fed: Awaited<ReturnType<typeof startTestFederation>>): Promise<void> {
  const db = fed.nodes.RU.wired.ctx.db;
  const left = () => db.selectFrom('outbox').select('id').where('status', '<>', 'delivered').execute();
  if (!(await waitFor(async () => (await left()).length === 0, 10_000, 25)).ok)
    throw new Error('the outbox did not empty');
}

describe('the outbox worker claims once when the claim is not full', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let ruOfficer: Officer;

  before(async () => {
    fed = await startTestFederation();
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    await fed.nodes.RU.worker!.stop(); // this test's worker is the only one
  });
  after(async () => {
    await fed?.close();
  });

  test('five messages due, sixteen claimable: one claim of five, none after it; a full claim is followed by another', async () => {
    /** The claims of a worker of its own (the node's is stopped) while `work` runs, RU's outbox emptied after it. */
    const claimsDuring = async (work: (worker: OutboxWorker, claims: readonly number[]) => Promise<void>) => {
      const claims: number[] = [];
      const worker = startOutboxWorker(fed.nodes.RU.wired.federation!, {
        batch: 16,
        intervalMs: 600_000,
        onClaim: (n) => claims.push(n),
      });
      try {
        await work(worker, claims);
        await delivered(fed);
      } finally {
        await worker.stop();
      }
      return claims;
    };
    // The pass at start finds nothing; five queued, then the worker woken.
    const five = await claimsDuring(async (worker, claims) => {
      if (!(await waitFor(() => Promise.resolve(claims.length > 0), 10_000, 5)).ok) throw new Error('no pass at start');
      await signRequestsToKz(fed.nodes.RU, ruOfficer, 5);
      worker.flush();
    });
    assert.deepEqual(five, [0, 5]);
    // More than a claim takes, queued before the worker starts: it claims until a claim is not full.
    await signRequestsToKz(fed.nodes.RU, ruOfficer, 20);
    assert.deepEqual(await claimsDuring(async () => undefined), [16, 4]);
  });
});
