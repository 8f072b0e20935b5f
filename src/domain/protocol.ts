// Protocol versions (docs/MESSAGES.md §3.1): eleven states upgrade their nodes
// on their own schedules, so every message says which version of the protocol
// it is built in, every node entry of the trust registry says which versions
// (and, where it matters, which message types) the node speaks, and a sender
// builds each message in the highest version both sides speak. A message type
// the recipient does not speak yet waits (it is not sent in a shape the peer
// would read wrongly) until the registry says the peer was upgraded.
import { MESSAGE_TYPES, type CatalogueEntry, type MessageType } from './messages.js';
import type { Registry } from './registry.js';

/** Every protocol version this code speaks, oldest first. */
export const PROTOCOL_VERSIONS = [1, 2, 3] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];
/** The version this code builds in when the peer speaks it too. */
export const CURRENT_VERSION: ProtocolVersion = 3;

/** The version that introduced bundles (docs/MESSAGES.md §2.1): many messages in one exchange, one bundle receipt. */
export const BUNDLE_VERSION: ProtocolVersion = 3;

export function isProtocolVersion(v: unknown): v is ProtocolVersion {
  return (PROTOCOL_VERSIONS as readonly unknown[]).includes(v);
}

/** Does `type` exist in protocol version `v`? (Each catalogue entry says the version that introduced it.) */
export function typeInVersion(type: MessageType, v: ProtocolVersion): boolean {
  return ((MESSAGE_TYPES[type] as CatalogueEntry).since ?? 1) <= v;
}

/** What a peer node speaks, as the registry declares it; a node entry without the field speaks version 1 only. */
export interface PeerProtocol {
  readonly versions: readonly number[];
  /** Message types the node accepts; absent: every type of its versions. */
  readonly messageTypes: readonly string[] | null;
}

export function peerProtocol(registry: Registry, party: string): PeerProtocol | null {
  const node = registry.parties[party]?.nodes[0];
  if (!node) return null;
  return { versions: node.protocolVersions ?? [1], messageTypes: node.messageTypes ?? null };
}

export type VersionChoice =
  | { readonly send: true; readonly version: ProtocolVersion }
  /** Held: the peer does not speak any version we speak, or not this message type yet. */
  | { readonly send: false; readonly reason: 'no_common_version' | 'type_not_supported'; readonly versions: number[] };

/** The highest version both sides speak, if the message type exists in it and the peer accepts that type. */
export function chooseVersion(ours: readonly ProtocolVersion[], peer: PeerProtocol, type: MessageType): VersionChoice {
  const common = ours.filter((v) => peer.versions.includes(v)).sort((a, b) => b - a);
  if (common.length === 0) return { send: false, reason: 'no_common_version', versions: [...peer.versions] };
  const version = common.find((v) => typeInVersion(type, v));
  if (version === undefined || (peer.messageTypes !== null && !peer.messageTypes.includes(type))) {
    return { send: false, reason: 'type_not_supported', versions: [...peer.versions] };
  }
  return { send: true, version };
}

/**
 * Whether messages to this peer may travel in bundles: both sides speak the
 * version that introduced them (a peer entry without `protocolVersions` speaks
 * version 1 only). Each message in a bundle keeps its own version.
 */
export function bundlesWith(ours: readonly ProtocolVersion[], peer: PeerProtocol | null): boolean {
  return !!peer && ours.includes(BUNDLE_VERSION) && peer.versions.includes(BUNDLE_VERSION);
}

/** The largest message (and the largest bundle) a node takes in one exchange. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface BundleLimits {
  /** At most this many messages in one bundle (EIX_BUNDLE_MAX_MESSAGES, 1–500; default 100). */
  readonly maxMessages: number;
  /** A bundle is closed before its messages pass this many bytes (EIX_BUNDLE_MAX_BYTES; default 8 MiB). */
  readonly maxBytes: number;
  /** After a message is queued, the worker waits this long for others to join it (EIX_BUNDLE_LINGER_MS; default 5). */
  readonly lingerMs: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = { maxMessages: 100, maxBytes: 8 * 1024 * 1024, lingerMs: 5 };
