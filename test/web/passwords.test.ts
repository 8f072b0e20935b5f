// Passwords set by people (ASVS 4.0.3 V2.1, issue 13 item 9) through every
// entry point, on both engines: the officer's own change (use case and web
// page), the admin's new user (use case, web form, REST API) and generated
// passwords. The policy itself is proven in test/domain/password-policy.test.ts;
// here: each entry point applies it with its coded Russian error naming the
// field, a refused password changes nothing, and an accepted one logs in.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { addOfficer } from '../../src/app/add-officer.js';
import { loginWithPassword } from '../../src/app/authenticate.js';
import { changePassword } from '../../src/app/change-password.js';
import type { Officer } from '../../src/app/context.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { updateOfficer } from '../../src/app/update-officer.js';
import { EixError } from '../../src/domain/errors.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, passSecondFactor, seedBody, seedOfficer, uniq, type TestNode } from '../support/app.js';

const START = 'Kx7q Zv9L r2mW p4Tn';
const strong = (n: number, seed = 'Kx7qZ v9Lr2mWp4Tn8Jd3Hf6Yb5Gc1Ns'): string => {
  let out = '';
  while ([...out].length < n) out += seed;
  return [...out].slice(0, n).join('');
};

async function rejects(p: Promise<unknown>, code: string, field?: string): Promise<EixError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof EixError, `expected EixError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (field !== undefined) assert.equal(caught.data.field, field, caught.message);
  assert.match(caught.message, /[а-яё]/i, 'Russian message');
  return caught;
}

for (const e of ENGINES) {
  describe(`ASVS V2.1 passwords at every entry point on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let body: string;
    let admin: Officer;
    let adminToken: string;

    /** A fresh officer with a known password. */
    async function officerWith(password: string): Promise<Officer> {
      const o = await seedOfficer(node.ctx, body, ['officer']);
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(password) })
        .where('id', '=', o.officerId)
        .execute();
      return o;
    }
    const canLogin = async (login: string, password: string): Promise<boolean> => {
      try {
        await loginWithPassword(node.ctx, { login, password });
        return true;
      } catch (err) {
        if (err instanceof EixError && err.code === 'auth.failed') return false;
        throw err;
      }
    };

    /** A web session: cookie and CSRF token. */
    async function webLogin(login: string, password: string): Promise<{ cookie: string; csrf: string }> {
      const res = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ login, password }).toString(),
      });
      assert.equal(res.statusCode, 302, res.body.slice(0, 300));
      const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      const cookie = set.find((c) => c.startsWith('__Host-eix_session='))!.split(';')[0]!;
      const page = await app.inject({ method: 'GET', url: '/password', headers: { cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      return { cookie, csrf };
    }
    const form = (s: { cookie: string; csrf: string }, url: string, fields: Record<string, string>, htmx = false) =>
      app.inject({
        method: 'POST',
        url,
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          ...(htmx ? { 'hx-request': 'true', 'x-csrf-token': s.csrf } : {}),
        },
        payload: new URLSearchParams(htmx ? fields : { _csrf: s.csrf, ...fields }).toString(),
      });

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      body = await seedBody(node.ctx);
      admin = await seedOfficer(node.ctx, body, ['admin']);
      adminToken = (await createApiToken(node.ctx, admin, { name: 'admin' })).token;
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test('V2.1.5, V2.1.6, V2.1.10: an officer changes his password, which needs the current one; no history rule', async () => {
      const o = await officerWith(START);
      await rejects(changePassword(node.ctx, o, { current: 'not-the-password-1', next: strong(20) }), 'auth.failed');
      assert.ok(await canLogin(o.login, START), 'unchanged after a wrong current password');
      await rejects(changePassword(node.ctx, o, { next: strong(20) }), 'input.invalid', 'current');
      await changePassword(node.ctx, o, { current: START, next: strong(20) });
      assert.ok(await canLogin(o.login, strong(20)));
      assert.ok(!(await canLogin(o.login, START)));
      // V2.1.10: no password history: the previous password may be chosen again.
      await changePassword(node.ctx, o, { current: strong(20), next: START });
      assert.ok(await canLogin(o.login, START));
    });

    test('V2.1.1, V2.1.2, V2.1.4, V2.1.7: a refused new password has its code, names the field and changes nothing', async () => {
      const o = await officerWith(START);
      const cases: [string, string][] = [
        [strong(11), 'password.too_short'],
        ['Kx7q      Zv9L', 'password.too_short'],
        [strong(129), 'password.too_long'],
        ['qwerty123456', 'password.common'],
        ['aaaaaaaaaaaaaaa', 'password.weak'],
        [`Kx7q ${o.login} Zv9L`, 'password.personal'],
        ['Kx7q Петрова Zv9L', 'password.personal'],
        ['Kx7qZv9L\nr2mWp4Tn', 'password.invalid_char'],
      ];
      for (const [next, code] of cases) {
        const err = await rejects(changePassword(node.ctx, o, { current: START, next }), code, 'next');
        assert.match(err.message, /^Новый пароль — /, err.message);
      }
      assert.ok(await canLogin(o.login, START), 'the password is unchanged');
    });

    test('V2.1.2, V2.1.3: 64 and 128 characters are set and log in; a 127-character prefix does not', async () => {
      const o = await officerWith(START);
      await changePassword(node.ctx, o, { current: START, next: strong(64) });
      assert.ok(await canLogin(o.login, strong(64)));
      await changePassword(node.ctx, o, { current: strong(64), next: strong(128) });
      assert.ok(await canLogin(o.login, strong(128)));
      assert.ok(!(await canLogin(o.login, strong(127))), 'no truncation');
      assert.ok(!(await canLogin(o.login, strong(64))));
    });

    test('V2.1.4: spaces and emoji are kept as typed; a password set decomposed (NFD) logs in composed (NFC)', async () => {
      const o = await officerWith(START);
      const spaced = '  мой кот 🐈 спит на окне  ';
      await changePassword(node.ctx, o, { current: START, next: spaced });
      assert.ok(await canLogin(o.login, spaced));
      assert.ok(!(await canLogin(o.login, spaced.trim())), 'leading and trailing spaces are part of it');
      const nfd = 'Йогурт и ёжик под ёлкой'.normalize('NFD');
      await changePassword(node.ctx, o, { current: spaced, next: nfd });
      assert.ok(await canLogin(o.login, nfd.normalize('NFC')));
    });

    test('addOfficer (use case, CLI, API): an admin-given password meets the policy; a generated one too', async () => {
      const base = { bodyId: body, fullName: 'Сидоров Семён Семёнович', position: 'пристав', roles: ['officer'] };
      const login = uniq('sidorov');
      await rejects(
        addOfficer(node.ctx, admin, { ...base, login, password: strong(8) }),
        'password.too_short',
        'password',
      );
      await rejects(
        addOfficer(node.ctx, admin, { ...base, login, password: strong(129) }),
        'password.too_long',
        'password',
      );
      await rejects(
        addOfficer(node.ctx, admin, { ...base, login, password: 'password1234' }),
        'password.common',
        'password',
      );
      await rejects(
        addOfficer(node.ctx, admin, { ...base, login, password: `x ${login} 2026 y` }),
        'password.personal',
        'password',
      );
      await rejects(
        addOfficer(node.ctx, admin, { ...base, login, password: 'Семёнович на даче' }),
        'password.personal',
        'password',
      );
      const none = await node.ctx.db.selectFrom('officers').select('id').where('login', '=', login).execute();
      assert.equal(none.length, 0, 'nothing written for a refused password');
      const ok = await addOfficer(node.ctx, admin, { ...base, login, password: strong(40) });
      assert.equal(ok.password, strong(40));
      assert.ok(await canLogin(login, strong(40)));
      const gen = await addOfficer(node.ctx, admin, { ...base, login: uniq('gen') });
      assert.equal(gen.password.length, 16);
      const reset = await updateOfficer(node.ctx, admin, { id: gen.officer.id, resetPassword: true });
      assert.ok(reset.password);
      assert.ok(await canLogin(gen.officer.login, reset.password));

      // The REST API: the same policy and codes (the body schema leaves length to the policy).
      const api = (password: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/officers',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          payload: { ...base, login: uniq('api'), password },
        });
      const long = await api(strong(129));
      assert.equal(long.statusCode, 400);
      assert.equal(long.json().error.code, 'password.too_long');
      assert.equal(long.json().error.details.field, 'password');
      assert.match(long.json().error.message, /не длиннее 128 символов/);
      const common = await api('qwerty123456');
      assert.equal(common.json().error.code, 'password.common');
      assert.equal((await api(strong(128))).statusCode, 201);
    });

    test('V2.1.8, V2.1.11, V2.1.12: the password page: meter over htmx, password-manager hints, a reveal button', async () => {
      const o = await officerWith(START);
      const s = await webLogin(o.login, START);
      const page = await app.inject({ method: 'GET', url: '/password', headers: { cookie: s.cookie } });
      const html = page.body;
      assert.match(html, /id="current"[^>]*autocomplete="current-password"/);
      assert.match(html, /id="next"[^>]*autocomplete="new-password"/);
      assert.match(html, /autocomplete="username"/, 'the login for password managers');
      assert.doesNotMatch(html, /onpaste|oncopy|maxlength|minlength/i, 'no paste blocking, no silent truncation');
      assert.match(html, /hx-post="\/password\/strength"/);
      assert.match(html, /data-reveal aria-controls="next"/);
      assert.match(html, /<script src="\/assets\/password.js" defer><\/script>/);
      assert.doesNotMatch(html, /<script>(?!<\/script>)/, 'no inline script (CSP script-src self)');
      const js = await app.inject({ method: 'GET', url: '/assets/password.js' });
      assert.equal(js.statusCode, 200);
      assert.match(String(js.headers['content-type']), /javascript/);
      assert.doesNotMatch(
        js.body,
        /addEventListener\(['"](paste|copy|cut|drop)|onpaste|preventDefault/,
        'the script never blocks paste',
      );

      const weak = await form(s, '/password/strength', { next: 'qwerty123456' }, true);
      assert.equal(weak.statusCode, 200);
      assert.match(weak.body, /<meter[^>]*value="[01]"/);
      assert.match(weak.body, /Не подойдёт: пароль входит в список распространённых/);
      assert.doesNotMatch(weak.body, /qwerty123456/, 'the password is not echoed');
      const mine = await form(s, '/password/strength', { next: `Kx7q ${o.login} Zv9L` }, true);
      assert.match(mine.body, /не должен содержать имя входа/, 'judged against the officer’s own login');
      const good = await form(s, '/password/strength', { next: strong(20) }, true);
      assert.match(good.body, /<meter[^>]*value="4"/);
      assert.match(good.body, /Надёжность: надёжный\.[\s\S]*Подойдёт/);
      const noCsrf = await app.inject({
        method: 'POST',
        url: '/password/strength',
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
        payload: 'next=abc',
      });
      assert.notEqual(noCsrf.statusCode, 200, 'the meter needs the session’s CSRF token');
      const anon = await app.inject({
        method: 'POST',
        url: '/password/strength',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
        payload: 'next=abc',
      });
      assert.equal(anon.statusCode, 401);

      const refused = await form(s, '/password', { current: START, next: 'qwerty123456' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /Новый пароль — входит в список распространённых/);
      const tooLong = await form(s, '/password', { current: START, next: strong(129) });
      assert.match(tooLong.body, /Новый пароль — не длиннее 128 символов \(сейчас 129\)/);
      // The form field is taken as typed: surrounding spaces are not trimmed (V2.1.4).
      const changed = await form(s, '/password', { current: START, next: ` ${strong(20)} ` });
      assert.equal(changed.statusCode, 200);
      assert.match(changed.body, /Пароль изменён/);
      assert.ok(await canLogin(o.login, ` ${strong(20)} `));
    });

    test('V2.1.7, V2.1.8: the admin’s new-user form: the meter judges against the typed login and name; a typed password is never echoed', async () => {
      const boss = await addOfficer(node.ctx, admin, {
        bodyId: body,
        login: uniq('boss'),
        fullName: 'Админова Ада',
        position: 'администратор',
        roles: ['admin'],
        password: START,
      });
      const s = await webLogin(boss.officer.login, START);
      // Issue 13.3 gates (tested elsewhere): the owner has changed the admin-set password and passed the second factor.
      await node.ctx.db
        .updateTable('officers')
        .set({ password_must_change: false })
        .where('id', '=', boss.officer.id)
        .execute();
      await passSecondFactor(node.ctx, boss.officer.id, s.cookie.split('=')[1]!);
      const page = await app.inject({ method: 'GET', url: '/admin', headers: { cookie: s.cookie } });
      assert.match(
        page.body,
        /id="o-password"[^>]*autocomplete="new-password"[^>]*hx-params="password,login,fullName"/,
      );
      const meter = await form(
        s,
        '/password/strength',
        { password: 'Kx7q Кузнецов Zv9L', login: 'kuz', fullName: 'Кузнецов Кирилл' },
        true,
      );
      assert.match(meter.body, /не должен содержать имя входа или ФИО/);
      const login = uniq('kuz');
      const bad = await form(s, '/admin/officers', {
        bodyId: body,
        login,
        fullName: 'Кузнецов Кирилл',
        position: 'пристав',
        roles: 'officer',
        password: 'Kx7q Кузнецов Zv9L',
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /пароль — не должен содержать имя входа или ФИО/);
      const ok = await form(s, '/admin/officers', {
        bodyId: body,
        login,
        fullName: 'Кузнецов Кирилл',
        position: 'пристав',
        roles: 'officer',
        password: strong(24),
      });
      // The answer is the admin page itself (issue 13.4: nothing in a URL); a typed password is never echoed.
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.headers.location, undefined);
      assert.ok(!ok.body.includes(strong(24)), 'not echoed on the page');
      assert.ok(await canLogin(login, strong(24)));
    });
  });
}
