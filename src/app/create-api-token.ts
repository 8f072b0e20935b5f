// An API token for scripts and integrations. The secret is returned once; only
// its sha256 is stored. Separation of duties (issue 13, item 3; ASVS V4.1.3,
// V1.4.x): an officer makes one for himself only; an admin (or the operator's
// console) makes one for another account only when that account is a technical
// one, holding no casework role (officer, supervisor, central) — a token is a
// password the admin keeps, so it must never open personal data.
// Every token expires (V3.5.x): in TOKEN_DAYS unless `expiresDays` says otherwise.
import Type from 'typebox';
import { generateApiToken } from '../adapters/crypto/passwords.js';
import { EixError } from '../domain/errors.js';
import { checkSchema } from '../domain/problems.js';
import { appendAudit } from './audit.js';
import { CASEWORK_ROLES } from './authorize.js';
import type { Actor, AppContext } from './context.js';

/** Lifetime of a token when the request names none, and the longest one may ask for (days). */
export const TOKEN_DAYS = 365;
export const MAX_TOKEN_DAYS = 730;

export const CreateApiTokenInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    /** Whose token: the actor himself when omitted (a system actor must name the officer). */
    officerId: Type.Optional(Type.String({ format: 'uuid' })),
    /** Days until the token stops working (TOKEN_DAYS when omitted). */
    expiresDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS })),
  },
  { additionalProperties: false },
);

export async function createApiToken(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; token: string; officerId: string; name: string; expiresAt: string }> {
  const problems = checkSchema(CreateApiTokenInput, input, {
    name: 'название токена',
    officerId: 'пользователь',
    expiresDays: `срок действия в днях (от 1 до ${MAX_TOKEN_DAYS})`,
  });
  const first = problems[0];
  if (first) throw new EixError('input.invalid', { field: first.path, problems }, `${first.path}: ${first.message}`);
  const v = input as { name: string; officerId?: string; expiresDays?: number };
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + (v.expiresDays ?? TOKEN_DAYS) * 86_400_000);
  const officerId = v.officerId ?? (actor.kind === 'officer' ? actor.officerId : undefined);
  if (officerId === undefined)
    throw new EixError(
      'input.invalid',
      { field: 'officerId' },
      'officerId: укажите пользователя, для которого создаётся токен',
    );
  const isAdmin = actor.kind === 'system' || actor.roles.includes('admin');
  if (actor.kind === 'officer' && officerId !== actor.officerId && !isAdmin) {
    throw new EixError(
      'access.denied',
      { field: 'officerId' },
      'Токен для другого пользователя может создать только администратор',
    );
  }
  for (let attempt = 0; ; attempt++) {
    const t = generateApiToken();
    try {
      await ctx.db.transaction().execute(async (tx) => {
        const owner = await tx
          .selectFrom('officers')
          .innerJoin('bodies', 'bodies.id', 'officers.body_id')
          .select(['officers.id', 'officers.body_id', 'officers.disabled_at', 'officers.roles', 'bodies.party'])
          .where('officers.id', '=', officerId)
          .forUpdate('officers')
          .executeTakeFirst();
        if (!owner || owner.party !== ctx.party || owner.disabled_at)
          throw new EixError('officer.not_found', { field: 'officerId', id: officerId });
        const own = actor.kind === 'officer' && actor.officerId === officerId;
        if (!own && owner.roles.some((r) => (CASEWORK_ROLES as readonly string[]).includes(r)))
          throw new EixError('token.casework_account', { field: 'officerId', id: officerId });
        await tx
          .insertInto('api_tokens')
          .values({
            id: t.id,
            officer_id: officerId,
            name: v.name.trim(),
            token_hash: t.hash,
            created_at: now,
            last_used_at: null,
            revoked_at: null,
            expires_at: expiresAt,
            created_by: actor.kind === 'officer' ? actor.officerId : null,
          })
          .execute();
        await appendAudit(tx, ctx, actor, {
          action: 'token.create',
          bodyId: owner.body_id,
          subject: t.id,
          details: {
            officerId,
            name: v.name.trim(),
            expiresAt: expiresAt.toISOString(),
            ...(own ? {} : { technicalAccount: true }),
          },
        });
      });
      return { id: t.id, token: t.token, officerId, name: v.name.trim(), expiresAt: expiresAt.toISOString() };
    } catch (e) {
      // The 8-hex id may collide with an existing one: draw again.
      if ((e as { code?: unknown }).code === '23505' && attempt < 3) continue;
      throw e;
    }
  }
}
