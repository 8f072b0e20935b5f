// The workers' wake-up (src/adapters/jobs/wake-timer.ts, used by the outbox, webhook, mail and registry-lookup
// workers): a kick never postpones a run already due, so a steady stream of kicks cannot starve a worker.
import { test, mock, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { wakeTimer, workerLoop } from '../../src/adapters/jobs/wake-timer.js';
import { startQueueWorker } from '../../src/adapters/jobs/queue-worker.js';

function fakeTime(t: TestContext) {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.after(() => mock.timers.reset());
}

/** Advances the fake clock a millisecond at a time, so that a callback sees the time it was due at. */
function advance(ms: number): void {
  for (let i = 0; i < ms; i++) mock.timers.tick(1);
}

test('a kick every 2 ms for 100 ms runs the loop 5 ms after the first kick, and again after each later burst', (t) => {
  fakeTime(t);
  const runs: number[] = [];
  const timer = wakeTimer(() => runs.push(Date.now()));
  for (let at = 0; at < 100; at += 2) {
    timer.after(5);
    advance(2);
  }
  // A timer reset at each kick would not have fired once while kicks kept coming (every 2 ms < 5 ms).
  assert.ok(runs.length >= 15, `runs: ${runs.length}`);
  assert.equal(runs[0], 5);
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i]! - runs[i - 1]! <= 6, `gap before run ${i}`);
});

test('a kick brings a long pause forward; a later long pause does not push a kicked run back', (t) => {
  fakeTime(t);
  const runs: number[] = [];
  const timer = wakeTimer(() => runs.push(Date.now()));
  timer.after(1000);
  advance(100);
  timer.after(50); // due at 150, sooner than 1000
  timer.after(1000); // would be 1100: the run due at 150 stays
  advance(100);
  assert.deepEqual(runs, [150]);
  advance(2000);
  assert.deepEqual(runs, [150], 'a replaced timer does not fire as well');
  timer.after(10);
  timer.clear();
  advance(100);
  assert.deepEqual(runs, [150], 'clear() cancels');
});

test('a queue worker kicked while its round runs looks again when the round ends, not after its interval', async (t) => {
  fakeTime(t);
  let rounds = 0;
  let release: () => void = () => undefined;
  const worker = startQueueWorker(
    () => {
      rounds += 1;
      // The first round is slow: something is queued (a kick) while it runs, after its claim.
      if (rounds === 1) return new Promise<number>((r) => (release = () => r(0)));
      return Promise.resolve(0);
    },
    { intervalMs: 60_000, kickDelayMs: 50 },
  );
  t.after(() => worker.stop());
  assert.equal(rounds, 1);
  worker.kick();
  mock.timers.tick(50); // the kick's run comes while the first round still runs
  release();
  await new Promise<void>((r) => setImmediate(r));
  mock.timers.tick(50);
  await new Promise<void>((r) => setImmediate(r));
  assert.equal(rounds, 2, 'the kick during the round led to a second round within the kick delay');
});

test('issue 16: a flush (a batch chunk committed) runs a pass at once, not after the kick delay; during a pass, once more after it', async (t) => {
  fakeTime(t);
  const passes: number[] = [];
  let release: (() => void) | null = null;
  const loop = workerLoop(
    async () => {
      passes.push(Date.now());
      if (passes.length === 2) await new Promise<void>((r) => (release = r));
    },
    { intervalMs: 60_000, kickDelayMs: 50 },
  );
  t.after(() => loop.stop());
  loop.run();
  await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(passes, [0]);
  advance(10);
  loop.kick(); // due at 60
  loop.flush(); // now, and the kick's timer with it
  assert.deepEqual(passes, [0, 10], 'the flush ran the pass at once');
  loop.flush(); // while the second pass runs: once more when it ends
  release!();
  await new Promise<void>((r) => setImmediate(r));
  advance(50);
  await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(passes, [0, 10, 60], 'one more pass, within the kick delay after the pass ended');
  advance(1000);
  assert.equal(passes.length, 3, 'the kick made before the flush did not run a pass of its own');
});
