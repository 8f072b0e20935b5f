// Requests: the wizard, the request page and its steps, PDFs, attachments, consents (R9.2), paper originals (R10.a).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actOnRequest } from '../../app/act-on-request.js';
import { latePaperOriginalsOf } from '../../app/check-paper-originals.js';
import { draftRequest, previewDraft } from '../../app/draft-request.js';
import { exportReceivedData } from '../../app/export-received-data.js';
import { exportEvidence } from '../../app/export-evidence.js';
import { requestDisclosureConsent } from '../../app/request-disclosure-consent.js';
import { decideDisclosureConsent } from '../../app/decide-disclosure-consent.js';
import { markNoticesRead } from '../../app/mark-notices-read.js';
import { getRequest } from '../../app/get-request.js';
import { getProceeding } from '../../app/list-proceedings.js';
import { readAttachment } from '../../app/read-attachment.js';
import { refuseRequest } from '../../app/refuse-request.js';
import { forwardRequest } from '../../app/forward-request.js';
import { listForwardCandidates } from '../../app/list-forward-candidates.js';
import { recordPaperOriginal } from '../../app/record-paper-original.js';
import { sealFor } from '../../app/verify-paper-original.js';
import { sendAttachment } from '../../adapters/http/download.js';
import { renderAnswerPdf, renderRequestPdf } from '../../adapters/pdf/request-pdf.js';
import { signRequest } from '../../app/sign-request.js';
import { retryDelivery } from '../../app/retry-delivery.js';
import { deliveryStatus } from '../../domain/delivery-status.js';
import type { WorkflowEvent } from '../../domain/workflow.js';
import { EixError, isEixError } from '../../domain/errors.js';
import type { Problem } from '../../domain/problems.js';
import { requestableBodies } from '../../domain/treaty.js';
import { labels } from '../labels.js';

import { reviseDraft } from '../../app/revise-draft.js';
import { checkRequest } from '../../app/check-request.js';
import type { CheckResult } from '../../domain/problems.js';
import type { Request } from '../../domain/request.js';
import { amountText, personKindLabel } from '../forms/proceeding-form.js';
import { bodyValue, draftToForm, fieldErrors, formToDraft } from '../forms/request-form.js';
import { cleanMessage } from '../forms/messages.js';
import { ITEM_ORDER, ITEM_TABLE, describeItem, fieldName, formToItems, kindName } from '../forms/request-items.js';
import { CURRENCY_LABELS, moneyRu } from '../../domain/vocabulary.js';
import {
  CONFIRMED_STEPS,
  STEP_FORMS,
  confirmRows,
  stepFormsFor,
  stepMissing,
  stepPrefill,
  stepValues,
} from '../forms/step-forms.js';
import { one, opt, type Form, type WebKit } from '../kit.js';
import { sealOf } from '../../app/get-body-seal.js';

export function requestRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me, eta, today } = kit;

  // ---- the wizard: fill in → review («Проверьте запрос перед подписанием») → draft, or sign with confirmation ----

  const problemText = (p: Problem) => cleanMessage(p.message);
  const wizardData = async (req: FastifyRequest, proceedingId: string, form: Form) => {
    const p = await getProceeding(ctx, me(req), proceedingId);
    const bodies = requestableBodies(ctx.treaty(), ctx.party, today()).map((x) => ({
      value: bodyValue(x),
      label: `${labels.partyName(x.party)} — ${x.name}`,
    }));
    return {
      p,
      seal: await sealOf(ctx, me(req).bodyId), // issue 15.1: told before he starts that the body cannot sign
      bodies,
      form,
      debtorKind: personKindLabel(p.debtor),
      itemTable: ITEM_TABLE,
      itemOrder: ITEM_ORDER,
      fieldName,
      kindName,
      requestId: opt(form.requestId) ?? null,
    };
  };
  /** The wizard again, with every problem next to its field and all input kept. */
  const wizard = async (req: FastifyRequest, reply: FastifyReply, f: Form, check: CheckResult | null, status = 200) => {
    const data = await wizardData(req, one(f.proceedingId), f);
    const errors = check ? Object.fromEntries(fieldErrors(formToItems(f), check.errors)) : {};
    const title = data.requestId ? 'Изменение проекта запроса' : 'Новый запрос';
    return render(reply, req, 'request-new', { title, ...data, check, errors, problemText }, status);
  };
  /** The draft use case's problems as a check result (a structural problem stops the use case before R11). */
  const previewOf = async (req: FastifyRequest, input: Record<string, unknown>) => {
    try {
      return await previewDraft(ctx, me(req), input);
    } catch (e) {
      if (!isEixError(e) || e.code !== 'input.invalid') throw e;
      const errors = (e.data.problems as Problem[] | undefined) ?? [
        { code: e.code, path: String(e.data.field ?? ''), message: e.message },
      ];
      return { document: null, check: { ok: false, errors, warnings: [] } as CheckResult };
    }
  };
  /** The review screen: everything the signed document and its PDF will say, in Russian. */
  const review = async (
    req: FastifyRequest,
    reply: FastifyReply,
    doc: Request,
    check: CheckResult,
    extra: Record<string, unknown>,
    status = 200,
  ) =>
    render(
      reply,
      req,
      'request-review',
      {
        title: 'Проверьте запрос перед подписанием',
        seal: await sealOf(ctx, me(req).bodyId),
        doc,
        check,
        items: (doc.items ?? []).map(describeItem),
        debtorKind: personKindLabel(doc.debtor),
        creditorKind: personKindLabel(doc.creditor),
        amountText,
        problemText,
        requestId: null,
        hidden: [],
        ...extra,
      },
      status,
    );
  const hiddenOf = (f: Form): [string, string][] =>
    Object.entries(f)
      .filter(([k]) => !['_csrf', 'action', 'confirmed'].includes(k))
      .flatMap(([k, val]) =>
        (Array.isArray(val) ? val : val === undefined ? [] : [val]).map((x): [string, string] => [k, x]),
      );
  const CONFIRM_MESSAGE = 'Отметьте «Я проверил(а) запрос»: без этой отметки запрос не подписывается';

  app.get(
    '/requests/new',
    page(async (req, reply) => {
      const proceedingId = one((req.query as Form).proceeding);
      // No destination is preselected; R4 results are all asked for unless the officer unticks them.
      return wizard(req, reply, { proceedingId, proceedings_results: ['collected', 'arrested', 'for_sale'] }, null);
    }),
  );
  app.post(
    '/requests/check',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const { check } = await previewOf(req, formToDraft(f));
      return reply.type('text/html; charset=utf-8').send(
        eta.render('check', {
          check,
          fieldErrors: fieldErrors(formToItems(f), check.errors),
          problemText,
        }),
      );
    }),
  );
  app.post(
    '/requests/review',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const { document, check } = await previewOf(req, formToDraft(f));
      if (!document || !check.ok) return wizard(req, reply, f, check, 422);
      return review(req, reply, document, check, { hidden: hiddenOf(f) });
    }),
  );
  // From the review screen: «Изменить» (back to the wizard, input kept), «Сохранить проект», «Подписать и отправить».
  app.post(
    '/requests',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const action = one(f.action);
      if (action === 'edit') return wizard(req, reply, f, null);
      const input = formToDraft(f);
      const { document, check } = await previewOf(req, input);
      if (!document || (action === 'sign' && !check.ok)) return wizard(req, reply, f, check, 422);
      if (action === 'sign' && one(f.confirmed) !== 'yes')
        return review(req, reply, document, check, { hidden: hiddenOf(f), confirmError: CONFIRM_MESSAGE }, 422);
      if (action !== 'sign' && action !== 'draft')
        throw new EixError('input.invalid', { field: 'action' }, 'Выберите: сохранить проект или подписать запрос');
      const requestId = opt(f.requestId);
      const { proceedingId: _, ...content } = input;
      const d = requestId
        ? await reviseDraft(ctx, me(req), {
            requestId,
            ...content,
            ...(opt(f.version) ? { version: Number(one(f.version)) } : {}),
          })
        : await draftRequest(ctx, me(req), input);
      if (action === 'sign') await signRequest(ctx, me(req), { requestId: d.id });
      return reply.redirect(`/requests/${d.id}`);
    }),
  );
  // A saved draft: back into the wizard, and its review with the signing form.
  app.get<{ Params: { id: string } }>(
    '/requests/:id/edit',
    page(async (req, reply) => {
      const v = await getRequest(ctx, me(req), (req.params as { id: string }).id);
      if (v.direction !== 'outgoing' || v.state !== 'draft' || !v.proceedingId)
        throw new EixError('workflow.transition', { state: v.state }, 'Изменять можно только проект запроса');
      const p = await getProceeding(ctx, me(req), v.proceedingId);
      const form = {
        ...draftToForm(v.document, p.executiveDocuments),
        proceedingId: v.proceedingId,
        requestId: v.id,
        version: String(v.version),
      };
      return wizard(req, reply, form, null);
    }),
  );
  const draftReview = async (req: FastifyRequest, reply: FastifyReply, id: string, confirmError?: string) => {
    const v = await getRequest(ctx, me(req), id);
    if (v.direction !== 'outgoing' || v.state !== 'draft')
      throw new EixError('workflow.transition', { state: v.state }, 'Подписать можно только проект запроса');
    const check = await checkRequest(ctx, me(req), v.id);
    return review(
      req,
      reply,
      v.document,
      check,
      { requestId: v.id, version: v.version, ...(confirmError ? { confirmError } : {}) },
      confirmError ? 422 : 200,
    );
  };
  app.get<{ Params: { id: string } }>(
    '/requests/:id/review',
    page(async (req, reply) => draftReview(req, reply, (req.params as { id: string }).id)),
  );

  // The request page; after a refused step, its form is shown again open, with its error and what was typed.
  const requestPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    failed: { step: string; values: Record<string, string>; error: string } | null = null,
    status = 200,
  ) => {
    const v = await getRequest(ctx, me(req), id);
    // Opening a request reads its notices (issue 14.7); the badge shows what is left.
    req.notices = await markNoticesRead(ctx, me(req), { requestId: v.id });
    const steps = stepFormsFor(v);
    const prefill = stepPrefill(v);
    // R18: a central body's received request: the territorial bodies, the debtor's region's first, with workload.
    const forward = v.actions.includes('forward')
      ? await listForwardCandidates(ctx, me(req), { requestId: v.id })
      : null;
    // R10.a: the paper original is due within PAPER_DUE_DAYS of sending.
    return render(
      reply,
      req,
      'request',
      {
        title: `Запрос ${v.number}`,
        v,
        primarySteps: steps.filter((x) => v.primaryActions.includes(x.step as WorkflowEvent)),
        otherSteps: steps.filter((x) => v.otherActions.includes(x.step as WorkflowEvent)),
        mayAnswer: v.primaryActions.some((a) => a === 'answer_final' || a === 'answer_partial'),
        forward,
        openRequestsRu,
        failed,
        stepValues: (step: string) =>
          failed?.step === step ? failed.values : ((prefill as Record<string, Record<string, string>>)[step] ?? {}),
        // Issue 14, item 3: each outgoing message's delivery in plain Russian, times in the node's zone.
        deliveries: v.delivery.map((m) => ({
          ...m,
          title: labels.messageTitle(m.type),
          view: deliveryStatus(m, kit.dates.dateTimeRu),
        })),
        moneyRu,
        currencyName: (c: string) => CURRENCY_LABELS[c] ?? c,
        paperLate: latePaperOriginalsOf(ctx, v),
      },
      status,
    );
  };
  app.get<{ Params: { id: string } }>(
    '/requests/:id',
    page(async (req, reply) => requestPage(req, reply, (req.params as { id: string }).id)),
  );
  // Issue 14, item 3: another attempt at a delayed or failed message, now (audited).
  app.post<{ Params: { id: string; messageId: string } }>(
    '/requests/:id/deliveries/:messageId/retry',
    page(async (req, reply) => {
      const { id, messageId } = req.params as { id: string; messageId: string };
      await retryDelivery(ctx, me(req), { requestId: id, messageId });
      return reply.redirect(`/requests/${id}#delivery`);
    }),
  );
  // Signing a saved draft needs the officer's confirmation that the request was checked (issue 14, item 4).
  app.post<{ Params: { id: string } }>(
    '/requests/:id/sign',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      if (one(f.confirmed) !== 'yes') return draftReview(req, reply, id, CONFIRM_MESSAGE);
      await signRequest(ctx, me(req), {
        requestId: id,
        ...(opt(f.version) ? { version: Number(one(f.version)) } : {}),
      });
      return reply.redirect(`/requests/${id}`);
    }),
  );
  app.post<{ Params: { id: string; step: string } }>(
    '/requests/:id/steps/:step',
    page(async (req, reply) => {
      const { id, step } = req.params as { id: string; step: string };
      const f = (req.body ?? {}) as Form;
      const def = STEP_FORMS.find((s) => s.step === step);
      if (!def) throw new EixError('input.invalid', { field: 'step' }, 'Неизвестное действие');
      const values = stepValues(def, f);
      const data = Object.fromEntries(
        def.fields.filter((x) => x.name !== 'declarationParty').map((x) => [x.name, values[x.name] ?? '']),
      );
      const filled = Object.fromEntries(Object.entries(data).filter(([, val]) => val !== ''));
      // Issue 14, item 4: refusing and withdrawing are confirmed on a page of their own first.
      if (CONFIRMED_STEPS.includes(step) && one(f.confirmed) !== 'yes') {
        const missing = stepMissing(def, values);
        if (missing) return requestPage(req, reply, id, { step, values, error: missing }, 422);
        const v = await getRequest(ctx, me(req), id);
        return render(reply, req, 'step-confirm', {
          title: step === 'refuse' ? 'Подтвердите отказ в исполнении' : 'Подтвердите отзыв запроса',
          v,
          def,
          values,
          shown: confirmRows(def, values),
          version: one(f.version),
        });
      }
      try {
        if (step === 'refuse')
          await refuseRequest(ctx, me(req), {
            requestId: id,
            ...filled,
            // R13.d: the declaring Party, chosen among those offered (stepFormsFor).
            ...(opt(f.declarationParty) ? { declarationParty: one(f.declarationParty) } : {}),
            ...(opt(f.version) ? { version: Number(one(f.version)) } : {}),
          });
        else
          await actOnRequest(ctx, me(req), {
            requestId: id,
            step,
            data: filled,
            ...(opt(f.version) ? { version: Number(one(f.version)) } : {}),
          });
      } catch (e) {
        // The step's form again, open, with the error next to it and what was typed (not a page of its own).
        if (!isEixError(e) || e.http >= 500 || e.code === 'request.not_found' || e.code === 'access.denied') throw e;
        return requestPage(
          req,
          reply,
          id,
          { step, values, error: labels.problemText({ message: e.message, path: String(e.data.field ?? '') }) },
          e.http,
        );
      }
      return reply.redirect(`/requests/${id}`);
    }),
  );

  // R18: the central body forwards a received request to a territorial body, after a confirmation page.
  app.post<{ Params: { id: string } }>(
    '/requests/:id/forward',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      const values = Object.fromEntries(
        [
          ['toBodyId', one(f.toBodyId)],
          ['note', one(f.note).trim()],
        ].filter(([, x]) => x !== ''),
      ) as { toBodyId?: string; note?: string };
      const again = (error: string, status = 422) =>
        requestPage(req, reply, id, { step: 'forward', values, error }, status);
      const { candidates } = await listForwardCandidates(ctx, me(req), { requestId: id });
      const to = candidates.find((c) => c.id === values.toBodyId);
      if (!to) return again('Выберите орган, которому передаётся запрос.');
      if (one(f.confirmed) !== 'yes') {
        const v = await getRequest(ctx, me(req), id);
        return render(reply, req, 'forward-confirm', {
          title: 'Подтвердите передачу запроса',
          v,
          to,
          values,
          version: one(f.version),
          openRequestsRu,
        });
      }
      try {
        await forwardRequest(ctx, me(req), {
          requestId: id,
          toBodyId: to.id,
          ...(values.note ? { note: values.note } : {}),
        });
      } catch (e) {
        if (!isEixError(e) || e.http >= 500 || e.code === 'request.not_found' || e.code === 'access.denied') throw e;
        return again(labels.problemText({ message: e.message, path: String(e.data.field ?? '') }), e.http);
      }
      return reply.redirect(`/requests/${id}`);
    }),
  );

  app.get<{ Params: { id: string; sha: string } }>(
    '/requests/:id/attachments/:sha',
    page(async (req, reply) => {
      const { id, sha } = req.params as { id: string; sha: string };
      return sendAttachment(reply, await readAttachment(ctx, me(req), id, sha));
    }),
  );

  const pdf = (kind: 'request' | 'answer') =>
    page(async (req, reply) => {
      const v = await getRequest(ctx, me(req), (req.params as { id: string }).id);
      const seal = await sealFor(ctx, v, kind);
      const file = kind === 'request' ? await renderRequestPdf(v, seal) : await renderAnswerPdf(v, seal);
      const name = `${kind === 'request' ? 'запрос' : 'ответ'}-${(v.number || 'проект').replace(/[^\p{L}\p{N}-]+/gu, '_')}.pdf`;
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`)
        .header('cache-control', 'no-store')
        .send(file);
    });
  app.get('/requests/:id/pdf', pdf('request'));
  app.get('/requests/:id/answer.pdf', pdf('answer'));
  app.post<{ Params: { id: string } }>(
    '/requests/:id/consents',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      await requestDisclosureConsent(ctx, me(req), {
        requestId: id,
        recipient: one(f.recipient),
        purpose: one(f.purpose),
      });
      return reply.redirect(`/requests/${id}`);
    }),
  );
  // R9.2, providing side: the officer grants or refuses a consent request, after a confirmation step.
  app.post<{ Params: { id: string; consentId: string } }>(
    '/requests/:id/consents/:consentId/decision',
    page(async (req, reply) => {
      const { id, consentId } = req.params as { id: string; consentId: string };
      const f = (req.body ?? {}) as Form;
      const decision = one(f.decision);
      if (decision !== 'grant' && decision !== 'refuse')
        throw new EixError('input.invalid', { field: 'decision' }, 'Выберите: дать согласие или отказать');
      if (one(f.confirmed) !== 'yes') {
        const v = await getRequest(ctx, me(req), id);
        const c = v.consentRequests.find((x) => x.consentId === consentId);
        if (!c) throw new EixError('consent.not_found', { field: 'consentId' });
        return render(reply, req, 'consent-confirm', {
          title: decision === 'grant' ? 'Согласие на передачу сведений' : 'Отказ в согласии на передачу сведений',
          v,
          c,
          decision,
        });
      }
      await decideDisclosureConsent(ctx, me(req), {
        requestId: id,
        consentId,
        granted: decision === 'grant',
        ...(opt(f.note) ? { note: one(f.note) } : {}),
      });
      return reply.redirect(`/requests/${id}#consents`);
    }),
  );
  app.post<{ Params: { id: string } }>(
    '/requests/:id/export',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      const x = await exportReceivedData(ctx, me(req), {
        requestId: id,
        recipient: one(f.recipient),
        ...(opt(f.consentId) ? { consentId: one(f.consentId) } : {}),
      });
      return render(reply, req, 'export', { title: 'Выписка полученных сведений', x, id });
    }),
  );

  // Issue 17.4: the court evidence pack, a download; a missing purpose shows the form again with the reason.
  app.post<{ Params: { id: string } }>(
    '/requests/:id/evidence',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const purpose = one(((req.body ?? {}) as Form).purpose);
      let x;
      try {
        x = await exportEvidence(ctx, me(req), { request: id, purpose });
      } catch (e) {
        if (!isEixError(e) || e.code !== 'input.invalid' || e.data.field !== 'purpose') throw e;
        return render(reply, req, 'evidence', { title: 'Доказательный пакет', id, purpose, error: e.message }, 400);
      }
      const name = `доказательный-пакет-${x.number.replace(/[^\p{L}\p{N}-]+/gu, '_')}.zip`;
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
        .header('cache-control', 'no-store')
        .send(x.pack);
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/requests/:id/paper-original',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      const arrival = one(f.movement) === 'arrival';
      await recordPaperOriginal(ctx, me(req), {
        requestId: id,
        ...(opt(f.document) ? { document: one(f.document) } : {}),
        ...(arrival ? { arrivedOn: one(f.datedOn) } : { dispatchedOn: one(f.datedOn || f.dispatchedOn) }),
        means: one(f.means),
        ...(opt(f.tracking) ? { tracking: one(f.tracking) } : {}),
      });
      return reply.redirect(`/requests/${id}`);
    }),
  );
}

/** A body's open workload in words: «нет открытых запросов», «1 открытый запрос», «3 открытых запроса». */
export function openRequestsRu(n: number): string {
  if (n === 0) return 'нет открытых запросов';
  const d10 = n % 10;
  const d100 = n % 100;
  if (d10 === 1 && d100 !== 11) return `${n} открытый запрос`;
  if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14)) return `${n} открытых запроса`;
  return `${n} открытых запросов`;
}
