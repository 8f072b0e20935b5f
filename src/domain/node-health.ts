// The node's health as an operator reads it (issue 15, item 4; what an X-Road security server shows):
// whether a peer answers, which certificates are about to expire, when the trust registry stops being
// usable. Pure rules over facts the use case gathers; no clock of its own (the instant is passed in).
import { deliveryCause, DELIVERY_CAUSE_TEXT, type DeliveryCause } from './delivery-status.js';

const DAY_MS = 86_400_000;

/** Certificates that expire within this many days are flagged (issue 15, items 1 and 4). */
export const EXPIRY_WARNING_DAYS = 30;

export type CertificateState = 'valid' | 'expiring' | 'expired' | 'not_yet_valid';

export interface CertificateValidity {
  readonly state: CertificateState;
  /** Whole days left until notAfter (negative once expired). */
  readonly daysLeft: number;
}

export function certificateValidity(notBefore: string, notAfter: string, now: Date): CertificateValidity {
  const end = Date.parse(notAfter);
  const daysLeft = Math.floor((end - now.getTime()) / DAY_MS);
  if (now.getTime() < Date.parse(notBefore)) return { state: 'not_yet_valid', daysLeft };
  if (now.getTime() >= end) return { state: 'expired', daysLeft };
  return { state: daysLeft < EXPIRY_WARNING_DAYS ? 'expiring' : 'valid', daysLeft };
}

export const CERTIFICATE_STATE_RU: Readonly<Record<CertificateState, string>> = {
  valid: 'действует',
  expiring: 'скоро истекает',
  expired: 'срок истёк',
  not_yet_valid: 'ещё не действует',
};

/** Causes that say the peer did not answer as a node should: it counts as unreachable. */
const DOWN_CAUSES: ReadonlySet<DeliveryCause> = new Set(['unreachable', 'peer_identity', 'peer_busy', 'peer_error']);
/** Causes found on this node before anything was sent: they say nothing about the peer. */
const LOCAL_CAUSES: ReadonlySet<DeliveryCause> = new Set([
  'signer_missing',
  'registry_stale',
  'registry_node',
  'local_error',
]);

export interface PeerFacts {
  /** The newest delivery to the peer or message received from it. */
  readonly lastSuccessAt: string | null;
  /** The newest failed attempt to the peer, with its stored «code: message». */
  readonly lastErrorAt: string | null;
  readonly lastError: string | null;
}

export interface PeerState {
  /** true: the peer answered last; false: the newest attempt found it down; null: nothing to go by. */
  readonly reachable: boolean | null;
  readonly lastErrorCause: DeliveryCause | null;
  /** The last error in plain Russian (never the stored code or the other node's text). */
  readonly lastErrorRu: string | null;
}

export function peerState(f: PeerFacts): PeerState {
  const cause = deliveryCause(f.lastError);
  const lastErrorRu = cause ? DELIVERY_CAUSE_TEXT[cause].reason : null;
  const success = f.lastSuccessAt ? Date.parse(f.lastSuccessAt) : null;
  // The newest failure that involved the peer at all (an answer with an error code means it is up).
  const failure = cause && !LOCAL_CAUSES.has(cause) && f.lastErrorAt ? Date.parse(f.lastErrorAt) : null;
  let reachable: boolean | null;
  if (failure !== null && (success === null || failure > success)) reachable = !DOWN_CAUSES.has(cause!);
  else reachable = success !== null ? true : null;
  return { reachable, lastErrorCause: cause, lastErrorRu };
}

/** The trust registry's end of use: its issue date plus the node's maximum age (EIX_REGISTRY_MAX_AGE_DAYS). */
export function registryExpiresAt(issuedAt: string, maxAgeMs: number): string {
  return new Date(Date.parse(issuedAt) + maxAgeMs).toISOString();
}
