// Fault: the RECEIVING node is down (SIGTERM) while the sender signs. RU signs
// 20 requests to KZ; each delivery must be delayed, not failed: the outbox row
// stays 'pending' with the transport error and a backoff (1 s doubling). When
// KZ starts again every request becomes 'received' within a bounded wait.
// Then the receiver is KILLED (SIGKILL) while it stores incoming requests:
// RU signs 200 more, KZ dies after it took about 40 of them, with requests in
// flight, and is restarted on the same PGlite home. Every request must reach
// KZ exactly once (a request KZ committed but did not answer is resent with
// the same bytes and gets the original receipt), and KZ's database must open
// again after the kill. Counts go to test-results/faults-receiver-down.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs } from '../../src/adapters/federation/outbound.js';
import { api, spawnNode, waitFor, type NodeProcess } from '../support/processes.js';
import {
  bundlesReceived,
  draft,
  listAll,
  pool,
  prepareFaultFederation,
  sign,
  startRuKz,
  total,
  writeResult,
} from './harness.js';

const N = 20;
const N_KILL = 200;
const KILL_AFTER = 40;
const CAP_MS = 120_000;

interface Delivery {
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
}

test('receiver down: deliveries wait with backoff and complete when it returns', { timeout: 420_000 }, async () => {
  const t0 = Date.now();
  const fed = await prepareFaultFederation();
  const procs: NodeProcess[] = [];
  try {
    const started = await startRuKz(fed, procs);
    let kz = started.kz;
    const { ru, ruToken, kzToken, proceeding } = started;
    const tStarted = Date.now();

    const how = await kz.kill('SIGTERM');
    assert.equal(how, 0, `KZ stops cleanly on SIGTERM; stderr: ${kz.stderr().slice(-1000)}`);
    const tDown = Date.now();

    const signed = await pool(
      Array.from({ length: N }, (_, i) => i),
      4,
      async () => (await sign(ru.apiUrl, ruToken, await draft(ru.apiUrl, ruToken, proceeding))).id,
    );
    const ids = signed.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });

    // Every delivery attempted at least once and left pending with its error.
    const delivery = (id: string) =>
      api<{ state: string; delivery: Delivery[] }>(ru.apiUrl, ruToken, 'GET', `/api/v1/requests/${id}`);
    const attempted = await waitFor(
      async () =>
        (await Promise.all(ids.map(delivery))).every(
          (r) =>
            r.delivery[0] &&
            r.delivery[0].attempts >= 1 &&
            r.delivery[0].lastError !== null &&
            r.delivery[0].status === 'pending',
        ),
      20_000,
      500,
    );
    const whileDown = await Promise.all(ids.map(delivery));
    const tSnapshotEnd = Date.now();
    const statuses = whileDown.map((r) => r.delivery[0]?.status);
    const errors = [...new Set(whileDown.map((r) => (r.delivery[0]?.lastError ?? '').split(':')[0]))];
    const maxAttemptsWhileDown = Math.max(...whileDown.map((r) => r.delivery[0]?.attempts ?? 0));
    assert.ok(
      attempted.ok,
      `not all deliveries pending with an error: ${JSON.stringify(whileDown.map((r) => r.delivery[0]))}`,
    );
    // "Delivery delayed": waiting for the next attempt (pending) or in one (sending) — never failed, never delivered.
    assert.ok(
      statuses.every((s) => s === 'pending' || s === 'sending'),
      `delayed, not failed: ${statuses.join(',')}`,
    );
    // Issue 18.3: the spacing of attempts. A pending row's last attempt failed at nextAttemptAt − backoffMs(attempts)
    // (outbound.ts recordFailure), which must lie while KZ was down and before we looked (1 s for clock reading):
    // a wait longer than backoffMs puts it in the future, a hot loop (no wait) shows as too many attempts.
    const SLACK_MS = 1000;
    for (const r of whileDown) {
      const d = r.delivery[0]!;
      if (d.status !== 'pending') continue; // 'sending': an attempt under way, nextAttemptAt is its lease
      const failedAt = Date.parse(d.nextAttemptAt) - backoffMs(d.attempts);
      assert.ok(
        failedAt >= tDown - SLACK_MS && failedAt <= tSnapshotEnd + SLACK_MS,
        `attempt ${d.attempts} failed at ${new Date(failedAt).toISOString()}, not within KZ's downtime ` +
          `${new Date(tDown).toISOString()}…${new Date(tSnapshotEnd).toISOString()}: spacing is not backoffMs`,
      );
    }
    // A bound on their number: n attempts take at least backoffMs(1) + … + backoffMs(n − 1) since KZ went down.
    const attemptsBound = (elapsedMs: number) => {
      let n = 1;
      for (let waited = backoffMs(1); waited <= elapsedMs + SLACK_MS; waited += backoffMs(n)) n += 1;
      return n;
    };
    assert.ok(
      maxAttemptsWhileDown <= attemptsBound(tSnapshotEnd - tDown),
      `${maxAttemptsWhileDown} attempts in ${tSnapshotEnd - tDown} ms: more than backoff allows ` +
        `(${attemptsBound(tSnapshotEnd - tDown)})`,
    );
    assert.ok(
      whileDown.every((r) => r.state === 'signed'),
      `still 'signed' at RU: ${whileDown.map((r) => r.state).join(',')}`,
    );

    kz = spawnNode(fed.home('KZ'), fed.ports.KZ);
    procs.push(kz);
    await kz.ready;
    const tUp = Date.now();
    const downMs = tUp - tDown;
    const converge = await waitFor(
      async () => (await total(ru.apiUrl, ruToken, 'outgoing', 'received')) >= N,
      CAP_MS,
      500,
    );
    const tDone = Date.now();
    const after = await Promise.all(ids.map(delivery));
    const received = after.filter((r) => r.state === 'received').length;
    const failed = after.filter((r) => r.delivery.some((d) => d.status === 'failed')).length;
    const kzIncoming = await total(kz.apiUrl, kzToken, 'incoming');

    const result = {
      scenario: 'receiver-down',
      n: N,
      sent: ids.length,
      pendingWhileDown: statuses.filter((s) => s === 'pending').length,
      errorsWhileDown: errors,
      maxAttemptsWhileDown,
      maxAttemptsTotal: Math.max(...after.map((r) => r.delivery[0]?.attempts ?? 0)),
      delivered: kzIncoming,
      received,
      failed,
      duplicated: kzIncoming - received,
      lost: ids.length - received,
      converged: converge.ok,
      durationsMs: {
        startNodes: tStarted - t0,
        receiverDown: downMs,
        receivedAfterReceiverUp: tDone - tUp,
        total: Date.now() - t0,
      },
    };
    assert.ok(converge.ok, `not all ${N} received within ${CAP_MS} ms after KZ came back`);
    assert.equal(received, N);
    assert.equal(failed, 0);
    assert.ok(
      result.maxAttemptsTotal <= attemptsBound(tDone - tDown),
      `${result.maxAttemptsTotal} attempts in ${tDone - tDown} ms: more than backoff allows`,
    );
    assert.equal(kzIncoming, N, 'KZ holds exactly the 20 requests');

    // The receiver killed mid-request.
    const drafts = await pool(
      Array.from({ length: N_KILL }, (_, i) => i),
      8,
      () => draft(ru.apiUrl, ruToken, proceeding),
    );
    const ids2 = drafts.map((d) => {
      if (d.status === 'rejected') throw d.reason;
      return d.value;
    });
    const signing = pool(ids2, 8, (id) => sign(ru.apiUrl, ruToken, id));
    const reached = await waitFor(
      async () => (await total(kz.apiUrl, kzToken, 'incoming')) >= N + KILL_AFTER,
      60_000,
      100,
    );
    const atKill = await total(kz.apiUrl, kzToken, 'incoming');
    const tKill = Date.now();
    assert.equal(await kz.kill('SIGKILL'), 'SIGKILL');
    const signed2 = await signing;
    const inFlightAtKill = Number(
      (
        await api<{ items: unknown[]; total: number }>(
          ru.apiUrl,
          ruToken,
          'GET',
          '/api/v1/requests?direction=outgoing&states=signed&limit=1',
        )
      ).total,
    );
    kz = spawnNode(fed.home('KZ'), fed.ports.KZ);
    procs.push(kz);
    await kz.ready;
    const restartMs = Date.now() - tKill;
    const converge2 = await waitFor(
      async () => (await total(ru.apiUrl, ruToken, 'outgoing', 'received')) >= N + N_KILL,
      CAP_MS,
      500,
    );
    const incoming = await listAll(kz.apiUrl, kzToken, 'incoming');
    const unique = new Set(incoming.map((r) => r.number));
    const outgoing = await listAll(ru.apiUrl, ruToken, 'outgoing');
    const lost2 = outgoing.filter((r) => !unique.has(r.number)).length;
    const notReceived2 = outgoing.filter((r) => r.state !== 'received').map((r) => `${r.number}:${r.state}`);
    const killed = {
      n: N_KILL,
      signFailures: signed2.filter((r) => r.status === 'rejected').length,
      kzHeldAtKill: atKill,
      reachedBeforeKill: reached.ok,
      awaitingDeliveryAfterKill: inFlightAtKill,
      kzRestartMs: restartMs,
      delivered: unique.size,
      deliveredRows: incoming.length,
      duplicated: incoming.length - unique.size,
      lost: lost2,
      notReceived: notReceived2.length,
      converged: converge2.ok,
      convergedAfterRestartMs: Date.now() - tKill - restartMs,
      // Protocol version 3: what waited for KZ left in bundles when it came back (docs/MESSAGES.md §2.1).
      bundlesAtKz: await bundlesReceived(kz.apiUrl, fed.token('kz.admin'), 'RU'),
    };
    const file = await writeResult('faults-receiver-down.json', { ...result, receiverKilled: killed });
    console.log(`receiver-down: ${JSON.stringify({ ...result, receiverKilled: killed })} → ${file}`);

    assert.ok(reached.ok, `KZ did not take ${KILL_AFTER} requests before the kill`);
    assert.equal(killed.signFailures, 0, 'signing at RU does not depend on KZ');
    assert.ok(converge2.ok, `RU did not get ${N + N_KILL} receipts within ${CAP_MS} ms of KZ's restart`);
    assert.equal(incoming.length, unique.size, 'no duplicates at KZ after the kill');
    assert.equal(unique.size, N + N_KILL, 'KZ holds every request once');
    assert.equal(lost2, 0);
    assert.deepEqual(notReceived2, []);
    assert.ok(killed.bundlesAtKz > 0, 'requests that waited for KZ travelled in bundles');
  } finally {
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    await fed.cleanup();
  }
});
