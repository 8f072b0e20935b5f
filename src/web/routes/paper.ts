// Checking a paper original (R10.a) and the personal-data protection measures (R9.5).
import type { FastifyInstance } from 'fastify';
import { askProtectionMeasures } from '../../app/ask-protection-measures.js';
import { listProtectionQueries } from '../../app/list-protection-queries.js';
import { verifyPaperOriginal } from '../../app/verify-paper-original.js';
import { labels } from '../labels.js';

import { one, opt, type Form, type WebKit } from '../kit.js';

export function paperRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  app.get(
    '/paper',
    page(async (req, reply) => {
      const payload = opt((req.query as Form).payload);
      const result = payload ? await verifyPaperOriginal(ctx, me(req), { payload }) : null;
      return render(reply, req, 'paper', { title: 'Проверка бумажного оригинала', payload, result });
    }),
  );

  // R9.5: this node's statement, the questions to other Parties and their answers.
  app.get(
    '/protection',
    page(async (req, reply) => {
      const r = await listProtectionQueries(ctx, me(req));
      const q = req.query as Form;
      return render(reply, req, 'protection', {
        title: 'Меры защиты персональных данных (статья 9)',
        r,
        ...(q.asked ? { flash: { ok: true, text: `Запрос направлен: ${labels.partyName(one(q.asked))}` } } : {}),
      });
    }),
  );
  app.post(
    '/protection/queries',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const r = await askProtectionMeasures(ctx, me(req), { party: one(f.party) });
      return reply.redirect(`/protection?asked=${encodeURIComponent(r.party)}`);
    }),
  );
}
