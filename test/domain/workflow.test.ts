import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  REQUEST_STATES,
  WORKFLOW_EVENTS,
  EVENT_ACTORS,
  TRANSITIONS,
  allowedEvents,
  availableEvents,
  isTerminal,
  nextState,
  replay,
  transition,
  type Actor,
  type HistoryEntry,
  type RequestState,
  type WorkflowEvent,
} from '../../src/domain/workflow.js';
import { EixError } from '../../src/domain/errors.js';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof EixError) return e.code;
    throw e;
  }
  return 'no error';
};

test('workflow: the requesting side drafts, signs, sends; the receipt makes it received', () => {
  const s = replay([
    { event: 'sign', actor: 'requesting' },
    { event: 'send', actor: 'requesting' },
    { event: 'receipt', actor: 'system' },
  ]);
  assert.equal(s, 'received');
});

test('workflow: a signed request can be revised back to draft, not a sent one', () => {
  assert.equal(transition('signed', 'revise', 'requesting'), 'draft');
  assert.equal(
    code(() => transition('sent', 'revise', 'requesting')),
    'workflow.transition',
  );
});

test('R13.a: refusal closes an open request; nothing follows a refusal', () => {
  assert.equal(transition('in_progress', 'refuse', 'requested'), 'refused');
  assert.deepEqual(allowedEvents('refused', 'requested'), []);
  assert.equal(
    code(() => transition('refused', 'answer_final', 'requested')),
    'workflow.transition',
  );
});

test('R13.c, R14, R12.c: consultation, additional information and delay notices keep the state', () => {
  for (const s of ['received', 'in_progress', 'postponed', 'partially_answered'] as const) {
    assert.equal(transition(s, 'consult', 'requested'), s);
    assert.equal(transition(s, 'consult', 'requesting'), s);
    assert.equal(transition(s, 'request_additional_info', 'requested'), s);
    assert.equal(transition(s, 'reply_additional_info', 'requesting'), s);
    assert.equal(transition(s, 'notify_delay', 'requested'), s);
  }
});

test('R15: postponed with conditions; accepted conditions resume execution, rejected keep it postponed', () => {
  const s = transition('in_progress', 'propose_conditions', 'requested');
  assert.equal(s, 'postponed');
  assert.equal(transition(s, 'reject_conditions', 'requesting'), 'postponed');
  assert.equal(transition(s, 'accept_conditions', 'requesting'), 'in_progress');
  assert.equal(transition(s, 'withdraw', 'requesting'), 'withdrawn');
});

test('answers: several partial answers precede the final one', () => {
  let s: RequestState = 'in_progress';
  s = transition(s, 'answer_partial', 'requested');
  s = transition(s, 'answer_partial', 'requested');
  assert.equal(s, 'partially_answered');
  assert.equal(transition(s, 'answer_final', 'requested'), 'answered');
});

test('R16: confidentiality notice and the requesting body’s decision are history events', () => {
  assert.equal(transition('in_progress', 'notify_confidentiality_impossible', 'requested'), 'in_progress');
  assert.equal(transition('in_progress', 'continue_without_confidentiality', 'requesting'), 'in_progress');
});

test('R18: a central body forwards a received request to a territorial body', () => {
  assert.equal(transition('received', 'forward', 'requested'), 'received');
  assert.equal(
    code(() => transition('answered', 'forward', 'requested')),
    'workflow.transition',
  );
});

test('workflow: the wrong side is refused with workflow.actor', () => {
  assert.equal(
    code(() => transition('in_progress', 'answer_final', 'requesting')),
    'workflow.actor',
  );
  assert.equal(
    code(() => transition('draft', 'sign', 'requested')),
    'workflow.actor',
  );
  assert.equal(
    code(() => transition('sent', 'receipt', 'requested')),
    'workflow.actor',
  );
});

test('workflow: an unknown event is a coded error', () => {
  assert.equal(
    code(() => transition('draft', 'explode' as WorkflowEvent, 'requesting')),
    'workflow.event',
  );
});

test('workflow: every table entry is an event its actor table knows; terminal states are exactly answered/refused/withdrawn', () => {
  for (const s of REQUEST_STATES) {
    for (const [e, next] of Object.entries(TRANSITIONS[s])) {
      assert.ok((WORKFLOW_EVENTS as readonly string[]).includes(e), `${s}.${e}`);
      assert.ok((REQUEST_STATES as readonly string[]).includes(next), `${s}.${e} → ${next}`);
    }
  }
  assert.deepEqual(REQUEST_STATES.filter(isTerminal), ['answered', 'refused', 'withdrawn']);
});

test('workflow (property): no event sequence reaches a state outside the union; illegal steps throw coded errors and change nothing', () => {
  const step = fc.record({
    event: fc.constantFrom(...WORKFLOW_EVENTS),
    actor: fc.constantFrom<Actor>('requesting', 'requested', 'system'),
  });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      let s: RequestState = 'draft';
      for (const { event, actor } of steps) {
        const before: RequestState = s;
        try {
          s = transition(s, event, actor);
          assert.ok(EVENT_ACTORS[event].includes(actor));
          assert.equal(TRANSITIONS[before][event], s);
        } catch (e) {
          assert.ok(e instanceof EixError && ['workflow.transition', 'workflow.actor'].includes(e.code));
          assert.equal(s, before);
        }
        assert.ok((REQUEST_STATES as readonly string[]).includes(s));
      }
    }),
    { numRuns: 500 },
  );
});

test('workflow (property, R12–R16, R24): walks of legal steps reach every state and take every transition of the table; each step is what the table says', () => {
  // Issue 18 item 5: random event sequences from `draft` almost never get past `signed` (most steps are illegal),
  // so this generator picks among the steps the rules allow at each point (availableEvents, with the history
  // rules of R15 and R16) and asserts what the walks covered.
  const ACTORS: readonly Actor[] = ['requesting', 'requested', 'system'];
  const states = new Set<RequestState>();
  const taken = new Set<string>();
  let steps = 0;
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 40 }), (picks) => {
      let s: RequestState = 'draft';
      const history: HistoryEntry[] = [];
      states.add(s);
      for (const pick of picks) {
        const options = ACTORS.flatMap((a) => availableEvents(s, a, history).map((e) => [e, a] as const));
        if (options.length === 0) {
          assert.ok(isTerminal(s), `no step possible in ${s}, which is not terminal`);
          break;
        }
        const [event, actor] = options[pick % options.length]!;
        const next = nextState(s, event, actor, history);
        assert.equal(next, TRANSITIONS[s][event], `${s}.${event} by ${actor}`);
        taken.add(`${s}.${event}`);
        history.push({ event });
        s = next;
        states.add(s);
        steps++;
      }
    }),
    { numRuns: 4000, seed: 18 },
  );
  assert.deepEqual([...states].sort(), [...REQUEST_STATES].sort(), 'every state reached');
  const table = Object.entries(TRANSITIONS).flatMap(([from, events]) =>
    Object.entries(events as Record<string, RequestState | undefined>)
      .filter(([, to]) => to)
      .map(([event]) => `${from}.${event}`),
  );
  assert.deepEqual(
    table.filter((t) => !taken.has(t)),
    [],
    `transitions never taken (of ${table.length}; ${steps} steps walked)`,
  );
});

test('workflow (property): every state but the terminal ones is reachable from draft', () => {
  const seen = new Set<RequestState>(['draft']);
  const queue: RequestState[] = ['draft'];
  while (queue.length) {
    const s = queue.shift() as RequestState;
    for (const next of Object.values(TRANSITIONS[s])) {
      if (next && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  assert.deepEqual([...seen].sort(), [...REQUEST_STATES].sort());
});
