/**
 * Store.replays, run against every store: a key is new once, whoever asks, until it expires. The
 * caller opens the store (its own one: prune sees every key) and this closes it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports.js';

const T0 = new Date('2030-05-01T12:00:00.000Z').getTime();
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const key = (): string => `v0=${randomUUID().replace(/-/g, '')}`;

export function replayContract(open: () => Promise<Store>): void {
  describe('replayed requests (Store.replays)', () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const replays = () => store.replays;

    it('says a key is new the first time only, until it expires', async () => {
      const [a, b] = [key(), key()];
      expect(await replays().remember(a, at(300), at(0))).toBe(true);
      expect(await replays().remember(a, at(310), at(10))).toBe(false);
      expect(await replays().remember(b, at(300), at(10))).toBe(true);
      expect(await replays().remember(a, at(599), at(299))).toBe(false);
      // Expired (not pruned yet): the key is taken afresh, with its new expiry.
      expect(await replays().remember(a, at(600), at(300))).toBe(true);
      expect(await replays().remember(a, at(900), at(599))).toBe(false);
    });

    it('lets exactly one of 10 concurrent callers with the same key see it as new', async () => {
      const k = key();
      const results = await Promise.all(Array.from({ length: 10 }, () => replays().remember(k, at(300), at(0))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('keeps keys of any length and character Slack or a forger can send', async () => {
      const odd = `${key()} ünïcødé 'quoted' "double" \\ ; DROP TABLE seen_requests; --${'x'.repeat(2000)}`;
      expect(await replays().remember(odd, at(300), at(0))).toBe(true);
      expect(await replays().remember(odd, at(300), at(1))).toBe(false);
    });

    it('prunes the expired keys only, and counts them', async () => {
      await replays().prune(at(1_000_000));
      const [old1, old2, live] = [key(), key(), key()];
      await replays().remember(old1, at(1_000_100), at(1_000_000));
      await replays().remember(old2, at(1_000_200), at(1_000_000));
      await replays().remember(live, at(1_000_900), at(1_000_000));
      expect(await replays().prune(at(1_000_200))).toBe(2);
      expect(await replays().prune(at(1_000_200))).toBe(0);
      expect(await replays().remember(live, at(1_000_999), at(1_000_300))).toBe(false);
      expect(await replays().remember(old1, at(1_000_999), at(1_000_300))).toBe(true);
    });
  });
}
