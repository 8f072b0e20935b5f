// An officer changes his own password: the current one is checked, the new one
// follows the policy; every other session of the officer ends. A password an
// admin set (new account or reset) is the owner's once changed here: the flag
// that held the session on this page drops (issue 13, item 3).
import Type from 'typebox';
import { hashPassword, verifyPassword } from '../adapters/crypto/passwords.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import { ROLES, type Actor, type AppContext, type Officer } from './context.js';
import { requirePasswordPolicy } from './estimate-password.js';
import { parseInput } from './input.js';
import { revokeOfficerAccess } from './revoke-officer-access.js';

export const ChangePasswordInput = Type.Object(
  {
    current: Type.String({ minLength: 1, maxLength: 256 }),
    // Length and strength are the password policy's (ASVS V2.1), checked with its own codes.
    next: Type.String({ minLength: 1, description: 'от 12 до 128 символов; см. политику паролей' }),
  },
  { additionalProperties: false },
);

export async function changePassword(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  keepSessionHash?: string,
): Promise<void> {
  // Any officer, even one whose roles still wait for a second admin's approval.
  if (actor.kind !== 'officer') requireRole(actor, ...ROLES);
  const o = actor as Officer;
  const p = parseInput(ChangePasswordInput, input, {
    current: 'текущий пароль',
    next: 'новый пароль',
  });
  // Before the current password is checked: a refused new one costs no scrypt and no failed attempt.
  requirePasswordPolicy(p.next, { login: o.login, fullName: o.fullName }, 'next', 'Новый пароль');
  const row = await ctx.db
    .selectFrom('officers')
    .select('password_hash')
    .where('id', '=', o.officerId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(p.current, row.password_hash)))
    throw new EixError('auth.failed', { field: 'current' }, 'Текущий пароль указан неверно');
  if (p.current === p.next)
    throw new EixError('input.invalid', { field: 'next' }, 'Новый пароль должен отличаться от текущего');
  const hash = await hashPassword(p.next);
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('officers')
      .set({ password_hash: hash, failed_logins: 0, locked_until: null, password_must_change: false })
      .where('id', '=', o.officerId)
      .execute();
    await appendAudit(tx, ctx, o, { action: 'auth.password_changed', subject: o.login });
    // V3.3.3: the officer's other sessions end; his API tokens are his to revoke.
    await revokeOfficerAccess(tx, ctx, o, {
      officerId: o.officerId,
      bodyId: o.bodyId,
      reasons: ['password_changed'],
      keepSessionHash,
      tokens: false,
    });
  });
}
