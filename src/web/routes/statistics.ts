// «Статистика» (issue 15, item 6): for a central body (every body of the node) and a supervisor (his body) — the
// figures per month, Party pair and body, two charts drawn by chart.js served from the node (no CDN; a static
// script reads the figures from a JSON block, CSP unchanged), the same figures in tables, and CSV/XLSX files with
// the same filters. Filters live in the URL; a wrong one is shown next to its field. No personal data (R9.1).
import type { FastifyInstance } from 'fastify';
import { exportStatistics } from '../../app/export-statistics.js';
import { DIRECTION_RU, FIGURE_COLUMNS, GROUND_SHORT_RU } from '../../app/export-statistics.js';
import { getStatistics, statisticsBodies, type Statistics } from '../../app/get-statistics.js';
import { sendAttachment } from '../../adapters/http/download.js';
import { isEixError } from '../../domain/errors.js';
import { PARTIES } from '../../domain/parties.js';
import { monthRu, STATISTICS_GROUNDS } from '../../domain/statistics.js';
import { partyName } from '../../domain/vocabulary.js';
import { one, type Form, type WebKit } from '../kit.js';

const FIELDS = ['from', 'to', 'direction', 'partnerParty', 'bodyId'] as const;
type Filters = Record<(typeof FIELDS)[number], string>;

const filtersOf = (f: Form): Filters => Object.fromEntries(FIELDS.map((k) => [k, one(f[k])])) as Filters;
/** The use case's input: empty filters left out. */
const inputOf = (f: Filters): Record<string, string> => Object.fromEntries(Object.entries(f).filter(([, v]) => v));

export function statisticsUrl(path: string, filters: Partial<Filters>, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

/** What the chart script draws: labels and series, Russian, no codes. */
function chartData(s: Statistics) {
  const series = (direction: 'incoming' | 'outgoing', pick: (f: Statistics['byMonth'][number]) => number | null) =>
    s.months.map((m) => {
      const f = s.byMonth.find((x) => x.month === m && x.direction === direction);
      return f ? pick(f) : null;
    });
  const has = (d: 'incoming' | 'outgoing') => s.byMonth.some((x) => x.direction === d);
  return {
    months: s.months.map(monthRu),
    volume: [
      ...(has('incoming') ? [{ label: 'Получено запросов', data: series('incoming', (f) => f.requests) }] : []),
      ...(has('outgoing') ? [{ label: 'Направлено запросов', data: series('outgoing', (f) => f.requests) }] : []),
    ],
    turnaround: [
      ...(has('incoming')
        ? [
            { label: 'Входящие: медиана', data: series('incoming', (f) => f.turnaround.median) },
            { label: 'Входящие: 90-й процентиль', data: series('incoming', (f) => f.turnaround.p90) },
          ]
        : []),
      ...(has('outgoing')
        ? [
            { label: 'Исходящие: медиана', data: series('outgoing', (f) => f.turnaround.median) },
            { label: 'Исходящие: 90-й процентиль', data: series('outgoing', (f) => f.turnaround.p90) },
          ]
        : []),
    ],
  };
}

export function statisticsRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  const partners = Object.entries(PARTIES)
    .filter(([cc]) => cc !== ctx.party)
    .map(([value]) => ({ value, label: partyName(value) }))
    .sort((a, b) => a.label.localeCompare(b.label, 'ru'));

  app.get(
    '/statistics',
    page(async (req, reply) => {
      const filters = filtersOf(req.query as Form);
      const base = {
        title: 'Статистика',
        filters,
        partners,
        statisticsUrl,
        monthRu,
        partyName,
        directionRu: DIRECTION_RU,
        figureColumns: FIGURE_COLUMNS,
        grounds: STATISTICS_GROUNDS.map((g) => ({ key: g, label: GROUND_SHORT_RU[g] })),
        fmt: (v: number | null) => (v === null ? '—' : v.toLocaleString('ru-RU')),
      };
      try {
        const s = await getStatistics(ctx, me(req), inputOf(filters));
        // Inside <script type="application/json">: never a closing tag (JSON escapes «<»).
        const chart = JSON.stringify(chartData(s)).replace(/</g, '\\u003c');
        return render(reply, req, 'statistics', { ...base, s, chart, scopeBodies: s.bodies });
      } catch (e) {
        if (!isEixError(e) || e.code !== 'input.invalid') throw e;
        // The form again with the error next to its field; the bodies still offered.
        const field = String(e.data.field ?? 'from');

        return render(
          reply,
          req,
          'statistics',
          {
            ...base,
            s: null,
            chart: null,
            scopeBodies: await statisticsBodies(ctx, me(req)),
            error: { field, text: e.message },
          },
          400,
        );
      }
    }),
  );

  app.get(
    '/statistics/export',
    page(async (req, reply) => {
      const f = req.query as Form;
      const file = await exportStatistics(ctx, me(req), { ...inputOf(filtersOf(f)), format: one(f.format) });
      return sendAttachment(reply, file);
    }),
  );
}
