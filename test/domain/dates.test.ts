import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, addMonths, dayOfWeek, isIsoDate, localDate, parseInstant } from '../../src/domain/dates.js';
import { partyDay } from '../../src/domain/parties.js';

test('dates: ISO date validation rejects impossible days', () => {
  assert.equal(isIsoDate('2024-02-29'), true);
  assert.equal(isIsoDate('2025-02-29'), false);
  assert.equal(isIsoDate('2025-13-01'), false);
  assert.equal(isIsoDate('2025-1-01'), false);
});

test('dates: addDays and addMonths cross month and year ends (month end clamps)', () => {
  assert.equal(addDays('2025-12-31', 1), '2026-01-01');
  assert.equal(addMonths('2026-11-30', 3), '2027-02-28');
  assert.equal(addMonths('2027-11-30', 3), '2028-02-29');
  assert.equal(addMonths('2026-01-15', -1), '2025-12-15');
});

test('dates: day of week (0 = Sunday)', () => {
  assert.equal(dayOfWeek('2026-11-25'), 3);
  assert.equal(dayOfWeek('1970-01-01'), 4);
  assert.equal(dayOfWeek('1969-12-28'), 0);
});

test('dates: instants need an offset; local day follows the time zone', () => {
  assert.equal(parseInstant('2026-01-05T10:00:00'), null);
  const t = parseInstant('2025-12-31T22:30:00Z');
  assert.ok(t);
  assert.equal(localDate(t, 'Europe/Moscow'), '2026-01-01');
  assert.equal(localDate(t, 'Europe/Minsk'), '2026-01-01');
  assert.equal(localDate(t, 'Europe/Chisinau'), '2026-01-01');
  assert.equal(localDate(t, 'UTC'), '2025-12-31');
});

test('R12.a, R-pair: partyDay is the Party’s local day — 00:00–05:00 Almaty and 00:00–03:00 Moscow are still the previous UTC day', () => {
  // 2026-03-04 00:30 in Almaty = 2026-03-03 19:30 UTC; 04:59 = 23:59 UTC.
  assert.equal(partyDay(new Date('2026-03-03T19:30:00Z'), 'KZ'), '2026-03-04');
  assert.equal(partyDay(new Date('2026-03-03T23:59:00Z'), 'KZ'), '2026-03-04');
  assert.equal(partyDay(new Date('2026-03-03T18:59:00Z'), 'KZ'), '2026-03-03');
  // 2026-03-04 00:30 in Moscow = 2026-03-03 21:30 UTC.
  assert.equal(partyDay(new Date('2026-03-03T21:30:00Z'), 'RU'), '2026-03-04');
  assert.equal(partyDay(new Date('2026-03-03T20:59:00Z'), 'RU'), '2026-03-03');
  // A body with its own zone counts in it; a Party outside the table counts in UTC.
  assert.equal(partyDay(new Date('2026-03-03T15:30:00Z'), 'RU', 'Asia/Vladivostok'), '2026-03-04');
  assert.equal(partyDay(new Date('2026-03-03T21:30:00Z'), 'MN'), '2026-03-03');
});
