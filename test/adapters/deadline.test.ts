// The deadline of outgoing calls (webhooks, registry connectors) fires even when
// the garbage collector runs while the call waits — the failure that let a
// webhook answered after 1 s count as delivered under a 300 ms timeout in CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from '../../src/adapters/http/deadline.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A call that settles only when its signal aborts (or after `ms`), as a peer that never answers. */
const waitForAbort = (signal: AbortSignal, ms = 5000) =>
  new Promise<string>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => resolve('answered late'), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    });
  });

test('a call past its deadline is aborted with a TimeoutError, collector running meanwhile', async () => {
  for (let round = 0; round < 5; round++) {
    const call = assert.rejects(
      withDeadline(100, undefined, (signal) => waitForAbort(signal, 1000)),
      (e: Error) => e.name === 'TimeoutError',
    );
    for (let i = 0; i < 5; i++) {
      gc();
      await sleep(10);
    }
    await call;
  }
});

test('the caller’s signal aborts the call before its deadline, with the caller’s reason', async () => {
  const outer = new AbortController();
  const call = withDeadline(10_000, outer.signal, (signal) => waitForAbort(signal));
  outer.abort(new Error('stopping'));
  await assert.rejects(call, /stopping/);
  const already = withDeadline(10_000, outer.signal, (signal) => waitForAbort(signal));
  await assert.rejects(already, /stopping/);
});

test('a call that settles in time keeps its result; the deadline does not fire afterwards', async () => {
  let seen: AbortSignal | undefined;
  const got = await withDeadline(50, undefined, async (signal) => {
    seen = signal;
    return 'ok';
  });
  assert.equal(got, 'ok');
  await sleep(100);
  assert.equal(seen?.aborted, false);
});
