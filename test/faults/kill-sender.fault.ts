// Fault: the SENDING node dies (SIGKILL, no shutdown) while its outbox is
// delivering. RU signs N requests to KZ through the REST API; after about half
// are signed RU is killed with a backlog in flight, restarted on the same
// home, and the rest are signed. Expected: every signed request reaches KZ
// exactly once (the outbox lease expires, the sealed JWS is resent with the same
// bytes and KZ dedupes by message id), and every outgoing request at RU ends
// 'received'. The fault is made certain: the last 50 requests before the kill
// are signed while KZ is frozen (SIGSTOP), so RU dies with them claimed and
// undelivered (the test waits until the last is 'sending'); KZ thaws after
// the kill. Asserted: those were recorded delivered only by the restarted RU,
// and rows of the killed worker were taken over after their lease
// (outbox.lease_takeovers). Exactly once is checked on the stopped nodes'
// databases, side effects included (harness.ts exactlyOnce). Counts go to
// test-results/faults-kill-sender.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, spawnNode, waitFor, type NodeProcess } from '../support/processes.js';
import {
  assertExactlyOnce,
  bundlesReceived,
  draft,
  exactlyOnce,
  onceReport,
  listAll,
  pool,
  prepareFaultFederation,
  sign,
  startRuKz,
  total,
  withNodeDatabase,
  writeResult,
} from './harness.js';

const N = 1000;
const CONCURRENCY = 8;
const CAP_MS = 180_000;
/** Requests signed last before the kill, while KZ is frozen. */
const FROZEN = 50;

test('SIGKILL of the sending node mid-delivery: no loss, no duplicates', { timeout: 400_000 }, async () => {
  const t0 = Date.now();
  const fed = await prepareFaultFederation();
  const procs: NodeProcess[] = [];
  try {
    const started = await startRuKz(fed, procs);
    let ru = started.ru;
    const { kz, ruToken, kzToken, proceeding } = started;
    const tStarted = Date.now();

    // All drafts first (nothing is queued yet), then signing makes the backlog.
    const drafts = await pool(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      () => draft(ru.apiUrl, ruToken, proceeding),
    );
    const ids = drafts.map((d) => {
      if (d.status === 'rejected') throw d.reason;
      return d.value;
    });
    const half = Math.floor(N / 2);
    const first = await pool(ids.slice(0, half - FROZEN), CONCURRENCY, (id) => sign(ru.apiUrl, ruToken, id));
    // The last FROZEN of the first half are signed while KZ is frozen (SIGSTOP): RU's worker claims them and its
    // POSTs hang, so at the kill they are certainly claimed and undelivered — the fault hits whatever the timing.
    const deliveredBeforeKill = await total(kz.apiUrl, kzToken, 'incoming');
    kz.proc.kill('SIGSTOP');
    const frozen = await pool(ids.slice(half - FROZEN, half), CONCURRENCY, (id) => sign(ru.apiUrl, ruToken, id));
    first.push(...frozen);
    const signedFirst = first.filter((r) => r.status === 'fulfilled').length;
    const lastClaimed = await waitFor(
      async () =>
        (await api<{ delivery: { status: string }[] }>(ru.apiUrl, ruToken, 'GET', `/api/v1/requests/${ids[half - 1]}`))
          .delivery[0]?.status === 'sending',
      30_000,
      100,
    );

    // Kill at once: whatever the worker holds (claimed rows, signed or not yet) is abandoned.
    const killedAt = Date.now();
    const how = await ru.kill('SIGKILL');
    assert.equal(how, 'SIGKILL');
    kz.proc.kill('SIGCONT');
    // What KZ holds once the POSTs that were on the wire have landed (RU is dead: nothing new can come). Every
    // request signed before the kill and not here is one only the restarted RU can deliver: the fault's backlog.
    let deliveredAtKill = await total(kz.apiUrl, kzToken, 'incoming');
    for (let again = -1; again !== deliveredAtKill;) {
      await new Promise((r) => setTimeout(r, 1000));
      again = deliveredAtKill;
      deliveredAtKill = await total(kz.apiUrl, kzToken, 'incoming');
    }
    ru = spawnNode(fed.home('RU'), fed.ports.RU);
    procs.push(ru);
    await ru.ready;
    const restartMs = Date.now() - killedAt;

    const second = await pool(ids.slice(half), CONCURRENCY, (id) => sign(ru.apiUrl, ruToken, id));
    const signFailures = [...first, ...second]
      .filter((r) => r.status === 'rejected')
      .map((r) => String((r as PromiseRejectedResult).reason).slice(0, 300));
    const signedOk = N - signFailures.length;
    // RU's own view: how many left the draft state (a sign cut by the kill could have committed unseen).
    const ruSigned =
      (await total(ru.apiUrl, ruToken, 'outgoing')) - (await total(ru.apiUrl, ruToken, 'outgoing', 'draft'));
    const tSigned = Date.now();

    // Two stages: KZ holds every request; then RU holds every receipt. Rows the
    // killed worker had claimed (and KZ may already have accepted) wait for their
    // 60 s lease, are resent with the same bytes and get KZ's original receipt.
    const kzDone = await waitFor(async () => (await total(kz.apiUrl, kzToken, 'incoming')) >= ruSigned, CAP_MS, 500);
    const tKzDone = Date.now();
    const awaitingReceiptWhenKzDone = ruSigned - (await total(ru.apiUrl, ruToken, 'outgoing', 'received'));
    const converge = await waitFor(
      async () => (await total(ru.apiUrl, ruToken, 'outgoing', 'received')) >= ruSigned,
      Math.max(0, CAP_MS - (tKzDone - tSigned)),
      500,
    );
    const tConverged = Date.now();
    const incoming = await listAll(kz.apiUrl, kzToken, 'incoming');
    const unique = new Set(incoming.map((r) => r.number));
    const outgoing = await listAll(ru.apiUrl, ruToken, 'outgoing');
    const received = outgoing.filter((r) => r.state === 'received').length;
    const notReceived = outgoing.filter((r) => r.state !== 'received').map((r) => `${r.number || r.id}:${r.state}`);
    const ruNumbers = new Set(outgoing.filter((r) => r.state !== 'draft').map((r) => r.number));
    const lost = [...ruNumbers].filter((n) => !unique.has(n)).length;
    const bundlesAtKz = await bundlesReceived(kz.apiUrl, fed.token('kz.admin'), 'RU');
    // The side effects, on the stopped nodes' databases.
    await Promise.all([ru.kill('SIGTERM'), kz.kill('SIGTERM')]);
    const once = await exactlyOnce({ home: fed.home('RU') }, { home: fed.home('KZ') });
    // Signed before the kill, recorded delivered after it: the work only the restarted RU could finish.
    const finishedAfterRestart = await withNodeDatabase(fed.home('RU'), undefined, async (db) =>
      Number(
        (
          await db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('type', '=', 'request')
            .where('created_at', '<', new Date(killedAt))
            .where('delivered_at', '>', new Date(killedAt))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );

    const result = {
      scenario: 'kill-sender',
      n: N,
      concurrency: CONCURRENCY,
      sent: ruSigned,
      signedOk,
      signFailures: signFailures.length,
      signedBeforeKill: signedFirst,
      deliveredBeforeKill,
      deliveredAtKill,
      backlogAtKill: signedFirst - deliveredAtKill,
      signedWhileKzFrozen: FROZEN,
      lastClaimedBeforeKill: lastClaimed.ok,
      finishedAfterRestart,
      delivered: unique.size,
      deliveredRows: incoming.length,
      duplicated: incoming.length - unique.size,
      lost,
      ruReceived: received,
      ruNotReceived: notReceived.length,
      awaitingReceiptWhenKzDone,
      // Protocol version 3: the backlog left RU in bundles (docs/MESSAGES.md §2.1).
      bundlesAtKz,
      // Rows the killed worker had claimed, taken over when their lease expired; KZ's answers to resends of
      // requests it had stored (their receipts died with RU).
      leaseTakeovers: once.sender.leaseTakeovers,
      resendsAnsweredAtKz: once.receiver.resendsAnswered,
      exactlyOnce: onceReport(once),
      kzConverged: kzDone.ok,
      converged: converge.ok,
      durationsMs: {
        startNodes: tStarted - t0,
        restartAfterKill: restartMs,
        signAll: tSigned - tStarted,
        kzCompleteAfterLastSign: tKzDone - tSigned,
        receiptsCompleteAfterLastSign: tConverged - tSigned,
        total: Date.now() - t0,
      },
    };
    const file = await writeResult('faults-kill-sender.json', result);
    console.log(`kill-sender: ${JSON.stringify(result)} → ${file}`);

    assert.ok(lastClaimed.ok, 'the last request signed before the kill was claimed (in flight to the frozen KZ)');
    assert.ok(
      finishedAfterRestart >= FROZEN,
      'the fault hit: requests signed before the kill (at least those signed while KZ was frozen) were recorded ' +
        'delivered only by the restarted RU',
    );
    assert.ok(result.leaseTakeovers > 0, 'rows the killed worker had claimed were taken over after their lease');
    assert.ok(result.bundlesAtKz > 0, 'the requests travelled in bundles');
    assert.deepEqual(signFailures, [], 'no sign call was in flight at the kill, so every one succeeds');
    assert.ok(kzDone.ok, `KZ did not receive ${ruSigned} requests within ${CAP_MS} ms`);
    assert.ok(converge.ok, `RU did not get ${ruSigned} receipts within ${CAP_MS} ms of the last sign`);
    assert.equal(incoming.length, unique.size, 'no duplicates at KZ');
    assert.equal(unique.size, signedOk, 'KZ holds exactly the signed requests');
    assert.equal(ruSigned, signedOk);
    assert.equal(lost, 0);
    assert.deepEqual(notReceived, [], 'every outgoing request at RU is received');
    assert.equal(received, signedOk);
    assertExactlyOnce(once, signedOk);
  } finally {
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    await fed.cleanup();
  }
});
