// Password guessing at the web login (issue 13 item 5, ASVS V2.2.1): there is
// no hard lock anyone could trigger. Each (login, client address) pair gets 3
// free failures, then waits 1 s, 2 s, 4 s … up to 15 minutes before the next
// attempt; meanwhile nothing is looked up. A known and an unknown login get the
// same answers; failures from one address never keep the officer out at
// another; a cross-site POST to /login is refused (login CSRF, V4.2.2), and
// /login does not parse multipart.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const PASSWORD = 'correct-horse-battery-staple';

for (const e of ENGINES) {
  describe(`login brute force on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let officer: Officer;

    const login = (password: string, who = officer.login, remoteAddress = '127.0.0.1', headers = {}) =>
      app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress,
        headers: { host: 'eix.example', 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams({ login: who, password }).toString(),
      });
    const sessionCookie = (res: Awaited<ReturnType<typeof login>>) =>
      ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-eix_session=') && !c.startsWith('__Host-eix_session=;'));

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      officer = await seedOfficer(node.ctx, await seedBody(node.ctx, { id: 'ru-fssp-77' }));
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', officer.officerId)
        .execute();
      // The per-address failure limiter is tested in auth-throttling.test.ts; here the per-login throttle.
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000, authFailureLimit: 100_000 });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test('the right password works before any guessing', async () => {
      const ok = await login(PASSWORD);
      assert.equal(ok.statusCode, 302);
      assert.ok(sessionCookie(ok), 'a session cookie is set');
    });

    test('V2.2.1: failures from one address make it wait longer and longer; the wait ends, no lock', async () => {
      const from = '10.0.0.1';
      for (let i = 1; i <= 3; i++) assert.equal((await login(`wrong-${i}`, officer.login, from)).statusCode, 401);
      // 4th failure: then 1 s; the right password during the wait is refused unread.
      assert.equal((await login('wrong-4', officer.login, from)).statusCode, 401);
      const during = await login(PASSWORD, officer.login, from);
      assert.equal(during.statusCode, 429, during.body.slice(0, 300));
      assert.equal(during.headers['retry-after'], '1');
      assert.match(during.body, /Слишком много неудачных попыток входа; повторите через 1 с/);
      assert.ok(!sessionCookie(during));
      // Each further failure doubles the wait: 2, 4, 8 … seconds.
      for (const wait of [2, 4, 8, 16]) {
        node.clock.advance(60_000);
        assert.equal((await login('wrong', officer.login, from)).statusCode, 401);
        assert.equal((await login(PASSWORD, officer.login, from)).headers['retry-after'], String(wait));
      }
      // Capped at 15 minutes, whatever the number of failures.
      for (let i = 0; i < 10; i++) {
        node.clock.advance(60 * 60_000);
        await login('wrong', officer.login, from);
      }
      assert.equal((await login(PASSWORD, officer.login, from)).headers['retry-after'], String(15 * 60));
      node.clock.advance(15 * 60_000);
      const after = await login(PASSWORD, officer.login, from);
      assert.equal(after.statusCode, 302, after.body.slice(0, 300));
      const cookie = sessionCookie(after);
      assert.ok(cookie, 'a session after the wait');
      const home = await app.inject({ method: 'GET', url: '/', headers: { cookie: cookie.split(';')[0]! } });
      assert.equal(home.statusCode, 200, 'the session opens the dashboard');
      // A success starts the pair afresh.
      assert.equal((await login('wrong', officer.login, from)).statusCode, 401);
      assert.equal((await login(PASSWORD, officer.login, from)).statusCode, 302);
    });

    test('issue 13: 30 failures from one address do not keep the officer out at another address', async () => {
      for (let i = 0; i < 30; i++) await login(`wrong-${i}`, officer.login, '10.0.0.66');
      assert.equal((await login(PASSWORD, officer.login, '10.0.0.66')).statusCode, 429, 'the guesser waits');
      const real = await login(PASSWORD, officer.login, '10.0.0.7');
      assert.equal(real.statusCode, 302, real.body.slice(0, 300));
      assert.ok(sessionCookie(real));
    });

    test('V2.2.1 / V3.2.x: a known and an unknown login get the same answers, attempt by attempt', async () => {
      const known = [];
      const unknown = [];
      for (let i = 0; i < 8; i++) {
        known.push(await login(`wrong-${i}`, officer.login, '10.0.1.1'));
        unknown.push(await login(`wrong-${i}`, 'nobody-here', '10.0.1.2'));
        node.clock.advance(1500);
      }
      const show = (r: Awaited<ReturnType<typeof login>>, name: string) => [
        r.statusCode,
        r.headers['retry-after'] ?? null,
        r.body.replaceAll(name, 'LOGIN'),
      ];
      assert.deepEqual(
        known.map((r) => show(r, officer.login)),
        unknown.map((r) => show(r, 'nobody-here')),
      );
      assert.deepEqual(
        known.map((r) => r.statusCode),
        [401, 401, 401, 401, 401, 429, 401, 429],
        'the throttle shows for both alike',
      );
      assert.ok(
        known.every((r) => !/заблокирован/.test(r.body)),
        'no lock is reported',
      );
    });

    test('V4.2.2 / V13.2.3: a cross-site POST to /login is refused with a Russian message', async () => {
      for (const headers of [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: 'https://eix.example' },
      ]) {
        const r = await login(PASSWORD, officer.login, '10.0.2.1', headers);
        assert.equal(r.statusCode, 403, JSON.stringify(headers));
        assert.match(r.body, /Запрос отправлен с другого сайта/);
        assert.ok(!sessionCookie(r), 'no session from a cross-site form');
      }
      // The node's own pages (same origin), a typed address (none) and clients without either header log in.
      for (const headers of [
        { origin: 'https://eix.example', 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-site': 'none' },
        {},
      ]) {
        const r = await login(PASSWORD, officer.login, '10.0.2.1', headers);
        assert.equal(r.statusCode, 302, `${JSON.stringify(headers)}: ${r.body.slice(0, 200)}`);
      }
    });

    test('V4.2.2: a cross-site state-changing POST with a valid session and CSRF token is refused too', async () => {
      const cookie = sessionCookie(await login(PASSWORD, officer.login, '10.0.3.1'))!.split(';')[0]!;
      const page = await app.inject({ method: 'GET', url: '/password', headers: { cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      assert.ok(csrf, 'the page carries the CSRF token');
      const logout = (headers: Record<string, string>) =>
        app.inject({
          method: 'POST',
          url: '/logout',
          headers: { host: 'eix.example', cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
          payload: `_csrf=${csrf}`,
        });
      const refused = await logout({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /Запрос отправлен с другого сайта/);
      assert.equal((await app.inject({ method: 'GET', url: '/', headers: { cookie } })).statusCode, 200);
      assert.equal((await logout({ 'sec-fetch-site': 'same-origin' })).statusCode, 302);
    });

    test('V13.2.x: /login does not accept multipart', async () => {
      const boundary = 'x-boundary';
      const payload = [
        `--${boundary}\r\nContent-Disposition: form-data; name="login"\r\n\r\n${officer.login}\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${PASSWORD}\r\n`,
        `--${boundary}--\r\n`,
      ].join('');
      const r = await app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '10.0.4.1',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      assert.equal(r.statusCode, 415, r.body.slice(0, 200));
      assert.ok(!sessionCookie(r));
    });
  });
}
