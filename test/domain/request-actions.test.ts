// Issue 14, item 4: the request page offers what makes sense here (RA.1–RA.5), the two or three actions that
// fit the state and side first (RA.6), the rest under «Другие действия».
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestActions, senselessReason, type ActionContext } from '../../src/domain/request-actions.js';

const h = (...events: string[]) => events.map((event) => ({ event }));
const ctx = (c: Partial<ActionContext>): ActionContext => ({
  state: 'received',
  side: 'requested',
  history: h('receipt'),
  confidential: false,
  central: false,
  receiptProblems: false,
  ...c,
});
const all = (c: ActionContext) => {
  const a = requestActions(c);
  return [...a.primary, ...a.other];
};

test('RA.1 (R16): no confidentiality step on a request that did not ask for confidentiality', () => {
  assert.ok(!all(ctx({ state: 'in_progress' })).includes('notify_confidentiality_impossible'));
  assert.ok(all(ctx({ state: 'in_progress', confidential: true })).includes('notify_confidentiality_impossible'));
  // …nor a second notice while the first awaits the requesting body's decision.
  const pending = ctx({
    state: 'in_progress',
    confidential: true,
    history: h('receipt', 'notify_confidentiality_impossible'),
  });
  assert.equal(senselessReason('notify_confidentiality_impossible', pending), 'RA.1');
  assert.equal(
    senselessReason('continue_without_confidentiality', ctx({ side: 'requesting', confidential: false })),
    'RA.1',
  );
});

test('RA.2 (R14): a reply to a request for additional information only while one is asked and unanswered', () => {
  const requesting = (history: string[]) =>
    all(ctx({ state: 'in_progress', side: 'requesting', history: h(...history) }));
  assert.ok(!requesting(['receipt']).includes('reply_additional_info'), 'nobody asked');
  assert.ok(requesting(['receipt', 'request_additional_info']).includes('reply_additional_info'), 'asked');
  assert.ok(
    !requesting(['receipt', 'request_additional_info', 'reply_additional_info']).includes('reply_additional_info'),
    'answered',
  );
  assert.ok(
    requesting(['receipt', 'request_additional_info', 'reply_additional_info', 'request_additional_info']).includes(
      'reply_additional_info',
    ),
    'asked again',
  );
});

test('RA.3 (R15): conditions are accepted or rejected only while proposed and undecided', () => {
  const c = (history: string[]) => all(ctx({ state: 'postponed', side: 'requesting', history: h(...history) }));
  assert.ok(!c(['receipt', 'postpone']).includes('accept_conditions'));
  assert.ok(c(['receipt', 'consult', 'propose_conditions']).includes('accept_conditions'));
  assert.ok(!c(['receipt', 'consult', 'propose_conditions', 'reject_conditions']).includes('reject_conditions'));
});

test('RA.4 (R18): only a central body’s officer is offered forwarding', () => {
  assert.ok(!all(ctx({})).includes('forward'));
  assert.ok(all(ctx({ central: true })).includes('forward'));
});

test('RA.5: the receipt and the sending are never offered', () => {
  assert.ok(!all(ctx({ state: 'sent', side: 'requesting' })).includes('receipt'));
  assert.ok(!all(ctx({ state: 'signed', side: 'requesting' })).includes('send'));
});

test('RA.6: received → take into work and answer first; the refusal and the rest under «Другие действия»', () => {
  const a = requestActions(ctx({}));
  assert.deepEqual(a.primary, ['take_into_work', 'answer_partial', 'answer_final']);
  assert.ok(a.other.includes('refuse') && a.other.includes('consult') && a.other.includes('request_additional_info'));
  // The check on receipt found gaps: asking for what is missing comes first too.
  assert.ok(requestActions(ctx({ receiptProblems: true })).primary.includes('request_additional_info'));
  // In progress: answer; postponed: resume and answer.
  assert.deepEqual(requestActions(ctx({ state: 'in_progress' })).primary, ['answer_partial', 'answer_final']);
  assert.deepEqual(requestActions(ctx({ state: 'postponed' })).primary, ['resume', 'answer_final']);
  // The requesting side: only what the other side waits for comes first; withdrawal is under «Другие действия».
  const asked = requestActions(
    ctx({ state: 'in_progress', side: 'requesting', history: h('receipt', 'request_additional_info') }),
  );
  assert.deepEqual(asked.primary, ['reply_additional_info']);
  assert.ok(asked.other.includes('withdraw'));
  assert.ok(requestActions(ctx({ state: 'draft', side: 'requesting', history: [] })).primary.includes('sign'));
});
