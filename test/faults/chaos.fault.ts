// The chaos soak (issue 18, item 9) in a short configuration: the same run as `npm run bench -- chaos`
// (bench/chaos.ts: RU on a throwaway PostgreSQL database, KZ and BY on PGlite, three `eix node start`
// processes, every link into a node through a TCP proxy), with EIX_CHAOS_REQUESTS requests (default 300) and
// their answers in all six directions and a fault every EIX_CHAOS_FAULT_EVERY_S seconds (default 10) — at least
// one of each kind: SIGKILL and restart, PostgreSQL backends terminated, a link resetting, a link black-holed,
// a clock jump within tolerance. The seed is printed and recorded (EIX_CHAOS_SEED repeats a run's faults).
// Afterwards every request and answer is stored exactly once with exactly its side effects, every outbox row
// is delivered, every batch done, every audit chain verifies, and no call got a 5xx other than the node's
// deliberate 503 storage.unavailable while its database was lost. Counts go to test-results/faults-chaos.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { FAULT_KINDS, chaosFailures, runChaos } from '../../bench/chaos.js';
import { TEST_DATABASE_URL } from '../support/db.js';
import { writeResult } from './harness.js';

const REQUESTS = Number(process.env.EIX_CHAOS_REQUESTS ?? 300);
const FAULT_EVERY_S = Number(process.env.EIX_CHAOS_FAULT_EVERY_S ?? 10);

test(
  'chaos, short: three node processes exchange requests and answers under random faults; each exactly once, audit chains whole, no 5xx',
  { timeout: 20 * 60_000 },
  async (t) => {
    if (!TEST_DATABASE_URL) {
      t.skip('no PostgreSQL for tests (EIX_TEST_DATABASE_URL)');
      return;
    }
    const seed = Number(process.env.EIX_CHAOS_SEED ?? randomInt(2 ** 31));
    const r = await runChaos({
      requests: REQUESTS,
      faultEverySeconds: FAULT_EVERY_S,
      seed,
      adminUrl: TEST_DATABASE_URL,
      batchRows: 25,
      window: 60,
      minFaults: FAULT_KINDS.length,
      convergeCapMs: 5 * 60_000,
      log: (l) => console.log(l),
    });
    const file = await writeResult('faults-chaos.json', r);
    console.log(`chaos: seed ${seed}, results → ${file}`);

    assert.deepEqual(chaosFailures(r, { minRequests: REQUESTS, everyFaultKind: true }), [], `seed ${seed}`);
    // The faults did what they say.
    const kills = r.faults.filter((f) => f.kind === 'kill');
    assert.ok(
      kills.every((f) => f.details.how === 'SIGKILL'),
      'every kill was a SIGKILL',
    );
    const terminated = r.faults
      .filter((f) => f.kind === 'pg-terminate')
      .reduce((s, f) => s + (f.details.backends as number), 0);
    assert.ok(terminated > 0, 'PostgreSQL backends were terminated');
    const jumps = r.faults.filter((f) => f.kind === 'clock-jump').map((f) => f.details.toMs as number);
    assert.ok(
      jumps.every((ms) => ms !== 0 && Math.abs(ms) <= 120_000),
      `clock jumps within ±2 min: ${jumps.join(', ')}`,
    );
    // Requests and answers crossed every link.
    for (const d of r.directions)
      assert.ok(d.sent > 0 && d.answersSent === d.sent, `${d.from}→${d.to}: ${JSON.stringify(d)}`);
  },
);
