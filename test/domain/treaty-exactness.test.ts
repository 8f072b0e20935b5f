// Issue 12, items 5–8 in the pure domain: Article 25 as the text says
// (two categories, paragraph-level provisions, lapsed statements reported),
// the R13.d Parties a refusal may name, the R15/R16 rules of order over a
// request's history, paper originals both ways (R10.a) and the one setting of
// the entry-into-force count (R22, decision 9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EixError } from '../../src/domain/errors.js';
import {
  PAPER_DUE_DAYS,
  latePaperOriginals,
  paperDocuments,
  paperMovementFor,
} from '../../src/domain/paper-original.js';
import {
  AGREEMENT_2025_RULES,
  checkTreatyEvents,
  declarationParties,
  loadTreaty,
  requestNotices,
  treatyStatus,
  type TreatyEvent,
} from '../../src/domain/treaty.js';
import {
  availableEvents,
  confidentialityPending,
  nextState,
  orderProblem,
  replay,
  type Actor,
  type WorkflowEvent,
} from '../../src/domain/workflow.js';

const sign = (party: string, extra: Partial<TreatyEvent> = {}): TreatyEvent =>
  ({ type: 'signature', party, date: '2025-10-10', ...extra }) as TreatyEvent;
const notify = (party: string, received: string, extra: Partial<TreatyEvent> = {}): TreatyEvent =>
  ({ type: 'notification', party, received, ...extra }) as TreatyEvent;
const SIGNED = ['AM', 'AZ', 'BY', 'KG', 'KZ', 'MD', 'RU', 'TJ', 'TM', 'UA', 'UZ'].map((p) => sign(p));
const readJson = (rel: string): unknown => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));

function treatyWith(kz: Partial<TreatyEvent>, ru: Partial<TreatyEvent> = {}) {
  return loadTreaty({
    events: [...SIGNED, notify('RU', '2026-01-12', ru), notify('KZ', '2026-01-20', kz), notify('BY', '2026-02-02')],
  });
}

test('R25.a: a non-judicial declaration does not cover notarised documents, a notarial one covers only them', () => {
  const nonJudicial = treatyWith({ declarations: [{ documents: 'non-judicial', provisions: 'all' }] });
  const q = (issuerKind: 'court' | 'authority' | 'notary') =>
    requestNotices(nonJudicial, { from: 'RU', to: 'KZ', date: '2026-06-01', issuerKind, provisions: ['4'] }).length;
  assert.deepEqual([q('court'), q('authority'), q('notary')], [0, 1, 0]);
  const notarial = treatyWith({ declarations: [{ documents: 'notarial', provisions: 'all' }] });
  const n = (issuerKind: 'court' | 'authority' | 'notary') =>
    requestNotices(notarial, { from: 'RU', to: 'KZ', date: '2026-06-01', issuerKind, provisions: ['4'] }).length;
  assert.deepEqual([n('court'), n('authority'), n('notary')], [0, 0, 1]);
});

test('R25.b: declarations name provisions at paragraph level (9.3, 11.2); malformed provisions name the field', () => {
  const t = treatyWith({ declarations: [{ documents: 'non-judicial', provisions: ['9.3', '11.2', '6.a'] }] });
  assert.deepEqual(t.parties.KZ!.declarations[0]!.provisions, ['9.3', '11.2', '6.a']);
  const hit = requestNotices(t, {
    from: 'RU',
    to: 'KZ',
    date: '2026-06-01',
    issuerKind: 'authority',
    provisions: ['9.3', '4'],
  });
  assert.deepEqual(hit[0]!.provisions, ['9.3']);
  for (const bad of ['9.', '9.3.1', '0.1', 'six', '9.A']) {
    const problems = checkTreatyEvents({
      events: [...SIGNED, notify('KZ', '2026-01-20', { declarations: [{ documents: 'notarial', provisions: [bad] }] })],
    });
    assert.ok(
      problems.some((p) => p.path === `events[${SIGNED.length}].declarations[0].provisions[0]`),
      `${bad}: ${JSON.stringify(problems)}`,
    );
  }
});

test('R25.c: lapsed reservations and declarations are reported as lapsed, not as empty lists', () => {
  const reservation = { provision: '6.a', text: 'в части, не противоречащей законодательству' };
  const declaration = { documents: 'notarial' as const, provisions: ['9.3'] };
  const t = loadTreaty({
    events: [
      ...SIGNED.map((e) =>
        (e as { party: string }).party === 'KZ'
          ? sign('KZ', { reservations: [reservation], declarations: [declaration] })
          : e,
      ),
      notify('RU', '2026-01-12'),
      notify('KZ', '2026-01-20'),
      notify('BY', '2026-02-02'),
    ],
  });
  const kz = treatyStatus(t, '2026-06-01').parties.KZ!;
  assert.deepEqual([kz.reservations, kz.declarations], [[], []]);
  assert.deepEqual(kz.lapsedReservations, [reservation]);
  assert.deepEqual(kz.lapsedDeclarations, [declaration]);
  const ru = treatyStatus(t, '2026-06-01').parties.RU!;
  assert.equal(ru.lapsedReservations, undefined);
  assert.equal(ru.lapsedDeclarations, undefined);
});

test('R13.d: only the requesting or requested Party whose declaration covers the issuer kind and the provisions may be named', () => {
  const t = treatyWith(
    { declarations: [{ documents: 'non-judicial', provisions: ['6.a'] }] },
    { declarations: [{ documents: 'notarial', provisions: 'all' }] },
  );
  const parties = (issuerKind: 'court' | 'authority' | 'notary', provisions: string[], to = 'KZ') =>
    declarationParties(t, { from: 'RU', to, date: '2026-06-01', issuerKind, provisions });
  assert.deepEqual(parties('authority', ['6.a']), ['KZ']);
  assert.deepEqual(parties('authority', ['6.b']), [], 'the declaration names other provisions');
  assert.deepEqual(parties('notary', ['6.a']), ['RU'], 'a notarial declaration of the requesting Party');
  assert.deepEqual(parties('court', ['6.a']), []);
  assert.deepEqual(parties('authority', ['6.a'], 'BY'), [], 'KZ is neither side of a request to BY');
});

const h = (...events: WorkflowEvent[]) => events.map((event) => ({ event }));

test('R15: conditions are proposed only after a consultation on the request', () => {
  assert.equal(
    orderProblem(h('receipt', 'take_into_work'), 'propose_conditions')?.code,
    'workflow.consultation_required',
  );
  assert.equal(orderProblem(h('receipt', 'take_into_work', 'consult'), 'propose_conditions'), null);
  assert.throws(
    () => nextState('in_progress', 'propose_conditions', 'requested', h('receipt', 'take_into_work')),
    (e: unknown) =>
      e instanceof EixError && e.code === 'workflow.consultation_required' && /консультаци/.test(e.message),
  );
  assert.equal(nextState('in_progress', 'propose_conditions', 'requested', h('receipt', 'consult')), 'postponed');
  assert.ok(!availableEvents('in_progress', 'requested', h('receipt')).includes('propose_conditions'));
  assert.ok(availableEvents('in_progress', 'requested', h('receipt', 'consult')).includes('propose_conditions'));
});

test('R16: after «confidentiality impossible» no answer until the requesting body decides; «continue» only after the notice', () => {
  const notified = h('receipt', 'take_into_work', 'notify_confidentiality_impossible');
  assert.equal(confidentialityPending(notified), true);
  for (const e of ['answer_partial', 'answer_final'] as const) {
    assert.equal(orderProblem(notified, e)?.code, 'workflow.confidentiality_pending');
    assert.ok(!availableEvents('in_progress', 'requested', notified).includes(e));
  }
  assert.equal(
    orderProblem(h('receipt', 'take_into_work'), 'continue_without_confidentiality')?.code,
    'workflow.confidentiality_not_notified',
  );
  assert.ok(!availableEvents('in_progress', 'requesting', h('receipt')).includes('continue_without_confidentiality'));
  assert.ok(availableEvents('in_progress', 'requesting', notified).includes('continue_without_confidentiality'));
  assert.ok(availableEvents('in_progress', 'requesting', notified).includes('withdraw'), 'or the request is withdrawn');
  const decided = [...notified, { event: 'continue_without_confidentiality' }];
  assert.equal(confidentialityPending(decided), false);
  assert.equal(orderProblem(decided, 'answer_final'), null);
  assert.equal(
    orderProblem(decided, 'continue_without_confidentiality')?.code,
    'workflow.confidentiality_not_notified',
    'decided once',
  );
  // Replayed as either node applies it (the requesting node starts at draft).
  const seq: { event: WorkflowEvent; actor: Actor }[] = [
    { event: 'sign', actor: 'requesting' },
    { event: 'send', actor: 'requesting' },
    { event: 'receipt', actor: 'system' },
    { event: 'notify_confidentiality_impossible', actor: 'requested' },
    { event: 'answer_final', actor: 'requested' },
  ];
  assert.throws(
    () => replay(seq),
    (e: unknown) => e instanceof EixError && e.code === 'workflow.confidentiality_pending',
  );
  const ok = [
    ...seq.slice(0, 4),
    { event: 'continue_without_confidentiality' as const, actor: 'requesting' as const },
    seq[4]!,
  ];
  assert.equal(replay(ok), 'answered');
});

test('R10.a: paper originals both ways — the maker dispatches, the other side records the arrival; reminders per document', () => {
  assert.deepEqual(
    (['request', 'answer', 'refusal'] as const).map((d) => [
      paperMovementFor(d, 'requesting'),
      paperMovementFor(d, 'requested'),
    ]),
    [
      ['dispatch', 'arrival'],
      ['arrival', 'dispatch'],
      ['arrival', 'dispatch'],
    ],
  );
  assert.deepEqual(paperDocuments(h('receipt')), ['request']);
  assert.deepEqual(paperDocuments(h('sign', 'send', 'receipt', 'answer_partial')), ['request', 'answer']);
  assert.deepEqual(paperDocuments(h('receipt', 'refuse')), ['request', 'refusal']);
  const day = 86_400_000;
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  const history = [
    { event: 'receipt', at: new Date(t0) },
    { event: 'answer_final', at: new Date(t0 + day) },
  ];
  const late = (now: number, dispatched: ('request' | 'answer' | 'refusal')[] = []) =>
    latePaperOriginals({ history, side: 'requested', dispatched, now: new Date(now) });
  assert.deepEqual(late(t0 + day + PAPER_DUE_DAYS * day), [], 'due on the last day, not yet late');
  assert.deepEqual(late(t0 + day + PAPER_DUE_DAYS * day + 1), ['answer']);
  assert.deepEqual(late(t0 + day + PAPER_DUE_DAYS * day + 1, ['answer']), []);
  assert.deepEqual(
    latePaperOriginals({ history, side: 'requesting', dispatched: [], now: new Date(t0 + 100 * day) }),
    [],
    'the requesting side never posts the answer',
  );
});

test('R22: the entry-into-force count is one visible setting — data/treaty files say R+30, a file may switch to R+31', () => {
  assert.equal(AGREEMENT_2025_RULES.extraDays, 0);
  for (const file of ['agreement-2025.json', 'demo-events.json']) {
    const doc = readJson(`../../data/treaty/${file}`) as { rules?: { extraDays?: number } };
    assert.equal(doc.rules?.extraDays, 0, `${file} states the R+30 reading`);
  }
  const events = [...SIGNED, notify('RU', '2026-01-12'), notify('KZ', '2026-01-20'), notify('BY', '2026-02-02')];
  assert.equal(loadTreaty({ events }).entryIntoForce, '2026-03-04', 'R + 30 (2026-02-02 + 30)');
  assert.equal(loadTreaty({ rules: { extraDays: 0 }, events }).entryIntoForce, '2026-03-04');
  const r31 = loadTreaty({ rules: { extraDays: 1 }, events });
  assert.equal(r31.entryIntoForce, '2026-03-05', 'R + 31');
  assert.equal(r31.parties.RU!.since, '2026-03-05');
  for (const bad of [2, -1, 'one']) {
    assert.throws(
      () => loadTreaty({ rules: { extraDays: bad }, events }),
      (e: unknown) => e instanceof EixError && e.code === 'treaty.events' && e.data.field === 'rules.extraDays',
    );
  }
  assert.throws(
    () => loadTreaty({ rules: { days: 31 }, events }),
    (e: unknown) => e instanceof EixError && e.code === 'treaty.events' && String(e.data.field).startsWith('rules'),
  );
});
