/**
 * The per-channel pacing of posts, on vitest's fake clock: which post goes out when is read from
 * the clock itself, so nothing here depends on how busy the machine is.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKGROUND_YIELD_MS, createPacer, type Pace, type Pacer } from '../../src/adapters/slack/pacer.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Records, for each take, its name and the fake time at which it was let through. */
function recorder(pacer: Pacer) {
  const out: Array<[string, number]> = [];
  const take = (name: string, channel = 'C1', pace?: Pace) => {
    void pacer.take(channel, pace).then(() => out.push([name, Date.now()]));
  };
  return { out, take };
}

describe('per-channel pacing', () => {
  it('lets a burst through at once, then one post per interval, in order of arrival', async () => {
    const { out, take } = recorder(createPacer({ burst: 2, perSecond: 10 }));
    for (const name of ['a', 'b', 'c', 'd', 'e']) take(name);
    await vi.advanceTimersByTimeAsync(1000);
    expect(out).toEqual([['a', 0], ['b', 0], ['c', 100], ['d', 200], ['e', 300]]);
  });

  it('holds no channel back for another one', async () => {
    const { out, take } = recorder(createPacer({ burst: 1, perSecond: 1 }));
    take('a1', 'C1');
    take('a2', 'C1');
    take('b1', 'C2');
    await vi.advanceTimersByTimeAsync(2000);
    expect(out).toEqual([['a1', 0], ['b1', 0], ['a2', 1000]]);
  });

  it('refills while idle, up to the burst and no more', async () => {
    const { out, take } = recorder(createPacer({ burst: 2, perSecond: 1 }));
    take('a');
    take('b');
    await vi.advanceTimersByTimeAsync(10_000);
    for (const name of ['c', 'd', 'e']) take(name);
    await vi.advanceTimersByTimeAsync(2000);
    expect(out).toEqual([['a', 0], ['b', 0], ['c', 10_000], ['d', 10_000], ['e', 11_000]]);
  });

  it('lets a post someone waits for go before scheduled posts queued less than the yield before it', async () => {
    const { out, take } = recorder(createPacer({ burst: 1, perSecond: 1 }));
    // Twelve escalations at once: the first goes, the others queue a second apart.
    for (let i = 1; i <= 12; i += 1) take(`escalation ${i}`, 'C1', 'background');
    await vi.advanceTimersByTimeAsync(500);
    take('announcement', 'C1', 'now');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(out.slice(0, 3)).toEqual([['escalation 1', 0], ['announcement', 1000], ['escalation 2', 2000]]);
    expect(out).toHaveLength(13);
    expect(out.at(-1)).toEqual(['escalation 12', 12_000]);
  });

  it('keeps a scheduled post queued longer than the yield ahead of a later post, and only that one', async () => {
    expect(BACKGROUND_YIELD_MS).toBe(30_000);
    const { out, take } = recorder(createPacer({ burst: 1, perSecond: 1 / 40 })); // one post every 40 s
    for (const channel of ['C1', 'C2']) {
      take(`first in ${channel}`, channel);
      take(`reminder in ${channel}`, channel, 'background'); // queued at 0, due at 40 s
    }
    await vi.advanceTimersByTimeAsync(29_999);
    take('report in C2', 'C2', 'now'); // placed as if it came at -1 ms: before the reminder
    await vi.advanceTimersByTimeAsync(2);
    take('report in C1', 'C1', 'now'); // placed as if it came at 1 ms: after it
    await vi.advanceTimersByTimeAsync(100_000);
    expect(out).toEqual([
      ['first in C1', 0], ['first in C2', 0],
      ['reminder in C1', 40_000], ['report in C2', 40_000],
      ['report in C1', 80_000], ['reminder in C2', 80_000],
    ]);
  });

  it('serves posts of the same pace in order of arrival, whatever their number', async () => {
    const { out, take } = recorder(createPacer({ burst: 1, perSecond: 100 }));
    const names = Array.from({ length: 50 }, (_, i) => `p${i}`);
    for (const [i, name] of names.entries()) take(name, 'C1', i % 2 === 0 ? 'now' : 'background');
    await vi.advanceTimersByTimeAsync(1000);
    const nowPosts = out.map(([n]) => n).filter((n) => Number(n.slice(1)) % 2 === 0);
    const later = out.map(([n]) => n).filter((n) => Number(n.slice(1)) % 2 === 1);
    expect(nowPosts).toEqual(names.filter((_, i) => i % 2 === 0));
    expect(later).toEqual(names.filter((_, i) => i % 2 === 1));
    // p0 first (the burst), then every "now" post before every scheduled one: all arrived within the yield.
    expect(out.map(([n]) => n)).toEqual(['p0', ...names.filter((_, i) => i % 2 === 0).slice(1), ...names.filter((_, i) => i % 2 === 1)]);
  });
});
