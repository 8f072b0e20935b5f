// R10.a: the paper original follows the electronic request within PAPER_DUE_DAYS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPaperOriginalLate, PAPER_DUE_DAYS, paperOriginalDueBefore } from '../../src/domain/paper-original.js';

const now = new Date('2026-12-10T12:00:00Z');
const daysAgo = (d: number, ms = 0) => new Date(now.getTime() - d * 86_400_000 - ms);

test('R10.a: the paper original is late only once PAPER_DUE_DAYS have passed since sending', () => {
  assert.equal(PAPER_DUE_DAYS, 10);
  assert.deepEqual(paperOriginalDueBefore(now), daysAgo(10));
  assert.equal(isPaperOriginalLate({ sentAt: daysAgo(10), dispatched: false, now }), false);
  assert.equal(isPaperOriginalLate({ sentAt: daysAgo(10, 1), dispatched: false, now }), true);
});

test('R10.a: never late when the original was dispatched or the request not sent', () => {
  assert.equal(isPaperOriginalLate({ sentAt: daysAgo(30), dispatched: true, now }), false);
  assert.equal(isPaperOriginalLate({ sentAt: null, dispatched: false, now }), false);
});
