import { describe, expect, it } from 'vitest';
import { createPacer } from '../../src/adapters/slack/pacer.js';

describe('per-channel pacing', () => {
  it('lets a burst through, then about one post a second, per channel', async () => {
    const pacer = createPacer({ burst: 2, perSecond: 10 }); // 100 ms apart after a burst of 2
    const start = Date.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => pacer.take('C1').then(() => times.push(Date.now() - start))));
    const other = Date.now();
    await pacer.take('C2');
    expect(Date.now() - other).toBeLessThan(50); // another channel is not held back
    times.sort((a, b) => a - b);
    expect(times[1]!).toBeLessThan(50); // the burst
    expect(times[4]!).toBeGreaterThanOrEqual(280); // then three more, ~100 ms apart
  });
});
