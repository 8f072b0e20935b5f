// Ends what an officer holds (ASVS V3.3.3, V3.3.4): his web sessions and, unless
// told otherwise, his API tokens. Called inside the transaction of the change
// that makes them stale (password reset or change, disabling, fewer roles), so
// the change and the revocation commit together; one audit entry says why and
// how much ended.
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';

export type AccessRevocationReason = 'password_reset' | 'password_changed' | 'disabled' | 'roles_reduced';

export interface RevokeOfficerAccess {
  readonly officerId: string;
  readonly bodyId: string;
  readonly reasons: readonly AccessRevocationReason[];
  /** The session the officer is using right now (his own password change keeps it). */
  readonly keepSessionHash?: string | undefined;
  /** False: sessions only (an officer's own password change leaves his tokens). */
  readonly tokens?: boolean;
}

export async function revokeOfficerAccess(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  r: RevokeOfficerAccess,
): Promise<{ sessions: number; tokens: number }> {
  let del = tx.deleteFrom('sessions').where('officer_id', '=', r.officerId);
  if (r.keepSessionHash) del = del.where('id', '!=', r.keepSessionHash);
  const sessions = (await del.returning('id').execute()).length;
  const tokens =
    r.tokens === false
      ? []
      : await tx
          .updateTable('api_tokens')
          .set({ revoked_at: ctx.clock.now() })
          .where('officer_id', '=', r.officerId)
          .where('revoked_at', 'is', null)
          .returning('id')
          .execute();
  await appendAudit(tx, ctx, actor, {
    action: 'officer.access_revoked',
    bodyId: r.bodyId,
    subject: r.officerId,
    details: {
      reasons: [...r.reasons],
      sessionsEnded: sessions,
      tokensRevoked: tokens.map((t) => t.id).sort(),
      ...(r.keepSessionHash ? { currentSessionKept: true } : {}),
    },
  });
  return { sessions, tokens: tokens.length };
}
