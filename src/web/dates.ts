// Dates and times as people read them (R19): ДД.ММ.ГГГГ and ДД.ММ.ГГГГ ЧЧ:ММ in
// the node's local time zone, never ISO or UTC. A calendar date (YYYY-MM-DD) is
// a day already, so it is only rewritten; an instant is converted to the zone.
import { calendarDateRu } from '../domain/dates.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface WebDates {
  /** ДД.ММ.ГГГГ of a calendar date or of an instant (in the node's zone); '' when absent. */
  dateRu(v: string | Date | null | undefined): string;
  /** ДД.ММ.ГГГГ ЧЧ:ММ of an instant in the node's zone. */
  dateTimeRu(v: string | Date | null | undefined): string;
  /** A value of a history entry: dates and times as above, yes/no in Russian, text as is. */
  valueRu(v: unknown): string;
}

const cache = new Map<string, WebDates>();

export function webDates(timeZone: string): WebDates {
  const hit = cache.get(timeZone);
  if (hit) return hit;
  const day = new Intl.DateTimeFormat('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' });
  const time = new Intl.DateTimeFormat('ru-RU', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const instant = (v: string | Date): Date | null => {
    const d = v instanceof Date ? v : new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  };
  const dateRu = (v: string | Date | null | undefined): string => {
    if (v === null || v === undefined || v === '') return '';
    if (typeof v === 'string' && ISO_DATE.test(v)) return calendarDateRu(v);
    const d = instant(v);
    return d ? day.format(d) : String(v);
  };
  const dateTimeRu = (v: string | Date | null | undefined): string => {
    if (v === null || v === undefined || v === '') return '';
    if (typeof v === 'string' && ISO_DATE.test(v)) return dateRu(v);
    const d = instant(v);
    return d ? `${day.format(d)} ${time.format(d)}` : String(v);
  };
  const valueRu = (v: unknown): string => {
    if (typeof v === 'boolean') return v ? 'да' : 'нет';
    if (typeof v === 'string') return ISO_DATE.test(v) ? dateRu(v) : ISO_INSTANT.test(v) ? dateTimeRu(v) : v;
    return JSON.stringify(v);
  };
  const out = { dateRu, dateTimeRu, valueRu };
  cache.set(timeZone, out);
  return out;
}
