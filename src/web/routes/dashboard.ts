// The officer's work queue (issue 14, item 1): the start page with the open incoming requests by deadline, the
// latest outgoing ones and counters that open their lists; the archive of every request with filters, sorting,
// keyset pages and export to CSV or XLSX. Reading the debtors of incoming requests is logged by the use case (R9.1).
import { sealOf } from '../../app/get-body-seal.js';
import type { FastifyInstance } from 'fastify';
import { CASEWORK_ROLES } from '../../app/authorize.js';
import { countMissingPaperOriginals } from '../../app/check-paper-originals.js';
import { countIncomingByDeadlineWithFilters } from '../../app/count-incoming-by-deadline.js';
import { exportRequestList } from '../../app/export-request-list.js';
import { listRequests } from '../../app/list-requests.js';
import { expectedAnswerRu } from '../../app/request-list.js';
import { SIGNATORY_CODES } from '../../domain/parties.js';
import { isEixError } from '../../domain/errors.js';
import { labels } from '../labels.js';
import {
  LIST_CHOICES,
  LIST_ERROR_FIELDS,
  SORT_LABELS_RU,
  TERM_LABELS_RU,
  formToListQuery,
  listInput,
  listUrl,
  sortLink,
} from '../forms/list-form.js';
import { opt, type Form, type WebKit } from '../kit.js';

const PAGE_ROWS = 50;

export function dashboardRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  const listHelpers = { expectedAnswerRu, listUrl, sortLink, TERM_LABELS_RU, SORT_LABELS_RU };

  app.get(
    '/',
    page(async (req, reply) => {
      // Issue 15.2: an administrator without a casework role has no requests; his start page is the administration.
      if (!CASEWORK_ROLES.some((r) => me(req).roles.includes(r))) return reply.redirect('/admin');
      const q = opt((req.query as Form).q);
      // A search goes to the archive: it looks at every state of both lists.
      if (q) return reply.redirect(listUrl('/requests', { ...formToListQuery({}), q }));
      const incoming = await listRequests(ctx, me(req), { direction: 'incoming', deadlineStatus: 'open', limit: 50 });
      const outgoing = await listRequests(ctx, me(req), { direction: 'outgoing', limit: 20 });
      return render(reply, req, 'dashboard', {
        title: 'Запросы',
        ...listHelpers,
        incoming,
        outgoing,
        counters: await countIncomingByDeadlineWithFilters(ctx, me(req)),
        // R10.a: the reminder of paper originals not yet posted.
        paperMissing: await countMissingPaperOriginals(ctx, me(req)),
        seal: await sealOf(ctx, me(req).bodyId), // issue 15.1: no seal, or one expiring within 30 days
      });
    }),
  );

  app.get(
    '/requests',
    page(async (req, reply) => {
      const q = formToListQuery(req.query as Form);
      const parties = SIGNATORY_CODES.filter((cc) => cc !== ctx.party)
        .map((cc) => [cc, labels.partyName(cc)] as const)
        .sort((a, b) => a[1].localeCompare(b[1], 'ru'));
      const data = { title: 'Все запросы', ...listHelpers, q, parties, choices: LIST_CHOICES };
      try {
        const list = await listRequests(ctx, me(req), {
          ...listInput(q),
          limit: PAGE_ROWS,
          ...(q.cursor ? { cursor: q.cursor } : {}),
        });
        return render(reply, req, 'requests-archive', { ...data, list });
      } catch (e) {
        // A wrong filter is shown next to its field, the others kept.
        if (!isEixError(e) || e.code !== 'input.invalid') throw e;
        const field = LIST_ERROR_FIELDS[String(e.data.field ?? '')] ?? 'q';
        return render(reply, req, 'requests-archive', { ...data, list: null, error: { field, text: e.message } }, 400);
      }
    }),
  );

  app.get(
    '/requests/export',
    page(async (req, reply) => {
      const f = req.query as Form;
      const q = formToListQuery(f);
      const file = await exportRequestList(ctx, me(req), {
        ...listInput(q),
        format: opt(f.format) === 'xlsx' ? 'xlsx' : 'csv',
      });
      return reply
        .type(file.mediaType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header('cache-control', 'no-store')
        .send(file.content);
    }),
  );
}
