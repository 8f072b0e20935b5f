// Session fixation at the officer web UI (R9.4: access control per officer).
// An attacker who plants an `eix_session` cookie before the victim logs in —
// a random value, the stored id (hash) of a session, a live session of another
// officer, an expired one — never gets it adopted: every login issues a fresh
// server-made id, the planted value does not authenticate afterwards, logout
// ends the session at once, and a login on a browser that still carries
// another officer's session ends that session and replaces the cookie.
// Plain fetch against the node listening on loopback, cookies by hand.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { SESSION_HOURS, sessionHash } from '../../src/app/sessions.js';
import type { Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = { alice: 'alice-correct-horse-battery', boris: 'boris-correct-horse-battery' };
const NAMES = { alice: 'Алексеева Алиса Андреевна', boris: 'Борисов Борис Борисович' };
/** Pages that need a session (GET). */
const PAGES = ['/', '/proceedings', '/proceedings/new', '/requests/new', '/paper', '/password', '/admin'];

for (const e of ENGINES) {
  describe(`R9.4: web session fixation on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let base: string;
    const officers = {} as Record<'alice' | 'boris', Officer>;

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const body = await seedBody(node.ctx);
      for (const who of ['alice', 'boris'] as const) {
        officers[who] = await seedOfficer(node.ctx, body, ['officer', 'supervisor']);
        await node.ctx.db
          .updateTable('officers')
          .set({ password_hash: await hashPassword(PASSWORD[who]), full_name: NAMES[who] })
          .where('id', '=', officers[who].officerId)
          .execute();
      }
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    const cookieHeader = (token: string | undefined): Record<string, string> =>
      token === undefined ? {} : { cookie: `${COOKIE}=${token}` };
    const sessionCookies = (res: Response): string[] =>
      res.headers.getSetCookie().filter((c) => c.startsWith(`${COOKIE}=`));

    /** Logs in (with whatever cookie the browser carries) and returns the new session id. */
    async function login(who: 'alice' | 'boris', carried?: string): Promise<string> {
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookieHeader(carried) },
        body: new URLSearchParams({ login: officers[who].login, password: PASSWORD[who] }).toString(),
      });
      assert.equal(res.status, 302, `login of ${who}: ${(await res.text()).slice(0, 300)}`);
      assert.equal(res.headers.get('location'), '/');
      const set = sessionCookies(res);
      assert.equal(set.length, 1, `one session cookie: ${set.join(' | ')}`);
      const attrs = set[0]!.split(';').map((a) => a.trim().toLowerCase());
      for (const a of ['httponly', 'secure', 'samesite=strict', 'path=/'])
        assert.ok(attrs.includes(a), `cookie attribute ${a}: ${set[0]}`);
      const token = set[0]!.split(';')[0]!.slice(COOKIE.length + 1);
      assert.match(token, /^[A-Za-z0-9_-]{40,}$/, 'a server-made random id');
      return token;
    }

    /** Whom a cookie authenticates on a page: the officer's name, or null if the page sends it to the login. */
    async function whoIs(
      token: string | undefined,
      page = '/',
      opts: { htmx?: boolean; query?: string } = {},
    ): Promise<string | null> {
      const res = await fetch(`${base}${page}${opts.query ?? ''}`, {
        redirect: 'manual',
        headers: { ...cookieHeader(token), ...(opts.htmx ? { 'hx-request': 'true' } : {}) },
      });
      const text = await res.text();
      // The login page may be told why the session ended (a fixed code: ASVS V3.3.1, V3.3.2).
      if (opts.htmx && res.status === 401) {
        assert.match(res.headers.get('hx-redirect') ?? '', /^\/login(\?ended=(idle|expired))?$/);
        return null;
      }
      if (res.status === 302) {
        assert.match(
          res.headers.get('location') ?? '',
          /^\/login(\?ended=(idle|expired))?$/,
          `${page} redirects only to the login`,
        );
        return null;
      }
      assert.equal(res.status, 200, `${page}: ${text.slice(0, 300)}`);
      const who = /<span class="who">([^·<]+)·/.exec(text)?.[1]?.trim();
      assert.ok(who, `${page} shows who is signed in`);
      return who;
    }

    const csrfOf = async (token: string): Promise<string> => {
      const text = await (await fetch(`${base}/`, { headers: cookieHeader(token) })).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
      assert.ok(csrf, 'the page carries the session’s CSRF token');
      return csrf;
    };

    async function logout(token: string, csrf?: string): Promise<Response> {
      return fetch(`${base}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookieHeader(token) },
        body: new URLSearchParams(csrf === undefined ? {} : { _csrf: csrf }).toString(),
      });
    }

    test('a session id planted before login is not adopted: the login issues a new one and the planted value does not authenticate', async () => {
      const borisLive = await login('boris');
      const stored = (
        await node.ctx.db
          .selectFrom('sessions')
          .select('id')
          .where('id', '=', sessionHash(borisLive))
          .executeTakeFirstOrThrow()
      ).id;
      const planted: [string, string][] = [
        ['random value of the right shape', randomBytes(32).toString('base64url')],
        ['short value', 'x'],
        ['attacker-chosen text', 'fixed-by-the-attacker-000000000000000000000'],
        ['the stored id (hash) of a live session', stored],
        ['a live session of another officer', borisLive],
      ];
      for (const [what, value] of planted) {
        if (value !== borisLive) assert.equal(await whoIs(value), null, `${what}: no access before the login`);
        const issued = await login('alice', value);
        assert.notEqual(issued, value, `${what}: a new id is issued`);
        assert.equal(await whoIs(issued), NAMES.alice, `${what}: the new id is Alice's`);
        assert.equal(await whoIs(value), null, `${what}: the planted value does not authenticate after the login`);
      }
      // A session id in the query string is never read.
      const alice = await login('alice');
      assert.equal(await whoIs(undefined, '/', { query: `?${COOKIE}=${alice}` }), null);
    });

    test('an expired session planted before login is not revived: the login issues a new id', async () => {
      const old = await login('alice');
      node.clock.advance((SESSION_HOURS + 1) * 3_600_000);
      assert.equal(await whoIs(old), null, 'expired');
      const issued = await login('alice', old);
      assert.notEqual(issued, old);
      assert.equal(await whoIs(issued), NAMES.alice);
      assert.equal(await whoIs(old), null, 'the expired id stays dead');
      const row = await node.ctx.db
        .selectFrom('sessions')
        .select('expires_at')
        .where('id', '=', sessionHash(issued))
        .executeTakeFirstOrThrow();
      assert.ok(row.expires_at.getTime() > node.clock.now().getTime(), 'the new session has its own lifetime');
    });

    test('the session id changes at each login, with its own CSRF token; a login in the same browser ends the session it carried', async () => {
      const first = await login('alice');
      const second = await login('alice');
      assert.notEqual(first, second, 'two logins, two ids');
      assert.equal(await whoIs(first), NAMES.alice, 'two browsers keep their own sessions');
      assert.equal(await whoIs(second), NAMES.alice);
      assert.notEqual(await csrfOf(first), await csrfOf(second), 'each session has its CSRF token');
      const third = await login('alice', second);
      assert.ok(![first, second].includes(third), 'a login in the same browser issues a new id too');
      assert.equal(await whoIs(third), NAMES.alice);
      assert.equal(await whoIs(second), null, 'the session the browser carried into the login is ended');
      assert.equal(await whoIs(first), NAMES.alice, 'the other browser is not touched');
    });

    test('after logout the old session id no longer opens any page (302 to the login, 401 for htmx); logout needs the session’s CSRF token', async () => {
      const token = await login('alice');
      const csrf = await csrfOf(token);
      const forged = await logout(token);
      assert.equal(forged.status, 403, 'a logout without the CSRF token is refused');
      assert.equal(await whoIs(token), NAMES.alice, '… and the session goes on');

      const res = await logout(token, csrf);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/login');
      const cleared = sessionCookies(res);
      assert.equal(cleared.length, 1);
      assert.match(cleared[0]!, /^__Host-eix_session=;/, 'the cookie is cleared');
      assert.match(cleared[0]!, /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
      assert.equal(
        await node.ctx.db.selectFrom('sessions').select('id').where('id', '=', sessionHash(token)).executeTakeFirst(),
        undefined,
        'the session row is gone',
      );

      for (const page of PAGES) {
        assert.equal(await whoIs(token, page), null, `${page} after logout`);
        assert.equal(await whoIs(token, page, { htmx: true }), null, `${page} (htmx) after logout`);
      }
      // A form posted with the old cookie and its old CSRF token is not processed.
      const post = await fetch(`${base}/password`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookieHeader(token) },
        body: new URLSearchParams({ _csrf: csrf, current: PASSWORD.alice, next: 'another-long-password-1' }).toString(),
      });
      assert.equal(post.status, 302);
      assert.equal(post.headers.get('location'), '/login');
      assert.equal(await whoIs(await login('alice')), NAMES.alice, 'the password is unchanged');
    });

    test('officer B logging in on a browser that carries officer A’s session replaces it; A’s id then opens nothing', async () => {
      const a = await login('alice');
      assert.equal(await whoIs(a), NAMES.alice);
      const b = await login('boris', a);
      assert.notEqual(b, a, 'B gets a new id, not A’s');
      assert.equal(await whoIs(b), NAMES.boris);
      for (const page of PAGES) assert.equal(await whoIs(a, page), null, `A’s old id on ${page}`);
      // And back: A's login on B's browser replaces B's session the same way.
      const a2 = await login('alice', b);
      assert.ok(![a, b].includes(a2));
      assert.equal(await whoIs(a2), NAMES.alice);
      assert.equal(await whoIs(b), null);
    });
  });
}
