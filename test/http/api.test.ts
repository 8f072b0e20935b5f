// The REST API over real storage: the error contract, OpenAPI, revoked tokens.
// The authorisation matrix (every route × every caller) is
// test/http/authorisation-matrix.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import type { Officer } from '../../src/app/context.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const example = aRequest();

interface Call {
  status: number;
  body: { error?: { code: string; message: string; details: Record<string, unknown> } } & Record<string, unknown>;
}

for (const e of ENGINES) {
  describe(`REST API on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    const tokens: Record<string, string> = {};
    let officer: Officer;

    /** A call as one of the actors set up in before() (by name), with a token of the test's own, or anonymously. */
    const call = async (
      who: string | { token: string } | null,
      method: string,
      url: string,
      payload?: unknown,
    ): Promise<Call> => {
      const token = typeof who === 'string' ? tokens[who] : who?.token;
      const res = await app.inject({
        method: method as 'GET',
        url,
        ...(payload !== undefined ? { payload: payload as object } : {}),
        headers: who ? { authorization: `Bearer ${token}` } : {},
      });
      const type = String(res.headers['content-type'] ?? '');
      return { status: res.statusCode, body: type.includes('json') ? res.json() : {} };
    };

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const mine = await seedBody(node.ctx, { id: 'ru-fssp-77' });
      const other = await seedBody(node.ctx, { id: 'ru-fssp-78' });
      officer = await seedOfficer(node.ctx, mine);
      const actors: Record<string, Officer> = {
        officer,
        stranger: await seedOfficer(node.ctx, other),
        admin: await seedOfficer(node.ctx, mine, ['admin']),
        supervisor: await seedOfficer(node.ctx, mine, ['supervisor']),
      };
      for (const [k, a] of Object.entries(actors)) tokens[k] = (await createApiToken(node.ctx, a, { name: k })).token;
      // Many refused calls from one address: the failed-authentication limiter is not what this file tests.
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000, authFailureLimit: 100_000 });
      await app.ready();
    });
    after(async () => {
      await app.close();
      await node.database.close();
    });

    /** A request of the test's own, drafted and signed through the API by the officer. */
    async function signedRequest(number: string): Promise<string> {
      const p = await call('officer', 'POST', '/api/v1/proceedings', {
        number,
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      const d = await call('officer', 'POST', '/api/v1/requests', {
        proceedingId: String(p.body.id),
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      assert.equal(d.status, 201, JSON.stringify(d.body));
      const s = await call('officer', 'POST', `/api/v1/requests/${String(d.body.id)}/sign`, {});
      assert.equal(s.status, 200, JSON.stringify(s.body));
      return String(d.body.id);
    }

    test('the API works end to end for the officer who owns the data', async () => {
      const p = await call('officer', 'POST', '/api/v1/proceedings', {
        number: 'API-1',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      const proceedingId = String(p.body.id);
      const d = await call('officer', 'POST', '/api/v1/requests', {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      assert.equal(d.status, 201);
      const requestId = String(d.body.id);
      assert.equal((d.body.check as { ok: boolean }).ok, true);
      const s = await call('officer', 'POST', `/api/v1/requests/${requestId}/sign`, {});
      assert.equal(s.status, 200, JSON.stringify(s.body));
      const list = await call('officer', 'GET', '/api/v1/requests?direction=outgoing&states=signed&limit=10');
      assert.equal((list.body as unknown as { total: number }).total, 1);
      const v = await call('officer', 'GET', `/api/v1/requests/${requestId}`);
      assert.equal(v.body.state, 'signed');
      assert.equal((await call('officer', 'GET', '/api/v1/treaty/can-send?to=KZ&date=2026-11-26')).body.allowed, true);
      assert.equal((await call('officer', 'GET', '/api/v1/me')).body.login, officer.login);
    });

    test('errors: one shape, the right status, the field named, Russian text', async () => {
      const bad = await call('officer', 'POST', '/api/v1/proceedings', { number: 'API-2', openedOn: 'вчера' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error!.code, 'input.invalid');
      assert.ok(['openedOn', 'debtor'].includes(String(bad.body.error!.details.field)), JSON.stringify(bad.body.error));
      assert.match(bad.body.error!.message, /[а-я]/);
      const json = await app.inject({
        method: 'POST',
        url: '/api/v1/proceedings',
        headers: { authorization: `Bearer ${tokens.officer}`, 'content-type': 'application/json' },
        payload: '{"number":',
      });
      assert.deepEqual([json.statusCode, json.json().error.code], [400, 'input.json']);
      const big = await app.inject({
        method: 'POST',
        url: '/api/v1/proceedings',
        headers: { authorization: `Bearer ${tokens.officer}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ x: 'я'.repeat(1024 * 1024) }),
      });
      assert.deepEqual([big.statusCode, big.json().error.code], [413, 'input.too_large']);
      const proto = await app.inject({
        method: 'POST',
        url: '/api/v1/proceedings',
        headers: { authorization: `Bearer ${tokens.officer}`, 'content-type': 'application/json' },
        payload: '{"__proto__":{"admin":true}}',
      });
      assert.equal(proto.statusCode, 400);
      const missing = await call('officer', 'GET', '/api/v1/nothing-here');
      assert.deepEqual([missing.status, missing.body.error!.code], [404, 'route.not_found']);
      const signed = await signedRequest('API-3');
      const conflict = await call('officer', 'POST', `/api/v1/requests/${signed}/sign`, {});
      assert.deepEqual([conflict.status, conflict.body.error!.code], [409, 'workflow.transition']);
      const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', 'security headers are on');
      assert.ok(res.headers['x-request-id'] === undefined || typeof res.headers['x-request-id'] === 'string');
    });

    test('OpenAPI 3.1 is served and documents every route; Swagger UI is up', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      assert.equal(doc.openapi, '3.1.0');
      for (const path of [
        '/api/v1/requests',
        '/api/v1/requests/{id}/answers',
        '/api/v1/proceedings',
        '/api/v1/bodies',
        '/api/v1/retention-rules/{party}',
      ])
        assert.ok(doc.paths[path], path);
      assert.equal((await app.inject({ method: 'GET', url: '/api/docs/' })).statusCode, 200);
    });

    test('revoked tokens are refused at once', async () => {
      const t = await createApiToken(node.ctx, officer, { name: 'short-lived' });
      const temp = { token: t.token };
      assert.equal((await call(temp, 'GET', '/api/v1/me')).status, 200);
      assert.equal((await call(temp, 'DELETE', `/api/v1/tokens/${t.id}`)).status, 200);
      const r = await call(temp, 'GET', '/api/v1/me');
      assert.deepEqual([r.status, r.body.error!.code], [401, 'auth.token']);
    });
  });
}
