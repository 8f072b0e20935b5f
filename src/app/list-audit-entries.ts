// R9.1: the latest audit entries for the administration page — the whole node
// for an admin, the officer's own body for a supervisor — and whether the hash
// chain of the whole log is intact.
import { requireRole } from './authorize.js';
import { verifyAuditLog } from './audit.js';
import type { Actor, AppContext } from './context.js';

export async function listAuditEntries(ctx: AppContext, actor: Actor, limit = 50) {
  const o = requireRole(actor, 'admin', 'supervisor');
  const admin = o.roles.includes('admin');
  const entries = await ctx.db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) => (admin ? eb.lit(true) : eb('body_id', '=', o.bodyId)))
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return { entries, chainOk: (await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key })).ok };
}
