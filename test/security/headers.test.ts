// Response headers every client gets (ASVS 4.0.3 V14.4, V14.3.3, V8.2.1):
// API answers are JSON served as an attachment, pages carry the CSP, framing,
// referrer and transport policies, and nothing names the server's software.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';

const [pglite] = ENGINES;

describe('response headers (V14.4, V14.3.3)', () => {
  let node: TestNode;
  let app: FastifyInstance;
  let token = '';
  before(async () => {
    node = nodeOn(await pglite!.open(), 'RU');
    const body = await seedBody(node.ctx, { id: 'ru-fssp-77' });
    token = (await createApiToken(node.ctx, await seedOfficer(node.ctx, body), { name: 't' })).token;
    app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await node.database.close();
  });

  test('V14.4.2, V14.4.1: every API answer (success, refusal, unknown route) is JSON in UTF-8 with Content-Disposition: attachment, never cached (V8.1.1)', async () => {
    for (const [url, auth] of [
      ['/api/v1/requests', true],
      ['/api/v1/requests', false],
      ['/api/v1/no-such-route', true],
      ['/api/v1/health', false],
    ] as const) {
      const res = await app.inject({ url, headers: auth ? { authorization: `Bearer ${token}` } : {} });
      assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8$/, url);
      assert.equal(res.headers['content-disposition'], 'attachment; filename="api.json"', url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
    }
  });

  test('V14.4.3–V14.4.7, V8.2.1: a page carries CSP without inline script, nosniff, HSTS, a strict referrer policy, no framing and no-store', async () => {
    const res = await app.inject({ url: '/login' });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'|frame-ancestors 'self'/);
    assert.match(csp, /object-src 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['strict-transport-security']), /max-age=\d{8,}; includeSubDomains/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.ok(['DENY', 'SAMEORIGIN'].includes(String(res.headers['x-frame-options'])));
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('V14.3.3: no header names the server software or its version', async () => {
    const res = await app.inject({ url: '/login' });
    for (const h of ['server', 'x-powered-by', 'x-aspnet-version']) assert.equal(res.headers[h], undefined, h);
  });
});
