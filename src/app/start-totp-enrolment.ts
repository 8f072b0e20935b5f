// An officer starts connecting an authenticator app (issue 13, item 3; ASVS
// V2.8.x): a new secret is sealed under the node data key ring (AES-256-GCM,
// bound to the officer's row) and shown once as a QR code and as text. It takes
// effect only when confirmed with a code (confirm-totp-enrolment.ts); starting
// again replaces an unconfirmed secret, never a confirmed one.
import { newTotpSecret, totpUri } from '../adapters/crypto/totp.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';

export const totpAad = (officerId: string): string => `totp:${officerId}`;

export async function startTotpEnrolment(ctx: AppContext, actor: Actor): Promise<{ secret: string; uri: string }> {
  if (actor.kind !== 'officer') throw new EixError('access.denied');
  const secret = newTotpSecret();
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('officers')
      .select('totp_enabled_at')
      .where('id', '=', actor.officerId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.totp_enabled_at) throw new EixError('mfa.enrolled');
    await tx
      .updateTable('officers')
      .set({
        totp_secret_enc: ctx.sealer.encrypt(Buffer.from(secret, 'utf8'), totpAad(actor.officerId)),
        totp_last_step: null,
      })
      .where('id', '=', actor.officerId)
      .execute();
    await appendAudit(tx, ctx, actor, { action: 'auth.totp_enrolment_started', subject: actor.officerId });
  });
  return { secret, uri: totpUri(secret, `EIX ${ctx.party}`, actor.login) };
}
