// What the federation adapters need beside the use cases' context: the
// verified trust registry, the bodies' signing keys, this node's TLS identity.
import type { AppContext } from '../../app/context.js';
import { MAX_MESSAGE_BYTES, type BundleLimits, type ProtocolVersion } from '../../domain/protocol.js';
import type { Registry } from '../../domain/registry.js';
import type { BodySigner } from '../../ports/signer.js';
import type { HoldHook } from './receipt-hold.js';

export interface TlsIdentity {
  /** This node's certificate followed by its Party CA (the chain a peer needs). */
  readonly certChainPem: string;
  readonly keyPem: string;
  /** The depositary root: the only TLS trust anchor; Parties are bound by the registry. */
  readonly rootPem: string;
}

export interface Federation {
  readonly app: AppContext;
  registry(): Registry;
  readonly signer: BodySigner;
  readonly nodeId: string;
  readonly tls: TlsIdentity;
  /** Bounded clock skew between nodes: a message may not come from further in the future. */
  readonly clockSkewMs: number;
  /** How old a message may be on arrival (a retried message keeps its first signature and time). */
  readonly maxMessageAgeMs: number;
  /** Past this age (from its issuedAt) of the registry in force the outbox holds messages (registry.stale). */
  readonly registryMaxAgeMs: number;
  /** Delivery attempts before a message is marked failed. */
  readonly maxAttempts: number;
  /** Protocol versions this node speaks (EIX_PROTOCOL_VERSIONS; all this code knows by default). */
  readonly protocolVersions: readonly ProtocolVersion[];
  /** Bundled delivery (protocol version 3): how many messages and bytes go in one bundle, how long to wait for more. */
  readonly bundle: BundleLimits;
  /** Fault tests only (EIX_TEST_HOLD_RECEIPT, receipt-hold.ts): holds a receipt in its transaction or before the answer. */
  readonly holdReceipt?: HoldHook | undefined;
}

export const MESSAGE_JWS_TYPE = 'eix-message+jws';
export const RECEIPT_JWS_TYPE = 'eix-receipt+jws';
export { MAX_MESSAGE_BYTES, type BundleLimits };
export const BUNDLE_RECEIPT_JWS_TYPE = 'eix-bundle-receipt+jws';
export const FEDERATION_PATH = '/federation/v1/messages';
/** Bundles of messages (protocol version 3, docs/MESSAGES.md §2.1). */
export const BUNDLE_PATH = '/federation/v1/bundles';
export const BUNDLE_MEDIA_TYPE = 'application/eix-bundle+json';
