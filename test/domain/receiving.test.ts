// RECEIVING.md as a pure rule (src/domain/receiving.ts): whom a node believes
// about a request it holds. The federation tests prove the same over mutual
// TLS; these name each row of the table without a network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EixError } from '../../src/domain/errors.js';
import type { Envelope, RequestMessageType } from '../../src/domain/messages.js';
import { checkCounterpart, type HeldRequest } from '../../src/domain/receiving.js';

/** RU's request to KZ, as RU holds it (outgoing) and as KZ holds it (incoming). */
const atRu: HeldRequest = {
  direction: 'outgoing',
  counterpartParty: 'KZ',
  counterpartBody: 'kz-central',
  counterpartForwardedTo: null,
  bodyId: 'ru-fssp-77',
  addressedTo: null,
};
const atKz: HeldRequest = {
  direction: 'incoming',
  counterpartParty: 'RU',
  counterpartBody: 'ru-fssp-77',
  counterpartForwardedTo: null,
  bodyId: 'kz-central',
  addressedTo: 'kz-central',
};

const env = (type: RequestMessageType, from: string, to: string): Envelope => {
  const [fp, fb] = from.split('/') as [string, string];
  const [tp, tb] = to.split('/') as [string, string];
  return {
    id: '00000000-0000-4000-8000-000000000001',
    type,
    schemaVersion: 2,
    from: { party: fp, body: fb },
    to: { party: tp, body: tb },
    inReplyTo: '00000000-0000-4000-8000-000000000002',
    createdAt: '2026-11-27T10:00:00Z',
  };
};

const refused = (f: () => unknown, field: string) =>
  assert.throws(f, (e: unknown) => e instanceof EixError && e.code === 'message.context' && e.data.field === field);

test('RECEIVING requested side: only the request’s counterpart body, to the body holding it, about an outgoing request', () => {
  assert.equal(
    checkCounterpart('answer_final', env('answer_final', 'KZ/kz-central', 'RU/ru-fssp-77'), atRu),
    'requested',
  );
  refused(
    () => checkCounterpart('answer_final', env('answer_final', 'BY/by-central', 'RU/ru-fssp-77'), atRu),
    'envelope.from.party',
  );
  refused(
    () => checkCounterpart('refusal', env('refusal', 'KZ/kz-almaty', 'RU/ru-fssp-77'), atRu),
    'envelope.from.body',
  );
  refused(() => checkCounterpart('refusal', env('refusal', 'KZ/kz-central', 'RU/ru-fssp'), atRu), 'envelope.to.body');
  // The requested side's message about a request this node received, not sent: the wrong side.
  refused(
    () => checkCounterpart('answer_final', env('answer_final', 'RU/ru-fssp-77', 'KZ/kz-central'), atKz),
    'envelope.inReplyTo',
  );
});

test('R18: after a forward this node accepted, the body forwarded to speaks for the requested side too', () => {
  const forwarded = { ...atRu, counterpartForwardedTo: 'kz-almaty' };
  assert.equal(
    checkCounterpart('answer_final', env('answer_final', 'KZ/kz-almaty', 'RU/ru-fssp-77'), forwarded),
    'requested',
  );
  assert.equal(checkCounterpart('consult', env('consult', 'KZ/kz-central', 'RU/ru-fssp-77'), forwarded), 'requested');
});

test('RECEIVING requesting side: only the body that sent the request, to the body it was addressed or forwarded to', () => {
  assert.equal(checkCounterpart('withdraw', env('withdraw', 'RU/ru-fssp-77', 'KZ/kz-central'), atKz), 'requesting');
  const movedHere = { ...atKz, bodyId: 'kz-almaty' };
  assert.equal(checkCounterpart('withdraw', env('withdraw', 'RU/ru-fssp-77', 'KZ/kz-almaty'), movedHere), 'requesting');
  assert.equal(
    checkCounterpart('withdraw', env('withdraw', 'RU/ru-fssp-77', 'KZ/kz-central'), movedHere),
    'requesting',
  );
  refused(
    () => checkCounterpart('withdraw', env('withdraw', 'RU/ru-fssp', 'KZ/kz-central'), atKz),
    'envelope.from.body',
  );
  refused(
    () => checkCounterpart('withdraw', env('withdraw', 'RU/ru-fssp-77', 'KZ/kz-almaty'), atKz),
    'envelope.to.body',
  );
  refused(
    () => checkCounterpart('withdraw', env('withdraw', 'KZ/kz-central', 'RU/ru-fssp-77'), atRu),
    'envelope.inReplyTo',
  );
});

test('RECEIVING either side: a consultation’s side follows the direction the request has at the receiver', () => {
  assert.equal(checkCounterpart('consult', env('consult', 'RU/ru-fssp-77', 'KZ/kz-central'), atKz), 'requesting');
  assert.equal(checkCounterpart('consult', env('consult', 'KZ/kz-central', 'RU/ru-fssp-77'), atRu), 'requested');
  refused(
    () => checkCounterpart('consult', env('consult', 'BY/by-central', 'KZ/kz-central'), atKz),
    'envelope.from.party',
  );
});
