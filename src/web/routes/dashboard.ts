// The start page: the officer's queues and counters.
import type { FastifyInstance } from 'fastify';
import { countMissingPaperOriginals } from '../../app/check-paper-originals.js';
import { countIncomingByDeadline } from '../../app/count-incoming-by-deadline.js';
import { listRequests } from '../../app/list-requests.js';

import { opt, type Form, type WebKit } from '../kit.js';

export function dashboardRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  app.get(
    '/',
    page(async (req, reply) => {
      const q = opt((req.query as Form).q);
      // Open requests by deadline; a search looks at every state.
      const incoming = await listRequests(ctx, me(req), {
        direction: 'incoming',
        limit: 100,
        ...(q ? { query: q } : { states: ['received', 'in_progress', 'postponed', 'partially_answered'] }),
      });
      const outgoing = await listRequests(ctx, me(req), {
        direction: 'outgoing',
        limit: 50,
        ...(q ? { query: q } : {}),
      });
      const counts = await countIncomingByDeadline(ctx, me(req));
      // R10.a: the reminder of paper originals not yet posted.
      const paperMissing = await countMissingPaperOriginals(ctx, me(req));
      return render(reply, req, 'dashboard', {
        title: 'Запросы',
        q,
        incoming: incoming.items,
        outgoing: outgoing.items,
        counts,
        paperMissing,
      });
    }),
  );
}
