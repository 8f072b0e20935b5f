import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addWorkingDays,
  buildCalendar,
  classifyOverdue,
  computeDeadline,
  dayInfo,
  isWorkingDay,
  parseCalendarYear,
  requireShorterTerm,
  shorterTermTooEarly,
  workingDaysBetween,
  type Calendar,
  type CalendarYear,
} from '../../src/domain/calendar.js';
import { addDays, compareDates, fromDayNumber, dayNumber } from '../../src/domain/dates.js';
import { EixError } from '../../src/domain/errors.js';
import { PARTIES, SIGNATORY_CODES } from '../../src/domain/parties.js';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { importProductionCalendarXml } from '../../src/adapters/calendars/production-calendar-xml.js';

const at = (iso: string) => new Date(iso);
const calendars = new Map<string, Calendar>();
for (const p of SIGNATORY_CODES) calendars.set(p, await loadCalendar(p));
const ru = calendars.get('RU')!;
const kz = calendars.get('KZ')!;

function code(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EixError, String(e));
    return { code: e.code, field: e.data.field };
  }
  assert.fail('expected an EixError');
}

test('R12.a: 30th working day across the New Year holidays and the transferred 9 January (RU 2025→2026)', () => {
  const d = computeDeadline(ru, { receivedAt: at('2025-12-25T10:00:00+03:00') });
  assert.equal(d.receivedOn, '2025-12-25');
  assert.equal(d.deadline, '2026-02-17');
  assert.deepEqual([d.basis, d.workingDays, d.estimated], ['R12.a', 30, false]);
  assert.equal(dayInfo(ru, '2026-01-09').working, false);
  assert.equal(dayInfo(ru, '2025-12-31').working, false);
});

test('R12.a: the day is the requested Party’s local day — 00:30 in Moscow is already the next day', () => {
  const late = computeDeadline(ru, { receivedAt: at('2025-12-25T21:30:00Z') });
  assert.equal(late.receivedOn, '2025-12-26');
  assert.equal(late.deadline, '2026-02-18');
  assert.equal(computeDeadline(ru, { receivedAt: at('2025-12-25T20:59:59Z') }).deadline, '2026-02-17');
  // A body in another time zone of the same Party may override it.
  assert.equal(
    computeDeadline(ru, { receivedAt: at('2025-12-25T20:30:00Z'), timeZone: 'Asia/Vladivostok' }).receivedOn,
    '2025-12-26',
  );
});

test('R12.a: a transferred working Saturday counts (RU 1 Nov 2025), the moved day off does not (3 Nov)', () => {
  assert.equal(dayInfo(ru, '2025-11-01').working, true);
  assert.equal(dayInfo(ru, '2025-11-01').kind, 'working_weekend');
  assert.equal(dayInfo(ru, '2025-11-03').working, false);
  assert.equal(computeDeadline(ru, { receivedAt: at('2025-10-31T12:00:00+03:00') }).deadline, '2025-12-15');
  // KZ: Sunday 5 January 2025 was worked instead of Friday 3 January.
  assert.equal(dayInfo(kz, '2025-01-05').working, true);
  assert.equal(dayInfo(kz, '2025-01-03').working, false);
});

test('R12.a: a request received on a weekend starts counting on the next working day', () => {
  const sat = computeDeadline(ru, { receivedAt: at('2026-03-14T12:00:00+03:00') });
  const mon = computeDeadline(ru, { receivedAt: at('2026-03-16T00:00:01+03:00') });
  const fri = computeDeadline(ru, { receivedAt: at('2026-03-13T12:00:00+03:00') });
  assert.equal(sat.deadline, fri.deadline);
  assert.equal(workingDaysBetween(ru, '2026-03-16', mon.deadline), 30);
  assert.equal(addWorkingDays(ru, '2026-03-14', 1).date, '2026-03-16');
});

test('R12.a, R12.b: a shorter date never replaces the 30-working-day deadline; it is carried as requestedBy', () => {
  const received = at('2026-03-02T09:00:00+03:00');
  const shorter = computeDeadline(ru, { receivedAt: received, requestedBy: '2026-03-20' });
  assert.deepEqual(
    [shorter.deadline, shorter.basis, shorter.workingDays, shorter.requestedBy, shorter.requestedEarlier],
    ['2026-04-14', 'R12.a', 30, '2026-03-20', true],
  );
  // Even a wish that lies before the day of receipt (a late delivery) leaves the legal term alone.
  const past = computeDeadline(ru, { receivedAt: received, requestedBy: '2026-02-25' });
  assert.deepEqual([past.deadline, past.requestedEarlier], ['2026-04-14', true]);
  const longer = computeDeadline(ru, { receivedAt: received, requestedBy: '2026-05-01' });
  assert.deepEqual([longer.deadline, longer.requestedBy, longer.requestedEarlier], ['2026-04-14', '2026-05-01', false]);
  const same = computeDeadline(ru, { receivedAt: received, requestedBy: '2026-04-14' });
  assert.equal(same.requestedEarlier, false);
  const none = computeDeadline(ru, { receivedAt: received });
  assert.deepEqual([none.requestedBy, none.requestedEarlier], [null, false]);
  // R12.c: "overdue" is measured against the term only, never against the wish.
  assert.equal(
    classifyOverdue(ru, { deadline: shorter.deadline, today: '2026-03-25', delayNotified: false }).status,
    'open',
  );
});

test('R12.b: a shorter date may be the day of receipt, not a day before (calendar.shorter_term naming the field)', () => {
  assert.equal(shorterTermTooEarly('2026-03-02', '2026-03-02'), false);
  assert.equal(shorterTermTooEarly('2026-03-01', '2026-03-02'), true);
  requireShorterTerm('2026-03-02', '2026-03-02', '--shorter');
  assert.deepEqual(
    code(() => requireShorterTerm('2026-03-01', '2026-03-02', '--shorter')),
    { code: 'calendar.shorter_term', field: '--shorter' },
  );
});

test('R12.a: beyond the last loaded year fixed-date holidays are projected and the result is marked estimated; further out is an error', () => {
  const d = computeDeadline(ru, { receivedAt: at('2027-12-20T10:00:00+03:00') });
  assert.equal(d.estimated, true);
  assert.equal(dayInfo(ru, '2028-01-03').working, false);
  assert.equal(dayInfo(ru, '2028-01-03').status, 'estimated');
  assert.match(dayInfo(ru, '2028-01-03').reason, /предварительно/);
  assert.equal(
    code(() => computeDeadline(ru, { receivedAt: at('2029-06-01T10:00:00+03:00') })).code,
    'calendar.missing',
  );
  assert.equal(code(() => dayInfo(ru, '2031-01-01')).code, 'calendar.missing');
  // Lunar holidays not yet decreed are estimated (KZ Kurban Ait 2027).
  assert.equal(computeDeadline(kz, { receivedAt: at('2027-05-01T10:00:00+05:00') }).estimated, true);
});

test('R12.c: open, due soon (≤ 5 working days), overdue notified and overdue silent', () => {
  const q = (today: string, delayNotified = false) =>
    classifyOverdue(ru, { deadline: '2026-04-14', today, delayNotified });
  assert.deepEqual(q('2026-04-01'), { status: 'open', workingDaysLeft: 9 });
  assert.deepEqual(q('2026-04-07'), { status: 'due_soon', workingDaysLeft: 5 });
  assert.deepEqual(q('2026-04-14'), { status: 'due_soon', workingDaysLeft: 0 });
  assert.deepEqual(q('2026-04-15'), { status: 'overdue_silent', workingDaysLeft: -1 });
  assert.deepEqual(q('2026-04-15', true), { status: 'overdue_notified', workingDaysLeft: -1 });
});

test('R12.a (property): deadlines are monotonic in receipt time, never on a day off, exactly the 30th working day — all 11 Parties', () => {
  const start = Date.parse('2025-01-01T00:00:00Z');
  const span = Date.parse('2027-10-01T00:00:00Z') - start;
  fc.assert(
    fc.property(
      fc.constantFrom(...SIGNATORY_CODES),
      fc.integer({ min: 0, max: span }),
      fc.integer({ min: 0, max: 40 * 86_400_000 }),
      (party, offset, later) => {
        const cal = calendars.get(party)!;
        const a = computeDeadline(cal, { receivedAt: new Date(start + offset) });
        const b = computeDeadline(cal, { receivedAt: new Date(start + offset + later) });
        assert.ok(compareDates(a.deadline, b.deadline) <= 0, `${party} ${a.deadline} > ${b.deadline}`);
        assert.ok(isWorkingDay(cal, a.deadline));
        assert.equal(workingDaysBetween(cal, a.receivedOn, a.deadline), 30);
        assert.equal(workingDaysBetween(cal, a.receivedOn, addDays(a.deadline, -1)), 29);
      },
    ),
    { numRuns: 400 },
  );
});

test('R12: calendars of all 11 Parties for 2025–2027 load, with the Party’s time zone and a source for every entry', () => {
  for (const p of SIGNATORY_CODES) {
    const cal = calendars.get(p)!;
    assert.deepEqual([...cal.years.keys()].sort(), [2025, 2026, 2027], p);
    assert.equal(cal.timeZone, PARTIES[p].timeZone, p);
    for (const y of cal.years.values()) for (const d of y.days) assert.ok(cal.sources.has(d.source), `${p} ${d.date}`);
  }
  // New Year's Day is a day off everywhere except under Ukraine's martial law (holidays are worked).
  for (const p of SIGNATORY_CODES) assert.equal(dayInfo(calendars.get(p)!, '2026-01-01').working, p === 'UA', p);
});

const year = (days: CalendarYear['days'], extra: Partial<CalendarYear> = {}): unknown => ({
  party: 'RU',
  year: 2026,
  timeZone: 'Europe/Moscow',
  weekend: [0, 6],
  sources: [{ id: 's', title: 'Источник' }],
  days,
  ...extra,
});
const day = (date: string, type: CalendarYear['days'][number]['type']) => ({
  date,
  type,
  name: 'День',
  source: 's',
  status: 'official' as const,
});

test('calendar format: every problem is a calendar.format error naming the field', () => {
  assert.deepEqual(
    code(() => parseCalendarYear(year([day('2026-03-10', 'working')]))),
    { code: 'calendar.format', field: 'days[0].type' },
  );
  assert.deepEqual(
    code(() => parseCalendarYear(year([day('2026-03-14', 'day_off')]))),
    { code: 'calendar.format', field: 'days[0].type' },
  );
  assert.deepEqual(
    code(() => parseCalendarYear(year([day('2025-03-10', 'holiday')]))),
    { code: 'calendar.format', field: 'days[0].date' },
  );
  assert.deepEqual(
    code(() => parseCalendarYear(year([day('2026-03-10', 'holiday'), day('2026-03-09', 'holiday')]))),
    { code: 'calendar.format', field: 'days[1].date' },
  );
  assert.deepEqual(
    code(() => parseCalendarYear(year([{ ...day('2026-03-10', 'holiday'), source: 'x' }]))),
    { code: 'calendar.format', field: 'days[0].source' },
  );
  assert.deepEqual(
    code(() => parseCalendarYear(year([], { timeZone: 'Mars/Olympus' }))),
    { code: 'calendar.format', field: 'timeZone' },
  );
  assert.equal(code(() => parseCalendarYear({ party: 'RU' })).code, 'calendar.format');
  assert.equal(code(() => buildCalendar([])).code, 'calendar.missing');
  const y = parseCalendarYear(year([])) as CalendarYear;
  assert.equal(code(() => buildCalendar([y, { ...y, party: 'KZ' }])).code, 'calendar.format');
});

test('production-calendar XML import: days off, holidays, shortened and working weekend days', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2026" lang="ru" date="2025.10.01" country="ru">
  <holidays><holiday id="1" title="Новогодние каникулы"/><holiday id="2" title="День защитника Отечества"/></holidays>
  <days>
    <day d="01.01" t="1" h="1"/><day d="01.03" t="1" h="1"/><day d="01.09" t="1" f="01.03"/>
    <day d="02.23" t="1" h="2"/><day d="04.30" t="2"/><day d="11.07" t="3" f="11.09"/>
  </days>
</calendar>`;
  const y = importProductionCalendarXml(xml, { party: 'RU', sourceTitle: 'xmlcalendar 2026' });
  assert.equal(y.timeZone, 'Europe/Moscow');
  assert.deepEqual(
    y.days.map((d) => [d.date, d.type]),
    [
      ['2026-01-01', 'holiday'],
      ['2026-01-03', 'holiday'],
      ['2026-01-09', 'day_off'],
      ['2026-02-23', 'holiday'],
      ['2026-04-30', 'short'],
      ['2026-11-07', 'working'],
    ],
  );
  assert.match(y.days[2]!.name, /перенос с 03\.01/);
  const cal = buildCalendar([y]);
  assert.equal(dayInfo(cal, '2026-11-07').working, true);
  assert.equal(dayInfo(cal, '2026-04-30').kind, 'short');
  assert.equal(
    code(() =>
      importProductionCalendarXml('<calendar year="2026"><days><day d="1.1" t="1"/></days></calendar>', {
        party: 'RU',
        sourceTitle: 'x',
      }),
    ).field,
    'day[0]@d',
  );
  assert.equal(
    code(() =>
      importProductionCalendarXml('<calendar year="2026"><days><day d="01.01" t="7"/></days></calendar>', {
        party: 'RU',
        sourceTitle: 'x',
      }),
    ).field,
    'day[0]@t',
  );
  assert.equal(code(() => importProductionCalendarXml('<nope/>', { party: 'RU', sourceTitle: 'x' })).field, 'calendar');
  assert.equal(
    code(() => importProductionCalendarXml('<calendar year="2026"></calendar>', { party: 'MN', sourceTitle: 'x' }))
      .field,
    'timeZone',
  );
});

test('dates: day numbers round-trip (used by every working-day count)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: dayNumber('1990-01-01'), max: dayNumber('2100-12-31') }),
      (n) => dayNumber(fromDayNumber(n)) === n,
    ),
  );
});
