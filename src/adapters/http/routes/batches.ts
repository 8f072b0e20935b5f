// Batch requests over the API (issue 16.1): a national system submits many rows at once and polls the batch.
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { reportCsv } from '../../batch/batch-file.js';
import { SubmitBatchJsonInput, batchReport, getBatch, submitBatchJson } from '../../../app/batch-requests.js';
import type { AppContext } from '../../../app/context.js';
import { BATCH_MAX_BYTES, BATCH_MAX_ROWS } from '../../../domain/batch.js';
import { sendAttachment } from '../download.js';
import { actorOf, API_PREFIX } from '../server.js';

const Id = Type.Object({ id: Type.String() });
const Page = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});

export function registerBatchRoutes(app: FastifyInstance, ctx: AppContext): void {
  const P = API_PREFIX;
  app.post(
    `${P}/requests/batch`,
    {
      bodyLimit: BATCH_MAX_BYTES,
      schema: {
        tags: ['requests'],
        summary:
          `Пакет запросов: до ${BATCH_MAX_ROWS} строк, каждая — полный запрос (производство, должник, взыскатель, ` +
          'исполнительный документ, запрашиваемые сведения, основания). Строки проверяются по правилам статьи 11; ' +
          'верные создаются, подписываются и ставятся в очередь отправки, каждая отдельным запросом; ' +
          'ответ 202 — идентификатор пакета и адрес для опроса хода и отчёта об ошибках по строкам',
        body: SubmitBatchJsonInput,
      },
    },
    async (req, reply) => {
      const r = await submitBatchJson(ctx, actorOf(req), req.body);
      return reply.status(202).send({ ...r, url: `${P}/requests/batch/${r.id}` });
    },
  );
  app.get<{ Params: { id: string } }>(
    `${P}/requests/batch/:id`,
    {
      schema: {
        tags: ['requests'],
        summary:
          'Ход пакета (проверено, создано, с ошибками, получены квитанции) и отчёт: строка, поле, сообщение (страницами)',
        params: Id,
        querystring: Page,
      },
    },
    (req) => getBatch(ctx, actorOf(req), req.params.id, req.query as { limit?: number; offset?: number }),
  );
  app.get<{ Params: { id: string } }>(
    `${P}/requests/batch/:id/report.csv`,
    { schema: { tags: ['requests'], summary: 'Отчёт пакета об ошибках по строкам (CSV)', params: Id } },
    async (req, reply) =>
      sendAttachment(reply, {
        fileName: 'ошибки-пакета.csv',
        mediaType: 'text/csv; charset=utf-8',
        content: reportCsv(await batchReport(ctx, actorOf(req), req.params.id)),
      }),
  );
}
