// Pending casework grants for the admin page (issue 13, item 3): who asked,
// for whom, which roles and why a second administrator must approve.
import type { Actor, AppContext } from './context.js';
import { requireRole } from './authorize.js';
import { CONTROL_REASON_LABELS_RU, type ControlReason } from './request-role-grant.js';

export interface RoleGrantView {
  readonly id: string;
  readonly officerId: string;
  readonly login: string;
  readonly fullName: string;
  readonly roles: readonly string[];
  readonly previousRoles: readonly string[];
  readonly reasons: readonly string[];
  readonly requestedBy: string;
  readonly requestedAt: string;
  /** May the reading admin decide it (not his own request, not his own account)? */
  readonly decidable: boolean;
}

export async function listRoleGrants(ctx: AppContext, actor: Actor): Promise<RoleGrantView[]> {
  const me = requireRole(actor, 'admin');
  const rows = await ctx.db
    .selectFrom('role_grants')
    .innerJoin('officers as o', 'o.id', 'role_grants.officer_id')
    .innerJoin('bodies', 'bodies.id', 'o.body_id')
    .innerJoin('officers as r', 'r.id', 'role_grants.requested_by')
    .select([
      'role_grants.id',
      'role_grants.officer_id',
      'role_grants.roles',
      'role_grants.previous_roles',
      'role_grants.reasons',
      'role_grants.requested_at',
      'role_grants.requested_by',
      'o.login',
      'o.full_name',
      'r.login as requester',
    ])
    .where('role_grants.status', '=', 'pending')
    .where('bodies.party', '=', ctx.party)
    .orderBy('role_grants.requested_at')
    .execute();
  return rows.map((g) => ({
    id: g.id,
    officerId: g.officer_id,
    login: g.login,
    fullName: g.full_name,
    roles: g.roles,
    previousRoles: g.previous_roles,
    reasons: g.reasons.map((r) => CONTROL_REASON_LABELS_RU[r as ControlReason] ?? r),
    requestedBy: g.requester,
    requestedAt: g.requested_at.toISOString(),
    decidable: g.requested_by !== me.officerId && g.officer_id !== me.officerId,
  }));
}
