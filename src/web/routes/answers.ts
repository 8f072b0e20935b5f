// The answer screen (R4–R8) and the only routes that take files (R5).
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { answerRequest } from '../../app/answer-request.js';
import { getRequest } from '../../app/get-request.js';
import { partyCurrency } from '../../domain/parties.js';
import { ANSWER_OUTCOMES, OUTCOME_LABELS_RU } from '../../domain/answer.js';
import { ALLOWED_TYPES_RU, ATTACHMENT_TYPES } from '../../domain/attachments.js';
import { EixError } from '../../domain/errors.js';
import { toEixError } from '../../adapters/http/errors.js';

import { formToAnswerItems, readMultipart } from '../forms/answer-form.js';
import { one, type WebKit } from '../kit.js';

export async function answerRoutes(app: FastifyInstance, kit: WebKit): Promise<void> {
  const { ctx, render, page, me, opts } = kit;
  const uploads = opts.uploads ?? { maxBytes: 50 * 1024 * 1024, maxFiles: 10 };
  app.get<{ Params: { id: string } }>(
    '/requests/:id/answer',
    page(async (req, reply) => {
      const v = await getRequest(ctx, me(req), (req.params as { id: string }).id);
      return render(reply, req, 'answer', {
        title: `Ответ на запрос ${v.number}`,
        v,
        outcomes: ANSWER_OUTCOMES.map((o) => [o, OUTCOME_LABELS_RU[o]]),
        // The file picker offers the allowlisted documents only (the use case checks them anyway).
        accept: ATTACHMENT_TYPES.flatMap((t) => [...t.extensions.map((e) => `.${e}`), t.mediaType]).join(','),
        allowedTypes: ALLOWED_TYPES_RU,
      });
    }),
  );
  // The routes that take files (R5), and only they, parse multipart — after the session (onRequest above):
  // the request states its size, within the total cap; each file within attachmentBytes; a capped file count.
  await app.register(async (files) => {
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
    files.setErrorHandler((err, req, reply) => {
      const e = toEixError(err);
      if (e.http >= 500) req.log.error({ err }, 'request failed');
      return render(reply, req, 'error', { title: 'Ошибка', error: e }, e.http);
    });
    await files.register(multipart, {
      attachFieldsToBody: true,
      limits: {
        fileSize: ctx.limits.attachmentBytes,
        files: uploads.maxFiles,
        fields: 200,
        parts: uploads.maxFiles + 200,
      },
    });
    files.post<{ Params: { id: string } }>(
      '/requests/:id/answer',
      page(async (req, reply) => {
        const id = (req.params as { id: string }).id;
        const { form: f, files } = await readMultipart(req.body);
        const v = await getRequest(ctx, me(req), id);
        // Amounts are in the answering Party's currency unless the officer names another.
        const items = formToAnswerItems(
          f,
          v.items.map((i) => i.itemNo),
          files,
          partyCurrency(ctx.party) ?? '',
        );
        if (items.length === 0)
          throw new EixError('input.invalid', { field: 'items' }, 'Укажите результат хотя бы по одному пункту');
        await answerRequest(ctx, me(req), {
          requestId: id,
          final: Boolean(one(f.final)),
          version: Number(one(f.version)),
          items,
        });
        return reply.redirect(`/requests/${id}`);
      }),
    );
  });
}
