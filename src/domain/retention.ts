// R9.6 (Article 9(6)): information received under the Agreement is kept for
// the periods set by the law of the requesting Party, then destroyed. Which
// Party's rule governs a kind of stored data, which rule applies (a rule for
// the kind, else the Party's general rule) and when its period ends — pure.
// docs/ARCHITECTURE.md, decision 26, states the choices.
import { RETENTION_KIND_LABELS } from './vocabulary.js';
import { isTerminal, type RequestState } from './workflow.js';

/** What a retention rule covers; `all` is a Party's general period, the others override it for one kind. */
export const RETENTION_KINDS = [
  'all',
  'answers_received',
  'incoming_requests',
  'answers_sent',
  'step_texts',
  'messages',
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];
/** A kind of stored data the purge destroys (every kind but the general `all`). */
export type DataKind = Exclude<RetentionKind, 'all'>;

/** Russian labels: the vocabulary's (vocabulary.ts). */
export const RETENTION_KIND_LABELS_RU = RETENTION_KIND_LABELS;

export interface RetentionRuleRef {
  readonly party: string;
  readonly kind: RetentionKind;
  readonly months: number;
  readonly legalBasis: string;
}

/** The kinds a request of this direction holds: the requesting side holds what it received; the requested side the request and its own answers. */
export function dataKindsOf(direction: 'incoming' | 'outgoing'): readonly DataKind[] {
  return direction === 'outgoing'
    ? ['answers_received', 'step_texts', 'messages']
    : ['incoming_requests', 'answers_sent', 'step_texts', 'messages'];
}

/**
 * R9.6: the Party whose law governs a request's data — the requesting Party:
 * this node's own Party for its outgoing requests, the counterpart for
 * incoming ones.
 */
export function governingParty(
  request: { direction: 'incoming' | 'outgoing'; counterpartParty: string },
  ownParty: string,
): string {
  return request.direction === 'outgoing' ? ownParty : request.counterpartParty;
}

/** The rule for `kind` set for `party`, else that Party's general rule, else null (a missing rule: nothing is destroyed). */
export function ruleFor(rules: readonly RetentionRuleRef[], party: string, kind: DataKind): RetentionRuleRef | null {
  return (
    rules.find((r) => r.party === party && r.kind === kind) ??
    rules.find((r) => r.party === party && r.kind === 'all') ??
    null
  );
}

/** `from` plus whole calendar months (the end of a shorter month when the day does not exist), UTC. */
export function addMonths(from: Date, months: number): Date {
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  target.setUTCHours(from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds());
  return target;
}

/**
 * R9.6: the period runs from the request's last event once the request is in
 * a final state (answered, refused, withdrawn); a request still open is in use
 * for its purpose (R9.1) and is kept. Returns the instant the data may be
 * destroyed, or null while the request is open.
 */
export function retentionEnds(
  request: { state: RequestState; lastEventAt: Date },
  rule: Pick<RetentionRuleRef, 'months'>,
): Date | null {
  if (!isTerminal(request.state)) return null;
  return addMonths(request.lastEventAt, rule.months);
}
