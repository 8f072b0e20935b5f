// Revokes an API token: its owner or an admin. Revoking twice is harmless.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { checkSchema } from '../domain/problems.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';

export const RevokeApiTokenInput = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{8}$' }),
  },
  { additionalProperties: false },
);

export async function revokeApiToken(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; revokedAt: string }> {
  const problems = checkSchema(RevokeApiTokenInput, input, { id: 'идентификатор токена' });
  const first = problems[0];
  if (first) throw new EixError('input.invalid', { field: first.path, problems }, `${first.path}: ${first.message}`);
  const { id } = input as { id: string };
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('api_tokens')
      .innerJoin('officers', 'officers.id', 'api_tokens.officer_id')
      .innerJoin('bodies', 'bodies.id', 'officers.body_id')
      .select(['api_tokens.id', 'api_tokens.officer_id', 'api_tokens.revoked_at', 'officers.body_id', 'bodies.party'])
      .where('api_tokens.id', '=', id)
      .forUpdate('api_tokens')
      .executeTakeFirst();
    const allowed = actor.kind === 'system' || actor.roles.includes('admin') || row?.officer_id === actor.officerId;
    // Someone else's token is reported as not found, so ids cannot be probed.
    if (!row || row.party !== ctx.party || !allowed) throw new EixError('token.not_found', { field: 'id', id });
    if (row.revoked_at) return { id, revokedAt: row.revoked_at.toISOString() };
    const now = ctx.clock.now();
    await tx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
    await appendAudit(tx, ctx, actor, {
      action: 'token.revoke',
      bodyId: row.body_id,
      subject: id,
      details: { officerId: row.officer_id },
    });
    return { id, revokedAt: now.toISOString() };
  });
}
