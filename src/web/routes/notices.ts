// The officer's notices (issue 14, item 7): new incoming requests, answers, deadlines, failed deliveries.
import type { FastifyInstance } from 'fastify';
import { listNotices } from '../../app/list-notices.js';
import { markNoticesRead } from '../../app/mark-notices-read.js';
import { one, opt, type Form, type WebKit } from '../kit.js';

export function noticeRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  app.get(
    '/notices',
    page(async (req, reply) =>
      render(reply, req, 'notices', { title: 'Уведомления', list: await listNotices(ctx, me(req)) }),
    ),
  );
  app.post(
    '/notices/read',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      await markNoticesRead(
        ctx,
        me(req),
        one(f.all) === 'true'
          ? { all: true, ...(opt(f.upTo) ? { upTo: one(f.upTo) } : {}) }
          : { eventId: one(f.eventId) },
      );
      return reply.redirect('/notices', 303);
    }),
  );
}
