// Statistics for central bodies and supervisors (issue 15, item 6): the figures as JSON and as a file.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { MEDIA_TYPES } from '../../../app/export-request-list.js';
import { exportStatistics, ExportStatisticsInput } from '../../../app/export-statistics.js';
import { getStatistics, StatisticsInput } from '../../../app/get-statistics.js';
import { sendAttachment } from '../download.js';
import { actorOf, API_PREFIX } from '../server.js';

export function registerStatisticsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const P = API_PREFIX;
  app.get(
    `${P}/statistics`,
    {
      schema: {
        tags: ['statistics'],
        summary:
          'Статистика для центрального органа (все органы узла) и руководителя (свой орган): по месяцам получения, ' +
          'парам Сторон и органам — запросы, исполненные в срок, просроченные (с уведомлением и без, R12.c), медиана и ' +
          '90-й процентиль срока в рабочих днях запрашиваемой Стороны (R12.a), отказы по основаниям статьи 13, отзывы, ' +
          'передачи (R18), дополнительные сведения (R14) и частые причины неполноты (R11). Персональных данных нет (R9.1)',
        querystring: StatisticsInput,
      },
    },
    (req) => getStatistics(ctx, actorOf(req), req.query),
  );
  app.get(
    `${P}/statistics/export`,
    {
      schema: {
        tags: ['statistics'],
        summary: 'Статистика с теми же фильтрами в CSV (UTF-8 с BOM, «;») или XLSX, заголовки по-русски',
        querystring: ExportStatisticsInput,
        produces: [MEDIA_TYPES.csv, MEDIA_TYPES.xlsx],
      },
    },
    async (req, reply) => sendAttachment(reply, await exportStatistics(ctx, actorOf(req), req.query)),
  );
}
