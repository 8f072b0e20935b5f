// Issue 13, item 4 "Sessions" on both engines: web sessions end after 30 idle
// minutes (configurable) and after their absolute lifetime; a password reset,
// a block or fewer roles end every session and revoke every API token of the
// officer (his own password change ends his other sessions); API tokens expire
// (1 year by default, per token otherwise) and an expired one is refused with
// its own code; a session's notice is read once. Time moves only on ctx.clock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { authenticateToken } from '../../src/app/authenticate.js';
import { changePassword } from '../../src/app/change-password.js';
import type { Actor, AppContext, Officer, Role } from '../../src/app/context.js';
import { createApiToken, TOKEN_DAYS } from '../../src/app/create-api-token.js';
import { listApiTokens } from '../../src/app/list-api-tokens.js';
import {
  openSession,
  resolveSession,
  SESSION_HOURS,
  sessionHash,
  setFlash,
  takeFlash,
} from '../../src/app/sessions.js';
import { updateOfficer } from '../../src/app/update-officer.js';
import { EixError } from '../../src/domain/errors.js';
import { ENGINES } from '../support/db.js';
import { openNode, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const CLI: Actor = { kind: 'system', name: 'cli' };
const PASSWORD = 'correct-horse-battery-staple';
const MIN = 60_000;
const DAY = 86_400_000;

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
  describe(`issue 13 item 4: sessions and tokens on ${e.engine}`, () => {
    let node: TestNode;
    let body: string;
    let admin: Officer;

    before(async () => {
      node = await openNode(e);
      body = await seedBody(node.ctx);
      admin = await seedOfficer(node.ctx, body, ['admin']);
    });
    after(() => node.database.close());

    /** An officer who can log in with PASSWORD. */
    async function officer(roles: readonly Role[] = ['officer']): Promise<Officer> {
      const o = await seedOfficer(node.ctx, body, roles);
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', o.officerId)
        .execute();
      return o;
    }
    const login = async (o: Officer, ctx: AppContext = node.ctx) =>
      (await openSession(ctx, { login: o.login, password: PASSWORD })).token;
    const alive = async (token: string, ctx: AppContext = node.ctx) => {
      const r = await resolveSession(ctx, token);
      return r !== null && 'officer' in r;
    };
    const audit = (action: string, subject: string) =>
      node.ctx.db
        .selectFrom('audit_log')
        .select(['actor', 'details'])
        .where('action', '=', action)
        .where('subject', '=', subject)
        .orderBy('seq')
        .execute();

    test('V3.3.2: a session idle for 30 minutes ends (row deleted, audited, the browser is told why); activity keeps it alive', async () => {
      const o = await officer();
      const token = await login(o);
      node.clock.advance(29 * MIN);
      assert.ok(await alive(token), 'used after 29 idle minutes');
      node.clock.advance(29 * MIN);
      assert.ok(await alive(token), 'each request restarts the idle time');
      node.clock.advance(30 * MIN);
      assert.deepEqual(await resolveSession(node.ctx, token), { ended: 'idle' });
      assert.equal(
        await node.ctx.db.selectFrom('sessions').select('id').where('id', '=', sessionHash(token)).executeTakeFirst(),
        undefined,
        'the idle session is deleted, not just refused',
      );
      assert.equal(await resolveSession(node.ctx, token), null, 'and stays dead');
      const entries = await audit('auth.session_ended', o.officerId);
      assert.equal(entries.length, 1);
      assert.equal((entries[0]!.details as { reason: string }).reason, 'idle');
    });

    test('V3.3.2: the idle time is configurable (EIX_SESSION_IDLE_MINUTES → ctx.sessionIdleMinutes)', async () => {
      const ctx: AppContext = { ...node.ctx, sessionIdleMinutes: 5 };
      const o = await officer();
      const token = await login(o, ctx);
      node.clock.advance(5 * MIN - 1);
      assert.ok(await alive(token, ctx));
      node.clock.advance(5 * MIN);
      assert.deepEqual(await resolveSession(ctx, token), { ended: 'idle' });
    });

    test('V3.3.1: the absolute lifetime stays: a session in constant use ends after SESSION_HOURS', async () => {
      const o = await officer();
      const token = await login(o);
      for (let t = 0; t < SESSION_HOURS * 60 - 20; t += 20) {
        node.clock.advance(20 * MIN);
        assert.ok(await alive(token), `in use at ${t + 20} minutes`);
      }
      node.clock.advance(20 * MIN);
      assert.deepEqual(await resolveSession(node.ctx, token), { ended: 'expired' });
      assert.equal(await resolveSession(node.ctx, token), null);
    });

    /** Two sessions and two tokens of a fresh officer, all working. */
    async function holder(roles: readonly Role[] = ['officer']) {
      const o = await officer(roles);
      const sessions = [await login(o), await login(o)];
      const tokens = [
        // Issue 13.3: an officer makes his own tokens (an admin only for a technical account).
        (await createApiToken(node.ctx, o, { name: 'выгрузка' })).token,
        (await createApiToken(node.ctx, o, { name: 'отчёты' })).token,
      ];
      for (const s of sessions) assert.ok(await alive(s));
      for (const t of tokens) assert.equal((await authenticateToken(node.ctx, t)).officerId, o.officerId);
      return { o, sessions, tokens };
    }
    async function allEnded(h: Awaited<ReturnType<typeof holder>>, reason: string) {
      for (const s of h.sessions) assert.equal(await resolveSession(node.ctx, s), null, `${reason}: session ended`);
      for (const t of h.tokens) await rejects(authenticateToken(node.ctx, t), 'auth.token');
      const entries = await audit('officer.access_revoked', h.o.officerId);
      assert.equal(entries.length, 1, `${reason}: one audit entry`);
      assert.equal(entries[0]!.actor, `officer:${admin.login}`);
      const d = entries[0]!.details as { reasons: string[]; sessionsEnded: number; tokensRevoked: string[] };
      assert.deepEqual([d.reasons, d.sessionsEnded, d.tokensRevoked.length], [[reason], 2, 2]);
    }

    test('V3.3.3, V3.3.4: an admin password reset ends every session and revokes every API token', async () => {
      const h = await holder();
      await updateOfficer(node.ctx, admin, { id: h.o.officerId, resetPassword: true });
      await allEnded(h, 'password_reset');
    });

    test('V3.3.4: disabling (blocking) an officer ends every session and revokes every API token; enabling revives nothing', async () => {
      const h = await holder();
      await updateOfficer(node.ctx, admin, { id: h.o.officerId, disabled: true });
      await allEnded(h, 'disabled');
      await updateOfficer(node.ctx, admin, { id: h.o.officerId, disabled: false });
      for (const t of h.tokens) await rejects(authenticateToken(node.ctx, t), 'auth.token');
      for (const s of h.sessions) assert.equal(await resolveSession(node.ctx, s), null);
    });

    test('V3.3.4: fewer roles end every session and revoke every API token; an added role does not', async () => {
      const h = await holder(['officer', 'supervisor']);
      await updateOfficer(node.ctx, admin, { id: h.o.officerId, roles: ['officer', 'supervisor', 'central'] });
      for (const s of h.sessions) assert.ok(await alive(s), 'a role added: sessions go on');
      for (const t of h.tokens) assert.equal((await authenticateToken(node.ctx, t)).officerId, h.o.officerId);
      assert.equal((await audit('officer.access_revoked', h.o.officerId)).length, 0);
      await updateOfficer(node.ctx, admin, { id: h.o.officerId, roles: ['officer', 'central'] });
      await allEnded(h, 'roles_reduced');
    });

    test('V3.3.4: a refused change (last admin) revokes nothing', async () => {
      const lone = await seedBody(node.ctx, { party: 'BY' });
      const byAdmin = await seedOfficer(node.ctx, lone, ['admin'], 'BY');
      const by: AppContext = { ...node.ctx, party: 'BY' };
      const t = await createApiToken(by, CLI, { name: 'x', officerId: byAdmin.officerId });
      await rejects(updateOfficer(by, CLI, { id: byAdmin.officerId, disabled: true }), 'officer.last_admin');
      assert.equal((await authenticateToken(by, t.token)).officerId, byAdmin.officerId);
    });

    test('V3.3.3: an officer changing his own password ends his other sessions and keeps this one and his tokens', async () => {
      const h = await holder();
      const [mine, other] = h.sessions as [string, string];
      await changePassword(node.ctx, h.o, { current: PASSWORD, next: 'another-long-password-2' }, sessionHash(mine));
      assert.ok(await alive(mine), 'the session used for the change goes on');
      assert.equal(await resolveSession(node.ctx, other), null, 'the other one ended');
      for (const t of h.tokens) assert.equal((await authenticateToken(node.ctx, t)).officerId, h.o.officerId);
      const entries = await audit('officer.access_revoked', h.o.officerId);
      const d = entries[0]!.details as { reasons: string[]; sessionsEnded: number; currentSessionKept: boolean };
      assert.deepEqual([d.reasons, d.sessionsEnded, d.currentSessionKept], [['password_changed'], 1, true]);
    });

    test('V3.5.x: an API token expires after 1 year by default, or after expiresDays; an expired one is refused with auth.token_expired', async () => {
      const o = await officer();
      const t0 = node.clock.now().getTime();
      const year = await createApiToken(node.ctx, o, { name: 'по умолчанию' });
      assert.equal(year.expiresAt, new Date(t0 + TOKEN_DAYS * DAY).toISOString());
      const month = await createApiToken(node.ctx, o, {
        name: 'на месяц',
        expiresDays: 30,
      });
      assert.equal(month.expiresAt, new Date(t0 + 30 * DAY).toISOString());

      node.clock.advance(30 * DAY - 1);
      assert.equal((await authenticateToken(node.ctx, month.token)).officerId, o.officerId, 'still valid');
      node.clock.advance(1);
      const err = await rejects(authenticateToken(node.ctx, month.token), 'auth.token_expired');
      assert.equal(err.http, 401);
      assert.equal((await authenticateToken(node.ctx, year.token)).officerId, o.officerId);
      const failed = await node.ctx.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'auth.login_failed')
        .where('subject', '=', month.id)
        .execute();
      assert.ok(
        failed.some((f) => (f.details as { reason: string }).reason === 'expired'),
        'the refusal is audited',
      );

      const listed = await listApiTokens(node.ctx, admin, { officerId: o.officerId });
      assert.deepEqual(
        listed.map((x) => x.expiresAt).sort(),
        [month.expiresAt, year.expiresAt],
        'the list shows each expiry',
      );
      assert.equal(listed.find((x) => x.id === month.id)?.status, 'expired');
      assert.equal(listed.find((x) => x.id === year.id)?.status, 'active');
      assert.ok(listed.every((x) => !JSON.stringify(x).includes('hash')));
      // An officer sees his own tokens only.
      assert.ok((await listApiTokens(node.ctx, o)).every((x) => x.officerId === o.officerId));
      await rejects(listApiTokens(node.ctx, o, { officerId: admin.officerId }), 'access.denied', 'officerId');
      node.clock.set(new Date(t0).toISOString());
    });

    test('V3.5.x: expiresDays out of range or not a whole number is refused naming the field; nothing is written', async () => {
      const o = await officer();
      for (const bad of [0, -1, 731, 1.5, '30', null]) {
        await rejects(createApiToken(node.ctx, o, { name: 'x', expiresDays: bad }), 'input.invalid', 'expiresDays');
      }
      assert.equal((await listApiTokens(node.ctx, o)).length, 0);
    });

    test('flash notices are kept server-side per session and read once', async () => {
      const o = await officer();
      const a = await login(o);
      const b = await login(o);
      assert.equal(await takeFlash(node.ctx, a), null);
      await setFlash(node.ctx, a, 'Орган добавлен');
      assert.equal(await takeFlash(node.ctx, b), null, 'another session does not see it');
      assert.equal(await takeFlash(node.ctx, a), 'Орган добавлен');
      assert.equal(await takeFlash(node.ctx, a), null, 'read once');
      assert.equal(await takeFlash(node.ctx, 'no-such-session-token-0000000000'), null);
    });
  });
}
