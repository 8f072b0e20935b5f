// Issue 15.1: a new signing key and certificate signing request for a body (a rotation, or a lost request):
// the key is made in the node home, the CSR goes to the Party CA. The current seal signs until the new
// certificate is imported. Admin only.
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { ownBody } from './get-body-seal.js';

export async function requestBodySeal(ctx: AppContext, actor: Actor, bodyId: string): Promise<{ csrPem: string }> {
  requireAdmin(actor);
  const seals = ctx.seals;
  if (!seals) throw new EixError('signer.no_certificate', { bodyId }, 'На узле не настроено хранение ключей органов');
  return ctx.db.transaction().execute(async (tx) => {
    const body = await ownBody(tx, ctx, bodyId);
    const csrPem = await seals.request({ party: body.party, id: body.id, name: body.name });
    await appendAudit(tx, ctx, actor, { action: 'body.seal_request', bodyId: body.id, subject: body.id, details: {} });
    return { csrPem };
  });
}
