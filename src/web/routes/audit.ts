// «Журнал действий» (R9.1, issue 15 item 3): the audit log people can read — Russian actions and actors, the
// request or proceeding concerned by its number (linked, no personal data), filters by period, user, action and
// object kept in the URL, keyset pages and a CSV file with the same filters. An admin reads the whole node, a
// supervisor his body's entries, and the page says what is hidden from him and why.
import type { FastifyInstance } from 'fastify';
import { exportAuditEntries } from '../../app/export-audit-entries.js';
import { auditScope, auditUserChoices, listAuditEntries, type AuditQuery } from '../../app/list-audit-entries.js';
import { isEixError } from '../../domain/errors.js';
import { AUDIT_ACTION_LABELS } from '../../domain/vocabulary.js';
import { one, type Form, type WebKit } from '../kit.js';

const PAGE_ROWS = 50;
const FIELDS = ['from', 'to', 'user', 'action', 'object'] as const;
type Filters = Record<(typeof FIELDS)[number], string>;

/** The filters of a query string, trimmed ('' when absent). */
const filtersOf = (f: Form): Filters => Object.fromEntries(FIELDS.map((k) => [k, one(f[k])])) as Filters;

/** A URL of the log with the filters kept (empty ones left out) and extra parameters. */
export function auditUrl(path: string, filters: Filters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

/** The actions of the filter, by their Russian labels in alphabetical order. */
const ACTION_CHOICES = Object.entries(AUDIT_ACTION_LABELS)
  .map(([value, label]) => ({ value, label }))
  .sort((a, b) => a.label.localeCompare(b.label, 'ru'));

export function auditRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;

  app.get(
    '/admin/audit',
    page(async (req, reply) => {
      const f = req.query as Form;
      const filters = filtersOf(f);
      const before = one(f.before);
      const scope = auditScope(me(req));
      const data = {
        title: 'Журнал действий',
        filters,
        before,
        auditUrl,
        users: await auditUserChoices(ctx.db, scope),
        actions: ACTION_CHOICES,
        nodeScope: scope.node,
      };
      const query: AuditQuery = { ...filters, before, limit: PAGE_ROWS };
      try {
        const log = await listAuditEntries(ctx, me(req), query);
        return render(reply, req, 'audit', { ...data, log });
      } catch (e) {
        // A wrong filter is shown next to its field, the others kept.
        if (!isEixError(e) || e.code !== 'input.invalid') throw e;
        const field = String(e.data.field ?? 'object');
        return render(reply, req, 'audit', { ...data, log: null, error: { field, text: e.message } }, 400);
      }
    }),
  );

  app.get(
    '/admin/audit/export',
    page(async (req, reply) => {
      const file = await exportAuditEntries(ctx, me(req), filtersOf(req.query as Form));
      return reply
        .type(file.mediaType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header('cache-control', 'no-store')
        .send(file.content);
    }),
  );
}
