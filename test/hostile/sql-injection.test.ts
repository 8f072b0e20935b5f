// SQL injection through search: hostile query strings in the REST list of
// requests and proceedings and in the web dashboard search never cause a 5xx,
// never reveal another body's request, and leave the tables in place.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import type { Officer } from '../../src/app/context.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const example = aRequest();
const PASSWORD = 'correct-horse-battery-staple';
const HOSTILE = [
  "' OR 1=1 --",
  "' OR '1'='1",
  "'; drop table requests; --",
  '"; drop table proceedings; --',
  "Иванов' OR 1=1 --",
  "Иванов'; delete from requests; --",
  '%',
  '%%',
  '_',
  '%Иванов%',
  '\\',
  '\\\\',
  "\\'",
  "' UNION SELECT id, document FROM requests --",
  '1; select pg_sleep(5)',
  '$1',
  '$$ $$',
  '*',
  '(',
  ')',
  '[',
  '|',
  '.*',
  '(?:',
  'Иван\u0301ов',
  'ИВАНОВ',
  'ivanov',
  '😀',
  '\u202e',
  'Ｉｖａｎｏｖ',
  'i̇',
  'a'.repeat(200),
  '500100732259',
  "500100732259' OR 1=1 --",
  '\u00a0Иванов\u00a0',
  'Иванов\tИван',
  '${7*7}',
  '{"$ne":null}',
];

for (const e of ENGINES) {
  describe(`SQL injection through search on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let searcher: Officer;
    let token = '';
    let cookie = '';
    let strangerRequestId = '';
    let strangerProceedingId = '';
    let ownRequestId = '';

    const count = async (table: 'proceedings' | 'requests' | 'answers' | 'officers' | 'bodies'): Promise<number> =>
      Number(
        (
          await node.ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const mine = await seedBody(node.ctx, { id: 'ru-fssp-77' });
      const other = await seedBody(node.ctx, { id: 'ru-fssp-78' });
      searcher = await seedOfficer(node.ctx, mine);
      const stranger = await seedOfficer(node.ctx, other);
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', searcher.officerId)
        .execute();
      token = (await createApiToken(node.ctx, searcher, { name: 'sqli' })).token;
      // The other body's request is about Иванов; the searcher's own is about someone else.
      const sp = await createProceeding(node.ctx, stranger, {
        number: 'OTHER-1',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      strangerProceedingId = sp.id;
      strangerRequestId = (
        await draftRequest(node.ctx, stranger, {
          proceedingId: sp.id,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
          items: example.items,
          grounds: example.grounds,
        })
      ).id;
      const op = await createProceeding(node.ctx, searcher, {
        number: 'OWN-1',
        openedOn: '2026-03-02',
        debtor: {
          ...example.debtor,
          surname: 'Сидоров',
          latinName: 'SIDOROV IVAN',
          ids: [{ country: 'RU', kind: 'INN', value: '7707083893' }],
        },
        creditor: example.creditor,
        executiveDocuments: [{ ...example.executiveDocument, number: 'ФС № 999999999' }],
      });
      ownRequestId = (
        await draftRequest(node.ctx, searcher, {
          proceedingId: op.id,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
          items: example.items,
          grounds: example.grounds,
        })
      ).id;
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      await app.ready();
      const login = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ login: searcher.login, password: PASSWORD }).toString(),
      });
      assert.equal(login.statusCode, 302, login.body.slice(0, 300));
      cookie = ([] as string[])
        .concat(login.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-eix_session='))!
        .split(';')[0]!;
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test('control: the search works, and the own request is found by its debtor', async () => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/requests?direction=outgoing&query=${encodeURIComponent('Сидоров')}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(
        (res.json().items as { id: string }[]).some((r) => r.id === ownRequestId),
        'own request found',
      );
      assert.ok(!res.body.includes(strangerRequestId));
    });

    test("REST search: hostile queries never 5xx and never reveal the other body's request", async () => {
      const before = { requests: await count('requests'), proceedings: await count('proceedings') };
      for (const q of HOSTILE) {
        for (const url of [
          `/api/v1/requests?direction=incoming&query=${encodeURIComponent(q)}`,
          `/api/v1/requests?direction=outgoing&query=${encodeURIComponent(q)}`,
          `/api/v1/proceedings?query=${encodeURIComponent(q)}`,
          `/api/v1/requests?direction=incoming&bodyId=${encodeURIComponent(q)}`,
          `/api/v1/requests?direction=outgoing&states=${encodeURIComponent(q)}`,
        ]) {
          const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
          assert.ok(res.statusCode < 500, `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (res.statusCode >= 400) assert.equal(typeof res.json().error.code, 'string', url);
          assert.ok(
            !res.body.includes(strangerRequestId) && !res.body.includes(strangerProceedingId),
            `${url}: another body's data leaked`,
          );
          assert.ok(
            !res.body.includes('OTHER-1') && !res.body.includes('Иванов'),
            `${url}: another body's personal data leaked`,
          );
        }
      }
      assert.deepEqual(
        { requests: await count('requests'), proceedings: await count('proceedings') },
        before,
        'nothing was deleted or added',
      );
    });

    test("web dashboard search: hostile ?q= never 5xx and never reveals the other body's request", async () => {
      for (const q of HOSTILE) {
        for (const page of ['/', '/proceedings']) {
          const res = await app.inject({
            method: 'GET',
            url: `${page}?q=${encodeURIComponent(q)}`,
            headers: { cookie },
          });
          assert.ok(res.statusCode < 500, `${page}?q=${q}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          assert.ok(
            !res.body.includes(strangerRequestId) && !res.body.includes(strangerProceedingId),
            `${page}?q=${q}: another body's request leaked`,
          );
          assert.ok(!res.body.includes('OTHER-1'), `${page}?q=${q}: another body's proceeding leaked`);
        }
      }
    });

    test('the tables are all still there and hold what they held', async () => {
      const rows = await sql<{
        table_name: string;
      }>`select table_name from information_schema.tables where table_schema = current_schema()`.execute(node.ctx.db);
      const names = rows.rows.map((r) => r.table_name);
      for (const t of ['requests', 'proceedings', 'answers', 'officers', 'bodies', 'audit_log', 'sessions'])
        assert.ok(names.includes(t), `table ${t} exists`);
      assert.equal(await count('requests'), 2);
      assert.equal(await count('proceedings'), 2);
      assert.equal(await count('officers'), 2);
      assert.equal(await count('bodies'), 2);
      const audit = await app.inject({
        method: 'GET',
        url: `/api/v1/requests/${strangerRequestId}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(audit.statusCode, 404, "the other body's request is still not found by id");
    });
  });
}
