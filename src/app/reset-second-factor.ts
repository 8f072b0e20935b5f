// The operator's break-glass for a lost authenticator (issue 13, item 3): from
// the server's console only (`eix user reset-second-factor`), never from the
// web, so an administrator cannot strip another's second factor. The secret and
// the recovery codes go, the officer's sessions end; an administrator is then
// sent to enrolment at the next login.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';

export const ResetSecondFactorInput = Type.Object(
  { officerId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export async function resetSecondFactor(ctx: AppContext, actor: Actor, input: unknown): Promise<{ officerId: string }> {
  if (actor.kind !== 'system')
    throw new EixError('access.denied', {}, 'Второй фактор сбрасывает только оператор сервера (команда eix)');
  const { officerId } = parseInput(ResetSecondFactorInput, input, { officerId: 'пользователь' });
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('officers')
      .set({ totp_secret_enc: null, totp_enabled_at: null, totp_last_step: null })
      .where('id', '=', officerId)
      .returning(['body_id', 'login'])
      .executeTakeFirst();
    if (!row) throw new EixError('officer.not_found', { field: 'officerId', id: officerId });
    await tx.deleteFrom('totp_recovery_codes').where('officer_id', '=', officerId).execute();
    await tx.deleteFrom('sessions').where('officer_id', '=', officerId).execute();
    await appendAudit(tx, ctx, actor, {
      action: 'auth.second_factor_reset',
      bodyId: row.body_id,
      subject: officerId,
      details: { login: row.login },
    });
  });
  return { officerId };
}
