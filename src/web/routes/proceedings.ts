// Enforcement proceedings (R10.b): list, new, the cross-border picture (R4.c).
import type { FastifyInstance } from 'fastify';
import { createProceeding } from '../../app/create-proceeding.js';
import { getCrossBorderPicture } from '../../app/get-cross-border-picture.js';
import { listProceedings } from '../../app/list-proceedings.js';
import { isEixError } from '../../domain/errors.js';
import type { Problem } from '../../domain/problems.js';
import { labels } from '../labels.js';

import { formToProceeding } from '../forms/proceeding-form.js';
import { opt, type Form, type WebKit } from '../kit.js';

export function proceedingRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  app.get(
    '/proceedings',
    page(async (req, reply) => {
      const q = opt((req.query as Form).q);
      const r = await listProceedings(ctx, me(req), { limit: 100, ...(q ? { query: q } : {}) });
      return render(reply, req, 'proceedings', { title: 'Исполнительные производства', items: r.items, q });
    }),
  );
  app.get('/proceedings/new', (req, reply) => render(reply, req, 'proceeding-new', { title: 'Новое производство' }));
  app.post(
    '/proceedings',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        const r = await createProceeding(ctx, me(req), formToProceeding(f));
        return reply.redirect(`/proceedings/${r.id}`);
      } catch (e) {
        if (!isEixError(e)) throw e;
        const problems = (e.data.problems as Problem[] | undefined) ?? [];
        const text = [e.message, ...problems.slice(1).map((p) => p.message)].join('; ');
        return render(reply, req, 'proceeding-new', { title: 'Новое производство', form: f, flash: { text } }, e.http);
      }
    }),
  );
  app.get<{ Params: { id: string } }>(
    '/proceedings/:id',
    page(async (req, reply) => {
      // R4.c: what every Party reported as collected, arrested or for sale.
      const { proceeding: p, picture } = await getCrossBorderPicture(ctx, me(req), (req.params as { id: string }).id);
      const rows = picture.map((x) => ({
        party: labels.partyName(x.party),
        number: x.number,
        collected: labels.money(x.collected),
        arrested: labels.money(x.arrested),
        forSale: labels.money(x.forSale),
      }));
      return render(reply, req, 'proceeding', { title: `Производство ${p.number}`, p, picture: rows });
    }),
  );
}
