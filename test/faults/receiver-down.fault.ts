// Faults of the RECEIVING node, in two phases on one federation.
// 1. KZ is KILLED (SIGKILL) while it stores incoming requests, with a request
//    certainly in flight: KZ runs with EIX_TEST_HOLD_RECEIPT=answer, so the
//    first message it receives is committed and its receipt held back (the
//    node says so on stderr). RU signs 200 requests to KZ; once KZ holds about
//    40 of them, the held one among them, KZ dies and is restarted on the same
//    PGlite home. Every request must reach KZ exactly once, side effects
//    included, and the held request — committed, never answered — must have
//    been resent and answered from KZ's inbox with its original receipt
//    (inbox.resends), not stored again; KZ's database must open after the kill.
// 2. KZ is down (SIGTERM) while RU signs 20 more; each delivery must be
//    delayed, not failed: the outbox row stays 'pending' with the transport
//    error and a backoff (1 s doubling). When KZ starts again every request
//    becomes 'received' within a bounded wait.
// Counts go to test-results/faults-receiver-down.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs } from '../../src/adapters/federation/outbound.js';
import { api, spawnNode, waitFor, type NodeProcess } from '../support/processes.js';
import {
  assertExactlyOnce,
  bundlesReceived,
  draft,
  exactlyOnce,
  onceReport,
  heldReceipts,
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

test(
  'receiver killed with a committed request unanswered, then down: every request once, the unanswered one resent and answered from the inbox; deliveries wait with backoff',
  { timeout: 420_000 },
  async () => {
    const t0 = Date.now();
    const fed = await prepareFaultFederation();
    const procs: NodeProcess[] = [];
    try {
      // KZ holds the receipt of the first message it receives, after the commit, until it is killed.
      const started = await startRuKz(fed, procs, { kzEnv: { EIX_TEST_HOLD_RECEIPT: 'answer' } });
      let kz = started.kz;
      const { ru, ruToken, kzToken, proceeding } = started;
      const tStarted = Date.now();

      // 1. The receiver killed mid-request.
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
      const held = (await heldReceipts(kz, 1, 60_000))[0]!;
      const reached = await waitFor(
        async () => (await total(kz.apiUrl, kzToken, 'incoming')) >= KILL_AFTER,
        60_000,
        100,
      );
      const atKill = await total(kz.apiUrl, kzToken, 'incoming');
      const tKill = Date.now();
      assert.equal(await kz.kill('SIGKILL'), 'SIGKILL');
      const signed2 = await signing;
      const inFlightAtKill = await total(ru.apiUrl, ruToken, 'outgoing', 'signed');
      kz = spawnNode(fed.home('KZ'), fed.ports.KZ);
      procs.push(kz);
      await kz.ready;
      const restartMs = Date.now() - tKill;
      const converge2 = await waitFor(
        async () => (await total(ru.apiUrl, ruToken, 'outgoing', 'received')) >= N_KILL,
        CAP_MS,
        500,
      );
      const convergedAfterRestartMs = Date.now() - tKill - restartMs;
      const killed = {
        n: N_KILL,
        signFailures: signed2.filter((r) => r.status === 'rejected').length,
        heldPoint: held.point,
        heldMessages: held.messageIds.length,
        kzHeldAtKill: atKill,
        reachedBeforeKill: reached.ok,
        awaitingDeliveryAfterKill: inFlightAtKill,
        kzRestartMs: restartMs,
        converged: converge2.ok,
        convergedAfterRestartMs,
      };
      assert.ok(reached.ok, `KZ did not take ${KILL_AFTER} requests before the kill`);
      assert.equal(held.point, 'answer');
      assert.ok(held.messageIds.length > 0, 'a receipt was held after its commit');
      assert.equal(killed.signFailures, 0, 'signing at RU does not depend on KZ');
      assert.ok(converge2.ok, `RU did not get ${N_KILL} receipts within ${CAP_MS} ms of KZ's restart`);

      // 2. The receiver down (SIGTERM) while RU signs.
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
        async () => (await total(ru.apiUrl, ruToken, 'outgoing', 'received')) >= N_KILL + N,
        CAP_MS,
        500,
      );
      const tDone = Date.now();
      const after = await Promise.all(ids.map(delivery));
      const received = after.filter((r) => r.state === 'received').length;
      const failed = after.filter((r) => r.delivery.some((d) => d.status === 'failed')).length;
      const kzIncoming = (await total(kz.apiUrl, kzToken, 'incoming')) - N_KILL;

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
      assert.equal(kzIncoming, N, 'KZ holds exactly the 20 requests more');

      // Both phases, on the stopped nodes' databases.
      const incoming = await listAll(kz.apiUrl, kzToken, 'incoming');
      const outgoing = await listAll(ru.apiUrl, ruToken, 'outgoing');
      const notReceived = outgoing.filter((r) => r.state !== 'received').map((r) => `${r.number}:${r.state}`);
      const bundlesAtKz = await bundlesReceived(kz.apiUrl, fed.token('kz.admin'), 'RU');
      await Promise.all([ru.kill('SIGTERM'), kz.kill('SIGTERM')]);
      const once = await exactlyOnce({ home: fed.home('RU') }, { home: fed.home('KZ') });
      const heldResent = held.messageIds.filter((m) => once.receiver.resentIds.includes(m));
      const report = {
        ...result,
        receiverKilled: {
          ...killed,
          heldResentAndAnswered: heldResent.length,
          // Protocol version 3: what waited for KZ left in bundles when it came back (docs/MESSAGES.md §2.1).
          bundlesAtKz,
        },
        kzIncoming: incoming.length,
        resendsAnsweredAtKz: once.receiver.resendsAnswered,
        leaseTakeovers: once.sender.leaseTakeovers,
        exactlyOnce: onceReport(once),
      };
      const file = await writeResult('faults-receiver-down.json', report);
      console.log(`receiver-down: ${JSON.stringify(report)} → ${file}`);

      assert.deepEqual(
        heldResent,
        held.messageIds,
        'the fault hit: the request KZ committed and never answered was resent and answered from its inbox',
      );
      assert.deepEqual(notReceived, [], 'every outgoing request at RU is received');
      assert.equal(incoming.length, N_KILL + N, 'KZ holds every request once');
      assert.ok(bundlesAtKz > 0, 'requests that waited for KZ travelled in bundles');
      assertExactlyOnce(once, N_KILL + N);
    } finally {
      await Promise.all(procs.map((p) => p.kill('SIGTERM')));
      await fed.cleanup();
    }
  },
);
