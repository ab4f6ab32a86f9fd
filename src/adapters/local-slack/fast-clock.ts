/**
 * Local mode's clock: real time, or faster (×60: the 15-minute reminder after 15 seconds). The
 * reminders engine reads it through the Clock port like the system clock, and converts its waits
 * with toRealMs. Its time never goes back: changing the speed keeps the time reached so far.
 */
import type { Clock } from '../../ports.js';

export const CLOCK_FACTORS: readonly number[] = [1, 10, 60];

export interface FastClock extends Clock {
  factor(): number;
  /** Refuses a speed the console does not offer (returns false). */
  setFactor(factor: number): boolean;
}

export function fastClock(realNow: () => number = Date.now): FastClock {
  let factor = 1;
  // Clock time = base + (real - realBase) × factor, rebased at each change of speed.
  let base = realNow();
  let realBase = base;
  const listeners = new Set<() => void>();
  const nowMs = () => base + (realNow() - realBase) * factor;
  return {
    now: () => new Date(nowMs()),
    toRealMs: (clockMs) => clockMs / factor,
    onSpeedChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    factor: () => factor,
    setFactor(next) {
      if (!CLOCK_FACTORS.includes(next)) return false;
      if (next === factor) return true;
      base = nowMs();
      realBase = realNow();
      factor = next;
      for (const listener of [...listeners]) listener();
      return true;
    },
  };
}
