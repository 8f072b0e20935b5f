// The statistics as a file (issue 15, item 6): the same filters as the page
// and the API, CSV (UTF-8 with BOM, «;») or XLSX with Russian headers — a
// table per month, direction, other Party and body, the totals per pair, and
// the most frequent reasons requests were incomplete (R11). No personal data
// (R9.1): nothing is unsealed, no audit entry.
import Type from 'typebox';
import { calendarDateRu } from '../domain/dates.js';
import { partyDay } from '../domain/parties.js';
import { monthRu, STATISTICS_GROUNDS, UNKNOWN_GROUND, type StatisticsGround } from '../domain/statistics.js';
import { partyName } from '../domain/vocabulary.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { tableFile, type ExportedFile } from './export-request-list.js';
import {
  getStatistics,
  STATISTICS_FIELDS,
  STATISTICS_ROLES,
  statisticsFilterProperties,
  type StatisticsDirection,
  type StatisticsFigures,
} from './get-statistics.js';
import { parseInput } from './input.js';

export const ExportStatisticsInput = Type.Object(
  { ...statisticsFilterProperties, format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]) },
  { additionalProperties: false },
);

export const DIRECTION_RU: Readonly<Record<StatisticsDirection, string>> = {
  incoming: 'Входящие (получены от другой Стороны)',
  outgoing: 'Исходящие (направлены другой Стороне)',
};

/** Short names of the Article 13 grounds for column headers. */
export const GROUND_SHORT_RU: Readonly<Record<StatisticsGround, string>> = {
  sovereignty: 'суверенитет',
  security: 'безопасность',
  law: 'законодательство',
  international_obligations: 'международные обязательства',
  declaration: 'заявление Стороны (статья 25)',
  [UNKNOWN_GROUND]: 'основание не записано',
};

/** The figures' columns, in the order of the page's tables. */
export const FIGURE_COLUMNS: readonly { header: string; value: (f: StatisticsFigures) => number | null }[] = [
  { header: 'Запросов', value: (f) => f.requests },
  { header: 'Исполнено (окончательный ответ)', value: (f) => f.answered },
  { header: 'Из них в срок', value: (f) => f.answeredInTime },
  { header: 'Исполняются', value: (f) => f.open },
  { header: 'Просрочено, с уведомлением о задержке', value: (f) => f.overdueNotified },
  { header: 'Просрочено, без уведомления', value: (f) => f.overdueSilent },
  { header: 'Медиана срока исполнения, раб. дн.', value: (f) => f.turnaround.median },
  { header: '90-й процентиль срока исполнения, раб. дн.', value: (f) => f.turnaround.p90 },
  { header: 'Отказано', value: (f) => f.refused },
  ...STATISTICS_GROUNDS.map((g) => ({
    header: `Отказ: ${GROUND_SHORT_RU[g]}`,
    value: (f: StatisticsFigures) => f.refusedBy[g],
  })),
  { header: 'Отозвано', value: (f) => f.withdrawn },
  { header: 'Переданы территориальному органу', value: (f) => f.forwarded },
  { header: 'Запрошены дополнительные сведения', value: (f) => f.additionalInfoAsked },
  { header: 'Неполные при получении', value: (f) => f.incompleteOnReceipt },
];

export async function exportStatistics(ctx: AppContext, actor: Actor, input: unknown): Promise<ExportedFile> {
  // ARCHITECTURE 12: the role before the input (getStatistics checks it again).
  requireRole(actor, ...STATISTICS_ROLES);
  const { format, ...filters } = parseInput(ExportStatisticsInput, input, STATISTICS_FIELDS);
  const s = await getStatistics(ctx, actor, filters);
  const figures = (f: StatisticsFigures) => FIGURE_COLUMNS.map((c) => c.value(f));
  const today = calendarDateRu(partyDay(ctx.clock.now(), ctx.party));
  const period =
    s.filters.from === s.filters.to ? monthRu(s.filters.from) : `${monthRu(s.filters.from)} — ${monthRu(s.filters.to)}`;
  return tableFile(ctx, format, `Статистика ${today}`, [
    {
      name: 'По месяцам и органам',
      header: ['Месяц', 'Направление', 'Другая Сторона', 'Орган', ...FIGURE_COLUMNS.map((c) => c.header)],
      rows: s.rows.map((r) => [
        monthRu(r.month),
        DIRECTION_RU[r.direction],
        partyName(r.partnerParty),
        r.body.name,
        ...figures(r),
      ]),
      note: `Период: ${period}. Запросы учтены по месяцу получения запрашиваемой Стороной; сроки — в рабочих днях запрашиваемой Стороны (статья 12). Персональных данных нет.`,
    },
    {
      name: 'По Сторонам',
      header: ['Направление', 'Другая Сторона', ...FIGURE_COLUMNS.map((c) => c.header)],
      rows: [
        ...s.byPair.map((p) => [DIRECTION_RU[p.direction], partyName(p.partnerParty), ...figures(p)]),
        ...s.totals.map((t) => [DIRECTION_RU[t.direction], 'Все Стороны', ...figures(t)]),
      ],
    },
    {
      name: 'Причины неполноты',
      header: ['Запрашивающая Сторона', 'Чего не хватало (статья 11)', 'Запросов'],
      rows: s.byPair
        .filter((p) => p.direction === 'incoming')
        .flatMap((p) => p.incompleteReasons.map((r) => [partyName(p.partnerParty), r.label, r.count])),
    },
  ]);
}
