// R11: the live check of a draft, every problem at once, as the wizard shows it.
import type { CheckResult } from '../domain/problems.js';
import type { Request } from '../domain/request.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { checkDocument } from './draft-request.js';
import { bodyToday, loadRequest } from './request-record.js';

export async function checkRequest(ctx: AppContext, actor: Actor, requestId: string): Promise<CheckResult> {
  const o = requireRole(actor, 'officer', 'supervisor');
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, requestId, { act: true });
    return row.direction === 'outgoing'
      ? checkDocument(ctx, o, row.document as Request, await bodyToday(tx, ctx, row.body_id))
      : { ok: true, errors: [], warnings: [] };
  });
}
