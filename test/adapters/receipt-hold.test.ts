// EIX_TEST_HOLD_RECEIPT, the fault tests' hook (src/adapters/federation/receipt-hold.ts): inert unless set,
// refused when malformed, and when set it holds only its point, only the first receipts, and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReceiptHold, readConfig } from '../../src/config/config.js';
import { HOLD_LINE, receiptHook } from '../../src/adapters/federation/receipt-hold.js';
import { EixError } from '../../src/domain/errors.js';

test('unset, the hook is absent: a node holds nothing', () => {
  assert.equal(readConfig({}).testHoldReceipt, null);
  assert.equal(receiptHook(null), undefined);
});

test('the forms of EIX_TEST_HOLD_RECEIPT; a malformed value stops the node naming the variable', () => {
  assert.deepEqual(parseReceiptHold('answer'), { point: 'answer', ms: null, times: 1 });
  assert.deepEqual(parseReceiptHold('transaction:4000'), { point: 'transaction', ms: 4000, times: 1 });
  assert.deepEqual(parseReceiptHold('transaction:4000:2'), { point: 'transaction', ms: 4000, times: 2 });
  assert.deepEqual(parseReceiptHold('answer::3'), { point: 'answer', ms: null, times: 3 });
  for (const bad of ['commit', 'answer:-1', 'answer:1.5', 'answer:10:0', 'answer:1:1:1', 'transaction:x'])
    assert.throws(
      () => readConfig({ EIX_TEST_HOLD_RECEIPT: bad }),
      (e: unknown) => e instanceof EixError && e.data.field === 'EIX_TEST_HOLD_RECEIPT',
      bad,
    );
});

test('holds the first receipts at its point for the time given, and writes the ids to its line', async () => {
  const lines: string[] = [];
  const hook = receiptHook({ point: 'transaction', ms: 150, times: 1 }, (l) => lines.push(l))!;
  let t = Date.now();
  await hook('answer', ['a']);
  assert.ok(Date.now() - t < 100, 'another point passes at once');
  t = Date.now();
  await hook('transaction', ['m1', 'm2']);
  assert.ok(Date.now() - t >= 140, 'held for its time');
  t = Date.now();
  await hook('transaction', ['m3']);
  assert.ok(Date.now() - t < 100, 'only the first receipt is held');
  assert.deepEqual(lines, [`${HOLD_LINE} transaction m1,m2\n`]);
});

test('without a time the receipt is held until the process ends', async () => {
  const hook = receiptHook({ point: 'answer', ms: null, times: 1 }, () => undefined)!;
  const outcome = await Promise.race([
    hook('answer', ['m']).then(() => 'released'),
    new Promise((r) => setTimeout(() => r('still held'), 300)),
  ]);
  assert.equal(outcome, 'still held');
});
