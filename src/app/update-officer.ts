// Changes a user: roles, disable/enable, password reset (a new generated
// password is returned once, and must be changed at the next login). Admin
// only; the node always keeps one enabled admin. Separation of duties (issue 13,
// item 3): nobody changes his own roles, and a casework role for an account an
// admin controls becomes a pending grant (request-role-grant.ts).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../adapters/db/schema.js';
import Type, { type Static } from 'typebox';
import { generatePassword, hashPassword } from '../adapters/crypto/passwords.js';
import { EixError } from '../domain/errors.js';
import { checkSchema } from '../domain/problems.js';
import {
  OFFICER_COLUMNS,
  OFFICER_EMAIL_PATTERN,
  OFFICER_LABELS,
  RolesSchema,
  toOfficerView,
  type OfficerView,
} from './add-officer.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { revokeOfficerAccess, type AccessRevocationReason } from './revoke-officer-access.js';
import {
  addedCasework,
  adminControl,
  requestRoleGrant,
  revokeForeignTokens,
  type PendingGrant,
} from './request-role-grant.js';

export const UpdateOfficerInput = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    roles: Type.Optional(RolesSchema),
    disabled: Type.Optional(Type.Boolean()),
    resetPassword: Type.Optional(Type.Literal(true)),
    /** The official address for e-mail notices and printed forms (issue 17 item 3); null removes it. */
    email: Type.Optional(
      Type.Union([Type.String({ minLength: 3, maxLength: 254, pattern: OFFICER_EMAIL_PATTERN }), Type.Null()]),
    ),
  },
  { additionalProperties: false, minProperties: 2 },
);
export type UpdateOfficerInput = Static<typeof UpdateOfficerInput>;

export async function updateOfficer(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ officer: OfficerView; password?: string; pendingGrant?: PendingGrant }> {
  requireAdmin(actor);
  const problems = checkSchema(UpdateOfficerInput, input, {
    ...OFFICER_LABELS,
    id: 'пользователь',
    disabled: 'отключён',
    resetPassword: 'сбросить пароль',
  });
  const first = problems[0];
  if (first) {
    const message =
      first.code === 'schema.minProperties'
        ? 'Не указано ни одного изменения: roles, disabled, resetPassword или email'
        : `${first.path}: ${first.message}`;
    throw new EixError('input.invalid', { field: first.path, problems }, message);
  }
  const v = input as UpdateOfficerInput;
  if (v.roles && actor.kind === 'officer' && actor.officerId === v.id)
    throw new EixError('officer.own_roles', { field: 'roles', id: v.id });
  // The generated password passes the policy for this officer (ASVS V2.1.7: no login or name inside).
  const target = v.resetPassword
    ? await ctx.db.selectFrom('officers').select(['login', 'full_name']).where('id', '=', v.id).executeTakeFirst()
    : undefined;
  const password = v.resetPassword
    ? generatePassword({ login: target?.login, fullName: target?.full_name })
    : undefined;
  const passwordHash = password !== undefined ? await hashPassword(password) : undefined;
  const now = ctx.clock.now();
  let pendingGrant: PendingGrant | undefined;

  const officer = await ctx.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('officers')
      .innerJoin('bodies', 'bodies.id', 'officers.body_id')
      .select([
        'officers.id',
        'officers.login',
        'officers.body_id',
        'officers.roles',
        'officers.disabled_at',
        'officers.password_must_change',
        'bodies.party',
      ])
      .where('officers.id', '=', v.id)
      .forUpdate('officers')
      .executeTakeFirst();
    if (!current || current.party !== ctx.party) throw new EixError('officer.not_found', { field: 'id', id: v.id });
    // A casework role for an account an admin controls waits for a second admin.
    const control =
      v.roles && actor.kind === 'officer' && addedCasework(current.roles, v.roles).length > 0
        ? await adminControl(tx, current, v.roles, password !== undefined)
        : [];
    if (v.roles && control.length > 0) {
      pendingGrant = await requestRoleGrant(tx, ctx, actor, {
        officerId: current.id,
        bodyId: current.body_id,
        login: current.login,
        roles: v.roles,
        previousRoles: current.roles,
        reasons: control,
      });
    }
    const applyRoles = v.roles && !pendingGrant ? v.roles : undefined;
    const row = await tx
      .updateTable('officers')
      .set({
        // Always one column set, so a change that only asks for a pending grant is still a valid update.
        roles: [...(applyRoles ?? current.roles)],
        ...(v.disabled === true
          ? { disabled_at: current.disabled_at ?? now }
          : v.disabled === false
            ? { disabled_at: null, failed_logins: 0, locked_until: null }
            : {}),
        ...(passwordHash !== undefined
          ? { password_hash: passwordHash, failed_logins: 0, locked_until: null, password_must_change: true }
          : {}),
        ...(v.email !== undefined ? { email: v.email === null ? null : v.email.trim() } : {}),
      })
      .where('id', '=', v.id)
      .returning(OFFICER_COLUMNS)
      .executeTakeFirstOrThrow();
    const revokedTokens =
      applyRoles && addedCasework(current.roles, applyRoles).length > 0 ? await revokeForeignTokens(tx, v.id, now) : 0;
    await appendAudit(tx, ctx, actor, {
      action: 'officer.update',
      bodyId: row.body_id,
      subject: row.id,
      details: {
        login: row.login,
        ...(applyRoles ? { roles: row.roles, previousRoles: current.roles } : {}),
        ...(pendingGrant ? { pendingGrant: pendingGrant.id } : {}),
        ...(revokedTokens ? { revokedForeignTokens: revokedTokens } : {}),
        ...(v.disabled !== undefined ? { disabled: v.disabled } : {}),
        ...(v.resetPassword ? { passwordReset: true } : {}),
        ...(v.email !== undefined ? { email: v.email === null ? 'removed' : 'changed' } : {}),
      },
    });
    // V3.3.3/V3.3.4: a reset, a block or fewer roles end every session and revoke every token.
    const reasons: AccessRevocationReason[] = [
      ...(v.resetPassword ? (['password_reset'] as const) : []),
      ...(v.disabled === true ? (['disabled'] as const) : []),
      ...(current.roles.some((r) => !row.roles.includes(r)) ? (['roles_reduced'] as const) : []),
    ];
    if (reasons.length) await revokeOfficerAccess(tx, ctx, actor, { officerId: row.id, bodyId: row.body_id, reasons });
    // Checked after appendAudit, which serialises writers: two admins cannot remove each other at once.
    if ((await countActiveAdmins(tx, ctx.party)) === 0 && current.roles.includes('admin')) {
      throw new EixError('officer.last_admin', { field: v.disabled ? 'disabled' : 'roles', id: v.id });
    }
    return toOfficerView(row);
  });
  return { officer, ...(password !== undefined ? { password } : {}), ...(pendingGrant ? { pendingGrant } : {}) };
}

/** Administrators of the Party still able to log in (a node never loses its last one). */
export async function countActiveAdmins(tx: Transaction<DB>, party: string): Promise<number> {
  const admins = await tx
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('bodies.party', '=', party)
    .where('officers.disabled_at', 'is', null)
    .where(sql<boolean>`'admin' = any(officers.roles)`)
    .executeTakeFirstOrThrow();
  return Number(admins.n);
}
