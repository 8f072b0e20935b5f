// Issue 18, item 7: the REST API's rate limit per client address (EIX_API_RATE_LIMIT, default 600 a minute). A node
// started from its configuration with a limit of 5: the 6th call of a minute from one address is refused with 429
// `rate_limited`, a Retry-After header and the wait in the body; a bad token does not get past the limit (it is
// counted before authentication); another address keeps its own budget.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { startNode, type RunningNode } from '../../src/main.js';

const LIMIT = 5;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { error?: { code: string; message: string; details?: { retryAfterSeconds?: number } } };
}

/** One GET from a chosen loopback address (Linux routes all of 127.0.0.0/8 to lo). */
function get(base: string, route: string, from: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${route}`, { localAddress: from, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
          body: text ? (JSON.parse(text) as Answer['body']) : {},
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('issue 18.7: API rate limit per client address (EIX_API_RATE_LIMIT)', () => {
  let tmp: string;
  let node: RunningNode;

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'eix-rate-'));
    const home = path.join(tmp, 'node');
    const code = await runCli(['node', 'init', '--party', 'ru', '--json'], {
      io: { out: () => undefined, err: () => undefined },
      clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
      config: readConfig({ EIX_HOME: home }),
    });
    assert.equal(code, 0);
    const config = readConfig({
      EIX_HOME: home,
      EIX_PORT: '0',
      EIX_LOG_LEVEL: 'silent',
      EIX_API_RATE_LIMIT: String(LIMIT),
    });
    assert.equal(config.apiRateLimit, LIMIT);
    assert.equal(readConfig({ EIX_HOME: home }).apiRateLimit, 600, 'the default');
    node = await startNode(config);
  });
  after(async () => {
    await node?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('the calls within the limit pass; the next is 429 rate_limited with Retry-After, even with a bad token', async () => {
    const from = '127.0.0.1';
    for (let i = 0; i < LIMIT; i++) {
      const r = await get(node.apiUrl, '/api/v1/health', from);
      assert.equal(r.status, 200, `call ${i + 1} of ${LIMIT}: ${JSON.stringify(r.body)}`);
    }
    const over = await get(node.apiUrl, '/api/v1/health', from);
    assert.equal(over.status, 429, JSON.stringify(over));
    assert.equal(over.body.error?.code, 'rate_limited');
    const wait = Number(over.retryAfter);
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `Retry-After: ${over.retryAfter}`);
    assert.equal(over.body.error?.details?.retryAfterSeconds, wait, 'the body names the same wait');
    assert.match(over.body.error!.message, new RegExp(`повторите через ${wait} с`));
    // Counted before authentication: a token does not change the answer (not 401), nor does another route.
    const badToken = await get(node.apiUrl, '/api/v1/requests', from, { authorization: 'Bearer not-a-token' });
    assert.equal(badToken.status, 429);
  });

  test('another client address keeps its own budget', async () => {
    for (let i = 0; i < LIMIT; i++) assert.equal((await get(node.apiUrl, '/api/v1/health', '127.0.0.3')).status, 200);
    assert.equal((await get(node.apiUrl, '/api/v1/health', '127.0.0.3')).status, 429);
    const other = await get(node.apiUrl, '/api/v1/health', '127.0.0.4');
    assert.equal(other.status, 200, JSON.stringify(other));
  });
});
