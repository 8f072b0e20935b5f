// Issue 14 item 8 at the administration page: a body's letterhead (address, telephone, e-mail) and an officer's
// contacts are entered in the forms the administrator already uses, and reach the printed forms' data.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import type { Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode, webSignIn } from '../support/app.js';

describe('issue 14.8: letterhead and contacts on the administration page', () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let admin: Officer;
  let cookie: { cookie: string };

  before(async () => {
    node = nodeOn(await ENGINES[0]!.open(), 'RU');
    const body = await seedBody(node.ctx);
    admin = await seedOfficer(node.ctx, body, ['admin']);
    app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    ({ cookie } = await webSignIn(node.ctx, base, admin));
  });
  after(async () => {
    await app?.close();
    await node?.database.close();
  });

  const post = async (url: string, form: Record<string, string>) => {
    const page = await (await fetch(`${base}/admin`, { headers: cookie })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    return fetch(`${base}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    });
  };

  test('a refused form names the field in Russian, without its technical path', async () => {
    const res = await post('/admin/officers', {
      bodyId: 'ru-fssp-50',
      login: 'r50.petrov',
      fullName: 'Петров Пётр Петрович',
      position: 'пристав',
    });
    assert.equal(res.status, 400);
    // Issue 15.2: the error is shown in the form itself (the rest of the page is the administration page).
    const text = /id="o-error"[^>]*>([^<]*)</.exec(await res.text())?.[1] ?? '';
    assert.match(text, /«роли»/);
    assert.doesNotMatch(text, /\b(roles|login)\b/, text);
  });

  test('a new body keeps its address, telephone and e-mail; a new officer his telephone and e-mail', async () => {
    const page = await (await fetch(`${base}/admin`, { headers: cookie })).text();
    for (const id of ['body-address', 'body-phone', 'body-email', 'o-phone', 'o-email'])
      assert.match(page, new RegExp(`<label for="${id}">`), id);
    const b = await post('/admin/bodies', {
      id: 'ru-fssp-50',
      name: 'ГУФССП России по Московской области',
      kind: 'territorial',
      address: '143400, Московская обл., г. Красногорск, ул. Речная, д. 8',
      phone: '+7 495 000-00-50',
      email: 'kanc@r50.fssp.gov.ru',
    });
    assert.equal(b.status, 302);
    const body = await node.ctx.db
      .selectFrom('bodies')
      .select(['address', 'phone', 'email'])
      .where('id', '=', 'ru-fssp-50')
      .executeTakeFirstOrThrow();
    assert.deepEqual(body, {
      address: '143400, Московская обл., г. Красногорск, ул. Речная, д. 8',
      phone: '+7 495 000-00-50',
      email: 'kanc@r50.fssp.gov.ru',
    });
    const o = await post('/admin/officers', {
      bodyId: 'ru-fssp-50',
      login: 'r50.ivanova',
      fullName: 'Иванова Мария Петровна',
      position: 'судебный пристав-исполнитель',
      roles: 'officer',
      phone: '+7 495 000-00-51',
      email: 'ivanova@r50.fssp.gov.ru',
    });
    assert.equal(
      o.status,
      200,
      (await o.text())
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 600),
    );
    const officer = await node.ctx.db
      .selectFrom('officers')
      .select(['phone', 'email'])
      .where('login', '=', 'r50.ivanova')
      .executeTakeFirstOrThrow();
    assert.deepEqual(officer, { phone: '+7 495 000-00-51', email: 'ivanova@r50.fssp.gov.ru' });
  });
});
