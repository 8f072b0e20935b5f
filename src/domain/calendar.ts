// Working-day calendars of the Parties and the R12 deadline. A calendar year
// lists only the days that differ from the weekly pattern (holidays, transferred
// days off, working weekends), each with its source act and whether it is
// official or estimated (lunar holidays until decreed).
import Type, { type Static } from 'typebox';
import {
  compareDates,
  dayNumber,
  dayOfWeek,
  fromDayNumber,
  isIsoDate,
  localDate,
  yearOf,
  type IsoDate,
} from './dates.js';
import { EixError } from './errors.js';
import { checkSchema } from './problems.js';

export const CalendarDaySchema = Type.Object(
  {
    date: Type.String({ format: 'date' }),
    type: Type.Union([
      Type.Literal('holiday'),
      Type.Literal('day_off'),
      Type.Literal('working'),
      Type.Literal('short'),
    ]),
    name: Type.String({ minLength: 1 }),
    source: Type.String({ minLength: 1 }),
    status: Type.Union([Type.Literal('official'), Type.Literal('estimated')]),
  },
  { additionalProperties: false },
);

export const CalendarYearSchema = Type.Object(
  {
    party: Type.String({ pattern: '^[A-Z]{2}$' }),
    year: Type.Integer({ minimum: 2000, maximum: 2100 }),
    timeZone: Type.String({ minLength: 1 }),
    weekend: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 6 }),
    sources: Type.Array(
      Type.Object(
        { id: Type.String({ minLength: 1 }), title: Type.String({ minLength: 1 }) },
        { additionalProperties: true },
      ),
      { minItems: 1 },
    ),
    days: Type.Array(CalendarDaySchema),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export type CalendarDay = Static<typeof CalendarDaySchema>;
export type CalendarYear = Static<typeof CalendarYearSchema>;

export interface Calendar {
  readonly party: string;
  readonly timeZone: string;
  readonly weekend: ReadonlySet<number>;
  readonly years: ReadonlyMap<number, CalendarYear>;
  readonly days: ReadonlyMap<IsoDate, CalendarDay & { readonly projected?: true }>;
  readonly sources: ReadonlyMap<string, string>;
  /** Day numbers covered: 1 January of the year before the first loaded year … 31 December after the last. */
  readonly first: number;
  readonly last: number;
  /** Per covered day: bit 0 working, bit 1 estimated (status or projected year). */
  readonly flags: Uint8Array;
  /** cumulative[i] = working days among covered days before index i (O(1) counts). */
  readonly cumulative: Int32Array;
}

const CALENDAR_FIELDS: Readonly<Record<string, string>> = {
  party: 'Сторона',
  year: 'год',
  timeZone: 'часовой пояс',
  weekend: 'выходные дни недели',
  sources: 'источники',
  days: 'особые дни',
};

function formatError(field: string, message: string, extra: Record<string, unknown> = {}): EixError {
  return new EixError(
    'calendar.format',
    { field, ...extra },
    `Неверный производственный календарь: ${field}: ${message}`,
  );
}

/** Checks one `<CC>/<year>.json` document; throws `calendar.format` naming the field. */
export function parseCalendarYear(input: unknown): CalendarYear {
  const problems = checkSchema(CalendarYearSchema, input, CALENDAR_FIELDS);
  if (problems.length > 0) throw formatError(problems[0]!.path, problems[0]!.message, { problems });
  const y = input as CalendarYear;
  try {
    new Intl.DateTimeFormat('en', { timeZone: y.timeZone });
  } catch {
    throw formatError('timeZone', `неизвестный часовой пояс ${y.timeZone}`);
  }
  const sources = new Set(y.sources.map((s) => s.id));
  const weekend = new Set(y.weekend);
  let previous = '';
  y.days.forEach((d, i) => {
    const at = `days[${i}]`;
    if (yearOf(d.date) !== y.year) throw formatError(`${at}.date`, `дата ${d.date} не относится к ${y.year} году`);
    if (compareDates(d.date, previous) <= 0)
      throw formatError(`${at}.date`, `даты должны идти по возрастанию без повторов (${d.date})`);
    if (!sources.has(d.source)) throw formatError(`${at}.source`, `нет источника «${d.source}» в списке sources`);
    const weekendDay = weekend.has(dayOfWeek(d.date));
    if (d.type === 'working' && !weekendDay)
      throw formatError(`${at}.type`, `${d.date} — будний день; «working» означает перенос рабочего дня на выходной`);
    if (d.type === 'day_off' && weekendDay)
      throw formatError(`${at}.type`, `${d.date} — выходной день; «day_off» означает перенос выходного на будний день`);
    previous = d.date;
  });
  return y;
}

/** Joins the years of one Party into a calendar. */
export function buildCalendar(years: readonly CalendarYear[]): Calendar {
  const first = years[0];
  if (!first) throw new EixError('calendar.missing', {}, 'Нет ни одного года производственного календаря');
  const byYear = new Map<number, CalendarYear>();
  for (const y of years) {
    if (y.party !== first.party) throw formatError('party', `календарь смешивает Стороны ${first.party} и ${y.party}`);
    if (byYear.has(y.year)) throw formatError('year', `год ${y.year} повторяется`);
    byYear.set(y.year, y);
  }
  const days = new Map<IsoDate, CalendarDay & { projected?: true }>();
  const sources = new Map<string, string>();
  for (const y of byYear.values()) {
    for (const d of y.days) days.set(d.date, d);
    for (const s of y.sources) sources.set(s.id, s.title);
  }
  const known = [...byYear.keys()].sort((a, b) => a - b);
  // A deadline near the end of the last year (or a receipt before the first)
  // needs the neighbouring year: project the holidays that fall on the same
  // date in every known year, marked as estimated.
  const fixed = fixedHolidays([...byYear.values()]);
  for (const year of [known[0]! - 1, known.at(-1)! + 1]) {
    for (const d of fixed) {
      const date = `${year}-${d.date.slice(5)}`;
      if (isIsoDate(date)) days.set(date, { ...d, date, status: 'estimated', projected: true });
    }
  }
  const weekend = new Set(first.weekend);
  const firstDay = dayNumber(`${known[0]! - 1}-01-01`);
  const lastDay = dayNumber(`${known.at(-1)! + 1}-12-31`);
  const flags = new Uint8Array(lastDay - firstDay + 1);
  const cumulative = new Int32Array(flags.length + 1);
  for (let i = 0; i < flags.length; i++) {
    const date = fromDayNumber(firstDay + i);
    const d = days.get(date);
    const working = d ? d.type === 'working' || d.type === 'short' : !weekend.has(dayOfWeek(date));
    const estimated = d?.status === 'estimated' || !byYear.has(yearOf(date));
    flags[i] = (working ? 1 : 0) | (estimated ? 2 : 0);
    cumulative[i + 1] = cumulative[i]! + (working ? 1 : 0);
  }
  return {
    party: first.party,
    timeZone: first.timeZone,
    weekend,
    years: byYear,
    days,
    sources,
    first: firstDay,
    last: lastDay,
    flags,
    cumulative,
  };
}

function missing(cal: Calendar, date: IsoDate): EixError {
  return new EixError(
    'calendar.missing',
    { field: 'date', party: cal.party, year: yearOf(date) },
    `Нет производственного календаря ${cal.party} на ${yearOf(date)} год`,
  );
}

/** Index of the date in the calendar's covered span; calendar.missing outside it. */
function indexOf(cal: Calendar, date: IsoDate): number {
  const n = dayNumber(date);
  if (n < cal.first || n > cal.last) throw missing(cal, date);
  return n - cal.first;
}

function fixedHolidays(years: readonly CalendarYear[]): CalendarDay[] {
  const [base, ...rest] = [...years].sort((a, b) => b.year - a.year);
  return (base?.days ?? []).filter(
    (d) =>
      d.type === 'holiday' &&
      d.status === 'official' &&
      rest.every((y) => y.days.some((o) => o.type === 'holiday' && o.date.slice(5) === d.date.slice(5))),
  );
}

export interface DayInfo {
  date: IsoDate;
  party: string;
  working: boolean;
  kind: 'weekday' | 'weekend' | 'holiday' | 'day_off' | 'working_weekend' | 'short';
  reason: string;
  name?: string;
  source?: string;
  status: 'official' | 'estimated';
}

const WEEKDAYS_RU = ['воскресенье', 'понедельник', 'вторник', 'среда', 'четверг', 'пятница', 'суббота'];

/** Is the date a working day of the Party, and why. */
export function dayInfo(cal: Calendar, date: IsoDate): DayInfo {
  if (!isIsoDate(date)) throw new EixError('input.date', { field: 'date', value: date });
  indexOf(cal, date);
  const projected = !cal.years.has(yearOf(date));
  const status = projected ? 'estimated' : 'official';
  const d = cal.days.get(date);
  if (d) {
    const source = cal.sources.get(d.source) ?? d.source;
    const kind = d.type === 'working' ? 'working_weekend' : d.type;
    const working = d.type === 'working' || d.type === 'short';
    const what =
      d.type === 'holiday'
        ? 'праздничный нерабочий день'
        : d.type === 'day_off'
          ? 'перенесённый выходной день'
          : d.type === 'working'
            ? 'рабочий день (перенос)'
            : 'сокращённый предпраздничный рабочий день';
    const est =
      d.status === 'estimated'
        ? d.projected
          ? ' (предварительно: календарь на этот год не загружен)'
          : ' (предварительно)'
        : '';
    return {
      date,
      party: cal.party,
      working,
      kind,
      reason: `${what}: ${d.name}${est}`,
      name: d.name,
      source,
      status: d.status,
    };
  }
  const weekday = WEEKDAYS_RU[dayOfWeek(date)]!;
  const weekend = cal.weekend.has(dayOfWeek(date));
  const est = projected ? ' (календарь на этот год не загружен, праздники учтены предварительно)' : '';
  return {
    date,
    party: cal.party,
    working: !weekend,
    kind: weekend ? 'weekend' : 'weekday',
    reason: `${weekend ? 'выходной день' : 'рабочий день'} (${weekday})${est}`,
    status,
  };
}

export function isWorkingDay(cal: Calendar, date: IsoDate): boolean {
  return (cal.flags[indexOf(cal, date)]! & 1) === 1;
}

/** The n-th working day strictly after `date` (n ≥ 1). */
export function addWorkingDays(cal: Calendar, date: IsoDate, n: number): { date: IsoDate; estimated: boolean } {
  let i = indexOf(cal, date);
  let estimated = false;
  for (let left = n; left > 0;) {
    i++;
    const f = cal.flags[i];
    if (f === undefined) throw missing(cal, fromDayNumber(cal.first + i));
    if (f & 2) estimated = true;
    if (f & 1) left--;
  }
  return { date: fromDayNumber(cal.first + i), estimated };
}

/** Working days in (from, to]; negative when `to` is before `from`. */
export function workingDaysBetween(cal: Calendar, from: IsoDate, to: IsoDate): number {
  return cal.cumulative[indexOf(cal, to) + 1]! - cal.cumulative[indexOf(cal, from) + 1]!;
}

/** R12.a: 30 working days of the requested Party. */
export const TERM_WORKING_DAYS = 30;

export interface Deadline {
  party: string;
  receivedAt: string;
  timeZone: string;
  /** The requested body's local day of receipt. */
  receivedOn: IsoDate;
  /** The legal deadline: the 30th working day after the day of receipt (R12.a), whatever was asked. */
  deadline: IsoDate;
  basis: 'R12.a';
  /** Working days from the day after receipt up to the deadline inclusive. */
  workingDays: number;
  /** R12.b: «просят исполнить до» — the requesting body's wish, never the deadline; null when none. */
  requestedBy: IsoDate | null;
  /** The wish falls before the legal deadline («просили раньше»). */
  requestedEarlier: boolean;
  /** True when a day in the count comes from an estimated or projected calendar entry. */
  estimated: boolean;
}

/**
 * R12.a: the deadline for a request received at `receivedAt` (the signed
 * receipt's instant), counted on the requested Party's calendar from the day
 * after its local day of receipt. Article 12 obliges the requested body to
 * this term only: a shorter date (R12.b, "может просить") is carried beside it
 * as `requestedBy` and never replaces it.
 */
export function computeDeadline(
  cal: Calendar,
  q: { receivedAt: Date; requestedBy?: IsoDate | null; timeZone?: string },
): Deadline {
  const timeZone = q.timeZone ?? cal.timeZone;
  const receivedOn = localDate(q.receivedAt, timeZone);
  const term = addWorkingDays(cal, receivedOn, TERM_WORKING_DAYS);
  const requestedBy = q.requestedBy ?? null;
  if (requestedBy !== null && !isIsoDate(requestedBy))
    throw new EixError('input.date', { field: 'requestedBy', value: requestedBy });
  return {
    party: cal.party,
    receivedAt: q.receivedAt.toISOString(),
    timeZone,
    receivedOn,
    deadline: term.date,
    basis: 'R12.a',
    workingDays: TERM_WORKING_DAYS,
    requestedBy,
    requestedEarlier: requestedEarlier(requestedBy, term.date),
    estimated: term.estimated,
  };
}

/** R12.b: the «просили раньше» mark — a date was asked for and it is before the legal deadline. */
export function requestedEarlier(requestedBy: IsoDate | null, deadline: IsoDate | null): boolean {
  return requestedBy !== null && deadline !== null && compareDates(requestedBy, deadline) < 0;
}

/**
 * R12.b: a shorter term may be asked for, but not before the (expected) day
 * of receipt by the requested body.
 */
export function shorterTermTooEarly(requestedBy: IsoDate, dayOfReceipt: IsoDate): boolean {
  return compareDates(requestedBy, dayOfReceipt) < 0;
}

/** R12.b for a tool given a receipt: throws `calendar.shorter_term` naming `field`. */
export function requireShorterTerm(requestedBy: IsoDate, dayOfReceipt: IsoDate, field: string): void {
  if (shorterTermTooEarly(requestedBy, dayOfReceipt))
    throw new EixError(
      'calendar.shorter_term',
      { field, requestedBy, dayOfReceipt },
      `Более короткий срок исполнения (${requestedBy}) раньше дня получения запроса (${dayOfReceipt}) (статья 12)`,
    );
}

export type OverdueStatus = 'open' | 'due_soon' | 'overdue_notified' | 'overdue_silent';

/** Working days before the deadline at which a request is shown as "due soon". */
export const DUE_SOON_WORKING_DAYS = 5;

/**
 * R12.c: a deadline on or after `today` is "due soon" (classifyOverdue) exactly
 * when it falls before this date, the (DUE_SOON_WORKING_DAYS + 1)-th working day
 * after today; lets a store count due-soon requests with one comparison.
 */
export function dueSoonBefore(cal: Calendar, today: IsoDate): IsoDate {
  return addWorkingDays(cal, today, DUE_SOON_WORKING_DAYS + 1).date;
}

/**
 * R12.c: where an unanswered request stands on `today`. Overdue requests are
 * "notified" when the requested body sent a delay notice, "silent" otherwise.
 */
export function classifyOverdue(
  cal: Calendar,
  q: { deadline: IsoDate; today: IsoDate; delayNotified: boolean },
): { status: OverdueStatus; workingDaysLeft: number } {
  const left = workingDaysBetween(cal, q.today, q.deadline);
  if (compareDates(q.today, q.deadline) > 0)
    return { status: q.delayNotified ? 'overdue_notified' : 'overdue_silent', workingDaysLeft: left };
  return { status: left <= DUE_SOON_WORKING_DAYS ? 'due_soon' : 'open', workingDaysLeft: left };
}
