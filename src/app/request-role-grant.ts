// Separation of duties (issue 13, item 3; ASVS V1.4.x, V4.1.x): a casework role
// (officer, supervisor, central — the roles that open personal data) granted by
// an administrator to an account an administrator controls waits for a second
// administrator's approval (decide-role-grant.ts). "Controlled by an admin" is:
//   - `admin`: the account holds (or would hold) the admin role;
//   - `password_set_by_admin`: its password was set by an administrator (new
//     account or reset) and its owner has not changed it yet;
//   - `token_by_admin`: a live API token of the account was minted by someone else.
// The operator's console (`eix user roles`, a system actor on the server) is the
// break-glass path and applies roles at once, audited.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB, Tx } from '../ports/store.js';
import { EixError } from '../domain/errors.js';
import { rolesRu } from '../domain/vocabulary.js';
import { appendAudit } from './audit.js';
import { CASEWORK_ROLES } from './authorize.js';
import type { Actor, AppContext, Role } from './context.js';

export type ControlReason = 'admin' | 'password_set_by_admin' | 'token_by_admin';

export const CONTROL_REASON_LABELS_RU: Readonly<Record<ControlReason, string>> = {
  admin: 'учётная запись администратора',
  password_set_by_admin: 'пароль задан администратором и ещё не сменён владельцем',
  token_by_admin: 'у учётной записи есть API-токен, выпущенный администратором',
};

export interface PendingGrant {
  readonly id: string;
  readonly roles: readonly string[];
  readonly reasons: readonly ControlReason[];
  /** What to do next, in Russian (names the break-glass path on a single-admin node). */
  readonly note: string;
}

/** Casework roles in `next` that `current` lacks. */
export function addedCasework(current: readonly string[], next: readonly string[]): string[] {
  return next.filter((r) => (CASEWORK_ROLES as readonly string[]).includes(r) && !current.includes(r));
}

/** Why an administrator controls the account (empty: its owner alone does). Call inside the transaction. */
export async function adminControl(
  tx: Tx,
  officer: { id: string; roles: readonly string[]; password_must_change: boolean },
  nextRoles: readonly Role[],
  passwordSetNow: boolean,
): Promise<ControlReason[]> {
  const reasons: ControlReason[] = [];
  if (officer.roles.includes('admin') || nextRoles.includes('admin')) reasons.push('admin');
  if (officer.password_must_change || passwordSetNow) reasons.push('password_set_by_admin');
  const token = await tx
    .selectFrom('api_tokens')
    .select('id')
    .where('officer_id', '=', officer.id)
    .where('revoked_at', 'is', null)
    .where(foreignToken(officer.id))
    .executeTakeFirst();
  if (token) reasons.push('token_by_admin');
  return reasons;
}

/**
 * A token someone else minted: by an admin, by the console (created_by null), or
 * made before migration 013, when an admin could mint one for anyone.
 */
const foreignToken =
  (officerId: string) =>
  (eb: ExpressionBuilder<DB, 'api_tokens'>): Expression<SqlBool> =>
    eb.or([eb('created_by', 'is', null), eb('created_by', '!=', officerId)]);

/**
 * When an account gets a casework role, the tokens others minted for it (allowed
 * only while it was a technical account) are revoked: no admin keeps a key to
 * personal data. Returns how many.
 */
export async function revokeForeignTokens(tx: Tx, officerId: string, now: Date): Promise<number> {
  const r = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('officer_id', '=', officerId)
    .where('revoked_at', 'is', null)
    .where(foreignToken(officerId))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Records a pending grant (one per account) and audits the request; the roles stay as they are. */
export async function requestRoleGrant(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  g: {
    officerId: string;
    bodyId: string;
    login: string;
    roles: readonly Role[];
    previousRoles: readonly string[];
    reasons: readonly ControlReason[];
  },
): Promise<PendingGrant> {
  if (actor.kind !== 'officer') throw new EixError('access.denied');
  const open = await tx
    .selectFrom('role_grants')
    .select('id')
    .where('officer_id', '=', g.officerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (open) throw new EixError('role_grant.pending', { field: 'roles', id: open.id });
  const row = await tx
    .insertInto('role_grants')
    .values({
      officer_id: g.officerId,
      roles: [...g.roles],
      previous_roles: [...g.previousRoles],
      reasons: [...g.reasons],
      requested_by: actor.officerId,
      requested_at: ctx.clock.now(),
      decided_by: null,
      decided_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendAudit(tx, ctx, actor, {
    action: 'officer.role_grant.request',
    bodyId: g.bodyId,
    subject: g.officerId,
    details: { grantId: row.id, login: g.login, roles: g.roles, previousRoles: g.previousRoles, reasons: g.reasons },
  });
  const others = await tx
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('bodies.party', '=', ctx.party)
    .where('officers.disabled_at', 'is', null)
    .where('officers.id', '!=', actor.officerId)
    .where('officers.id', '!=', g.officerId)
    .where(sql<boolean>`'admin' = any(officers.roles)`)
    .executeTakeFirstOrThrow();
  const why = g.reasons.map((r) => CONTROL_REASON_LABELS_RU[r]).join('; ');
  const note =
    Number(others.n) > 0
      ? `Роли «${rolesRu(g.roles)}» для ${g.login} будут назначены после подтверждения другим администратором (${why}).`
      : `Роли «${rolesRu(g.roles)}» для ${g.login} ждут подтверждения другим администратором (${why}), но другого администратора на узле нет. ` +
        `Добавьте второго администратора или попросите оператора сервера назначить роли командой ` +
        `«eix user roles --login ${g.login} --roles ${g.roles.join(',')}» (запись в журнале аудита); запрос можно отклонить.`;
  return { id: row.id, roles: g.roles, reasons: g.reasons, note };
}
