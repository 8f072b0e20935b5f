// API tokens of the node's users with their expiry (V3.5.x): an admin sees all
// of the node's Party, anyone else his own. Never the secret or its hash.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { checkSchema } from '../domain/problems.js';
import type { Actor, AppContext } from './context.js';

export const ListApiTokensInput = Type.Object(
  {
    /** Only this officer's tokens. */
    officerId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export type ApiTokenStatus = 'active' | 'expired' | 'revoked';

export interface ApiTokenView {
  readonly id: string;
  readonly officerId: string;
  readonly login: string;
  readonly name: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly status: ApiTokenStatus;
}

export async function listApiTokens(ctx: AppContext, actor: Actor, input: unknown = {}): Promise<ApiTokenView[]> {
  const problems = checkSchema(ListApiTokensInput, input, { officerId: 'пользователь' });
  const first = problems[0];
  if (first) throw new EixError('input.invalid', { field: first.path, problems }, `${first.path}: ${first.message}`);
  const { officerId } = input as { officerId?: string };
  const admin = actor.kind === 'system' || actor.roles.includes('admin');
  if (!admin && officerId !== undefined && officerId !== actor.officerId)
    throw new EixError('access.denied', { field: 'officerId' }, 'Чужие API-токены видит только администратор');
  const only = admin ? officerId : actor.officerId;
  let q = ctx.db
    .selectFrom('api_tokens')
    .innerJoin('officers', 'officers.id', 'api_tokens.officer_id')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select([
      'api_tokens.id',
      'api_tokens.officer_id',
      'officers.login',
      'api_tokens.name',
      'api_tokens.created_at',
      'api_tokens.expires_at',
      'api_tokens.last_used_at',
      'api_tokens.revoked_at',
    ])
    .where('bodies.party', '=', ctx.party);
  if (only !== undefined) q = q.where('api_tokens.officer_id', '=', only);
  const now = ctx.clock.now();
  return (await q.orderBy('officers.login').orderBy('api_tokens.created_at').execute()).map((r) => ({
    id: r.id,
    officerId: r.officer_id,
    login: r.login,
    name: r.name,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    status: r.revoked_at ? 'revoked' : r.expires_at <= now ? 'expired' : 'active',
  }));
}
