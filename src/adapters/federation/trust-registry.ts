// The trust registry in force, held in memory for the node's readers
// (Federation.registry(), AppContext.treaty() and route()). Replaced only by a
// newer version: install-registry.ts verifies and records it first.
import type { Registry } from '../../domain/registry.js';
import { loadTreaty, type Treaty } from '../../domain/treaty.js';
import type { TrustRegistry } from '../../ports/registry.js';

export function memoryTrustRegistry(opts: {
  readonly initial: Registry | null;
  /** The Agreement when there is no registry yet (the shipped events file). */
  readonly fallbackTreaty: () => Treaty;
  readonly maxAgeMs: number;
}): TrustRegistry {
  // The registry and its treaty change together: a reader never sees one without the other.
  let state: { registry: Registry | null; treaty: Treaty | null } = {
    registry: opts.initial,
    treaty: opts.initial ? loadTreaty(opts.initial.treaty) : null,
  };
  return {
    current: () => state.registry,
    treaty: () => state.treaty ?? opts.fallbackTreaty(),
    replace: (registry) => {
      if (state.registry && registry.version <= state.registry.version) return false;
      state = { registry, treaty: loadTreaty(registry.treaty) };
      return true;
    },
    maxAgeMs: opts.maxAgeMs,
  };
}
