// Issue 14, item 3: an outgoing message's delivery in plain Russian — «отправляется…» while queued,
// «доставлено <дата время>» with the receipt, «задерживается» only after a failed attempt, with the reason
// as a sentence (never the code, the stored message, a path) and what the officer can do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CODE_CAUSES,
  DELIVERY_CAUSES,
  DELIVERY_CAUSE_TEXT,
  deliveryCause,
  deliveryStatus,
  type OutboxMessage,
} from '../../src/domain/delivery-status.js';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { webDates } from '../../src/web/dates.js';

const fmt = webDates('Asia/Almaty').dateTimeRu;
const msg = (m: Partial<OutboxMessage>): OutboxMessage => ({
  status: 'pending',
  attempts: 0,
  lastError: null,
  deliveredAt: null,
  ...m,
});

test('delivery: a queued message without a failed attempt is «отправляется…», however long it waits', () => {
  for (const m of [msg({}), msg({ status: 'sending', attempts: 1 }), msg({ attempts: 0 })]) {
    const s = deliveryStatus(m, fmt);
    assert.deepEqual([s.phase, s.label, s.reason, s.canRetry], ['sending', 'отправляется…', null, false]);
  }
});

test('delivery: a delivered message shows the receipt time in the node’s zone (ДД.ММ.ГГГГ ЧЧ:ММ)', () => {
  const s = deliveryStatus(msg({ status: 'delivered', deliveredAt: '2026-11-26T05:00:00.000Z' }), fmt);
  assert.deepEqual([s.phase, s.label], ['delivered', 'доставлено 26.11.2026 10:00']);
});

test('delivery: «задерживается» only after a failed attempt, with a reason in Russian and a retry', () => {
  const s = deliveryStatus(
    msg({ attempts: 1, lastError: 'transport.failed: connect ECONNREFUSED 127.0.0.1:9443' }),
    fmt,
  );
  assert.equal(s.phase, 'delayed');
  assert.equal(s.label, 'задерживается');
  assert.match(s.reason!, /не отвечает/);
  assert.deepEqual([s.canRetry, s.tellAdmin], [true, false]);
});

test('delivery: a body without a seal key (signer.missing) is the administrator’s: the reason names no path', () => {
  const s = deliveryStatus(
    msg({ attempts: 1, lastError: 'signer.missing: Нет ключа подписи органа kz-central (/srv/eix/keys/bodies)' }),
    fmt,
  );
  assert.equal(s.tellAdmin, true);
  assert.match(s.reason!, /ключа электронной подписи/);
  assert.ok(!/\/srv|signer|kz-central/.test(JSON.stringify(s)), JSON.stringify(s));
});

test('delivery: failed for good is «не доставлено», with the reason and a retry; held messages wait without a retry', () => {
  const failed = deliveryStatus(msg({ status: 'failed', attempts: 8, lastError: 'message.context: …' }), fmt);
  assert.deepEqual([failed.phase, failed.label, failed.canRetry], ['failed', 'не доставлено', true]);
  assert.equal(failed.reason, DELIVERY_CAUSE_TEXT.rejected.reason);
  const held = deliveryStatus(msg({ attempts: 0, lastError: 'registry.stale: Реестр доверия версии 3 …' }), fmt);
  assert.deepEqual([held.phase, held.canRetry, held.tellAdmin], ['held', false, true]);
});

test('delivery: every cause has a Russian sentence without codes, paths or Latin words; every mapped code exists', () => {
  for (const c of DELIVERY_CAUSES) {
    const t = DELIVERY_CAUSE_TEXT[c].reason;
    assert.match(t, /^[А-ЯЁ]/, c);
    assert.ok(!/[a-z_]+\.[a-z_]+|\/|[A-Za-z]{3,}/.test(t), `${c}: ${t}`);
  }
  for (const code of Object.keys(CODE_CAUSES)) assert.ok(code in ERROR_CODES, code);
  assert.equal(deliveryCause('anything.else: boom at /x/y.ts:12'), 'rejected');
  assert.equal(deliveryCause(null), null);
});
