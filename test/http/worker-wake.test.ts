// Issue 16: after an API change only the workers taking what it wrote are woken (written-tables.ts,
// workers-to-wake.ts) — a draft wakes none, a signature the outbox, a batch the batch runner; a refused call none.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { workersToWake, type NodeWorker } from '../../src/adapters/jobs/workers-to-wake.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const example = aRequest();

for (const e of ENGINES) {
  describe(`workers woken after API changes on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let token: string;
    /** The workers each change woke, in order. */
    const woken: NodeWorker[][] = [];

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const officer = await seedOfficer(node.ctx, await seedBody(node.ctx, { id: 'ru-fssp-77' }));
      token = (await createApiToken(node.ctx, officer, { name: 'wake' })).token;
      app = await buildServer({
        ctx: node.ctx,
        logLevel: 'silent',
        onChange: (written) => woken.push(workersToWake(written)),
      });
      await app.ready();
    });
    after(async () => {
      await app.close();
      await node.database.close();
    });

    /** A call and the workers it woke ([] when none; null when onChange was not called at all). */
    const call = async (url: string, payload: object) => {
      const before = woken.length;
      const res = await app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}` } });
      assert.ok(woken.length - before <= 1);
      return { status: res.statusCode, body: res.json<Record<string, unknown>>(), woke: woken[before] ?? null };
    };

    test('a proceeding and a draft wake nothing, the signature wakes the outbox, a batch the batch runner', async () => {
      const p = await call('/api/v1/proceedings', {
        number: 'WAKE-1',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      assert.deepEqual(p.woke, []);
      const draft = {
        proceedingId: String(p.body.id),
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
        items: example.items,
        grounds: example.grounds,
      };
      const d = await call('/api/v1/requests', draft);
      assert.equal(d.status, 201, JSON.stringify(d.body));
      assert.deepEqual(d.woke, []);
      const s = await call(`/api/v1/requests/${String(d.body.id)}/sign`, {});
      assert.equal(s.status, 200, JSON.stringify(s.body));
      assert.deepEqual(s.woke, ['outbox']);
      const b = await call('/api/v1/requests/batch', {
        requestedBody: { party: 'KZ' },
        rows: [
          {
            proceeding: { number: 'WAKE-B', openedOn: '2026-03-02' },
            debtor: example.debtor,
            creditor: example.creditor,
            executiveDocument: example.executiveDocument,
            items: example.items,
            grounds: example.grounds,
          },
        ],
      });
      assert.equal(b.status, 202, JSON.stringify(b.body));
      assert.deepEqual(b.woke, ['batches']);
      const refused = await call('/api/v1/requests', { ...draft, proceedingId: 'no-such-proceeding' });
      assert.equal(refused.status, 400);
      assert.equal(refused.woke, null);
    });
  });
}
