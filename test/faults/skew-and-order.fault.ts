// Faults of time and order between two nodes (three in-process nodes of the
// demo federation, real mutual TLS on loopback). RU's outbox worker is stopped
// and each outbox row is claimed and delivered by hand (claimDue + deliver),
// with a Federation copy whose application context has a skewed clock.
//  (a) RU's clock 3 min ahead (tolerance 5 min): KZ accepts.
//  (b) RU's clock 10 min ahead: KZ refuses with message.clock; RU keeps the
//      row pending (retryable) with lastError message.clock and drops the
//      signed bytes, so the retry after RU's clock is corrected signs afresh
//      and is accepted.
//  (c) An answer arrives at RU before RU recorded the receipt of its request.
//  (d) The receiver's clock falls 10 min behind after it accepted a message
//      whose receipt was lost: the resend of the same bytes gets the original
//      receipt (duplicates are answered before the clock is checked).
// Each scenario writes its results to test-results/faults-skew-and-order-<a|b|c|d>.json, so that it runs alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerRequest } from '../../src/app/answer-request.js';
import type { AppContext, Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { composeMessage } from '../../src/app/compose-message.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { MESSAGE_JWS_TYPE } from '../../src/adapters/federation/context.js';
import { canonicalBytes } from '../../src/adapters/crypto/jws.js';
import { claimDue, deliver, postMessage } from '../../src/adapters/federation/outbound.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, startTestFederation } from '../support/federation.js';
import { GROUNDS, ITEMS, KZ_BODY, writeResult } from './harness.js';
import { openSealedJws, originalJws } from '../../src/app/stored-jws.js';

/** One scenario's results, written by the scenario itself (before its assertions, so a failure is recorded too). */
async function recordScenario(part: 'a' | 'b' | 'c' | 'd', data: Record<string, unknown>): Promise<void> {
  await writeResult(`faults-skew-and-order-${part}.json`, data);
  console.log(`skew-and-order (${part}): ${JSON.stringify(data)}`);
}

describe('clock skew and out-of-order delivery (RU → KZ)', () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let ruOfficer: Officer;
  let kzOfficer: Officer;
  let proceedingId: string;
  const ru = () => fed.nodes.RU.wired.ctx;
  const kz = () => fed.nodes.KZ.wired.ctx;
  const ruFed = () => fed.nodes.RU.wired.federation!;
  const skewed = (ms: number): Federation => {
    const real = ruFed();
    const app: AppContext = { ...real.app, clock: { now: () => new Date(Date.now() + ms) } };
    return { ...real, app };
  };

  before(async () => {
    fed = await startTestFederation();
    // Delivery by hand from RU: no background worker racing the test.
    await fed.nodes.RU.worker!.stop();
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
    proceedingId = (
      await ru()
        .db.selectFrom('proceedings')
        .select('id')
        .where('number', '=', '123456/26/77001-ИП')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await fed.close();
  });

  async function signOne(): Promise<{ id: string; messageId: string }> {
    const d = await draftRequest(ru(), ruOfficer, {
      proceedingId,
      requestedBody: KZ_BODY,
      items: ITEMS,
      grounds: GROUNDS,
    });
    const s = await signRequest(ru(), ruOfficer, { requestId: d.id });
    return { id: d.id, messageId: s.messageId };
  }
  const outboxRow = (messageId: string) =>
    ru().db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();
  async function claim(messageId: string, f: Federation = ruFed()) {
    const rows = await claimDue(f, 50);
    const row = rows.find((r) => r.message_id === messageId);
    assert.ok(row, `row ${messageId} is due`);
    return row;
  }
  const atKz = (messageId: string) =>
    kz()
      .db.selectFrom('requests')
      .select(['id', 'state'])
      .where('message_id', '=', messageId)
      .where('direction', '=', 'incoming')
      .executeTakeFirst();

  test('(a) sender clock 3 min ahead (tolerance 5 min): accepted', async () => {
    const r = await signOne();
    const ok = await deliver(skewed(180_000), await claim(r.messageId));
    const v = await getRequest(ru(), ruOfficer, r.id);
    const row = await outboxRow(r.messageId);
    await recordScenario('a', {
      skewMs: 180_000,
      delivered: ok,
      ruState: v.state,
      outbox: row.status,
      attempts: row.attempts,
      atKz: Boolean(await atKz(r.messageId)),
    });
    assert.equal(ok, true);
    assert.equal(v.state, 'received');
    assert.equal(row.status, 'delivered');
    assert.ok(await atKz(r.messageId));
  });

  test('(b) sender clock 10 min ahead: refused with message.clock, kept pending; re-signed and accepted once the sender’s clock is corrected', async () => {
    const r = await signOne();
    const ahead = skewed(600_000);
    const first = await deliver(ahead, await claim(r.messageId));
    let row = await outboxRow(r.messageId);
    let v = await getRequest(ru(), ruOfficer, r.id);
    const afterSkewed = {
      delivered: first,
      status: row.status,
      lastError: row.last_error,
      attempts: row.attempts,
      ruState: v.state,
      delivery: v.delivery[0],
      signedBytesKept: row.signed_enc !== null,
      nextAttemptInMs: new Date(row.next_attempt_at).getTime() - Date.now(),
    };
    assert.equal(first, false);
    assert.equal(row.status, 'pending', 'message.clock is retryable: the row stays pending');
    assert.match(row.last_error ?? '', /message\.clock/);
    assert.equal(row.signed_enc, null, 'the bytes dated by the wrong clock are dropped');
    assert.equal(v.state, 'signed');
    assert.equal(v.delivery[0]!.status, 'pending');
    assert.equal(await atKz(r.messageId), undefined, 'nothing stored at KZ');
    const rejected = await kz()
      .db.selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'federation.rejected')
      .where('subject', '=', r.messageId)
      .execute();
    assert.equal((rejected[0]?.details as { code?: string } | undefined)?.code, 'message.clock');

    // The backoff was computed from the skewed clock: with the clock corrected the
    // row is not due for about the skew (10 min), so the worker would not pick it up.
    const dueWithCorrectClock = (await claimDue(ruFed(), 50)).some((x) => x.message_id === r.messageId);
    assert.equal(dueWithCorrectClock, false);
    // Make it due now (the test cannot wait 10 min) and retry with RU's correct clock.
    await ru()
      .db.updateTable('outbox')
      .set({ next_attempt_at: new Date(Date.now() - 1000) })
      .where('message_id', '=', r.messageId)
      .execute();
    const second = await deliver(ruFed(), await claim(r.messageId));
    row = await outboxRow(r.messageId);
    v = await getRequest(ru(), ruOfficer, r.id);
    await recordScenario('b', {
      skewMs: 600_000,
      toleranceMs: ruFed().clockSkewMs,
      afterSkewed,
      dueWithCorrectClock,
      afterCorrected: { delivered: second, status: row.status, attempts: row.attempts, ruState: v.state },
    });
    assert.equal(second, true, 'signed afresh with the corrected clock: accepted');
    assert.equal(row.status, 'delivered');
    assert.equal(v.state, 'received');
    assert.ok(await atKz(r.messageId));
  });

  test('(d) receiver clock 10 min behind after its receipt was lost: the resend gets the original receipt', async () => {
    const r = await signOne();
    assert.equal(await deliver(ruFed(), await claim(r.messageId)), true);
    // The resend RU would make had the receipt been lost: the bytes sealed in its outbox.
    const signedEnc = (await outboxRow(r.messageId)).signed_enc;
    assert.ok(signedEnc);
    const sealed = await openSealedJws(ru(), signedEnc, `outbox:${r.messageId}`);
    const kzCtx = kz() as { clock: AppContext['clock'] };
    const realKzClock = kzCtx.clock;
    kzCtx.clock = { now: () => new Date(Date.now() - 600_000) };
    let receipt: string;
    try {
      receipt = await postMessage(ruFed(), { party: 'KZ', url: fed.nodes.KZ.federationUrl! }, sealed);
    } finally {
      kzCtx.clock = realKzClock;
    }
    const inbox = await kz()
      .db.selectFrom('inbox')
      .select('receipt')
      .where('message_id', '=', r.messageId)
      .executeTakeFirstOrThrow();
    const original = await originalJws(kz().db, (inbox.receipt as { jws: string }).jws);
    await recordScenario('d', {
      receiverBehindMs: 600_000,
      resendAccepted: true,
      sameReceipt: receipt === original,
    });
    assert.equal(receipt, original, 'the original receipt, not message.clock');
  });

  test('(c) an answer that arrives before the sender recorded its receipt: the system converges to answered', async () => {
    const r = await signOne();
    // Seal the request as RU's first attempt would (so RU's later resend carries the same bytes),
    // and put it at KZ directly over mutual TLS; RU's row stays pending, its request 'signed'.
    const row0 = await outboxRow(r.messageId);
    const message = await composeMessage(ruFed().app, row0);
    const jws = await ruFed().signer.sign(message.envelope.from.body, canonicalBytes(message), MESSAGE_JWS_TYPE);
    await ru()
      .db.updateTable('outbox')
      .set({
        signed_enc: ru().sealer.encrypt(Buffer.from(jws), `outbox:${r.messageId}`),
        signed_key_id: ru().sealer.activeKeyId,
      })
      .where('id', '=', row0.id)
      .execute();
    await postMessage(ruFed(), { party: 'KZ', url: ruFed().registry().parties.KZ!.nodes[0]!.url }, jws);
    const incoming = await atKz(r.messageId);
    assert.ok(incoming, 'KZ holds the request');
    assert.equal((await getRequest(ru(), ruOfficer, r.id)).state, 'signed', 'RU has not recorded the receipt');

    // KZ answers; its worker delivers the answer to RU first.
    await answerRequest(kz(), kzOfficer, {
      requestId: incoming.id,
      final: true,
      items: [{ itemNo: 1, outcome: 'not_found' }],
    });
    await fed.nodes.KZ.worker!.drain();
    const kzAnswerRow = async () =>
      kz()
        .db.selectFrom('outbox')
        .selectAll()
        .where('request_id', '=', incoming.id)
        .where('type', '=', 'answer_final')
        .executeTakeFirstOrThrow();
    let ans = await kzAnswerRow();
    const ruRejected = await ru()
      .db.selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'federation.rejected')
      .where('subject', '=', ans.message_id)
      .execute();
    const answerFirst = {
      status: ans.status,
      attempts: ans.attempts,
      lastError: ans.last_error,
      ruRejectedWith: ruRejected.map((x) => (x.details as { code?: string }).code),
      ruState: (await getRequest(ru(), ruOfficer, r.id)).state,
    };
    const kzEvents = (await getRequest(kz(), kzOfficer, incoming.id)).events.map((e) => e.event);

    // RU's own delivery of the request: KZ answers the duplicate with the original receipt.
    const delivered = await deliver(ruFed(), await claim(r.messageId));
    const ruAfterReceipt = (await getRequest(ru(), ruOfficer, r.id)).state;
    // Give KZ's retry a chance: wait for the answer row's backoff (if it is still pending) and drain.
    ans = await kzAnswerRow();
    if (ans.status === 'pending') {
      await new Promise((res) =>
        setTimeout(res, Math.max(0, new Date(ans.next_attempt_at).getTime() - Date.now()) + 100),
      );
      await fed.nodes.KZ.worker!.drain();
    }
    ans = await kzAnswerRow();
    const final = await getRequest(ru(), ruOfficer, r.id);
    await recordScenario('c', {
      answerFirst,
      kzEventsAfterAnswerRefused: kzEvents,
      requestDeliveredByRu: delivered,
      ruAfterReceipt,
      answerEnd: { status: ans.status, attempts: ans.attempts, lastError: ans.last_error },
      ruFinalState: final.state,
      ruAnswers: final.answers.length,
      kzState: (await getRequest(kz(), kzOfficer, incoming.id)).state,
    });
    assert.equal(answerFirst.ruState, 'signed', 'the early answer changed nothing at RU');
    assert.equal(delivered, true, 'the resend of the request gets the original receipt');
    assert.equal(ruAfterReceipt, 'received');
    assert.equal(answerFirst.status, 'pending', 'the early answer is refused as "not yet" (message.early) and retried');
    assert.equal(final.state, 'answered', 'the system converges: RU ends answered');
    assert.equal(ans.status, 'delivered');
  });
});
