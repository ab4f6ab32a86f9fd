/** A Clock that moves only when a test moves it. */
import type { Clock } from '../../src/ports.js';

export interface ManualClock extends Clock {
  /** Jumps to `date` (backwards too: a test may replay a moment). */
  set(date: Date): void;
  /** Moves forward by `ms` and returns the new time. */
  advance(ms: number): Date;
}

/** A clock standing at `start` until told otherwise. */
export function manualClock(start: Date = new Date('2025-03-04T14:00:00.000Z')): ManualClock {
  const check = (ms: number): number => {
    if (!Number.isFinite(ms)) throw new Error(`manualClock: not a time: ${ms}`);
    return ms;
  };
  let current = check(start.getTime());
  return {
    // A new Date each time: a caller that mutates it must not move the clock.
    now: () => new Date(current),
    set(date) {
      current = check(date.getTime());
    },
    advance(ms) {
      if (check(ms) < 0) throw new Error(`manualClock.advance: ${ms} ms is backwards; use set()`);
      current += ms;
      return new Date(current);
    },
  };
}
