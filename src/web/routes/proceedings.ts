// Enforcement proceedings (R10.b): list, new, the cross-border picture (R4.c).
import type { FastifyInstance } from 'fastify';
import { createProceeding } from '../../app/create-proceeding.js';
import { getCrossBorderPicture } from '../../app/get-cross-border-picture.js';
import { listProceedings } from '../../app/list-proceedings.js';
import { isEixError } from '../../domain/errors.js';
import type { Problem } from '../../domain/problems.js';
import { labels } from '../labels.js';

import { partyCurrency } from '../../domain/parties.js';
import {
  CURRENCY_OPTIONS,
  DOCUMENT_FIELDS,
  GROUP_KINDS,
  GROUP_LEGENDS,
  ISSUER_KIND_OPTIONS,
  PERSON_KIND_LABELS,
  PROCEEDING_FIELDS,
  ROLES,
  ROLE_LABELS,
  checkIdField,
  chosenKind,
  formToProceeding,
  idKindOptions,
  personFields,
  personKindLabel,
  proceedingErrors,
} from '../forms/proceeding-form.js';
import { PERSON_KINDS } from '../../domain/person-kind.js';
import { one, opt, type Form, type WebKit } from '../kit.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

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
  // The form's tables: the person kinds and their groups of fields, identifier kinds per group, currencies.
  const formData = {
    title: 'Новое производство',
    roles: ROLES,
    roleLabels: ROLE_LABELS,
    personKinds: PERSON_KINDS,
    personKindLabels: PERSON_KIND_LABELS,
    personFields,
    chosenKind,
    groupKinds: GROUP_KINDS,
    groupLegends: GROUP_LEGENDS,
    idKinds: {
      person: idKindOptions('person'),
      entrepreneur: idKindOptions('entrepreneur'),
      org: idKindOptions('org'),
    },
    proceedingFields: PROCEEDING_FIELDS,
    documentFields: DOCUMENT_FIELDS,
    issuerKinds: ISSUER_KIND_OPTIONS,
    currencies: CURRENCY_OPTIONS,
    ownCurrency: partyCurrency(ctx.party) ?? '',
  };
  app.get('/proceedings/new', (req, reply) => render(reply, req, 'proceeding-new', { ...formData, form: {} }));
  // The live check of an identifier under its field (R11.1.c): the Russian message, '' while empty.
  app.post('/proceedings/check-id', async (req, reply) => {
    const f = (req.body ?? {}) as Form;
    const row = one(f.row);
    const valid = /^(debtor|creditor)(Org|Ip)?IdValue\d?$/.test(row);
    const r = valid ? checkIdField(one(f[row.replace('IdValue', 'IdKind')]), one(f[row])) : { ok: true, message: '' };
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(r.message ? `<span class="${r.ok ? 'field-ok' : 'field-bad'}">${escapeHtml(r.message)}</span>` : '');
  });
  app.post(
    '/proceedings',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        const r = await createProceeding(ctx, me(req), formToProceeding(f));
        return reply.redirect(`/proceedings/${r.id}`);
      } catch (e) {
        if (!isEixError(e)) throw e;
        // Errors in place: each problem next to its field, everything typed kept.
        const problems = (e.data.problems as Problem[] | undefined) ?? [
          { code: e.code, path: String(e.data.field ?? ''), message: e.message },
        ];
        const errors = proceedingErrors(f, problems);
        return render(reply, req, 'proceeding-new', { ...formData, form: f, errors }, e.http);
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
      return render(reply, req, 'proceeding', {
        title: `Производство ${p.number}`,
        p,
        picture: rows,
        debtorKind: personKindLabel(p.debtor),
        creditorKind: personKindLabel(p.creditor),
      });
    }),
  );
}
