// Issue 18, item 3: retry, backoff and the retry limit on a clock the test holds. RU's real federation wiring
// (its default retry limit, its outbox, claimDue and deliver as the worker calls them) sends to a KZ address where
// nothing listens (the connection is refused). The test moves the clock from one attempt to the next, never sleeps:
// a message is not due a millisecond before its backoff ends, is due at it, the spacing of the attempts is
// backoffMs(attempt), and after the default limit (12) the row is `failed` for good, never claimed again, and the
// request page shows «Сообщение не доставлено».
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { backoffMs, claimDue, deliver } from '../../src/adapters/federation/outbound.js';
import { TestClock, webSignIn } from '../support/app.js';
import { freePort, officer, outboxRow, settle, startTestFederation } from '../support/federation.js';

/** The schedule docs/RELIABILITY.md states: 1 s, 2 s, 4 s, … doubling, at most 10 minutes. */
const SCHEDULE_MS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600].map((s) => s * 1000);

test('backoffMs: 1 s doubling up to 10 minutes, for every attempt up to the limit and beyond', () => {
  assert.deepEqual(
    SCHEDULE_MS.map((_, i) => backoffMs(i + 1)),
    SCHEDULE_MS,
  );
  // No jitter: the same attempt always waits the same time; the cap holds far beyond the limit.
  assert.equal(backoffMs(5), backoffMs(5));
  assert.equal(backoffMs(40), 600_000);
  assert.equal(backoffMs(0), 1000, 'a held message given its attempt back waits like a first attempt');
});

describe('issue 18.3: a peer that refuses every connection, driven through every attempt on a test clock', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let real: Federation;
  let down: Federation;
  let clock: TestClock;
  let ruOfficer: Officer;

  before(async () => {
    fed = await startTestFederation();
    // Whatever the demo queued is delivered first, then the worker is stopped: the test is the only sender.
    await settle(fed);
    await fed.nodes.RU.worker!.stop();
    real = fed.nodes.RU.wired.federation!;
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    clock = new TestClock(Date.now());
    const refused = `https://127.0.0.1:${await freePort()}`;
    down = {
      ...real,
      app: { ...real.app, clock },
      registry: () => ({
        ...real.registry(),
        parties: {
          ...real.registry().parties,
          KZ: { ...real.registry().parties.KZ!, nodes: [{ id: 'kz-node', url: refused }] },
        },
      }),
    };
  });
  after(async () => {
    await fed?.close();
  });

  test('the node is wired with the default limit of 12 attempts', () => {
    assert.equal(real.maxAttempts, 12);
    assert.equal(SCHEDULE_MS.length, real.maxAttempts);
  });

  test('R10.a: attempts spaced by backoffMs(attempt), never early, at most maxAttempts, then failed and shown', async () => {
    const ctx = { ...fed.nodes.RU.wired.ctx, clock };
    const proceedingId = (await ctx.db.selectFrom('proceedings').select('id').executeTakeFirstOrThrow()).id;
    const d = await draftRequest(ctx, ruOfficer, {
      proceedingId,
      requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник проживает в Республике Казахстан.',
    });
    const { messageId } = await signRequest(ctx, ruOfficer, { requestId: d.id });

    const spacing: number[] = [];
    let attempts = 0;
    for (;;) {
      const before = await outboxRow(down, messageId);
      if (before.status === 'failed') break;
      assert.equal(before.status, 'pending');
      const due = new Date(before.next_attempt_at).getTime();
      if (attempts > 0) {
        // A millisecond before its backoff ends the message is not due: no hot retry loop.
        clock.set(new Date(due - 1).toISOString());
        assert.deepEqual(await claimDue(down, 10), [], `attempt ${attempts + 1} claimed early`);
      }
      clock.set(new Date(Math.max(due, clock.now().getTime())).toISOString());
      const claimed = await claimDue(down, 10);
      assert.deepEqual(
        claimed.map((r) => r.message_id),
        [messageId],
      );
      attempts += 1;
      assert.equal(claimed[0]!.attempts, attempts);
      assert.ok(attempts <= real.maxAttempts, `attempt ${attempts} beyond the limit of ${real.maxAttempts}`);
      assert.equal(await deliver(down, claimed[0]!), false);
      const after = await outboxRow(down, messageId);
      assert.match(after.last_error ?? '', /^transport\.failed:/);
      assert.equal(new Date(after.last_attempt_at!).getTime(), clock.now().getTime());
      spacing.push(new Date(after.next_attempt_at).getTime() - clock.now().getTime());
    }
    assert.equal(attempts, real.maxAttempts, 'failed exactly at the limit, not before');
    // The last entry is the wait a failed row would have had; it is never used (checked below).
    assert.deepEqual(spacing, SCHEDULE_MS);
    assert.deepEqual(
      spacing.map((_, i) => backoffMs(i + 1)),
      spacing,
    );

    // Failed for good: a day later nothing is due, the attempt count stays at the limit.
    clock.advance(86_400_000);
    assert.deepEqual(await claimDue(down, 10), []);
    const row = await outboxRow(down, messageId);
    assert.deepEqual([row.status, row.attempts], ['failed', real.maxAttempts]);
    const events = await ctx.db
      .selectFrom('request_events')
      .select(['event', 'data'])
      .where('request_id', '=', d.id)
      .where('event', 'in', ['delivery_failed'])
      .execute();
    assert.equal(events.length, 1);
    const data = typeof events[0]!.data === 'string' ? JSON.parse(events[0]!.data) : events[0]!.data;
    assert.equal((data as { attempts: number }).attempts, real.maxAttempts);

    // The officer's request page: the message «не доставлено» and the history entry «Сообщение не доставлено».
    const base = fed.nodes.RU.apiUrl;
    const { cookie } = await webSignIn(fed.nodes.RU.wired.ctx, base, ruOfficer);
    const res = await fetch(`${base}/requests/${d.id}`, { headers: cookie });
    assert.equal(res.status, 200);
    const text = (await res.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    assert.match(text, /Сообщение не доставлено/);
    assert.match(text, /не доставлено/);
    assert.match(text, /Узел другой Стороны не отвечает/);
  });
});
