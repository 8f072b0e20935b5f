// R9.6: which Party's rule governs which data, the fallback to the general
// rule, and when the period ends (pure rules, src/domain/retention.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMonths, dataKindsOf, governingParty, retentionEnds, ruleFor } from '../../src/domain/retention.js';

const rules = [
  { party: 'RU', kind: 'all' as const, months: 12, legalBasis: 'общий' },
  { party: 'RU', kind: 'messages' as const, months: 24, legalBasis: 'сообщения' },
  { party: 'KZ', kind: 'answers_sent' as const, months: 6, legalBasis: 'ответы' },
];

test('R9.6: the requesting Party governs — own Party for outgoing requests, the counterpart for incoming ones', () => {
  assert.equal(governingParty({ direction: 'outgoing', counterpartParty: 'KZ' }, 'RU'), 'RU');
  assert.equal(governingParty({ direction: 'incoming', counterpartParty: 'KZ' }, 'RU'), 'KZ');
  assert.deepEqual(dataKindsOf('outgoing'), ['answers_received', 'step_texts', 'messages']);
  assert.deepEqual(dataKindsOf('incoming'), ['incoming_requests', 'answers_sent', 'step_texts', 'messages']);
});

test('R9.6: a rule for the kind overrides the Party’s general rule; no rule at all is null (nothing destroyed)', () => {
  assert.equal(ruleFor(rules, 'RU', 'messages')?.months, 24);
  assert.equal(ruleFor(rules, 'RU', 'step_texts')?.months, 12);
  assert.equal(ruleFor(rules, 'KZ', 'answers_sent')?.months, 6);
  assert.equal(ruleFor(rules, 'KZ', 'incoming_requests'), null);
  assert.equal(ruleFor(rules, 'BY', 'messages'), null);
});

test('R9.6: the period runs from the last event of a request in a final state; an open request is kept', () => {
  const last = new Date('2026-01-31T10:00:00Z');
  assert.equal(
    retentionEnds({ state: 'answered', lastEventAt: last }, { months: 1 })?.toISOString(),
    '2026-02-28T10:00:00.000Z',
  );
  assert.equal(
    retentionEnds({ state: 'refused', lastEventAt: last }, { months: 12 })?.toISOString(),
    '2027-01-31T10:00:00.000Z',
  );
  assert.equal(retentionEnds({ state: 'withdrawn', lastEventAt: last }, { months: 1 }) !== null, true);
  for (const state of ['received', 'in_progress', 'postponed', 'partially_answered', 'sent', 'draft'] as const)
    assert.equal(retentionEnds({ state, lastEventAt: last }, { months: 1 }), null, state);
  assert.equal(addMonths(new Date('2024-02-29T00:00:00Z'), 12).toISOString(), '2025-02-28T00:00:00.000Z');
  assert.equal(addMonths(new Date('2026-03-31T00:00:00Z'), -1).toISOString(), '2026-02-28T00:00:00.000Z');
});
