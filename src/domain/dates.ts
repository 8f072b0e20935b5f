// Calendar-date arithmetic on ISO dates (YYYY-MM-DD) without time zones.
// Pure: Date is used only as a proleptic-Gregorian day counter in UTC.

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True when `value` is a real calendar date written as YYYY-MM-DD. */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 (negative before). */
export function dayNumber(date: IsoDate): number {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

export function fromDayNumber(n: number): IsoDate {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/**
 * Adds calendar months; a day that does not exist in the target month is
 * clamped to its last day (2026-11-30 + 3 months = 2027-02-28).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = parts(date);
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  const td = Math.min(d, daysInMonth(ty, tm));
  return `${String(ty).padStart(4, '0')}-${String(tm).padStart(2, '0')}-${String(td).padStart(2, '0')}`;
}

export function diffDays(later: IsoDate, earlier: IsoDate): number {
  return dayNumber(later) - dayNumber(earlier);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return ((dayNumber(date) % 7) + 7 + 4) % 7;
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

export function yearOf(date: IsoDate): number {
  return parts(date)[0];
}

/**
 * The local calendar date of an instant in an IANA time zone. The receipt of
 * a request is an instant; the day it counts for is the receiving Party's
 * local day (R12.a).
 */
export function localDate(instant: Date, timeZone: string): IsoDate {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, fmt);
  }
  return fmt.format(instant);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Parses an ISO 8601 instant with an explicit offset or `Z`; null when not one. */
export function parseInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  if (!isIsoDate(value.slice(0, 10))) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t);
}

function parts(date: IsoDate): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new TypeError(`not an ISO date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** ДД.ММ.ГГГГ of a calendar date (YYYY-MM-DD) as people read it (R19); '' when absent, the value as is otherwise. */
export function calendarDateRu(d: string | null | undefined): string {
  const m = d ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(d) : null;
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (d ?? '');
}

const LOCAL_DATE_TIME = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant as people read it (R19): «ДД.ММ.ГГГГ ЧЧ:ММ» in `timeZone`, and that zone's offset then («+05:00»);
 * null for a missing or invalid instant.
 */
export function localDateTimeRu(
  iso: string | Date | null | undefined,
  timeZone: string,
): { readonly text: string; readonly offset: string } | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  let f = LOCAL_DATE_TIME.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('ru-RU', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    LOCAL_DATE_TIME.set(timeZone, f);
  }
  const parts = f.formatToParts(d);
  const part = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return {
    text: `${part('day')}.${part('month')}.${part('year')} ${part('hour')}:${part('minute')}`,
    offset: part('timeZoneName').replace(/^GMT/, '') || '+00:00',
  };
}
