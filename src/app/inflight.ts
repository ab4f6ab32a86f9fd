/**
 * Tracks work that runs after the 3-second acknowledgement, so a graceful shutdown can wait for
 * it (bounded) instead of cutting an incident declaration in half.
 */
export interface Inflight {
  /** Runs `work` in the background; its failure is handed to `onError`, never thrown. */
  run(label: string, work: () => Promise<void>): void;
  /** Resolves when nothing is running or `timeoutMs` has passed; returns how many were still running. */
  drain(timeoutMs: number): Promise<number>;
  readonly size: number;
}

export function createInflight(onError: (label: string, err: unknown) => void): Inflight {
  const running = new Set<Promise<void>>();
  return {
    run(label, work) {
      const p: Promise<void> = Promise.resolve()
        .then(work)
        .catch((err: unknown) => onError(label, err))
        .finally(() => running.delete(p));
      running.add(p);
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      while (running.size > 0) {
        const all = Promise.allSettled([...running]).then(() => undefined);
        const winner = await Promise.race([all.then(() => 'done' as const), timeout.then(() => 'timeout' as const)]);
        if (winner === 'timeout') break;
      }
      clearTimeout(timer);
      return running.size;
    },
    get size() {
      return running.size;
    },
  };
}
