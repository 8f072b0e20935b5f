// The trust registry in force on this node. A running node replaces it when
// the depositary publishes a newer one (src/app/install-registry.ts); every
// reader asks for it at the moment it needs it, so a revocation or a treaty
// event takes effect on the next message without a restart.
import type { Registry } from '../domain/registry.js';
import type { Treaty } from '../domain/treaty.js';

export interface TrustRegistry {
  /** The verified registry in force, or null on a node not yet connected to the exchange. */
  current(): Registry | null;
  /** The Agreement as the registry in force describes it (the shipped events file without a registry). */
  treaty(): Treaty;
  /** Puts a verified, accepted registry in force; a registry not newer than the one in force is ignored (false). */
  replace(registry: Registry): boolean;
  /** The configured maximum age of a registry (from its issuedAt) under which the node sends messages. */
  readonly maxAgeMs: number;
}
