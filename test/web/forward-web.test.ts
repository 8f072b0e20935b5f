// Issue 15.5, R18 on KZ's pages: the central body forwards a received request from the request page — the
// territorial bodies listed with their open workload, the one serving the debtor's address first and marked,
// a confirmation before anything happens — and the territorial body's officer finds it in his queue. A plain
// officer is neither offered the step nor allowed it by the use case.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { listForwardCandidates } from '../../src/app/list-forward-candidates.js';
import { listRequests } from '../../src/app/list-requests.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { aRequest } from '../support/requests.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'kz-central-correct-horse';
const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };
const ALMATY = 'Департамент юстиции города Алматы';

const incoming = (n: number, address: string, toBodyId = 'kz-central') => ({
  messageId: `forward-req-${n}-000`,
  fromBody: RU_BODY,
  toBodyId,
  receivedAt: '2026-11-26T10:00:00+05:00',
  document: aRequest((r) => {
    r.number = `77001/26/00${2000 + n}`;
    r.debtor = { ...r.debtor!, address } as typeof r.debtor;
    if (toBodyId !== 'kz-central') r.requestedBody = { ...r.requestedBody!, id: toBodyId };
  }),
});

for (const e of ENGINES) {
  describe(`issue 15.5: forwarding from the request page (R18) on ${e.engine}`, () => {
    let kz: TestNode;
    let central: Officer;
    let plain: Officer;
    let almaty: Officer;
    let app: FastifyInstance;
    let base: string;
    const tokens: Record<string, string> = {};
    let almatyId: string;
    let moscowId: string;

    before(async () => {
      kz = nodeOn(await e.open(), 'KZ');
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      await seedBody(kz.ctx, { id: 'kz-almaty', kind: 'territorial', parentId: 'kz-central', name: ALMATY });
      // A body on the node that KZ never designated (R18): never a candidate.
      await seedBody(kz.ctx, { id: 'kz-undesignated', kind: 'territorial', parentId: 'kz-central', name: 'Отдел X' });
      central = await seedOfficer(kz.ctx, 'kz-central', ['officer', 'central']);
      plain = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      almaty = await seedOfficer(kz.ctx, 'kz-almaty', ['officer']);
      for (const o of [central, plain])
        await kz.ctx.db
          .updateTable('officers')
          .set({ password_hash: await hashPassword(PASSWORD) })
          .where('id', '=', o.officerId)
          .execute();
      // Two open requests already with Almaty: its workload.
      await receiveRequest(kz.ctx, SYSTEM, incoming(1, 'г. Алматы', 'kz-almaty'));
      await receiveRequest(kz.ctx, SYSTEM, incoming(2, 'г. Алматы', 'kz-almaty'));
      almatyId = (await receiveRequest(kz.ctx, SYSTEM, incoming(3, 'Республика Казахстан, г. Алматы, ул. Абая, д. 10')))
        .id;
      moscowId = (await receiveRequest(kz.ctx, SYSTEM, incoming(4, 'г. Москва, ул. Тверская, д. 1'))).id;
      app = await buildServer({ ctx: kz.ctx, logLevel: 'silent', rateLimit: 100_000 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
      for (const o of [central, plain]) {
        const res = await fetch(`${base}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ login: o.login, password: PASSWORD }).toString(),
        });
        assert.equal(res.status, 302);
        tokens[o.login] = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
      }
    });
    after(async () => {
      await app?.close();
      await kz?.database.close();
    });

    const get = async (who: Officer, url: string) => {
      const res = await fetch(`${base}${url}`, {
        redirect: 'manual',
        headers: { cookie: `${COOKIE}=${tokens[who.login]}` },
      });
      return { status: res.status, html: await res.text() };
    };
    const post = async (who: Officer, url: string, form: Record<string, string>) => {
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await get(who, '/')).html)![1]!;
      const res = await fetch(`${base}${url}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${COOKIE}=${tokens[who.login]}` },
        body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
      });
      return { status: res.status, html: await res.text(), location: res.headers.get('location') };
    };
    const formOf = (html: string) => {
      const at = html.indexOf('id="step-forward"');
      return at < 0 ? '' : html.slice(at, html.indexOf('</form>', at));
    };

    test('R18, RA.4: the central officer is offered the forward among the first actions, the suggested body first, marked, with its workload', async () => {
      const { status, html } = await get(central, `/requests/${almatyId}`);
      assert.equal(status, 200);
      const f = formOf(html);
      assert.ok(f, 'the forward form is on the page');
      assert.ok(
        html.slice(html.indexOf('id="actions"')).split('<details')[0]!.includes('id="step-forward"'),
        'among the first actions (RA.6)',
      );
      assert.match(f, /Передать территориальному органу \(статья 18\)/);
      assert.match(
        f,
        /value="kz-almaty" required checked>\s*<label for="forward-kz-almaty">Департамент юстиции города Алматы <span class="badge suggested">по адресу должника: г\. Алматы<\/span> <span class="muted">— 2 открытых запроса<\/span>/,
      );
      assert.ok(!f.includes('kz-undesignated'), 'a body KZ did not designate is no candidate');
      assert.ok(!f.includes('value="kz-central"'), 'not back to the central body');
      const c = await listForwardCandidates(kz.ctx, central, { requestId: almatyId });
      assert.deepEqual(
        [c.region, c.suggestedBodyId, c.candidates.map((x) => [x.id, x.openIncoming, x.suggested])],
        ['г. Алматы', 'kz-almaty', [['kz-almaty', 2, true]]],
      );
    });

    test('R18: an address that names no region suggests nothing; the officer must choose', async () => {
      const { html } = await get(central, `/requests/${moscowId}`);
      const f = formOf(html);
      assert.match(f, /По адресу должника регион не определён — выберите орган\./);
      assert.ok(!f.includes(' checked'), 'nothing preselected');
      assert.ok(!f.includes('по адресу должника:'), 'no suggestion badge');
      const r = await post(central, `/requests/${moscowId}/forward`, { note: 'Срочно' });
      assert.equal(r.status, 422);
      assert.match(formOf(r.html), /role="alert" id="err-step-forward">Выберите орган, которому передаётся запрос\./);
      assert.match(formOf(r.html), /<textarea id="forward-note" name="note" maxlength="2000">Срочно<\/textarea>/);
      assert.equal((await getRequest(kz.ctx, central, moscowId)).bodyId, 'kz-central');
    });

    test('RA.4, R18: a plain officer of the central body is not offered the step, and the use case refuses him', async () => {
      const { status, html } = await get(plain, `/requests/${almatyId}`);
      assert.equal(status, 200);
      assert.ok(!html.includes('id="step-forward"'));
      await rejects(forwardRequest(kz.ctx, plain, { requestId: almatyId, toBodyId: 'kz-almaty' }), 'access.denied');
      await rejects(listForwardCandidates(kz.ctx, plain, { requestId: almatyId }), 'access.denied');
      assert.equal(
        (await post(plain, `/requests/${almatyId}/forward`, { toBodyId: 'kz-almaty', confirmed: 'yes' })).status,
        403,
      );
      // …nor to a body KZ did not designate, by the central officer either.
      await rejects(
        forwardRequest(kz.ctx, central, { requestId: almatyId, toBodyId: 'kz-undesignated' }),
        'body.not_found',
      );
      assert.equal((await getRequest(kz.ctx, central, almatyId)).bodyId, 'kz-central');
    });

    test('R18: «Передать…» asks for confirmation first; confirmed, the request is Almaty’s, in its officer’s queue, and the page says where it went', async () => {
      const first = await post(central, `/requests/${almatyId}/forward`, {
        toBodyId: 'kz-almaty',
        note: 'По месту жительства должника',
      });
      assert.equal(first.status, 200);
      assert.match(first.html, /<h1>Подтвердите передачу запроса<\/h1>/);
      assert.match(first.html, /<dd id="forward-to">Департамент юстиции города Алматы<\/dd>/);
      assert.match(first.html, /2 открытых запроса/);
      assert.equal((await getRequest(kz.ctx, central, almatyId)).bodyId, 'kz-central', 'nothing forwarded yet');
      assert.equal((await listRequests(kz.ctx, almaty, { direction: 'incoming' })).total, 2);
      const done = await post(central, `/requests/${almatyId}/forward`, {
        toBodyId: 'kz-almaty',
        note: 'По месту жительства должника',
        confirmed: 'yes',
      });
      assert.equal(done.status, 302, done.html.slice(0, 500));
      assert.equal(done.location, `/requests/${almatyId}`);
      const v = await getRequest(kz.ctx, almaty, almatyId);
      assert.equal(v.bodyId, 'kz-almaty');
      const queue = await listRequests(kz.ctx, almaty, { direction: 'incoming' });
      assert.equal(queue.total, 3);
      assert.ok(
        queue.items.some((i) => i.id === almatyId),
        'in the territorial officer’s queue',
      );
      const outbox = await kz.ctx.db
        .selectFrom('outbox')
        .select(['type', 'to_party'])
        .where('request_id', '=', almatyId)
        .execute();
      assert.deepEqual(
        outbox.map((m) => [m.type, m.to_party]),
        [['forward', 'RU']],
        'RU is told',
      );
      const page = await get(central, `/requests/${almatyId}`);
      assert.match(
        page.html,
        /<p id="forwarded-to"><strong>Передан: Департамент юстиции города Алматы, 26\.11\.2026<\/strong><\/p>/,
      );
      assert.ok(!page.html.includes('id="step-forward"'), 'no second forward from the central body');
      assert.ok(!page.html.includes('kz-almaty'), 'no body id on the page');
    });
  });
}
