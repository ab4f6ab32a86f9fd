import { describe, expect, it } from 'vitest';
import { DETECTION_LOOKBACK_MS, detectionTime } from '../../../src/core/incident/incident.js';

const declared = new Date('2026-12-02T10:00:00Z');

describe('the detection time kept for an incident', () => {
  it('is the time told when it is before the declaration, within a week', () => {
    expect(detectionTime(new Date('2026-12-02T09:58:00Z'), declared)?.toISOString()).toBe('2026-12-02T09:58:00.000Z');
    const weekAgo = new Date(declared.getTime() - DETECTION_LOOKBACK_MS);
    expect(detectionTime(weekAgo, declared)).toEqual(weekAgo);
    expect(DETECTION_LOOKBACK_MS).toBe(7 * 86_400_000);
  });

  it('is the declaration itself when told after it (a clock ahead of ours)', () => {
    const told = new Date('2026-12-02T10:00:03Z');
    const kept = detectionTime(told, declared);
    expect(kept?.toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(kept).not.toBe(declared);
  });

  it('is unknown when not told, unreadable, or more than a week before', () => {
    expect(detectionTime(null, declared)).toBeNull();
    expect(detectionTime(undefined, declared)).toBeNull();
    expect(detectionTime(new Date('nope'), declared)).toBeNull();
    expect(detectionTime(new Date(declared.getTime() - DETECTION_LOOKBACK_MS - 1), declared)).toBeNull();
  });
});
