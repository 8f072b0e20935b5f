import type { Clock } from '../../ports/clock.js';

export const systemClock: Clock = { now: () => new Date() };

/** A clock fixed at an instant (tests, reproducible demos: EIX_TODAY). */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}
