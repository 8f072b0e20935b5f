// Fault: a lossy, slow link between RU and KZ. The registry gives KZ's
// federation URL as a TCP proxy's port; the proxy forwards to KZ's real port
// with faults: every chunk delayed 200 ms, 20 % of new connections closed at
// once, every other connection reset (RST) after a random 200–30000 bytes (in
// the TLS handshake, in the request, or in the response after KZ committed:
// the receipt is lost and RU must resend). Messages travel in bundles of up to
// three (protocol version 3, EIX_BUNDLE_MAX_MESSAGES=3) or alone, over
// kept-alive connections: resetting every connection after K bytes is what
// makes a long-lived connection fail too (a rate on new connections alone
// would spare the one connection a bundle stream uses). RU signs 50 requests to KZ while
// the faults are on; after a fault window the faults are cleared and RU's
// worker is driven (drain() and its own backoff) until RU holds 50 receipts.
// Expected: KZ holds exactly 50 requests (no duplicates, none lost), each side
// effect once (harness.ts exactlyOnceIn), none failed at RU; and the fault that
// matters hit: at least one receipt was lost after KZ committed and the resend
// was answered from KZ's inbox (inbox.resends). Both nodes run in-process
// (startNode); counts go to test-results/faults-lossy-link.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { readConfig } from '../../src/config/config.js';
import { prepareDemo, DEMO_PARTIES, type DemoParty } from '../../src/demo/federation.js';
import { startNode, type RunningNode } from '../../src/main.js';
import type { Officer } from '../../src/app/context.js';
import { freePort, officer } from '../support/federation.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { GROUNDS, ITEMS, KZ_BODY, ROOT, assertExactlyOnce, exactlyOnceIn, onceReport, writeResult } from './harness.js';

const N = 50;
const FAULT_WINDOW_MS = 12_000;
const CAP_MS = 75_000;
const BLACK_HOLE_N = 5;
const FAULTS = { delayMs: 200, dropRate: 0.2, resetRate: 1, resetAfterBytes: [200, 30_000] as const };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lossy link RU→KZ through a TCP proxy', () => {
  const t0 = Date.now();
  let dir = '';
  const nodes: RunningNode[] = [];
  let proxy: TcpProxy;
  let ru: RunningNode;
  let kz: RunningNode;
  let actor: Officer;
  let proceedingId = '';
  let tStarted = 0;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eix-lossy-'));
    const ports = Object.fromEntries(
      await Promise.all(
        DEMO_PARTIES.map(async (p) => [p, { api: await freePort(), federation: await freePort() }] as const),
      ),
    ) as Record<DemoParty, { api: number; federation: number }>;
    const kzReal = await freePort();
    // The registry says KZ is at ports.KZ.federation: that is the proxy.
    await prepareDemo({ dir, ports, logLevel: 'silent' });
    proxy = await startTcpProxy({ listenPort: ports.KZ.federation, targetPort: kzReal });
    const config = (p: DemoParty, federation: number) =>
      readConfig({
        EIX_HOME: path.join(dir, p.toLowerCase()),
        EIX_PORT: String(ports[p].api),
        EIX_FEDERATION_PORT: String(federation),
        EIX_LOG_LEVEL: 'silent',
        EIX_BUNDLE_MAX_MESSAGES: '3',
      });
    [ru, kz] = await Promise.all([startNode(config('RU', ports.RU.federation)), startNode(config('KZ', kzReal))]);
    nodes.push(ru, kz);
    assert.equal(ru.wired.federation!.registry().parties.KZ!.nodes[0]!.url, `https://127.0.0.1:${proxy.port}`);
    actor = await officer(ru, 'ru.officer');
    const example = JSON.parse(
      await readFile(path.join(ROOT, 'data', 'examples', 'request-ru-kz.json'), 'utf8'),
    ) as Record<string, unknown>;
    proceedingId = (
      await createProceeding(ru.wired.ctx, actor, {
        number: '123456/26/77001-ИП',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      })
    ).id;
    tStarted = Date.now();
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await proxy?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const count = async (ctx: RunningNode['wired']['ctx'], direction: 'incoming' | 'outgoing', state?: string) => {
    let q = ctx.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('direction', '=', direction);
    if (state) q = q.where('state', '=', state);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const signOne = async () => {
    const d = await draftRequest(ru.wired.ctx, actor, {
      proceedingId,
      requestedBody: KZ_BODY,
      items: ITEMS,
      grounds: GROUNDS,
    });
    return (await signRequest(ru.wired.ctx, actor, { requestId: d.id })).messageId;
  };
  /** Drives RU's worker until `n` outgoing requests are received or the cap passes. */
  const driveUntil = async (n: number, capMs: number) => {
    const t = Date.now();
    while (Date.now() - t < capMs) {
      await ru.worker!.drain();
      if ((await count(ru.wired.ctx, 'outgoing', 'received')) >= n) return true;
      await sleep(250);
    }
    return false;
  };
  /** Rows whose receipt RU recorded more than 1 s after KZ's receipt time: the first receipt was lost on the way back. */
  const receiptLost = async (messageIds: string[]) => {
    const rows = await ru.wired.ctx.db
      .selectFrom('outbox as o')
      .innerJoin('request_events as e', 'e.request_id', 'o.request_id')
      .select(['o.message_id', 'o.delivered_at', 'e.at', 'o.attempts'])
      .where('e.event', '=', 'receipt')
      .where('o.message_id', 'in', messageIds)
      .execute();
    return rows.filter((r) => r.attempts > 1 && new Date(r.at).getTime() - new Date(r.delivered_at!).getTime() > 1000)
      .length;
  };

  test(
    'delay 200 ms, 20 % dropped, the rest reset mid-stream, bundles of up to 3: 50 requests, exactly once',
    { timeout: 110_000 },
    async () => {
      const ruCtx = ru.wired.ctx;
      const kzCtx = kz.wired.ctx;
      // Faults on; sign all 50 (RU's worker polls every second and delivers through the proxy).
      proxy.set(FAULTS);
      const tFaults = Date.now();
      const messageIds: string[] = [];
      for (let i = 0; i < N; i++) messageIds.push(await signOne());
      const tSigned = Date.now();
      // Keep the faults on for a window, driving the worker.
      while (Date.now() - tFaults < FAULT_WINDOW_MS) {
        await ru.worker!.drain();
        await sleep(250);
      }
      const duringFaults = { received: await count(ruCtx, 'outgoing', 'received'), proxy: proxy.stats() };
      const rowsAtClear = await ruCtx.db
        .selectFrom('outbox')
        .select(['status', 'attempts', 'last_error'])
        .where('type', '=', 'request')
        .execute();
      const errorsAtClear: Record<string, number> = {};
      for (const r of rowsAtClear)
        if (r.last_error && r.status !== 'delivered') {
          const k = r.last_error.replace(/\s+/g, ' ').slice(0, 60);
          errorsAtClear[k] = (errorsAtClear[k] ?? 0) + 1;
        }

      // Clear the faults; drive delivery until every request has its receipt (the backoff of each row is real).
      proxy.set({});
      const tCleared = Date.now();
      const converged = await driveUntil(N, CAP_MS);
      const tConverged = Date.now();

      const rows = await ruCtx.db
        .selectFrom('outbox')
        .select(['message_id', 'status', 'attempts', 'created_at', 'delivered_at', 'last_error'])
        .where('type', '=', 'request')
        .where('message_id', 'in', messageIds)
        .execute();
      const attempts: Record<string, number> = {};
      for (const r of rows) attempts[String(r.attempts)] = (attempts[String(r.attempts)] ?? 0) + 1;
      const failed = rows.filter((r) => r.status === 'failed').map((r) => `${r.message_id}: ${r.last_error}`);
      const latencies = rows
        .filter((r) => r.delivered_at)
        .map((r) => new Date(r.delivered_at!).getTime() - new Date(r.created_at).getTime())
        .sort((a, b) => a - b);
      const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? null;
      const kzRequests = await kzCtx.db
        .selectFrom('requests')
        .select(['message_id', 'number'])
        .where('direction', '=', 'incoming')
        .execute();
      const kzInbox = await kzCtx.db.selectFrom('inbox').select('message_id').where('type', '=', 'request').execute();
      const kzRejected = await kzCtx.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'federation.rejected')
        .execute();
      const uniqueAtKz = new Set(kzRequests.map((r) => r.message_id));
      const lost = messageIds.filter((m) => !uniqueAtKz.has(m)).length;
      const once = await exactlyOnceIn(ruCtx.db, kzCtx.db);

      const result = {
        scenario: 'lossy-link',
        n: N,
        faults: FAULTS,
        faultWindowMs: FAULT_WINDOW_MS,
        receivedDuringFaults: duringFaults.received,
        proxyDuringFaults: duringFaults.proxy,
        errorsAtClear,
        kzRequests: kzRequests.length,
        kzUniqueMessages: uniqueAtKz.size,
        kzInboxRows: kzInbox.length,
        duplicated: kzRequests.length - uniqueAtKz.size,
        lost,
        kzRejected: kzRejected.length,
        ruReceived: await count(ruCtx, 'outgoing', 'received'),
        ruFailed: failed.length,
        converged,
        attempts,
        // RU's view (its receipt recorded > 1 s after KZ's time of receipt) and KZ's count (inbox.resends).
        receiptLostThenResent: await receiptLost(messageIds),
        resendsAnsweredAtKz: once.receiver.resendsAnswered,
        resentMessagesAtKz: once.receiver.resentIds.length,
        exactlyOnce: onceReport(once),
        // Protocol version 3: retried messages that were due together went in bundles (docs/MESSAGES.md §2.1).
        bundlesAtKz: Number(
          (
            await kzCtx.db
              .selectFrom('bundle_receipts')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
        deliveryLatencyMs: { min: latencies[0] ?? null, p50: pct(0.5), p90: pct(0.9), max: latencies.at(-1) ?? null },
        durationsMs: {
          startNodes: tStarted - t0,
          signAll: tSigned - tFaults,
          allReceivedAfterClear: tConverged - tCleared,
          test: Date.now() - tFaults,
        },
      };
      const file = await writeResult('faults-lossy-link.json', result);
      console.log(`lossy-link: ${JSON.stringify(result)} → ${file}`);

      assert.ok(duringFaults.proxy.dropped > 0 && duringFaults.proxy.reset > 0, 'the faults did happen');
      assert.ok(
        once.receiver.resentIds.length > 0,
        'the fault hit: a receipt was lost after KZ committed, and RU’s resend was answered from KZ’s inbox',
      );
      assert.deepEqual(failed, [], 'no request failed: transport errors are retried');
      assert.ok(converged, `RU did not get ${N} receipts within ${CAP_MS} ms of clearing the faults`);
      assert.equal(kzRequests.length, N, 'KZ holds exactly 50 requests');
      assert.equal(uniqueAtKz.size, N, 'no duplicates at KZ');
      assert.equal(kzInbox.length, N);
      assert.equal(lost, 0);
      assert.ok(Math.max(...rows.map((r) => r.attempts)) > 1, 'some messages needed more than one attempt');
      assert.ok(result.bundlesAtKz > 0, 'retried messages travelled in bundles through the lossy link');
      assertExactlyOnce(once, N);
      // Issue 17: a message whose first attempt failed is told to the national systems once as delayed.
      const delayed = await ruCtx.db
        .selectFrom('events as e')
        .innerJoin('outbox as o', 'o.request_id', 'e.request_id')
        .select(['o.message_id', 'o.attempts'])
        .where('e.kind', '=', 'delivery_delayed')
        .where('o.message_id', 'in', messageIds)
        .execute();
      const retriedIds = rows.filter((r) => r.attempts > 1).map((r) => r.message_id);
      assert.deepEqual(
        delayed.map((d) => d.message_id).sort(),
        [...retriedIds].sort(),
        'one «delivery delayed» event per message whose first attempt failed, none for the others',
      );
    },
  );

  test(
    'black hole (connections accepted, nothing forwarded): 5 requests wait for the 30 s timeout, stay pending, then arrive',
    { timeout: 110_000 },
    async () => {
      const ruCtx = ru.wired.ctx;
      const before = await count(kz.wired.ctx, 'incoming');
      const beforeReceived = await count(ruCtx, 'outgoing', 'received');
      proxy.set({ blackHole: true });
      const statsBefore = proxy.stats();
      const tHole = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < BLACK_HOLE_N; i++) ids.push(await signOne());
      // The worker's POSTs hang until the request timeout (30 s), then the rows go back to pending.
      let pendingWithError = false;
      while (Date.now() - tHole < 45_000) {
        const rows = await ruCtx.db
          .selectFrom('outbox')
          .select(['status', 'last_error'])
          .where('message_id', 'in', ids)
          .execute();
        if (
          rows.length === ids.length &&
          // Each row met the timeout and waits for (or is in) its next attempt; the rows' timeouts are staggered by
          // when each was claimed, so an early one may already be on its next try when the last one times out.
          rows.every(
            (r) => r.status !== 'failed' && r.status !== 'delivered' && /transport\.failed/.test(r.last_error ?? ''),
          )
        ) {
          pendingWithError = true;
          break;
        }
        await sleep(500);
      }
      const tTimedOut = Date.now();
      const rowsInHole = await ruCtx.db
        .selectFrom('outbox')
        .select(['status', 'attempts', 'last_error'])
        .where('message_id', 'in', ids)
        .execute();
      const atKzDuringHole = await count(kz.wired.ctx, 'incoming');
      proxy.set({});
      const tCleared = Date.now();
      const converged = await driveUntil(beforeReceived + BLACK_HOLE_N, 60_000);
      const tConverged = Date.now();
      const rows = await ruCtx.db
        .selectFrom('outbox')
        .select(['status', 'attempts'])
        .where('message_id', 'in', ids)
        .execute();
      const kzRows = await kz.wired.ctx.db
        .selectFrom('requests')
        .select('message_id')
        .where('message_id', 'in', ids)
        .execute();
      const result = {
        scenario: 'lossy-link/black-hole',
        n: BLACK_HOLE_N,
        pendingWithError,
        errors: [...new Set(rowsInHole.map((r) => (r.last_error ?? '').slice(0, 80)))],
        atKzDuringHole: atKzDuringHole - before,
        blackHoled: proxy.stats().blackHoled - statsBefore.blackHoled,
        kzRows: kzRows.length,
        attempts: rows.map((r) => r.attempts),
        statuses: [...new Set(rows.map((r) => r.status))],
        converged,
        durationsMs: { holeUntilAllPending: tTimedOut - tHole, allReceivedAfterClear: tConverged - tCleared },
      };
      const file = await writeResult('faults-lossy-link-black-hole.json', result);
      console.log(`lossy-link black hole: ${JSON.stringify(result)} → ${file}`);
      assert.ok(
        pendingWithError,
        'during the black hole every row met the timeout (transport.failed) and is retried, none failed',
      );
      assert.equal(atKzDuringHole, before, 'nothing reached KZ through the black hole');
      assert.ok(converged, 'all received after the black hole is lifted');
      assert.equal(kzRows.length, BLACK_HOLE_N, 'exactly once at KZ');
      assert.deepEqual(result.statuses, ['delivered']);
      assertExactlyOnce(await exactlyOnceIn(ruCtx.db, kz.wired.ctx.db), before + BLACK_HOLE_N);
    },
  );
});
