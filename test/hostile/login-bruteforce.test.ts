// Password guessing at the web login: after 5 wrong passwords the account is
// locked for 15 minutes (the 6th attempt is refused as locked, «заблокирована»),
// the right password is refused during the lock, and works once the lock ends.
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

    const login = (password: string, who = officer.login) =>
      app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ login: who, password }).toString(),
      });
    const sessionCookie = (res: Awaited<ReturnType<typeof login>>) =>
      ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('eix_session=') && !c.startsWith('eix_session=;'));

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      officer = await seedOfficer(node.ctx, await seedBody(node.ctx, { id: 'ru-fssp-77' }));
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', officer.officerId)
        .execute();
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
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

    test(
      '6 wrong passwords: the 6th is refused as locked, the right one too; 16 minutes later it works',
      { timeout: 30_000 },
      async () => {
        const results = [];
        for (let i = 1; i <= 6; i++) results.push(await login(`wrong-password-${i}`));
        for (const [i, r] of results.entries()) {
          assert.notEqual(r.statusCode, 302, `attempt ${i + 1} must not log in`);
          assert.ok(!sessionCookie(r), `attempt ${i + 1} sets no session`);
        }
        for (const r of results.slice(0, 4)) {
          assert.equal(r.statusCode, 401);
          assert.ok(!r.body.includes('заблокирована'), 'not locked before the 5th failure');
        }
        const sixth = results[5]!;
        assert.equal(sixth.statusCode, 423, sixth.body.slice(0, 300));
        assert.match(sixth.body, /заблокирована/);

        const during = await login(PASSWORD);
        assert.equal(during.statusCode, 423, 'the right password is refused during the lock');
        assert.match(during.body, /заблокирована/);
        assert.ok(!sessionCookie(during));

        node.clock.advance(14 * 60_000);
        const stillLocked = await login(PASSWORD);
        assert.equal(stillLocked.statusCode, 423, 'still locked after 14 minutes');

        node.clock.advance(2 * 60_000);
        const after = await login(PASSWORD);
        assert.equal(after.statusCode, 302, after.body.slice(0, 300));
        const cookie = sessionCookie(after);
        assert.ok(cookie, 'a session after the lock ends');
        const home = await app.inject({ method: 'GET', url: '/', headers: { cookie: cookie.split(';')[0]! } });
        assert.equal(home.statusCode, 200, 'the session opens the dashboard');
      },
    );

    test('an unknown login is refused like a wrong password and never reports a lock', async () => {
      for (let i = 0; i < 6; i++) {
        const r = await login('x', 'nobody-here');
        assert.equal(r.statusCode, 401);
        assert.ok(!r.body.includes('заблокирована'));
      }
    });
  });
}
