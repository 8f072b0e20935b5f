// The trust registry in force as the administrator and monitoring see it:
// version, date of issue, age and whether the node still sends under it.
import { registryFreshness } from '../domain/registry.js';
import type { AppContext } from './context.js';

export interface RegistryStatus {
  readonly version: number;
  readonly issuedAt: string;
  readonly ageDays: number;
  readonly maxAgeDays: number;
  /** `aging`: past 80 % of the maximum age; `stale`: past it, outgoing messages are held. */
  readonly state: 'fresh' | 'aging' | 'stale';
}

export function getRegistryStatus(ctx: AppContext): RegistryStatus | null {
  const registry = ctx.registry?.current();
  if (!ctx.registry || !registry) return null;
  const f = registryFreshness(registry, ctx.clock.now(), ctx.registry.maxAgeMs);
  return {
    version: registry.version,
    issuedAt: registry.issuedAt,
    ageDays: Math.floor(f.ageMs / 86_400_000),
    maxAgeDays: ctx.registry.maxAgeMs / 86_400_000,
    state: f.state,
  };
}
