// Imports the widely used production-calendar XML format:
//   <calendar year="2026" lang="ru" country="ru">
//     <holidays><holiday id="1" title="Новогодние каникулы"/></holidays>
//     <days><day d="01.01" t="1" h="1"/><day d="01.09" t="1" f="01.03"/><day d="11.03" t="2"/></days>
//   </calendar>
// t=1 day off, t=2 shortened working day, t=3 working day (on a weekend);
// h refers to a holiday title, f names the date the day off was moved from.
import { XMLParser } from 'fast-xml-parser';
import { parseCalendarYear, type CalendarDay, type CalendarYear } from '../../domain/calendar.js';
import { dayOfWeek } from '../../domain/dates.js';
import { EixError } from '../../domain/errors.js';
import { PARTIES, isSignatory } from '../../domain/parties.js';

interface XmlDay {
  d?: string;
  t?: string;
  h?: string;
  f?: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'day' || name === 'holiday',
});

function bad(field: string, message: string): EixError {
  return new EixError('calendar.format', { field }, `Неверный XML производственного календаря: ${field}: ${message}`);
}

export function importProductionCalendarXml(
  xml: string,
  opts: { party: string; sourceTitle: string; timeZone?: string; status?: 'official' | 'estimated' },
): CalendarYear {
  let doc: {
    calendar?: { year?: string; holidays?: { holiday?: { id?: string; title?: string }[] }; days?: { day?: XmlDay[] } };
  };
  try {
    doc = parser.parse(xml, true) as typeof doc;
  } catch (e) {
    throw bad('xml', (e as Error).message);
  }
  const cal = doc.calendar;
  if (!cal) throw bad('calendar', 'нет корневого элемента <calendar>');
  const year = Number(cal.year);
  if (!Number.isInteger(year) || year < 2000 || year > 2100)
    throw bad('calendar@year', `неверный год «${cal.year ?? ''}»`);
  const titles = new Map((cal.holidays?.holiday ?? []).map((h) => [String(h.id), String(h.title ?? '')]));
  const timeZone = opts.timeZone ?? (isSignatory(opts.party) ? PARTIES[opts.party].timeZone : undefined);
  if (!timeZone) throw bad('timeZone', `укажите часовой пояс для Стороны ${opts.party}`);
  const days: CalendarDay[] = [];
  (cal.days?.day ?? []).forEach((x, i) => {
    const m = /^(\d{2})\.(\d{2})$/.exec(x.d ?? '');
    if (!m) throw bad(`day[${i}]@d`, `ожидается ММ.ДД, получено «${x.d ?? ''}»`);
    const date = `${year}-${m[1]}-${m[2]}`;
    const weekend = [0, 6].includes(dayOfWeek(date));
    const holiday = x.h ? titles.get(x.h) : undefined;
    const moved = x.f && /^\d{2}\.\d{2}$/.test(x.f) ? ` (перенос с ${x.f.slice(3)}.${x.f.slice(0, 2)})` : '';
    let type: CalendarDay['type'];
    let name: string;
    if (x.t === '1') {
      type = holiday ? 'holiday' : weekend ? 'holiday' : 'day_off';
      name = holiday ?? (moved ? `Перенесённый выходной день${moved}` : 'Нерабочий день');
      if (weekend && !holiday) return; // an ordinary weekend listed for completeness
    } else if (x.t === '2') {
      type = 'short';
      name = 'Сокращённый предпраздничный день';
    } else if (x.t === '3') {
      type = weekend ? 'working' : 'short';
      name = weekend ? `Рабочий день${moved}` : 'Рабочий день';
      if (!weekend) return;
    } else {
      throw bad(`day[${i}]@t`, `допустимые значения 1, 2, 3; получено «${x.t ?? ''}»`);
    }
    days.push({ date, type, name, source: 'import', status: opts.status ?? 'official' });
  });
  days.sort((a, b) => a.date.localeCompare(b.date));
  return parseCalendarYear({
    party: opts.party,
    year,
    timeZone,
    weekend: [0, 6],
    sources: [{ id: 'import', title: opts.sourceTitle }],
    days,
  });
}
