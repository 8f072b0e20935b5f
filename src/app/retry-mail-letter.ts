// Issue 17 item 3: an administrator makes a failed (or waiting) letter due now,
// with a fresh retry period (the health page's «Повторить»); audited.
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import type { Actor, AppContext } from './context.js';

export async function retryMailLetter(ctx: AppContext, actor: Actor, id: string): Promise<{ id: string }> {
  requireAdmin(actor);
  if (!/^\d{1,18}$/.test(id)) throw new EixError('mail.not_found', { id });
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const row = await tx
      .updateTable('mail_outbox')
      .set({ status: 'pending', next_attempt_at: now, created_at: now, attempts: 0 })
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'pending'])
      .returning(['officer_id', 'recipient'])
      .executeTakeFirst();
    if (!row) throw new EixError('mail.not_found', { id });
    const officer = await tx
      .selectFrom('officers')
      .select('body_id')
      .where('id', '=', row.officer_id)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, ctx, actor, {
      action: 'mail.retry',
      bodyId: officer.body_id,
      subject: id,
      details: { recipient: row.recipient },
    });
    return { id };
  });
}
