// Issue 14 item 7 at the web door: the menu badge counts the body's unread notices on every page, the notices page
// lists them in Russian, opening the request reads its notices, «Отметить все как прочитанные» clears the rest.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { TestClock, nodeOn, seedBody, seedOfficer, type TestNode, webSignIn } from '../support/app.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };

const incoming = (n: number) => ({
  messageId: `notice-web-${n}-000`,
  fromBody: RU_BODY,
  toBodyId: 'kz-central',
  receivedAt: '2026-11-26T10:00:00+05:00',
  document: aRequest((r) => {
    r.number = `77001/26/00${2000 + n}`;
  }),
});

describe('issue 14.7: notices in the officer UI', () => {
  let kz: TestNode;
  let app: FastifyInstance;
  let base: string;
  let officer: Officer;
  let cookie: { cookie: string };

  before(async () => {
    kz = nodeOn(await ENGINES[0]!.open(), 'KZ', new TestClock(Date.parse('2026-11-26T09:00:00+03:00')));
    await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
    officer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
    app = await buildServer({ ctx: kz.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    ({ cookie } = await webSignIn(kz.ctx, base, officer));
  });
  after(async () => {
    await app?.close();
    await kz?.database.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: cookie, redirect: 'manual' });
    assert.equal(res.status, 200, path);
    return res.text();
  };
  const badge = (html: string) => /class="badge unread-count"[^>]*>([^<]+)</.exec(html)?.[1] ?? null;
  const csrf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

  test('the badge counts unread notices; opening the request reads its notice; «mark all» clears the rest', async () => {
    assert.equal(badge(await get('/')), null, 'no notices, no badge');
    const first = await receiveRequest(kz.ctx, SYSTEM, incoming(1));
    await receiveRequest(kz.ctx, SYSTEM, incoming(2));
    assert.equal(badge(await get('/')), '2');
    const list = await get('/notices');
    assert.match(list, /Поступил запрос № 77001\/26\/002001 \(Россия\)/);
    assert.match(list, /Поступил запрос № 77001\/26\/002002 \(Россия\)/);
    // Opening the request reads its notice: the page's own badge already shows what is left.
    assert.equal(badge(await get(`/requests/${first.id}`)), '1');
    const page = await get('/notices');
    const res = await fetch(`${base}/notices/read`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ _csrf: csrf(page), all: 'true' }).toString(),
    });
    assert.equal(res.status, 303);
    assert.equal(badge(await get('/')), null);
    assert.match(await get('/notices'), /Непрочитанных уведомлений нет/);
  });
});
