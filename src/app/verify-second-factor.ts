// The second step of a login (issue 13, item 3; ASVS V2.8.x, V2.6.x): after the
// password, a session of an officer with a second factor reaches nothing until
// a code from the authenticator app, or one of the recovery codes, is given.
// A TOTP code is accepted once (its time step must be later than the last one
// accepted, so a replayed code within its window is refused); a recovery code
// is spent on use. Five wrong codes end the session: the password again.
import Type from 'typebox';
import { looksLikeRecoveryCode, recoveryCodeHash, verifyTotp } from '../adapters/crypto/totp.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import type { Tx } from '../ports/store.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { totpAad } from './start-totp-enrolment.js';

export const MAX_SECOND_FACTOR_FAILURES = 5;

export const SecondFactorInput = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);

export async function verifySecondFactor(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  sessionId: string,
): Promise<{ method: 'totp' | 'recovery'; recoveryCodesLeft?: number }> {
  if (actor.kind !== 'officer') throw new EixError('access.denied');
  const { code } = parseInput(SecondFactorInput, input, { code: 'код' });
  const now = ctx.clock.now();
  const outcome = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('officers')
      .select(['body_id', 'totp_secret_enc', 'totp_enabled_at', 'totp_last_step'])
      .where('id', '=', actor.officerId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const audit = { bodyId: row.body_id, subject: actor.officerId };
    if (!row.totp_enabled_at || !row.totp_secret_enc) throw new EixError('mfa.not_started');
    if (looksLikeRecoveryCode(code)) {
      const used = await tx
        .updateTable('totp_recovery_codes')
        .set({ used_at: now })
        .where('officer_id', '=', actor.officerId)
        .where('code_hash', '=', recoveryCodeHash(code))
        .where('used_at', 'is', null)
        .returning('code_hash')
        .executeTakeFirst();
      if (used) {
        const left = await tx
          .selectFrom('totp_recovery_codes')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('officer_id', '=', actor.officerId)
          .where('used_at', 'is', null)
          .executeTakeFirstOrThrow();
        await passed(tx, sessionId, now);
        await appendAudit(tx, ctx, actor, {
          ...audit,
          action: 'auth.second_factor',
          details: { method: 'recovery', recoveryCodesLeft: Number(left.n) },
        });
        return { method: 'recovery' as const, recoveryCodesLeft: Number(left.n) };
      }
    } else {
      const secret = ctx.sealer.decrypt(row.totp_secret_enc, totpAad(actor.officerId)).toString('utf8');
      const last = row.totp_last_step === null ? null : Number(row.totp_last_step);
      const step = await verifyTotp(secret, code, now, last);
      if (step !== null) {
        await tx.updateTable('officers').set({ totp_last_step: step }).where('id', '=', actor.officerId).execute();
        await passed(tx, sessionId, now);
        await appendAudit(tx, ctx, actor, { ...audit, action: 'auth.second_factor', details: { method: 'totp' } });
        return { method: 'totp' as const };
      }
    }
    const s = await tx
      .updateTable('sessions')
      .set((eb) => ({ second_factor_failures: eb('second_factor_failures', '+', 1) }))
      .where('id', '=', sessionId)
      .returning('second_factor_failures')
      .executeTakeFirst();
    const failures = s?.second_factor_failures ?? MAX_SECOND_FACTOR_FAILURES;
    const ended = failures >= MAX_SECOND_FACTOR_FAILURES;
    if (ended) await tx.deleteFrom('sessions').where('id', '=', sessionId).execute();
    await appendAudit(tx, ctx, actor, {
      ...audit,
      action: 'auth.second_factor_failed',
      details: { consecutive: failures, sessionEnded: ended },
    });
    return new EixError(
      'mfa.code',
      { field: 'code', sessionEnded: ended },
      ended
        ? 'Код неверен или уже использован; после пяти ошибок сеанс завершён — войдите с паролем заново'
        : 'code: код неверен или уже использован',
    );
  });
  if (outcome instanceof EixError) throw outcome;
  return outcome;
}

async function passed(tx: Tx, sessionId: string, now: Date): Promise<void> {
  await tx.updateTable('sessions').set({ second_factor_at: now }).where('id', '=', sessionId).execute();
}
