// Issue 13, item 3 — separation of duties and the second factor, on both
// engines: tokens only for oneself or a technical account, nobody raises his own
// roles, a casework grant to an admin-controlled account waits for a second
// admin, a reset password must be changed first, TOTP with replay refusal and
// one-time recovery codes (ASVS V1.4.x, V2.5.x, V2.6.x, V2.8.x, V4.1.x, V4.2.x).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { addBody } from '../../src/app/add-body.js';
import { addOfficer } from '../../src/app/add-officer.js';
import { changePassword } from '../../src/app/change-password.js';
import { confirmTotpEnrolment } from '../../src/app/confirm-totp-enrolment.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { decideRoleGrant } from '../../src/app/decide-role-grant.js';
import { listRoleGrants } from '../../src/app/list-role-grants.js';
import { openSession, resolveSession, sessionHash } from '../../src/app/sessions.js';
import { startTotpEnrolment } from '../../src/app/start-totp-enrolment.js';
import { updateOfficer } from '../../src/app/update-officer.js';
import { verifySecondFactor } from '../../src/app/verify-second-factor.js';
import { EixError } from '../../src/domain/errors.js';
import { ENGINES } from '../support/db.js';
import { openNode, seedOfficer, uniq, type TestNode } from '../support/app.js';

/** The gate of a live session (issue 13, item 3). */
async function gateOf(ctx: Parameters<typeof resolveSession>[0], token: string) {
  const r = await resolveSession(ctx, token);
  assert.ok(r && 'officer' in r, 'a live session');
  return r.gate;
}

const CLI: Actor = { kind: 'system', name: 'cli' };

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
  describe(`separation of duties and second factor on ${e.engine}`, () => {
    let node: TestNode;
    let central: string;
    let adminA: Officer;
    let adminB: Officer;

    const rolesOf = async (id: string) =>
      (await node.ctx.db.selectFrom('officers').select('roles').where('id', '=', id).executeTakeFirstOrThrow()).roles;
    const auditActions = async (subject: string) =>
      (
        await node.ctx.db
          .selectFrom('audit_log')
          .select('action')
          .where('subject', '=', subject)
          .orderBy('seq')
          .execute()
      ).map((r) => r.action);

    before(async () => {
      node = await openNode(e);
      central = (await addBody(node.ctx, CLI, { id: uniq('ru-central'), name: 'ФССП России', kind: 'central' })).id;
      adminA = await seedOfficer(node.ctx, central, ['admin']);
      adminB = await seedOfficer(node.ctx, central, ['admin']);
    });
    after(() => node.database.close());

    test('issue 13.3, V4.1.3: an admin cannot mint an API token for an officer, but can for itself and a technical account', async () => {
      const officer = await seedOfficer(node.ctx, central, ['officer']);
      const central2 = await seedOfficer(node.ctx, central, ['central']);
      for (const target of [officer, central2]) {
        const err = await rejects(
          createApiToken(node.ctx, adminA, { name: 'выгрузка', officerId: target.officerId }),
          'token.casework_account',
          'officerId',
        );
        assert.match(err.message, /техническ/);
        // The operator's console follows the same rule.
        await rejects(
          createApiToken(node.ctx, CLI, { name: 'выгрузка', officerId: target.officerId }),
          'token.casework_account',
        );
      }
      assert.equal(
        (await node.ctx.db.selectFrom('api_tokens').select('id').where('officer_id', '=', officer.officerId).execute())
          .length,
        0,
        'nothing written',
      );
      const own = await createApiToken(node.ctx, adminA, { name: 'мой сценарий' });
      assert.equal(own.officerId, adminA.officerId);
      const technical = await seedOfficer(node.ctx, central, ['admin']);
      const t = await createApiToken(node.ctx, adminA, {
        name: 'резервное копирование',
        officerId: technical.officerId,
      });
      assert.equal(t.officerId, technical.officerId);
      // An officer makes one for himself.
      assert.equal((await createApiToken(node.ctx, officer, { name: 'сам' })).officerId, officer.officerId);
      // The technical account asked a casework role: pending (admin-controlled: admin role, token minted by an admin);
      // the admin who minted its token cannot approve; on approval that token is revoked.
      const up = await updateOfficer(node.ctx, adminB, { id: technical.officerId, roles: ['admin', 'officer'] });
      assert.deepEqual(up.pendingGrant?.reasons, ['admin', 'token_by_admin']);
      await rejects(
        decideRoleGrant(node.ctx, adminA, { id: up.pendingGrant!.id, decision: 'approve' }),
        'role_grant.own',
      );
      const third = await seedOfficer(node.ctx, central, ['admin']);
      await decideRoleGrant(node.ctx, third, { id: up.pendingGrant!.id, decision: 'approve' });
      const tok = await node.ctx.db
        .selectFrom('api_tokens')
        .select('revoked_at')
        .where('id', '=', t.id)
        .executeTakeFirstOrThrow();
      assert.ok(tok.revoked_at, 'the token an admin minted dies when the account gets a casework role');
    });

    test('issue 13.3, V4.1.x: nobody changes his own roles', async () => {
      await rejects(
        updateOfficer(node.ctx, adminA, { id: adminA.officerId, roles: ['admin', 'central'] }),
        'officer.own_roles',
        'roles',
      );
      await rejects(updateOfficer(node.ctx, adminA, { id: adminA.officerId, roles: ['admin'] }), 'officer.own_roles');
      assert.deepEqual(await rolesOf(adminA.officerId), ['admin']);
    });

    test('issue 13.3, V1.4.x: a casework grant to an account an admin created stays pending until a second admin approves; the requester cannot', async () => {
      const r = await addOfficer(node.ctx, adminA, {
        bodyId: central,
        login: uniq('novikov'),
        fullName: 'Новиков',
        position: 'пристав',
        roles: ['officer'],
      });
      assert.deepEqual(r.officer.roles, [], 'created without the casework role');
      assert.ok(r.pendingGrant);
      assert.deepEqual(r.pendingGrant.reasons, ['password_set_by_admin']);
      assert.match(r.pendingGrant.note, /подтвержден/);
      const pending = await listRoleGrants(node.ctx, adminB);
      const g = pending.find((x) => x.officerId === r.officer.id)!;
      assert.ok(g && g.decidable);
      assert.equal((await listRoleGrants(node.ctx, adminA)).find((x) => x.id === g.id)!.decidable, false);
      await rejects(decideRoleGrant(node.ctx, adminA, { id: g.id, decision: 'approve' }), 'role_grant.own', 'id');
      await rejects(decideRoleGrant(node.ctx, adminA, { id: g.id, decision: 'reject' }), 'role_grant.own', 'id');
      const officer = await seedOfficer(node.ctx, central, ['officer']);
      await rejects(decideRoleGrant(node.ctx, officer, { id: g.id, decision: 'approve' }), 'access.denied');
      assert.deepEqual(await rolesOf(r.officer.id), []);
      // A second request for the same account while one waits is refused.
      await rejects(
        updateOfficer(node.ctx, adminA, { id: r.officer.id, roles: ['supervisor'] }),
        'role_grant.pending',
        'roles',
      );
      const ok = await decideRoleGrant(node.ctx, adminB, { id: g.id, decision: 'approve' });
      assert.equal(ok.status, 'approved');
      assert.deepEqual(await rolesOf(r.officer.id), ['officer']);
      await rejects(decideRoleGrant(node.ctx, adminB, { id: g.id, decision: 'approve' }), 'role_grant.not_found');
      const actions = await auditActions(r.officer.id);
      assert.ok(actions.includes('officer.role_grant.request') && actions.includes('officer.role_grant.approve'));
    });

    test('issue 13.3, V1.4.x: a casework grant to an admin or to a reset account waits; a rejection leaves the roles; the operator console is the break-glass', async () => {
      // An admin grants itself nothing, and another admin's casework role waits too.
      const up = await updateOfficer(node.ctx, adminA, { id: adminB.officerId, roles: ['admin', 'central'] });
      assert.ok(up.pendingGrant);
      assert.deepEqual(up.pendingGrant.reasons, ['admin']);
      assert.deepEqual(up.officer.roles, ['admin']);
      // The account itself cannot approve its own grant either.
      await rejects(
        decideRoleGrant(node.ctx, adminB, { id: up.pendingGrant.id, decision: 'approve' }),
        'role_grant.own',
      );
      const adminC = await seedOfficer(node.ctx, central, ['admin']);
      const no = await decideRoleGrant(node.ctx, adminC, { id: up.pendingGrant.id, decision: 'reject' });
      assert.equal(no.status, 'rejected');
      assert.deepEqual(await rolesOf(adminB.officerId), ['admin']);
      assert.ok((await auditActions(adminB.officerId)).includes('officer.role_grant.reject'));

      // A reset password makes the account admin-controlled until its owner changes it.
      const clerk = await seedOfficer(node.ctx, central, ['supervisor']);
      const reset = await updateOfficer(node.ctx, adminA, { id: clerk.officerId, resetPassword: true });
      const raise = await updateOfficer(node.ctx, adminA, { id: clerk.officerId, roles: ['supervisor', 'central'] });
      assert.deepEqual(raise.pendingGrant?.reasons, ['password_set_by_admin']);
      await decideRoleGrant(node.ctx, adminC, { id: raise.pendingGrant!.id, decision: 'reject' });
      await changePassword(node.ctx, clerk, { current: reset.password!, next: 'собственный-пароль-2026' });
      // Now the owner alone controls it: the grant applies at once.
      const direct = await updateOfficer(node.ctx, adminA, { id: clerk.officerId, roles: ['supervisor', 'central'] });
      assert.equal(direct.pendingGrant, undefined);
      assert.deepEqual(await rolesOf(clerk.officerId), ['supervisor', 'central']);

      // Break-glass: the operator's console applies roles at once (audited as system:cli).
      const viaCli = await updateOfficer(node.ctx, CLI, { id: adminB.officerId, roles: ['admin', 'central'] });
      assert.deepEqual(viaCli.officer.roles, ['admin', 'central']);
    });

    test('issue 13.3: on a node with a single admin the pending grant says in Russian what to do', async () => {
      const by = (await import('../support/app.js')).nodeOn(node.database, 'KG', node.clock);
      const kgBody = (await addBody(by.ctx, CLI, { id: uniq('kg-central'), name: 'Департамент', kind: 'central' })).id;
      const only = await seedOfficer(by.ctx, kgBody, ['admin'], 'KG');
      const r = await addOfficer(by.ctx, only, {
        bodyId: kgBody,
        login: uniq('kg-officer'),
        fullName: 'x',
        position: 'x',
        roles: ['officer'],
      });
      assert.match(r.pendingGrant!.note, /другого администратора на узле нет/);
      assert.match(r.pendingGrant!.note, /eix user roles --login/);
    });

    test('issue 13.3, V2.5.x: after a reset the officer must change the password before anything else', async () => {
      const r = await addOfficer(node.ctx, CLI, {
        bodyId: central,
        login: uniq('petrov'),
        fullName: 'Петров',
        position: 'пристав',
        roles: ['officer'],
      });
      const reset = await updateOfficer(node.ctx, adminA, { id: r.officer.id, resetPassword: true });
      const s = await openSession(node.ctx, { login: r.officer.login, password: reset.password! });
      assert.equal(await gateOf(node.ctx, s.token), 'password');
      await changePassword(
        node.ctx,
        s.officer,
        { current: reset.password!, next: 'зелёный трамвай едет в парк 2026' },
        sessionHash(s.token),
      );
      assert.equal(await gateOf(node.ctx, s.token), null);
    });

    test('issue 13.3, V2.8.x: TOTP — an admin is sent to enrolment; a wrong and a replayed code are refused; a recovery code works once', async () => {
      const r = await addOfficer(node.ctx, CLI, {
        bodyId: central,
        login: uniq('totp-admin'),
        fullName: 'Админов',
        position: 'администратор',
        roles: ['admin'],
      });
      await node.ctx.db
        .updateTable('officers')
        .set({ password_must_change: false })
        .where('id', '=', r.officer.id)
        .execute();
      const s = await openSession(node.ctx, { login: r.officer.login, password: r.password });
      assert.equal(await gateOf(node.ctx, s.token), 'enrol');
      const enrol = await startTotpEnrolment(node.ctx, s.officer);
      const stored = await node.ctx.db
        .selectFrom('officers')
        .select('totp_secret_enc')
        .where('id', '=', r.officer.id)
        .executeTakeFirstOrThrow();
      assert.ok(
        stored.totp_secret_enc && !Buffer.from(stored.totp_secret_enc).toString('latin1').includes(enrol.secret),
      );
      const epoch = () => Math.floor(node.clock.now().getTime() / 1000);
      await rejects(confirmTotpEnrolment(node.ctx, s.officer, { code: '000000' }), 'mfa.code', 'code');
      const first = await generate({ secret: enrol.secret, epoch: epoch() });
      const { recoveryCodes } = await confirmTotpEnrolment(node.ctx, s.officer, { code: first }, sessionHash(s.token));
      assert.equal(recoveryCodes.length, 10);
      assert.equal(await gateOf(node.ctx, s.token), null);

      // A new login: password, then the code.
      const s2 = await openSession(node.ctx, { login: r.officer.login, password: r.password });
      assert.equal(await gateOf(node.ctx, s2.token), 'second_factor');
      // The enrolment code was spent: replay refused.
      await rejects(verifySecondFactor(node.ctx, s2.officer, { code: first }, sessionHash(s2.token)), 'mfa.code');
      await rejects(verifySecondFactor(node.ctx, s2.officer, { code: '123456' }, sessionHash(s2.token)), 'mfa.code');
      node.clock.advance(30_000);
      const next = await generate({ secret: enrol.secret, epoch: epoch() });
      assert.equal(
        (await verifySecondFactor(node.ctx, s2.officer, { code: next }, sessionHash(s2.token))).method,
        'totp',
      );
      assert.equal(await gateOf(node.ctx, s2.token), null);
      // The same code again, in its window, on another session: refused.
      const s3 = await openSession(node.ctx, { login: r.officer.login, password: r.password });
      await rejects(verifySecondFactor(node.ctx, s3.officer, { code: next }, sessionHash(s3.token)), 'mfa.code');
      // A recovery code works once.
      const rc = recoveryCodes[3]!;
      const used = await verifySecondFactor(node.ctx, s3.officer, { code: rc.toLowerCase() }, sessionHash(s3.token));
      assert.deepEqual(used, { method: 'recovery', recoveryCodesLeft: 9 });
      const s4 = await openSession(node.ctx, { login: r.officer.login, password: r.password });
      await rejects(verifySecondFactor(node.ctx, s4.officer, { code: rc }, sessionHash(s4.token)), 'mfa.code');
      // Five wrong codes end the session.
      for (let i = 0; i < 4; i++)
        await rejects(verifySecondFactor(node.ctx, s4.officer, { code: '000000' }, sessionHash(s4.token)), 'mfa.code');
      assert.equal(await resolveSession(node.ctx, s4.token), null);
      const actions = await auditActions(r.officer.id);
      assert.ok(actions.includes('auth.totp_enrolled') && actions.includes('auth.second_factor_failed'));
    });
  });
}
