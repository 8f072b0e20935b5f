// Hostile text in stored data: a proceeding and a request whose free-text
// fields carry script tags, attribute breakouts and template syntax. The
// officer's pages show them as text (escaped), templates never evaluate them,
// the printed PDF carries them literally, and every page sends a CSP.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { renderRequestPdf } from '../../src/adapters/pdf/request-pdf.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import type { Officer } from '../../src/app/context.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { pdfText } from '../support/pdf.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const TPL = '{{7*7}} <%= 7*7 %> ${7*7}';
const HOSTILE = `${SCRIPT} ${IMG} ${TPL}`;
const PASSWORD = 'correct-horse-battery-staple';
const example = aRequest();

for (const e of ENGINES) {
  describe(`stored XSS and template injection on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let officer: Officer;
    let cookie = '';
    let proceedingId = '';
    let requestId = '';

    const get = async (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });

    /** The page shows the hostile text only escaped, and evaluates no template syntax. */
    const assertSafe = (html: string, where: string, mustShow = true): void => {
      assert.ok(!html.includes(SCRIPT), `${where}: raw <script> payload`);
      assert.ok(!html.includes('<img src=x'), `${where}: raw <img> payload`);
      assert.ok(
        !/onerror=alert\(1\)>/.test(html.replace(/&gt;/g, '')) || !html.includes('<img'),
        `${where}: live onerror attribute`,
      );
      assert.ok(!/\b49\b/.test(html), `${where}: template syntax was evaluated (49)`);
      if (mustShow) {
        assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), `${where}: the escaped script text is shown`);
        assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), `${where}: the escaped img text is shown`);
        assert.ok(html.includes('{{7*7}}'), `${where}: moustache text shown as is`);
        assert.ok(html.includes('&lt;%= 7*7 %&gt;'), `${where}: eta syntax shown escaped`);
      }
    };

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const body = await seedBody(node.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(node.ctx, body);
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', officer.officerId)
        .execute();
      const p = await createProceeding(node.ctx, officer, {
        number: 'XSS-1',
        openedOn: '2026-03-02',
        debtor: {
          ...example.debtor,
          address: `г. Москва ${HOSTILE}`,
          birthPlace: `г. Москва ${HOSTILE}`,
          workOrStudy: HOSTILE,
        },
        creditor: { ...example.creditor, name: `ООО ${HOSTILE}`, address: `г. Москва ${HOSTILE}` },
        executiveDocuments: [{ ...example.executiveDocument, operativePart: `Взыскать ${HOSTILE}` }],
      });
      proceedingId = p.id;
      const d = await draftRequest(node.ctx, officer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
        items: example.items,
        grounds: `Основания ${HOSTILE}`,
        otherInfo: `Иное ${HOSTILE}`,
      });
      requestId = d.id;
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      await app.ready();
      const login = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ login: officer.login, password: PASSWORD }).toString(),
      });
      assert.equal(login.statusCode, 302, login.body.slice(0, 300));
      const set = ([] as string[])
        .concat(login.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-eix_session='));
      assert.ok(set, 'the session cookie is set');
      cookie = set.split(';')[0]!;
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test('the proceeding page shows hostile names, addresses and the operative part escaped', async () => {
      const res = await get(`/proceedings/${proceedingId}`);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assertSafe(res.body, 'proceeding page');
    });

    test('the request page shows hostile grounds and other information escaped', async () => {
      const res = await get(`/requests/${requestId}`);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assertSafe(res.body, 'request page');
      assert.ok(res.body.includes('Основания &lt;script&gt;'), 'the grounds are on the page');
    });

    test('a hostile search on the archive and the proceedings list is echoed escaped', async () => {
      // The start page's search form leads to the archive (/requests), which shows the query back.
      for (const page of ['/requests', '/proceedings']) {
        for (const q of [SCRIPT, IMG, TPL, HOSTILE]) {
          const res = await get(`${page}?q=${encodeURIComponent(q)}`);
          assert.equal(res.statusCode, 200, `${page} ?q=${q}: ${res.body.slice(0, 300)}`);
          assertSafe(res.body, `${page}?q=${q}`, false);
        }
        const res = await get(`${page}?q=${encodeURIComponent(HOSTILE)}`);
        assert.ok(res.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), `${page}: the query is shown escaped`);
      }
    });

    test("pages carry a Content-Security-Policy with script-src 'self'", async () => {
      for (const url of ['/', `/proceedings/${proceedingId}`, `/requests/${requestId}`, '/login']) {
        const res = await get(url);
        const csp = String(res.headers['content-security-policy'] ?? '');
        assert.ok(csp, `${url}: CSP header present`);
        const scriptSrc = csp
          .split(';')
          .map((s) => s.trim())
          .find((s) => s.startsWith('script-src'));
        assert.ok(scriptSrc, `${url}: script-src directive in ${csp}`);
        assert.deepEqual(scriptSrc.split(/\s+/).slice(1), ["'self'"], `${url}: ${scriptSrc}`);
        assert.ok(!csp.includes("'unsafe-eval'"), `${url}: no unsafe-eval`);
      }
    });

    test('the request PDF carries the hostile text literally', { timeout: 30_000 }, async () => {
      const view = await getRequest(node.ctx, officer, requestId);
      const { text } = await pdfText(await renderRequestPdf(view, null));
      const flat = text.replace(/\s+/g, ' ');
      for (const s of [SCRIPT, IMG, '{{7*7}}', '<%= 7*7 %>']) assert.ok(flat.includes(s), `PDF text contains ${s}`);
      const res = await get(`/requests/${requestId}/pdf`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
    });
  });
}
