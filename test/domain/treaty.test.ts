import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { addDays } from '../../src/domain/dates.js';
import { EixError } from '../../src/domain/errors.js';
import {
  AGREEMENT_2025_RULES,
  boundParties,
  canSend,
  checkTreatyEvents,
  designatedBodies,
  isBound,
  loadTreaty,
  requestNotices,
  requestableBodies,
  treatyStatus,
  type TreatyEvent,
} from '../../src/domain/treaty.js';

const sign = (party: string, extra: Partial<TreatyEvent> = {}): TreatyEvent =>
  ({ type: 'signature', party, date: '2025-10-10', ...extra }) as TreatyEvent;
const notify = (party: string, received: string, extra: Partial<TreatyEvent> = {}): TreatyEvent =>
  ({ type: 'notification', party, received, ...extra }) as TreatyEvent;
const SIGNED = ['AM', 'AZ', 'BY', 'KG', 'KZ', 'MD', 'RU', 'TJ', 'TM', 'UA', 'UZ'].map((p) => sign(p));

/** RU, KZ, BY notify; BY's is the third (2026-02-02) → in force 2026-03-04; AM later. */
function base(more: TreatyEvent[] = []) {
  return loadTreaty({
    events: [
      ...SIGNED,
      notify('RU', '2026-01-12'),
      notify('KZ', '2026-01-20'),
      notify('BY', '2026-02-02'),
      notify('AM', '2026-12-01'),
      ...more,
    ],
  });
}

function throwsCode(fn: () => unknown, code: string, field?: string): EixError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof EixError, `expected EixError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (field !== undefined) assert.equal(caught.data.field, field);
  return caught;
}

test('R22.a: in force 30 days after the third notification — bound from R+30, not the day before', () => {
  const t = base();
  assert.equal(t.entryIntoForce, '2026-03-04');
  assert.equal(treatyStatus(t, '2026-03-03').inForce, false);
  assert.equal(treatyStatus(t, '2026-03-04').inForce, true);
  for (const p of ['RU', 'KZ', 'BY']) assert.equal(t.parties[p]!.since, '2026-03-04', p);
  assert.deepEqual(boundParties(t, '2026-03-03'), []);
  assert.deepEqual(boundParties(t, '2026-03-04'), ['BY', 'KZ', 'RU']);
});

test('R22.a: two notifications do not bring the Agreement into force; the order of events in the file does not matter', () => {
  const two = loadTreaty({ events: [notify('KZ', '2026-01-20'), ...SIGNED, notify('RU', '2026-01-12')] });
  assert.equal(two.entryIntoForce, null);
  const s = treatyStatus(two, '2030-01-01');
  assert.equal(s.inForce, false);
  assert.equal(s.parties.RU!.bound, false);
  const r = canSend(two, { from: 'RU', to: 'KZ', date: '2030-01-01' });
  assert.deepEqual([r.allowed, r.code], [false, 'not_in_force']);
  assert.match(r.reason, /3 уведомления/);
});

test('R22.b: a later notifier is bound 30 days after its own notification', () => {
  const t = base();
  assert.equal(t.parties.AM!.since, '2026-12-31');
  assert.equal(isBound(t, 'AM', '2026-12-30'), false);
  assert.equal(isBound(t, 'AM', '2026-12-31'), true);
  const early = canSend(t, { from: 'RU', to: 'AM', date: '2026-12-30' });
  assert.deepEqual([early.allowed, early.code], [false, 'requested_not_bound']);
  assert.match(early.reason, /2026-12-31/);
  assert.equal(canSend(t, { from: 'RU', to: 'AM', date: '2026-12-31' }).allowed, true);
});

test('R22.b: a signatory that has not notified is not bound; the reason says so', () => {
  const r = canSend(base(), { from: 'RU', to: 'UZ', date: '2026-11-26' });
  assert.deepEqual([r.allowed, r.code], [false, 'requested_not_bound']);
  assert.match(r.reason, /уведомление/);
  const from = canSend(base(), { from: 'UZ', to: 'RU', date: '2026-11-26' });
  assert.equal(from.code, 'requesting_not_bound');
});

test('R-pair: both bound → allowed; the same Party on both sides → refused; a state outside the Agreement → refused', () => {
  const t = base();
  assert.deepEqual(canSend(t, { from: 'RU', to: 'KZ', date: '2026-11-26' }), {
    allowed: true,
    code: null,
    reason: 'Соглашение связывает Россия (RU) и Казахстан (KZ) на 2026-11-26',
  });
  assert.equal(canSend(t, { from: 'RU', to: 'RU', date: '2026-11-26' }).code, 'same_party');
  const mn = canSend(t, { from: 'RU', to: 'MN', date: '2026-11-26' });
  assert.equal(mn.code, 'requested_not_bound');
  assert.match(mn.reason, /не подписало/);
});

test('R23.a: accession is open only after entry into force; a CIS state is bound 30 days after its instrument', () => {
  const acc = (received: string): TreatyEvent => ({ type: 'accession', party: 'GE', received, cisMember: true });
  throwsCode(() => base([acc('2026-03-03')]), 'treaty.event_order', 'events[15]');
  const t = base([acc('2026-03-04')]);
  assert.equal(t.parties.GE!.since, '2026-04-03');
  assert.equal(isBound(t, 'GE', '2026-04-02'), false);
  assert.equal(isBound(t, 'GE', '2026-04-03'), true);
});

test('R23.b: a non-CIS state is bound 3 months after the last consent of every state that signed or acceded by then', () => {
  const consents = (parties: string[], received: string): TreatyEvent[] =>
    parties.map((p) => ({ type: 'consent', party: p, for: 'MN', received }));
  const mn: TreatyEvent = { type: 'accession', party: 'MN', received: '2027-03-01', cisMember: false };
  const all = ['AM', 'AZ', 'BY', 'KG', 'KZ', 'MD', 'RU', 'TJ', 'TM', 'UA'];
  const pending = base([mn, ...consents(all, '2027-04-01')]);
  assert.equal(pending.parties.MN!.since, null);
  assert.deepEqual(treatyStatus(pending, '2028-01-01').parties.MN!.pendingConsents, ['UZ']);
  assert.match(canSend(pending, { from: 'RU', to: 'MN', date: '2028-01-01' }).reason, /согласия.*UZ/);

  const t = base([mn, ...consents(all, '2027-04-01'), ...consents(['UZ'], '2027-05-15')]);
  assert.equal(t.parties.MN!.since, '2027-08-15');
  assert.equal(isBound(t, 'MN', '2027-08-14'), false);
  assert.equal(isBound(t, 'MN', '2027-08-15'), true);
  // A state that accedes after MN's accession is not asked.
  const later: TreatyEvent = { type: 'accession', party: 'GE', received: '2027-03-02', cisMember: true };
  assert.equal(
    base([mn, later, ...consents(all, '2027-04-01'), ...consents(['UZ'], '2027-05-15')]).parties.MN!.since,
    '2027-08-15',
  );
  // Consent for a state that did not accede as a non-CIS state is an ordering error.
  throwsCode(
    () => base([{ type: 'consent', party: 'RU', for: 'MN', received: '2027-04-01' }]),
    'treaty.event_order',
    'events[15]',
  );
});

test('R24: withdrawal effective exactly 3 months after notice is accepted; bound until the day before; new requests refused after', () => {
  const w = (received: string, effective: string): TreatyEvent => ({
    type: 'withdrawal',
    party: 'BY',
    received,
    effective,
  });
  const t = base([w('2028-01-10', '2028-04-10')]);
  assert.equal(t.parties.BY!.until, '2028-04-09');
  assert.equal(isBound(t, 'BY', '2028-04-09'), true);
  assert.equal(isBound(t, 'BY', '2028-04-10'), false);
  const r = canSend(t, { from: 'RU', to: 'BY', date: '2028-04-10' });
  assert.deepEqual([r.allowed, r.code], [false, 'requested_withdrawn']);
  assert.match(r.reason, /вышла из Соглашения с 2028-04-10/);
  assert.equal(treatyStatus(t, '2028-04-10').parties.BY!.until, '2028-04-09');
});

test('R24: a withdrawal notice less than 3 months ahead is rejected, naming the event', () => {
  const e = throwsCode(
    () => base([{ type: 'withdrawal', party: 'BY', received: '2028-01-10', effective: '2028-04-09' }]),
    'treaty.withdrawal_notice',
    'events[15]',
  );
  assert.match(e.message, /events\[15\].*3 месяца/);
});

test('R25.c: a declaration made at signature lapses unless repeated in the notification', () => {
  const decl = { documents: 'notarial' as const, provisions: 'all' as const };
  const lapsed = loadTreaty({
    events: [
      sign('RU', { declarations: [decl] }),
      sign('KZ'),
      sign('BY'),
      notify('RU', '2026-01-12'),
      notify('KZ', '2026-01-20'),
      notify('BY', '2026-02-02'),
    ],
  });
  const s = treatyStatus(lapsed, '2026-06-01').parties.RU!;
  assert.deepEqual(s.declarations, []);
  assert.deepEqual(s.lapsedDeclarations, [decl]);
  const q = { from: 'RU', to: 'KZ', date: '2026-06-01', issuerKind: 'notary' as const, provisions: ['6.a'] };
  assert.deepEqual(requestNotices(lapsed, q), []);

  const kept = loadTreaty({
    events: [
      sign('RU', { declarations: [decl] }),
      sign('KZ'),
      sign('BY'),
      notify('RU', '2026-01-12', { declarations: [decl] }),
      notify('KZ', '2026-01-20'),
      notify('BY', '2026-02-02'),
    ],
  });
  assert.deepEqual(treatyStatus(kept, '2026-06-01').parties.RU!.declarations, [decl]);
  assert.equal(treatyStatus(kept, '2026-06-01').parties.RU!.lapsedDeclarations, undefined);
  assert.deepEqual(
    requestNotices(kept, q).map((n) => [n.code, n.party, n.role]),
    [['R13.d', 'RU', 'requesting']],
  );
  // Before the Party is bound nothing applies.
  assert.deepEqual(treatyStatus(kept, '2026-03-03').parties.RU!.declarations, []);
});

test('R25.a/b, R13.d: declarations of either Party, on non-judicial or notarial documents, wholly or for named provisions', () => {
  const t = base([]);
  const withDecl = loadTreaty({
    events: [
      ...SIGNED,
      notify('RU', '2026-01-12'),
      notify('KZ', '2026-01-20', { declarations: [{ documents: 'non-judicial', provisions: ['6'] }] }),
      notify('BY', '2026-02-02'),
    ],
  });
  const q = (issuerKind: 'court' | 'authority' | 'notary', provisions: string[]) =>
    requestNotices(withDecl, { from: 'RU', to: 'KZ', date: '2026-06-01', issuerKind, provisions });
  assert.deepEqual(q('court', ['6.a', '7.a']), []);
  const auth = q('authority', ['4', '6.a', '6.c', '7.a']);
  assert.equal(auth.length, 1);
  assert.deepEqual(
    [auth[0]!.code, auth[0]!.party, auth[0]!.role, auth[0]!.provisions],
    ['R13.d', 'KZ', 'requested', ['6.a', '6.c']],
  );
  assert.match(auth[0]!.message, /в части положений 6.a, 6.c/);
  assert.deepEqual(q('notary', ['6.b']), [], 'R25.a: notarised documents are a category of their own');
  assert.deepEqual(q('authority', ['4', '7.a']), []);
  assert.deepEqual(
    requestNotices(t, { from: 'RU', to: 'KZ', date: '2026-06-01', issuerKind: 'notary', provisions: ['4'] }),
    [],
  );
});

test('R-KZ: reservations are data — Kazakhstan’s on 6.a and the same shape for any other Party', () => {
  const text = 'применяет в части, не противоречащей законодательству';
  const t = loadTreaty({
    events: [
      ...SIGNED,
      notify('RU', '2026-01-12'),
      notify('KZ', '2026-01-20', { reservations: [{ provision: '6.a', text }] }),
      notify('BY', '2026-02-02', { reservations: [{ provision: '7.b', text }] }),
    ],
  });
  const ask = (to: string, provisions: string[]) =>
    requestNotices(t, { from: 'RU', to, date: '2026-06-01', issuerKind: 'court', provisions });
  assert.deepEqual(
    ask('KZ', ['6.a', '6.b']).map((n) => [n.code, n.party, n.provisions]),
    [['R-KZ', 'KZ', ['6.a']]],
  );
  assert.deepEqual(ask('KZ', ['6.b']), []);
  assert.deepEqual(
    ask('BY', ['7.b']).map((n) => [n.code, n.party]),
    [['R-KZ', 'BY']],
  );
  // Only the requested Party's reservation concerns the request.
  assert.deepEqual(
    requestNotices(t, { from: 'KZ', to: 'RU', date: '2026-06-01', issuerKind: 'court', provisions: ['6.a'] }),
    [],
  );
  assert.deepEqual(treatyStatus(t, '2026-06-01').parties.KZ!.reservations, [{ provision: '6.a', text }]);
});

test('R18: designated bodies as of a date — the latest list sent to the depositary', () => {
  const t = base([
    { type: 'bodies', party: 'KZ', date: '2026-03-01', central: [{ id: 'kz-central', name: 'Центральный орган' }] },
    {
      type: 'bodies',
      party: 'KZ',
      date: '2026-09-01',
      central: [{ id: 'kz-central', name: 'Центральный орган' }],
      territorial: [{ id: 'kz-almaty', name: 'Алматы' }],
    },
  ]);
  assert.equal(designatedBodies(t, 'KZ', '2026-02-28'), null);
  assert.deepEqual(designatedBodies(t, 'KZ', '2026-08-31')!.territorial, []);
  assert.deepEqual(
    designatedBodies(t, 'KZ', '2026-09-01')!.territorial.map((b) => b.id),
    ['kz-almaty'],
  );
  throwsCode(
    () => base([{ type: 'bodies', party: 'MN', date: '2026-03-01', central: [{ id: 'mn-central', name: 'x' }] }]),
    'treaty.event_order',
    'events[15]',
  );
});

test('events: structural problems are reported with the path of the field; ordering problems name the event', () => {
  const e = throwsCode(
    () => loadTreaty({ events: [{ type: 'notification', party: 'RU', received: '2026-13-01' }] }),
    'treaty.events',
  );
  assert.equal(e.data.field, 'events[0].received');
  throwsCode(() => loadTreaty({ events: [notify('RU', '2026-01-12')] }), 'treaty.event_order', 'events[0]');
  throwsCode(() => loadTreaty({ events: [sign('RU'), sign('RU')] }), 'treaty.event_order', 'events[1]');
  throwsCode(() => loadTreaty({ events: [sign('RU'), notify('RU', '2025-10-09')] }), 'treaty.event_order', 'events[1]');
  throwsCode(() => loadTreaty('not json events'), 'treaty.events');
  assert.deepEqual(checkTreatyEvents({ events: [] }), []);
  assert.equal(checkTreatyEvents({ events: [notify('RU', '2026-01-12')] })[0]!.code, 'treaty.event_order');
});

test('R22: the bound-from convention (R+N) is one configurable rule', () => {
  const events = [...SIGNED, notify('RU', '2026-01-12'), notify('KZ', '2026-01-20'), notify('BY', '2026-02-02')];
  assert.equal(
    loadTreaty({ events }, { ...AGREEMENT_2025_RULES, extraDays: 1 }).entryIntoForce,
    addDays('2026-03-04', 1),
  );
});

test('shipped data: the real agreement file has the eleven signatories, Kazakhstan’s reservation, and nobody bound; the demo file is an illustration', () => {
  const real = readJson('../../data/treaty/agreement-2025.json');
  const t = loadTreaty(real);
  assert.equal(Object.keys(t.parties).length, 11);
  assert.equal(t.entryIntoForce, null);
  assert.equal((real as { illustration: boolean }).illustration, false);
  assert.ok(
    t.events.some(
      (e) => e.type === 'signature' && e.party === 'KZ' && e.date === null && e.reservations?.[0]?.provision === '6.a',
    ),
  );
  const demo = readJson('../../data/treaty/demo-events.json') as { illustration: boolean };
  assert.equal(demo.illustration, true);
  const d = loadTreaty(demo);
  assert.deepEqual(boundParties(d, '2026-11-26'), ['BY', 'KZ', 'RU']);
  assert.equal(designatedBodies(d, 'RU', '2026-11-26')!.central[0]!.id, 'ru-fssp');
});

test('R18, R-pair: an officer may address the designated bodies of every other bound Party, and none of its own', () => {
  const d = loadTreaty(readJson('../../data/treaty/demo-events.json'));
  const bodies = requestableBodies(d, 'RU', '2026-11-26');
  assert.deepEqual([...new Set(bodies.map((b) => b.party))], ['BY', 'KZ']);
  for (const party of ['BY', 'KZ']) {
    const b = designatedBodies(d, party, '2026-11-26')!;
    assert.deepEqual(
      bodies.filter((x) => x.party === party).map((x) => x.id),
      [...b.central, ...b.territorial].map((x) => x.id),
    );
  }
  assert.deepEqual(requestableBodies(d, 'RU', '2020-01-01'), [], 'nothing before the Agreement binds');
});

function readJson(rel: string): unknown {
  return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
}
