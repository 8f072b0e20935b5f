// An officer confirms the authenticator app with a code (issue 13, item 3;
// ASVS V2.8.x, V2.6.x): the second factor is on from now, this session counts as
// having passed it, and ten recovery codes are returned once (stored as SHA-256;
// each works once). The code's time step is kept, so it cannot be used to log in.
import Type from 'typebox';
import { newRecoveryCodes, recoveryCodeHash, verifyTotp } from '../adapters/crypto/totp.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { totpAad } from './start-totp-enrolment.js';

export const ConfirmTotpInput = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 20 }) },
  { additionalProperties: false },
);

export async function confirmTotpEnrolment(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  sessionId?: string,
): Promise<{ recoveryCodes: string[] }> {
  if (actor.kind !== 'officer') throw new EixError('access.denied');
  const { code } = parseInput(ConfirmTotpInput, input, { code: 'код из приложения' });
  const codes = newRecoveryCodes();
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('officers')
      .select(['body_id', 'totp_secret_enc', 'totp_enabled_at'])
      .where('id', '=', actor.officerId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.totp_enabled_at) throw new EixError('mfa.enrolled');
    if (!row.totp_secret_enc) throw new EixError('mfa.not_started');
    const secret = ctx.sealer.decrypt(row.totp_secret_enc, totpAad(actor.officerId)).toString('utf8');
    const step = await verifyTotp(secret, code, now, null);
    if (step === null)
      throw new EixError('mfa.code', { field: 'code' }, 'code: код неверен; введите текущий код из приложения');
    await tx
      .updateTable('officers')
      .set({ totp_enabled_at: now, totp_last_step: step })
      .where('id', '=', actor.officerId)
      .execute();
    await tx.deleteFrom('totp_recovery_codes').where('officer_id', '=', actor.officerId).execute();
    await tx
      .insertInto('totp_recovery_codes')
      .values(codes.map((c) => ({ officer_id: actor.officerId, code_hash: recoveryCodeHash(c), used_at: null })))
      .execute();
    if (sessionId)
      await tx
        .updateTable('sessions')
        .set({ second_factor_at: now })
        .where('id', '=', sessionId)
        .where('officer_id', '=', actor.officerId)
        .execute();
    await appendAudit(tx, ctx, actor, {
      action: 'auth.totp_enrolled',
      bodyId: row.body_id,
      subject: actor.officerId,
      details: { recoveryCodes: codes.length },
    });
  });
  return { recoveryCodes: codes };
}
