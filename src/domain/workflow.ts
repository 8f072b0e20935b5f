// The request workflow as an explicit state machine (ARCHITECTURE rule 8).
// States are a union; transitions are one table; an event that the table does
// not allow in a state, or that the wrong side sends, is a coded error.
//
// Both nodes run the same machine for the same request: the requesting node
// from `draft`, the requested node from `received` (its first event is the
// receipt it issues). Events that only add to the history (consultations,
// additional information, delay notices, confidentiality notices) keep the
// state and are listed as self-transitions so that they are still checked.
import { EixError } from './errors.js';
import { ACTOR_LABELS, EVENT_ACTION_LABELS, REFUSAL_GROUND_LABELS, STATE_LABELS } from './vocabulary.js';

export const REQUEST_STATES = [
  'draft',
  'signed',
  'sent',
  'received',
  'in_progress',
  'postponed',
  'partially_answered',
  'answered',
  'refused',
  'withdrawn',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const WORKFLOW_EVENTS = [
  // requesting body
  'sign',
  'revise',
  'send',
  'withdraw',
  'reply_additional_info',
  'accept_conditions',
  'reject_conditions',
  'continue_without_confidentiality',
  // transport
  'receipt',
  // requested body
  'take_into_work',
  'forward',
  'request_additional_info',
  'notify_delay',
  'postpone',
  'propose_conditions',
  'resume',
  'notify_confidentiality_impossible',
  'answer_partial',
  'answer_final',
  'refuse',
  // either side
  'consult',
] as const;
export type WorkflowEvent = (typeof WORKFLOW_EVENTS)[number];

/**
 * History entries that are no state-machine event: a consent asked for and answered (R9.2), a message that could
 * not be delivered, the other Party's notice that it destroyed what this node provided (R9.6).
 */
export const HISTORY_EVENTS = ['consent_request', 'consent_answer', 'delivery_failed', 'deletion_notice'] as const;
export type RequestEventKind = WorkflowEvent | (typeof HISTORY_EVENTS)[number];

export type Actor = 'requesting' | 'requested' | 'system';

/** Who may cause each event. `consult` is open to both sides (R13.c, R15). */
export const EVENT_ACTORS: Readonly<Record<WorkflowEvent, readonly Actor[]>> = {
  sign: ['requesting'],
  revise: ['requesting'],
  send: ['requesting'],
  withdraw: ['requesting'],
  reply_additional_info: ['requesting'],
  accept_conditions: ['requesting'],
  reject_conditions: ['requesting'],
  continue_without_confidentiality: ['requesting'],
  receipt: ['system'],
  take_into_work: ['requested'],
  forward: ['requested'],
  request_additional_info: ['requested'],
  notify_delay: ['requested'],
  postpone: ['requested'],
  propose_conditions: ['requested'],
  resume: ['requested'],
  notify_confidentiality_impossible: ['requested'],
  answer_partial: ['requested'],
  answer_final: ['requested'],
  refuse: ['requested'],
  consult: ['requesting', 'requested'],
};

/** States in which the requested side is still executing the request. */
/** Received and not yet finally answered or refused: the R12 term runs. */
export const OPEN_STATES: readonly RequestState[] = ['received', 'in_progress', 'postponed', 'partially_answered'];

type Table = Readonly<Record<RequestState, Readonly<Partial<Record<WorkflowEvent, RequestState>>>>>;

function stay(state: RequestState, events: readonly WorkflowEvent[]): Partial<Record<WorkflowEvent, RequestState>> {
  return Object.fromEntries(events.map((e) => [e, state]));
}

/** History-only events allowed while a request is open; they keep the state. */
const OPEN_HISTORY_EVENTS: readonly WorkflowEvent[] = [
  'consult', // R13.c, R15
  'request_additional_info',
  'reply_additional_info', // R14
  'notify_delay', // R12.c
  'notify_confidentiality_impossible',
  'continue_without_confidentiality', // R16
];

export const TRANSITIONS: Table = {
  draft: { sign: 'signed' },
  signed: { revise: 'draft', send: 'sent' },
  // After sending, a withdrawal may overtake the receipt (R15: the requesting body may withdraw).
  sent: { receipt: 'received', withdraw: 'withdrawn' },
  received: {
    ...stay('received', [...OPEN_HISTORY_EVENTS, 'forward']), // R18: a central body forwards to a territorial one
    take_into_work: 'in_progress',
    postpone: 'postponed', // R15
    propose_conditions: 'postponed', // R15
    answer_partial: 'partially_answered',
    answer_final: 'answered',
    refuse: 'refused', // R13.a
    withdraw: 'withdrawn',
  },
  in_progress: {
    ...stay('in_progress', [...OPEN_HISTORY_EVENTS, 'forward']),
    postpone: 'postponed',
    propose_conditions: 'postponed',
    answer_partial: 'partially_answered',
    answer_final: 'answered',
    refuse: 'refused',
    withdraw: 'withdrawn',
  },
  postponed: {
    ...stay('postponed', [...OPEN_HISTORY_EVENTS, 'propose_conditions', 'reject_conditions']), // R15: rejected → stays postponed
    accept_conditions: 'in_progress', // R15: both are bound by the accepted conditions
    resume: 'in_progress',
    answer_final: 'answered',
    refuse: 'refused',
    withdraw: 'withdrawn',
  },
  partially_answered: {
    ...stay('partially_answered', [...OPEN_HISTORY_EVENTS, 'answer_partial']),
    postpone: 'postponed',
    propose_conditions: 'postponed',
    answer_final: 'answered',
    refuse: 'refused',
    withdraw: 'withdrawn',
  },
  answered: {},
  refused: {},
  withdrawn: {},
};

export function isTerminal(state: RequestState): boolean {
  return Object.keys(TRANSITIONS[state]).length === 0;
}

export function isOpen(state: RequestState): boolean {
  return OPEN_STATES.includes(state);
}

/** Events the given side may cause in a state (for the UI's action buttons). */
export function allowedEvents(state: RequestState, actor: Actor): WorkflowEvent[] {
  return (Object.keys(TRANSITIONS[state]) as WorkflowEvent[]).filter((e) => EVENT_ACTORS[e].includes(actor));
}

/** The state after `event`, or an EixError naming the state, event and actor. */
export function transition(state: RequestState, event: WorkflowEvent, actor: Actor): RequestState {
  if (!(WORKFLOW_EVENTS as readonly string[]).includes(event)) {
    throw new EixError('workflow.event', { event }, `Неизвестное действие с запросом: ${String(event)}`);
  }
  if (!EVENT_ACTORS[event].includes(actor)) {
    throw new EixError(
      'workflow.actor',
      { state, event, actor },
      `Действие «${EVENT_LABELS_RU[event]}» выполняет ${EVENT_ACTORS[event].map((a) => ACTOR_LABELS_RU[a]).join(' или ')}, а не ${ACTOR_LABELS_RU[actor]}`,
    );
  }
  const next = TRANSITIONS[state][event];
  if (next === undefined) {
    throw new EixError(
      'workflow.transition',
      { state, event, actor },
      `Действие «${EVENT_LABELS_RU[event]}» недопустимо: запрос в состоянии «${STATE_LABELS_RU[state]}»`,
    );
  }
  return next;
}

/** One entry of a request's history as the order rules read it (either node's copy: same events, same order). */
export interface HistoryEntry {
  readonly event: string;
}

/** R16: the requested body said confidentiality cannot be kept, and the requesting body has not yet decided. */
export function confidentialityPending(history: readonly HistoryEntry[]): boolean {
  const last = (e: WorkflowEvent) => history.map((h) => h.event).lastIndexOf(e);
  return last('notify_confidentiality_impossible') > last('continue_without_confidentiality');
}

/** R15: a consultation with the requesting body took place on this request. */
export function consulted(history: readonly HistoryEntry[]): boolean {
  return history.some((h) => h.event === 'consult');
}

/**
 * R15, R16: rules of order that the state alone does not carry, as a pure
 * function over the request's history, so that both nodes (the officer's step
 * and the other Party's message) apply them alike. Null when `event` may follow.
 */
export function orderProblem(
  history: readonly HistoryEntry[],
  event: WorkflowEvent,
): {
  code: 'workflow.consultation_required' | 'workflow.confidentiality_pending' | 'workflow.confidentiality_not_notified';
  message: string;
} | null {
  switch (event) {
    case 'propose_conditions': // R15: «… после консультаций с органом … запрашивающей Стороны»
      return consulted(history)
        ? null
        : {
            code: 'workflow.consultation_required',
            message:
              'Условия исполнения определяются после консультаций с запрашивающим органом: сначала проведите консультацию по этому запросу (статья 15)',
          };
    case 'answer_partial':
    case 'answer_final': // R16: the requesting body «решает, следует ли исполнять запрос на таких условиях»
      return confidentialityPending(history)
        ? {
            code: 'workflow.confidentiality_pending',
            message:
              'Ответ невозможен: запрашивающий орган ещё не решил, исполнять ли запрос без сохранения конфиденциальности (статья 16)',
          }
        : null;
    case 'continue_without_confidentiality':
      return confidentialityPending(history)
        ? null
        : {
            code: 'workflow.confidentiality_not_notified',
            message:
              'Исполнять без конфиденциальности можно решить только после уведомления запрашиваемого органа о невозможности её сохранить (статья 16)',
          };
    default:
      return null;
  }
}

/** The state after `event` given the history so far: the transition table, then the rules of order (R15, R16). */
export function nextState(
  state: RequestState,
  event: WorkflowEvent,
  actor: Actor,
  history: readonly HistoryEntry[],
): RequestState {
  const next = transition(state, event, actor);
  const problem = orderProblem(history, event);
  if (problem) throw new EixError(problem.code, { state, event, actor }, problem.message);
  return next;
}

/** Events the side may cause now: allowed in the state and by the rules of order (the UI's buttons). */
export function availableEvents(state: RequestState, actor: Actor, history: readonly HistoryEntry[]): WorkflowEvent[] {
  return allowedEvents(state, actor).filter((e) => orderProblem(history, e) === null);
}

/** Replays a history from the side's initial state. */
export function replay(
  events: readonly { event: WorkflowEvent; actor: Actor }[],
  initial: RequestState = 'draft',
): RequestState {
  return events.reduce<RequestState>((s, e, i) => nextState(s, e.event, e.actor, events.slice(0, i)), initial);
}

// Russian labels live in the one vocabulary (vocabulary.ts); these names stay for existing callers.
export const STATE_LABELS_RU = STATE_LABELS;
/** The action an officer takes (infinitive); history entries use HISTORY_EVENT_LABELS (past events). */
export const EVENT_LABELS_RU = EVENT_ACTION_LABELS;
const ACTOR_LABELS_RU = ACTOR_LABELS;

/** R13.a — grounds on which a request may be refused; a refusal states one and the circumstances. */
export const REFUSAL_GROUNDS = ['sovereignty', 'security', 'law', 'international_obligations', 'declaration'] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

export const REFUSAL_GROUND_LABELS_RU = REFUSAL_GROUND_LABELS;
