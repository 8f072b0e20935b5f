// Issue 14, item 4: the actions the request page offers. The state machine says what may happen
// (workflow.ts: the table and the rules of order); these rules say what makes sense here and now, and which
// two or three actions fit the state and the officer's role first — the rest go under «Другие действия».
// Rule ids (RA.*) are cited by the tests.
import {
  availableEvents,
  confidentialityPending,
  type Actor,
  type RequestState,
  type WorkflowEvent,
} from './workflow.js';

export interface ActionContext {
  state: RequestState;
  /** The officer's side of the request. */
  side: Exclude<Actor, 'system'>;
  /** The request's history (either node's copy). */
  history: readonly { event: string }[];
  /** R16: the requesting body asked for confidentiality. */
  confidential: boolean;
  /** R18: the officer works for a central body (role «central»): only it forwards. */
  central: boolean;
  /** R11, R14: the check on receipt found something missing (incoming only). */
  receiptProblems: boolean;
}

export interface RequestActions {
  /** The two or three actions that fit: shown open. */
  primary: WorkflowEvent[];
  /** Everything else that makes sense: under «Другие действия». */
  other: WorkflowEvent[];
}

const lastIndex = (history: readonly { event: string }[], events: readonly string[]): number =>
  history.reduce((at, h, i) => (events.includes(h.event) ? i : at), -1);

/** The last of `asked` came after the last of `answered`: a question is open. */
const open = (history: readonly { event: string }[], asked: string, answered: readonly string[]): boolean =>
  lastIndex(history, [asked]) > lastIndex(history, answered);

/**
 * Why an event the state machine allows makes no sense here (null: it does). The page never offers it.
 * RA.1 (R16): no confidentiality step on a request that did not ask for confidentiality, nor a second notice.
 * RA.2 (R14): a reply to a request for additional information only while one was asked and is not answered.
 * RA.3 (R15): accepting or rejecting conditions only while conditions were proposed and not yet decided.
 * RA.4 (R18): forwarding to a territorial body is the central body's.
 * RA.5: events of the transport (the receipt, the sending) are no officer's action.
 */
export function senselessReason(event: WorkflowEvent, c: ActionContext): string | null {
  switch (event) {
    case 'notify_confidentiality_impossible':
      if (!c.confidential) return 'RA.1';
      return confidentialityPending(c.history) ? 'RA.1' : null;
    case 'continue_without_confidentiality':
      return c.confidential ? null : 'RA.1';
    case 'reply_additional_info':
      return open(c.history, 'request_additional_info', ['reply_additional_info']) ? null : 'RA.2';
    case 'accept_conditions':
    case 'reject_conditions':
      return open(c.history, 'propose_conditions', ['accept_conditions', 'reject_conditions']) ? null : 'RA.3';
    case 'forward':
      return c.central ? null : 'RA.4';
    case 'receipt':
    case 'send':
      return 'RA.5';
    default:
      return null;
  }
}

/**
 * RA.6: the actions that come first, by state and side — the rest of what makes sense goes under «Другие действия».
 * Requested side: received → take into work and answer; in progress → answer (and ask for what is missing when
 * the check on receipt found gaps); postponed → resume and answer. Requesting side: whatever the other side
 * is waiting for (a reply to its questions, a decision on conditions or on confidentiality); a draft → sign.
 * A central body's received request → forward it to the competent territorial body (R18), when offered (RA.4).
 */
const PRIMARY: readonly WorkflowEvent[] = [
  'sign',
  'take_into_work',
  'resume',
  'answer_final',
  'answer_partial',
  'reply_additional_info',
  'accept_conditions',
  'reject_conditions',
  'continue_without_confidentiality',
  'forward',
];

export function requestActions(c: ActionContext): RequestActions {
  const sensible = availableEvents(c.state, c.side, c.history).filter((e) => senselessReason(e, c) === null);
  const isPrimary = (e: WorkflowEvent) => PRIMARY.includes(e) || (e === 'request_additional_info' && c.receiptProblems);
  return { primary: sensible.filter(isPrimary), other: sensible.filter((e) => !isPrimary(e)) };
}
