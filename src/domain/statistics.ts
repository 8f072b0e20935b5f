// Statistics for central bodies and supervisors (issue 15, item 6): what a
// request contributes, decided once here. The figures count requests by the
// month of their receipt by the requested Party (the day the R12 term starts),
// the other Party and the body that holds them; they never carry personal data
// (R9.1): counts, days and Article codes only.
import { addDays, addMonths, type IsoDate } from './dates.js';
import type { Problem } from './problems.js';
import { REQUEST_FIELD_NAMES } from './request.js';
import { REFUSAL_GROUNDS, type RefusalGround, type WorkflowEvent } from './workflow.js';

/** A refusal whose ground was not recorded in clear (received before the statistics kept it). */
export const UNKNOWN_GROUND = 'unknown';
export type StatisticsGround = RefusalGround | typeof UNKNOWN_GROUND;
export const STATISTICS_GROUNDS: readonly StatisticsGround[] = [...REFUSAL_GROUNDS, UNKNOWN_GROUND];

export const isRefusalGround = (g: unknown): g is RefusalGround =>
  typeof g === 'string' && (REFUSAL_GROUNDS as readonly string[]).includes(g);

/**
 * What an applied event changes in the request's statistics columns (migration 020):
 * R12 — the first final answer or refusal ends the turnaround on the requested Party's day;
 * R13.a — the refusal's ground; R14 — asking for additional information means the request came back incomplete.
 */
export function statisticsColumns(
  event: WorkflowEvent,
  data: Readonly<Record<string, unknown>>,
  row: { readonly responded_on: string | null },
  requestedPartyDay: () => IsoDate,
): { responded_on?: string; refusal_ground?: string; additional_info_asked?: boolean } {
  switch (event) {
    case 'answer_final':
      return row.responded_on ? {} : { responded_on: requestedPartyDay() };
    case 'refuse':
      return {
        ...(row.responded_on ? {} : { responded_on: requestedPartyDay() }),
        ...(isRefusalGround(data.ground) ? { refusal_ground: data.ground } : {}),
      };
    case 'request_additional_info':
      return { additional_info_asked: true };
    default:
      return {};
  }
}

/**
 * The figures' percentiles from a histogram of small integers (turnaround days → how many requests): PostgreSQL's
 * `percentile_cont`, i.e. linear interpolation between the values at ranks ⌊q·(n−1)⌋ and ⌈q·(n−1)⌉ of the
 * sorted values, rounded to a tenth of a day. `days` ascending, `counts` alike; null when nothing is counted.
 */
export function histogramPercentile(days: readonly number[], counts: readonly number[], q: number): number | null {
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) return null;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const at = (rank: number): number => {
    let seen = 0;
    for (let i = 0; i < days.length; i++) {
      seen += counts[i]!;
      if (rank < seen) return days[i]!;
    }
    return days[days.length - 1]!;
  };
  const a = at(lo);
  const b = at(Math.ceil(pos));
  return Math.round((a + (b - a) * (pos - lo)) * 10) / 10;
}

/** `YYYY-MM` of a month. */
export type Month = string;
export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The first and the last day of a period of whole months. */
export function monthSpan(from: Month, to: Month): { first: IsoDate; last: IsoDate } {
  return { first: `${from}-01`, last: addDays(addMonths(`${to}-01`, 1), -1) };
}

/** Every month from `from` to `to`, both included (the charts show empty months too). */
export function monthsOf(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let m = from; m <= to && out.length < 1200; m = addMonths(`${m}-01`, 1).slice(0, 7)) out.push(m);
  return out;
}

/** «март 2026». */
export function monthRu(m: Month): string {
  const [y, mm] = m.split('-');
  return `${MONTHS_RU[Number(mm) - 1]} ${y}`;
}
const MONTHS_RU = [
  'январь',
  'февраль',
  'март',
  'апрель',
  'май',
  'июнь',
  'июль',
  'август',
  'сентябрь',
  'октябрь',
  'ноябрь',
  'декабрь',
];

/**
 * Why an incoming request was incomplete (R11), as a reason that groups alike
 * problems: its code and its field without indexes. Never the problem's own
 * message, which may quote the document (a national id, a date).
 */
export function incompleteReason(p: Pick<Problem, 'code' | 'path'>): { key: string; label: string } {
  const field = p.path.replace(/\[\d+\]/g, '[]');
  const name = REQUEST_FIELD_NAMES[field] ?? REQUEST_FIELD_NAMES[field.replace(/\[\]$/, '')];
  const what = name ? `«${capitalise(name)}»` : 'Запрос в целом';
  return { key: `${p.code}|${field}`, label: `${what}: ${problemKindRu(p.code)} (${articleRu(p.code)})` };
}

function problemKindRu(code: string): string {
  if (code.startsWith('schema.')) return 'неверный формат';
  if (/(_empty|\.items|\.questions)$/.test(code)) return 'не заполнено';
  if (/\.(id_|ids|identifiers|date_future|issuer_kind|period|period_order|period_too_long|scope|language)/.test(code))
    return 'указано неверно или не полностью';
  return 'не указано';
}

function articleRu(code: string): string {
  const m = /^R(\d+)(?:\.(\d+))?(?:\.([a-z]))?/.exec(code);
  if (!m) return 'статья 11 Соглашения';
  const letter = m[3] ? `, подпункт «${LETTERS[m[3]] ?? m[3]}»` : '';
  return m[2] ? `статья ${m[1]}, пункт ${m[2]}${letter}` : `статья ${m[1]}`;
}
const LETTERS: Record<string, string> = { a: 'а', b: 'б', c: 'в', d: 'г', e: 'д', f: 'е' };
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
