// The answer screen (R4–R8) and the only routes that take files (R5).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerRequest } from '../../app/answer-request.js';
import { getRequest } from '../../app/get-request.js';
import { partyCurrency } from '../../domain/parties.js';
import { ANSWER_OUTCOMES, OUTCOME_LABELS_RU } from '../../domain/answer.js';
import { ALLOWED_TYPES_RU, ATTACHMENT_TYPES } from '../../domain/attachments.js';
import { EixError, isEixError } from '../../domain/errors.js';
import type { Item } from '../../domain/request.js';
import type { RequestView } from '../../app/get-request.js';

import { formToAnswerItems, readMultipart } from '../forms/answer-form.js';
import { answerFormView, currencyOptions, draftToForm, type AnswerFormItem } from '../forms/answer-items.js';
import { labels } from '../labels.js';
import { many, one, uploadScope, type Form, type WebKit } from '../kit.js';

/** The request's items with what each asked (the document's item of the same number). */
function answerItemsOf(v: RequestView): AnswerFormItem[] {
  return v.items.map((i) => ({
    itemNo: i.itemNo,
    kind: i.kind,
    item: (v.document.items ?? [])[i.itemNo - 1] as Item | undefined,
  }));
}

export async function answerRoutes(app: FastifyInstance, kit: WebKit): Promise<void> {
  const { ctx, render, page, me, opts } = kit;
  const uploads = opts.uploads ?? { maxBytes: 50 * 1024 * 1024, maxFiles: 10 };
  // The form's page: fresh, re-shown with more rows («Добавить ещё»), or with its errors in place and input kept.
  const showForm = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: {
      form: Form;
      errors: Record<string, string>;
      error?: string | null;
      filesLost?: boolean;
      /** Issue 17.2: a fresh form starts from the registries' draft, when there is one. */
      fromDraft?: boolean;
    },
    status = 200,
  ) => {
    const v = await getRequest(ctx, me(req), id);
    const items = answerItemsOf(v);
    const draft = v.answerDraft?.status === 'ready' ? v.answerDraft.draft : null;
    const form =
      state.fromDraft && draft
        ? draftToForm(
            draft.items,
            items,
            v.answers.map((a) => a.itemNo),
          )
        : state.form;
    // What each drafted item came from, shown next to it (the officer checks the source before signing).
    const sources = Object.fromEntries(
      (draft?.items ?? []).filter((d) => !d.sent).map((d) => [d.itemNo, d.sources.map((x) => labels.draftSource(x))]),
    );
    return render(
      reply,
      req,
      'answer',
      {
        title: `Ответ на запрос ${v.number}`,
        v,
        items: answerFormView(items, form, state.errors, kit.dates.dateRu),
        sources,
        fromDraft: Boolean(state.fromDraft && draft),
        outcomes: ANSWER_OUTCOMES.map((o) => [o, OUTCOME_LABELS_RU[o]]),
        currencies: currencyOptions(partyCurrency(ctx.party)),
        final: one(form.final) === '1',
        error: state.error ?? null,
        errorCount: Object.keys(state.errors).length,
        filesLost: Boolean(state.filesLost),
        // The file picker offers the allowlisted documents only (the use case checks them anyway).
        accept: ATTACHMENT_TYPES.flatMap((t) => [...t.extensions.map((e) => `.${e}`), t.mediaType]).join(','),
        allowedTypes: ALLOWED_TYPES_RU,
      },
      status,
    );
  };
  app.get<{ Params: { id: string } }>(
    '/requests/:id/answer',
    page(async (req, reply) =>
      showForm(req, reply, (req.params as { id: string }).id, { form: {}, errors: {}, fromDraft: true }),
    ),
  );
  // The routes that take files (R5), and only they, parse multipart — after the session (onRequest above):
  // the request states its size, within the total cap; each file within attachmentBytes; a capped file count.
  await uploadScope(
    app,
    kit,
    {
      fileSize: ctx.limits.attachmentBytes,
      files: uploads.maxFiles,
      fields: 200,
      parts: uploads.maxFiles + 200,
    },
    (files) => {
      files.addHook('onRequest', async (req, reply) => {
        if (!req.headers['content-type']?.toLowerCase().startsWith('multipart/')) return;
        const declared = Number(req.headers['content-length']);
        const e = !req.headers['content-length']
          ? new EixError('input.length_required', { field: 'content-length' })
          : declared > uploads.maxBytes
            ? new EixError(
                'input.too_large',
                { field: 'content-length', size: declared, limit: uploads.maxBytes },
                `Слишком большой запрос: ${declared} байт, допускается не больше ${uploads.maxBytes} байт вместе с файлами`,
              )
            : null;
        if (!e) return;
        void reply.header('connection', 'close');
        return render(reply, req, 'error', { title: 'Ошибка', error: e }, e.http);
      });
      files.post<{ Params: { id: string } }>(
        '/requests/:id/answer',
        page(async (req, reply) => {
          const id = (req.params as { id: string }).id;
          const { form: f, files } = await readMultipart(req.body);
          const filesLost = files.length > 0;
          // «Добавить ещё»: the same form with more rows (a button, no script).
          if (many(f.more).length) return showForm(req, reply, id, { form: f, errors: {}, filesLost });
          const v = await getRequest(ctx, me(req), id);
          const { items, errors } = formToAnswerItems(f, answerItemsOf(v), files);
          const again = (error: string | null, errs: Record<string, string>, status: number) =>
            showForm(req, reply, id, { form: f, errors: errs, error, filesLost }, status);
          if (Object.keys(errors).length) return again(null, errors, 422);
          if (items.length === 0) return again('Укажите результат хотя бы по одному пункту.', {}, 422);
          try {
            await answerRequest(ctx, me(req), {
              requestId: id,
              final: Boolean(one(f.final)),
              version: Number(one(f.version)),
              items,
            });
          } catch (e) {
            // A refusal of the use case (a state changed meanwhile, a file not allowed…): the form again, with it.
            if (!isEixError(e) || e.http >= 500) throw e;
            return again(e.message, {}, e.http);
          }
          return reply.redirect(`/requests/${id}`);
        }),
      );
    },
  );
}
