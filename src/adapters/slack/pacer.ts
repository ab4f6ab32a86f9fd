/**
 * Keeps posts to any one channel to about one a second, as Slack asks, while allowing a short
 * burst (a declaration posts several messages at once). Waiters are served in order per channel.
 */
export interface Pacer {
  /** Resolves when a post to `channel` may go out. */
  take(channel: string): Promise<void>;
}

export function createPacer(options: { burst?: number; perSecond?: number; now?: () => number } = {}): Pacer {
  const burst = options.burst ?? 3;
  const interval = 1000 / (options.perSecond ?? 1);
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number; queue: Promise<void> }>();

  return {
    take(channel) {
      const b = buckets.get(channel) ?? { tokens: burst, at: now(), queue: Promise.resolve() };
      buckets.set(channel, b);
      const turn = b.queue.then(async () => {
        const t = now();
        b.tokens = Math.min(burst, b.tokens + (t - b.at) / interval);
        b.at = t;
        if (b.tokens < 1) {
          const wait = (1 - b.tokens) * interval;
          await new Promise((resolve) => setTimeout(resolve, wait));
          b.tokens = 1;
          b.at = now();
        }
        b.tokens -= 1;
      });
      b.queue = turn;
      // Forget a channel once its bucket would be full again, so the map does not grow forever.
      void turn.then(() => {
        setTimeout(() => b.queue === turn && buckets.delete(channel), burst * interval).unref();
      });
      return turn;
    },
  };
}
