// Issue 13, item 1: rate limiting before authentication, a stricter limiter of
// failed authentications per client address, and failed API tokens aggregated
// in the audit log (one entry per source address per minute, with a count), so
// an anonymous client can neither grow the audit chain nor slow it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { authenticateToken } from '../../src/app/authenticate.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const BAD = 'eix_0123456789abcdef_notthesecretnotthesecretnotthesecret';

for (const e of ENGINES) {
  describe(`issue 13 item 1: authentication throttling on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let good: string;

    const tokenAudits = async () =>
      (
        await node.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.login_failed').execute()
      ).filter((r) => (r.details as { method?: string }).method === 'token');
    const call = (token: string, remoteAddress: string, a = app) =>
      a.inject({
        method: 'GET',
        url: '/api/v1/me',
        remoteAddress,
        headers: { authorization: `Bearer ${token}` },
      });

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const officer = await seedOfficer(node.ctx, await seedBody(node.ctx));
      const t = await createApiToken(node.ctx, officer, { name: 'test' });
      good = t.token;
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test('V2.2.1 / V11.1.4: 100 bad tokens from one address → 429 after 10 failures, at most one audit entry', async () => {
      const before = (await tokenAudits()).length;
      const codes: number[] = [];
      let last = '';
      for (let i = 0; i < 100; i++) {
        const r = await call(BAD, '10.1.0.1');
        codes.push(r.statusCode);
        last = r.body;
        if (i === 99) assert.ok(Number(r.headers['retry-after']) > 0, 'a throttled answer names the wait');
      }
      assert.deepEqual(codes.slice(0, 10), Array(10).fill(401), 'the first 10 failures are answered 401');
      assert.deepEqual(codes.slice(10), Array(90).fill(429), 'then 429 without looking at the token');
      const err = JSON.parse(last) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'auth.throttled');
      assert.match(err.error.message, /Слишком много неудачных попыток входа/);
      const entries = (await tokenAudits()).slice(before);
      assert.equal(entries.length, 1, 'one audit entry for the burst');
      assert.deepEqual(
        [
          (entries[0]!.details as { count: number }).count,
          (entries[0]!.details as { address: string }).address,
          (entries[0]!.details as { reason: string }).reason,
        ],
        [1, '10.1.0.1', 'unknown'],
      );
      // Even the right token waits out the window from that address; another address is not affected.
      assert.equal((await call(good, '10.1.0.1')).statusCode, 429);
      assert.equal((await call(good, '10.1.0.2')).statusCode, 200);
      assert.equal((await call(BAD, '10.1.0.2')).statusCode, 401);
    });

    test('V11.1.4: the general rate limit is applied before bearer-token authentication', async () => {
      const small = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 5, authFailureLimit: 1000 });
      try {
        const rs = [];
        for (let i = 0; i < 7; i++) rs.push(await call(BAD, '10.2.0.1', small));
        assert.deepEqual(
          rs.map((r) => r.headers['x-ratelimit-remaining']),
          ['4', '3', '2', '1', '0', '0', '0'],
          'every bad token uses the budget',
        );
        assert.deepEqual(
          rs.map((r) => r.statusCode),
          [401, 401, 401, 401, 401, 429, 429],
        );
        assert.equal((JSON.parse(rs[6]!.body) as { error: { code: string } }).error.code, 'rate_limited');
      } finally {
        await small.close();
      }
    });

    test('V7.2.1: failed tokens are audited once a minute per address, carrying the count since the last entry', async () => {
      const before = (await tokenAudits()).length;
      const fail = () =>
        assert.rejects(authenticateToken(node.ctx, BAD, { address: '10.3.0.1' }), { code: 'auth.token' });
      for (let i = 0; i < 5; i++) await fail();
      await assert.rejects(authenticateToken(node.ctx, 'garbage', { address: '10.3.0.2' }), { code: 'auth.token' });
      node.clock.advance(30_000);
      for (let i = 0; i < 3; i++) await fail();
      node.clock.advance(31_000);
      await fail();
      const entries = (await tokenAudits()).slice(before).map((r) => r.details as { address: string; count: number });
      assert.deepEqual(
        entries.map((d) => [d.address, d.count]),
        [
          ['10.3.0.1', 1],
          ['10.3.0.2', 1],
          ['10.3.0.1', 8],
        ],
      );
      assert.ok(!JSON.stringify(entries).includes('notthesecret'), 'the secret part is never recorded');
    });
  });
}
