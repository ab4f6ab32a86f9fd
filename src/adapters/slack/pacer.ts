/**
 * Keeps posts to any one channel to about one a second, as Slack asks, while allowing a short
 * burst (a declaration posts several messages at once). Waiters of a channel are served in order,
 * except that a post a person is waiting for (an announcement, a report) goes before the scheduled
 * ones (reminders, escalations) queued less than BACKGROUND_YIELD_MS before it: after an outage a
 * burst of escalations (two posts each in the incidents channel, a second apart) must not hold a
 * new incident's announcement back for tens of seconds, and a scheduled post never waits more
 * than that longer because of people's posts.
 */

/** `now`: someone waits for this post; `background`: scheduled work nobody is watching for. */
export type Pace = 'now' | 'background';

export interface Pacer {
  /** Resolves when a post to `channel` may go out. */
  take(channel: string, pace?: Pace): Promise<void>;
}

/** How much earlier than its arrival a post of pace `now` is placed in its channel's queue. */
export const BACKGROUND_YIELD_MS = 30_000;

interface Waiter {
  /** Its place in the queue: arrival time, minus the yield for a `now` post. */
  key: number;
  go: () => void;
}

interface Bucket {
  tokens: number;
  at: number;
  waiting: Waiter[];
  timer: ReturnType<typeof setTimeout> | null;
}

export function createPacer(options: { burst?: number; perSecond?: number; now?: () => number } = {}): Pacer {
  const burst = options.burst ?? 3;
  const interval = 1000 / (options.perSecond ?? 1);
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  const refill = (b: Bucket): void => {
    const t = now();
    b.tokens = Math.min(burst, b.tokens + (t - b.at) / interval);
    b.at = t;
  };

  const serve = (channel: string, b: Bucket): void => {
    b.timer = null;
    refill(b);
    while (b.tokens >= 1 && b.waiting.length > 0) {
      b.tokens -= 1;
      b.waiting.shift()?.go();
    }
    if (b.waiting.length > 0) {
      b.timer = setTimeout(() => serve(channel, b), Math.ceil((1 - b.tokens) * interval));
      return;
    }
    // Forget a channel once its bucket is full again, so the map does not grow forever.
    setTimeout(() => {
      refill(b);
      if (b.waiting.length === 0 && b.timer === null && b.tokens >= burst && buckets.get(channel) === b) buckets.delete(channel);
    }, burst * interval).unref();
  };

  return {
    take(channel, pace = 'now') {
      let b = buckets.get(channel);
      if (!b) {
        b = { tokens: burst, at: now(), waiting: [], timer: null };
        buckets.set(channel, b);
      }
      const bucket = b;
      return new Promise<void>((go) => {
        const key = now() - (pace === 'now' ? BACKGROUND_YIELD_MS : 0);
        // After every waiter with a key at most as small: in order of arrival within each pace.
        const at = bucket.waiting.findIndex((w) => w.key > key);
        bucket.waiting.splice(at === -1 ? bucket.waiting.length : at, 0, { key, go });
        if (bucket.timer === null) serve(channel, bucket);
      });
    },
  };
}
