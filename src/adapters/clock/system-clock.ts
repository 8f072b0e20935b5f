import type { Clock } from '../../ports/clock.js';

export const systemClock: Clock = { now: () => new Date() };

/** A clock fixed at an instant (tests, reproducible demos: EIX_TODAY). */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}

/** The system clock moved so that today is `date` (EIX_TODAY for demos): time still runs. */
export function shiftedClock(date: string): Clock {
  const now = Date.now();
  const target = Date.parse(`${date}T00:00:00Z`) + (now % 86_400_000);
  const offset = target - now;
  return { now: () => new Date(Date.now() + offset) };
}
