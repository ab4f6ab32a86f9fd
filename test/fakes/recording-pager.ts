/** A Pager that records every event sent and answers what the test scripted (ok by default). */
import type { Pager, PagerEvent, PagerResult } from '../../src/ports.js';

export interface RecordingPager extends Pager {
  /** Every event sent, in order (copies). */
  readonly events: readonly PagerEvent[];
  /** The next calls answer these results, one each, in order; after them, `{ ok: true }` again. */
  respondNext(...results: PagerResult[]): void;
}

export function recordingPager(): RecordingPager {
  const events: PagerEvent[] = [];
  const scripted: PagerResult[] = [];
  return {
    events,
    respondNext: (...results) => {
      scripted.push(...results);
    },
    async send(event) {
      events.push(structuredClone(event));
      return scripted.shift() ?? { ok: true };
    },
  };
}
