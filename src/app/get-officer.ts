// One user of the node for his page on the administration side (issue 15,
// item 2): body, roles, state, lock, second factor, whether the password is
// the administrator's, open sessions, and a casework grant waiting for a
// second administrator with the administrators who may decide it (not the
// requester, not the account, not an admin who minted a live API token of
// either: decide-role-grant.ts). An admin sees every user of the Party, a
// supervisor those of his own body; a user out of scope is not found.
import { sql } from 'kysely';
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { OFFICER_COLUMNS, toOfficerView, type OfficerView } from './add-officer.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { CONTROL_REASON_LABELS_RU, type ControlReason } from './request-role-grant.js';

export const GetOfficerInput = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export interface PendingGrantView {
  readonly id: string;
  readonly roles: readonly string[];
  readonly previousRoles: readonly string[];
  /** Why a second administrator must approve, in Russian. */
  readonly reasons: readonly string[];
  readonly requestedBy: { readonly login: string; readonly fullName: string };
  readonly requestedAt: string;
  /** Administrators who may approve or reject it. */
  readonly approvers: readonly { readonly login: string; readonly fullName: string }[];
  /** May the reading administrator decide it? */
  readonly decidable: boolean;
}

export interface OfficerDetail extends OfficerView {
  readonly bodyName: string;
  readonly phone: string | null;
  readonly email: string | null;
  readonly secondFactor: boolean;
  readonly mustChangePassword: boolean;
  readonly failedLogins: number;
  readonly sessions: number;
  readonly pendingGrant: PendingGrantView | null;
}

export async function getOfficer(ctx: AppContext, actor: Actor, input: unknown): Promise<OfficerDetail> {
  const me = requireRole(actor, 'admin', 'supervisor');
  const { id } = parseInput(GetOfficerInput, input, { id: 'пользователь' });
  const r = await ctx.db
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select(OFFICER_COLUMNS.map((c) => `officers.${c}` as const))
    .select([
      'bodies.name as body_name',
      'bodies.party',
      'officers.phone',
      'officers.email',
      'officers.password_must_change',
      'officers.failed_logins',
      'officers.totp_enabled_at',
    ])
    .where('officers.id', '=', id)
    .executeTakeFirst();
  const inScope = r && r.party === ctx.party && (me.roles.includes('admin') || r.body_id === me.bodyId);
  if (!r || !inScope) throw new EixError('officer.not_found', { field: 'id', id });
  const now = ctx.clock.now();
  const sessions = await ctx.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('officer_id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  const g = await ctx.db
    .selectFrom('role_grants')
    .innerJoin('officers as req', 'req.id', 'role_grants.requested_by')
    .select([
      'role_grants.id',
      'role_grants.roles',
      'role_grants.previous_roles',
      'role_grants.reasons',
      'role_grants.requested_by',
      'role_grants.requested_at',
      'req.login',
      'req.full_name',
    ])
    .where('role_grants.officer_id', '=', id)
    .where('role_grants.status', '=', 'pending')
    .executeTakeFirst();
  let pendingGrant: PendingGrantView | null = null;
  if (g) {
    const approvers = await ctx.db
      .selectFrom('officers')
      .innerJoin('bodies', 'bodies.id', 'officers.body_id')
      .select(['officers.id', 'officers.login', 'officers.full_name'])
      .where('bodies.party', '=', ctx.party)
      .where('officers.disabled_at', 'is', null)
      .where(sql<boolean>`'admin' = any(officers.roles)`)
      .where('officers.id', 'not in', [g.requested_by, id])
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('api_tokens')
              .select('api_tokens.id')
              .whereRef('api_tokens.created_by', '=', 'officers.id')
              .where('api_tokens.officer_id', 'in', [g.requested_by, id])
              .where('api_tokens.revoked_at', 'is', null),
          ),
        ),
      )
      .orderBy('officers.login')
      .execute();
    pendingGrant = {
      id: g.id,
      roles: g.roles,
      previousRoles: g.previous_roles,
      reasons: g.reasons.map((x) => CONTROL_REASON_LABELS_RU[x as ControlReason] ?? x),
      requestedBy: { login: g.login, fullName: g.full_name },
      requestedAt: g.requested_at.toISOString(),
      approvers: approvers.map((a) => ({ login: a.login, fullName: a.full_name })),
      decidable: approvers.some((a) => a.id === me.officerId),
    };
  }
  return {
    ...toOfficerView(r),
    bodyName: r.body_name,
    phone: r.phone,
    email: r.email,
    secondFactor: r.totp_enabled_at !== null,
    mustChangePassword: r.password_must_change,
    failedLogins: r.failed_logins,
    sessions: Number(sessions.n),
    pendingGrant,
  };
}
