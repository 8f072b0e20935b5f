// Batch requests in the officer UI (issue 16.1): the upload page with the template, the batch page with its
// progress (refreshed by htmx while it runs) and its report (rows with errors: row, column, Russian message).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  readBatchFile,
  reportCsv,
  templateCsv,
  templateXlsx,
  TEMPLATE_NOTES,
} from '../../adapters/batch/batch-file.js';
import { sendAttachment } from '../../adapters/http/download.js';
import { batchReport, getBatch, listBatches, submitBatch, type BatchView } from '../../app/batch-requests.js';
import { sealOf } from '../../app/get-body-seal.js';
import { BATCH_COLUMNS, BATCH_MAX_BYTES, BATCH_MAX_ROWS } from '../../domain/batch.js';
import { EixError, isEixError } from '../../domain/errors.js';
import { requestableBodies } from '../../domain/treaty.js';
import { readMultipart } from '../forms/answer-form.js';
import { one, uploadScope, type Form, type WebKit } from '../kit.js';
import { labels } from '../labels.js';

export const BATCH_STATE_LABELS: Readonly<Record<BatchView['state'], string>> = {
  queued: 'ожидает обработки',
  validating: 'проверка строк',
  creating: 'создание, подписание и постановка в очередь',
  done: 'завершён',
  failed: 'остановлен',
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function batchRoutes(app: FastifyInstance, kit: WebKit): Promise<void> {
  const { ctx, render, page, me, today } = kit;
  const destinations = () =>
    requestableBodies(ctx.treaty(), ctx.party, today()).map((b) => ({
      value: `${b.party}|${b.id}`,
      label: `${labels.partyName(b.party)} — ${b.name}`,
    }));
  const uploadPage = async (req: FastifyRequest, reply: FastifyReply, form: Form, error: string | null, status = 200) =>
    render(
      reply,
      req,
      'batch-new',
      {
        title: 'Пакет запросов',
        form,
        error,
        destinations: destinations(),
        seal: await sealOf(ctx, me(req).bodyId),
        batches: await listBatches(ctx, me(req)),
        stateLabels: BATCH_STATE_LABELS,
        columns: BATCH_COLUMNS,
        notes: TEMPLATE_NOTES,
        maxRows: BATCH_MAX_ROWS.toLocaleString('ru-RU'),
        maxMb: Math.round(BATCH_MAX_BYTES / 1024 / 1024),
      },
      status,
    );
  app.get(
    '/requests/batch',
    page(async (req, reply) => uploadPage(req, reply, {}, null)),
  );
  app.get(
    '/requests/batch/template.csv',
    page(async (_req, reply) =>
      sendAttachment(reply, {
        fileName: 'шаблон-пакета-запросов.csv',
        mediaType: 'text/csv; charset=utf-8',
        content: templateCsv(),
      }),
    ),
  );
  app.get(
    '/requests/batch/template.xlsx',
    page(async (_req, reply) =>
      sendAttachment(reply, {
        fileName: 'шаблон-пакета-запросов.xlsx',
        mediaType: XLSX,
        content: await templateXlsx(),
      }),
    ),
  );
  const view = async (req: FastifyRequest) => {
    const v = await getBatch(ctx, me(req), (req.params as { id: string }).id, { limit: 200 });
    return {
      v,
      stateLabel: BATCH_STATE_LABELS[v.state],
      running: ['queued', 'validating', 'creating'].includes(v.state),
      destination: `${labels.partyName(v.requestedBody.party)} — ${v.requestedBody.name}`,
      dateTimeRu: kit.dates.dateTimeRu,
    };
  };
  app.get<{ Params: { id: string } }>(
    '/requests/batch/:id',
    page(async (req, reply) => render(reply, req, 'batch', { title: 'Пакет запросов', ...(await view(req)) })),
  );
  // The progress block alone (htmx polls it while the batch runs).
  app.get<{ Params: { id: string } }>(
    '/requests/batch/:id/progress',
    page(async (req, reply) =>
      reply.type('text/html; charset=utf-8').send(kit.eta.render('batch-progress', await view(req))),
    ),
  );
  app.get<{ Params: { id: string } }>(
    '/requests/batch/:id/report.csv',
    page(async (req, reply) =>
      sendAttachment(reply, {
        fileName: 'ошибки-пакета.csv',
        mediaType: 'text/csv; charset=utf-8',
        content: reportCsv(await batchReport(ctx, me(req), (req.params as { id: string }).id)),
      }),
    ),
  );
  // The upload, and only it here, parses multipart: one file within BATCH_MAX_BYTES.
  await uploadScope(app, kit, { fileSize: BATCH_MAX_BYTES, files: 1, fields: 10, parts: 11 }, (files) => {
    files.post(
      '/requests/batch',
      page(async (req, reply) => {
        const { form, files: uploaded } = await readMultipart(req.body);
        const file = uploaded[0];
        const [party = '', id = ''] = one(form.destination).split('|');
        try {
          if (!file)
            throw new EixError('batch.file', { field: 'file' }, 'Выберите файл CSV или XLSX, заполненный по шаблону');
          if (!party) throw new EixError('input.invalid', { field: 'destination' }, 'Выберите запрашиваемый орган');
          const { format, rows } = await readBatchFile(file.fileName, file.content);
          const r = await submitBatch(ctx, me(req), {
            source: format,
            fileName: file.fileName,
            requestedBody: { party, ...(id ? { id } : {}) },
            rows,
          });
          return reply.redirect(`/requests/batch/${r.id}`);
        } catch (e) {
          if (!isEixError(e) || e.http >= 500) throw e;
          return uploadPage(req, reply, form, e.message, e.http);
        }
      }),
    );
  });
}
