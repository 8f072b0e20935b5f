// A second administrator approves or rejects a pending casework grant (issue 13,
// item 3; ASVS V1.4.x, V4.1.x). Neither the requester, nor the account itself,
// nor an admin who minted a live API token of either may decide: each of those
// would be one person acting twice. Approval applies the roles asked, provided
// the account's roles did not change in between; the node keeps one admin.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { revokeForeignTokens } from './request-role-grant.js';
import { countActiveAdmins } from './update-officer.js';

export const DecideRoleGrantInput = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
  },
  { additionalProperties: false },
);

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

export async function decideRoleGrant(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; status: 'approved' | 'rejected'; officerId: string; roles: string[] }> {
  const me = requireRole(actor, 'admin');
  const v = parseInput(DecideRoleGrantInput, input, { id: 'запрос', decision: 'решение' });
  return ctx.db.transaction().execute(async (tx) => {
    const g = await tx
      .selectFrom('role_grants')
      .innerJoin('officers', 'officers.id', 'role_grants.officer_id')
      .innerJoin('bodies', 'bodies.id', 'officers.body_id')
      .select([
        'role_grants.id',
        'role_grants.officer_id',
        'role_grants.roles',
        'role_grants.previous_roles',
        'role_grants.requested_by',
        'role_grants.status',
        'officers.login',
        'officers.body_id',
        'officers.roles as current_roles',
        'bodies.party',
      ])
      .where('role_grants.id', '=', v.id)
      .forUpdate('role_grants')
      .executeTakeFirst();
    if (!g || g.status !== 'pending' || g.party !== ctx.party)
      throw new EixError('role_grant.not_found', { field: 'id', id: v.id });
    const mintedByMe = await tx
      .selectFrom('api_tokens')
      .select('id')
      .where('officer_id', 'in', [g.requested_by, g.officer_id])
      .where('created_by', '=', me.officerId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (me.officerId === g.requested_by || me.officerId === g.officer_id || mintedByMe)
      throw new EixError('role_grant.own', { field: 'id', id: v.id });
    const now = ctx.clock.now();
    if (v.decision === 'approve' && !sameRoles(g.current_roles, g.previous_roles))
      throw new EixError('role_grant.stale', { field: 'id', id: v.id });
    const status = v.decision === 'approve' ? 'approved' : 'rejected';
    await tx
      .updateTable('role_grants')
      .set({ status, decided_by: me.officerId, decided_at: now })
      .where('id', '=', g.id)
      .execute();
    const revokedTokens = status === 'approved' ? await revokeForeignTokens(tx, g.officer_id, now) : 0;
    if (status === 'approved')
      await tx.updateTable('officers').set({ roles: g.roles }).where('id', '=', g.officer_id).execute();
    await appendAudit(tx, ctx, me, {
      action: `officer.role_grant.${v.decision}`,
      bodyId: g.body_id,
      subject: g.officer_id,
      details: {
        grantId: g.id,
        login: g.login,
        roles: g.roles,
        previousRoles: g.current_roles,
        requestedBy: g.requested_by,
        ...(revokedTokens ? { revokedForeignTokens: revokedTokens } : {}),
      },
    });
    if (status === 'approved' && g.current_roles.includes('admin') && !g.roles.includes('admin')) {
      if ((await countActiveAdmins(tx, ctx.party)) === 0)
        throw new EixError('officer.last_admin', { field: 'roles', id: g.officer_id });
    }
    return { id: g.id, status, officerId: g.officer_id, roles: g.roles };
  });
}
