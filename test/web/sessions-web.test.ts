// Issue 13, item 4 at the door of the node on both engines (plain fetch, cookies
// by hand): an idle web session sends the officer to the login page with a
// Russian notice (ASVS V3.3.2); `/admin?flash=` reflects nothing; a new
// officer's generated password is shown on the answer to the POST itself,
// never in a Location header or URL (V3.2.x: nothing secret in URLs); other
// admin notices come once from the session; the admin page lists API tokens
// with their expiry (ДД.ММ.ГГГГ); an expired token gets auth.token_expired
// from the REST API, and a reset officer's token auth.token.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { Officer } from '../../src/app/context.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, passSecondFactor, seedBody, seedOfficer, uniq, type TestNode } from '../support/app.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'admin-correct-horse-battery';
const MIN = 60_000;

for (const e of ENGINES) {
  describe(`issue 13 item 4: sessions and notices at the web door on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let base: string;
    let body: string;
    let admin: Officer;

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      body = await seedBody(node.ctx);
      admin = await seedOfficer(node.ctx, body, ['admin']);
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', admin.officerId)
        .execute();
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    const cookie = (token: string) => ({ cookie: `${COOKIE}=${token}` });
    async function login(who = admin.login, password = PASSWORD): Promise<string> {
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login: who, password }).toString(),
      });
      assert.equal(res.status, 302, (await res.text()).slice(0, 300));
      const token = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
      // Issue 13.3: an administrator works only after the second factor.
      if (who === admin.login) await passSecondFactor(node.ctx, admin.officerId, token);
      return token;
    }
    const get = (token: string, url: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${url}`, { redirect: 'manual', headers: { ...cookie(token), ...headers } });
    async function csrfOf(token: string): Promise<string> {
      const text = await (await get(token, '/password')).text();
      return /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
    }
    const post = async (token: string, url: string, form: Record<string, string | string[]>) => {
      const p = new URLSearchParams({ _csrf: await csrfOf(token) });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) p.append(k, x);
      return fetch(`${base}${url}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookie(token) },
        body: p.toString(),
      });
    };

    test('V3.3.2: after 30 idle minutes a page sends the officer to /login?ended=idle, the cookie is cleared and the login page says why in Russian', async () => {
      const token = await login();
      node.clock.advance(29 * MIN);
      assert.equal((await get(token, '/admin')).status, 200, 'still in use after 29 minutes');
      node.clock.advance(30 * MIN);
      const res = await get(token, '/admin');
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/login?ended=idle');
      assert.match(
        res.headers.getSetCookie().join('\n'),
        /__Host-eix_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i,
      );
      const page = await (await fetch(`${base}/login?ended=idle`)).text();
      assert.match(page, /Сеанс завершён из-за бездействия/);
      // htmx asks the browser to go there too.
      const again = await login();
      node.clock.advance(31 * MIN);
      const hx = await get(again, '/', { 'hx-request': 'true' });
      assert.equal(hx.status, 401);
      assert.equal(hx.headers.get('hx-redirect'), '/login?ended=idle');
      // The login page shows only its fixed notices.
      const odd = await (await fetch(`${base}/login?ended=${encodeURIComponent('<b>Ваш пароль истёк</b>')}`)).text();
      assert.doesNotMatch(odd, /Ваш пароль истёк|class="flash/);
    });

    test('V3.2.x: /admin?flash=<script> shows nothing of the text', async () => {
      const token = await login();
      const marker = 'XSS-MARKER-7f3a';
      const res = await get(
        token,
        `/admin?flash=${encodeURIComponent(`<script>alert("${marker}")</script>Пароль: 1`)}`,
      );
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.ok(!html.includes(marker), 'the marker is not on the page');
      assert.doesNotMatch(html, /alert\(|&lt;script|Пароль: 1/);
      assert.doesNotMatch(html, /class="flash/, 'no notice at all');
    });

    test('V3.2.x: a new officer’s generated password is on the POST answer (200, no-store), never in a Location header or URL, and not shown again', async () => {
      const token = await login();
      const newLogin = uniq('new').replace(/[^a-z0-9.-]/g, '');
      const res = await post(token, '/admin/officers', {
        bodyId: body,
        login: newLogin,
        fullName: 'Новиков Николай Петрович',
        position: 'судебный пристав-исполнитель',
        roles: 'officer',
      });
      const html = await res.text();
      assert.equal(res.status, 200, html.slice(0, 300));
      assert.equal(res.headers.get('location'), null, 'rendered, not redirected');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const password = /id="one-time-password"[\s\S]*?<code>([^<]+)<\/code>/.exec(html)?.[1];
      assert.ok(password && password.length >= 12, 'the password is shown once on this page');
      assert.match(html, /Показывается один раз/);
      // It is the real password: the new officer logs in with it.
      await login(newLogin, password);
      // Nowhere else: the next admin page has no trace of it.
      const next = await (await get(token, '/admin')).text();
      assert.ok(!next.includes(password), 'not on the next page');
      assert.doesNotMatch(next, /one-time-password/);
    });

    test('other admin notices wait in the session: the form redirects to a bare /admin, the notice shows once', async () => {
      const token = await login();
      const id = uniq('ru-new').replace(/[^a-z0-9-]/g, '');
      const res = await post(token, '/admin/bodies', { id, name: 'Новый отдел', kind: 'territorial', parentId: '' });
      assert.equal(res.status, 302, (await res.text()).slice(0, 300));
      assert.equal(res.headers.get('location'), '/admin', 'no text in the URL');
      const first = await (await get(token, '/admin')).text();
      assert.match(first, new RegExp(`class="flash ok"[^>]*>Орган ${id} добавлен`));
      const second = await (await get(token, '/admin')).text();
      assert.doesNotMatch(second, /class="flash/, 'read once');
    });

    test('V3.5.x: the admin page lists API tokens with their expiry as ДД.ММ.ГГГГ; the REST API refuses an expired token with auth.token_expired and a reset officer’s with auth.token', async () => {
      const clerk = await seedOfficer(node.ctx, body, ['officer']);
      // Issue 13.3: the officer makes his own tokens; the admin page lists them.
      const short = await createApiToken(node.ctx, clerk, { name: 'короткий', expiresDays: 2 });
      const other = await createApiToken(node.ctx, clerk, { name: 'обычный' });
      const token = await login();
      const html = await (await get(token, '/admin')).text();
      const row = new RegExp(`<code>${short.id}</code>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
      const [y, m, d] = short.expiresAt.slice(0, 10).split('-');
      assert.ok(row.includes(`${d}.${m}.${y}`), `expiry as ДД.ММ.ГГГГ in ${row}`);
      assert.match(row, /действует/);

      const me = (t: string) => fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal((await me(short.token)).status, 200);
      node.clock.advance(2 * 86_400_000);
      const expired = await me(short.token);
      assert.equal(expired.status, 401);
      assert.equal(((await expired.json()) as { error: { code: string } }).error.code, 'auth.token_expired');
      assert.equal((await me(other.token)).status, 200);
      const rowOf = (html: string, id: string) => new RegExp(`<code>${id}</code>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
      const afterExpiry = await (await get(await login(), '/admin')).text();
      assert.match(rowOf(afterExpiry, short.id), /срок истёк/);
      assert.match(rowOf(afterExpiry, other.id), /действует/);

      const adminToken = (await createApiToken(node.ctx, admin, { name: 'адм' })).token;
      const patched = await fetch(`${base}/api/v1/officers/${clerk.officerId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ resetPassword: true }),
      });
      assert.equal(patched.status, 200, await patched.text());
      const revoked = await me(other.token);
      assert.equal(revoked.status, 401);
      assert.equal(((await revoked.json()) as { error: { code: string } }).error.code, 'auth.token');
      const afterReset = await (await get(await login(), '/admin')).text();
      assert.match(rowOf(afterReset, other.id), /отозван \d{2}\.\d{2}\.\d{4}/);
    });
  });
}
