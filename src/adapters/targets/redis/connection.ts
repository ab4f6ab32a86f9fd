/** A short-lived, read-only ioredis connection bounded by the probe's deadline, and plain words for its failures. */
import type { Redis, RedisOptions } from 'ioredis';
import { lazyModule } from '../shared/lazy-module.js';

/** ioredis, loaded once a Redis target is used. */
export const ioredis = lazyModule<typeof import('ioredis')>('ioredis', import.meta.url);
import type { ProbeContext } from '../../../core/diagnostics/probe.js';
import { FirebreakError } from '../../../core/errors.js';

/** The deadline of the probe or action came before Redis answered. */
export class DeadlineError extends FirebreakError {
  constructor(reason: string) {
    super('TIMEOUT', reason);
    this.name = 'DeadlineError';
  }
}

/** An abort this close to the deadline (timers are not exact) counts as reaching it. */
const ABORT_SLACK_MS = 50;

export const timeLeft = (ctx: ProbeContext): number => ctx.deadline - Date.now();

/** The promise's outcome, or a DeadlineError at ctx.deadline (or when ctx.signal aborts), whichever is first. */
export function within<T>(ctx: ProbeContext, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (ctx.signal.aborted) {
      work.catch(() => undefined);
      reject(new DeadlineError(timeLeft(ctx) <= ABORT_SLACK_MS ? 'deadline' : 'aborted'));
      return;
    }
    const onAbort = () => {
      settle();
      // The runner aborts when the deadline passes: that is a timeout, not a cancellation.
      reject(new DeadlineError(timeLeft(ctx) <= ABORT_SLACK_MS ? 'deadline' : 'aborted'));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new DeadlineError('deadline'));
    }, Math.max(0, timeLeft(ctx)));
    const settle = () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/**
 * Options for a client that connects only when asked, never retries, never queues, and gives up
 * after `budgetMs`: what every short-lived Firebreak connection to a Redis target uses.
 */
export function boundedRedisOptions(budgetMs: number): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: budgetMs,
    commandTimeout: budgetMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // No ready check (its INFO would wait out a loading server), no CLIENT SETINFO, no HELLO: PING first, then INFO.
    enableReadyCheck: false,
    disableClientInfo: true,
    protocol: 2,
    // disconnect() ends the socket politely, then destroys it after this long (a silent peer never closes its side).
    disconnectTimeout: 100,
  };
}

/** A bounded client (see boundedRedisOptions) for the probe, giving up at the deadline. */
export function openClient(url: string, ctx: ProbeContext): Redis {
  return new (ioredis().Redis)(url, boundedRedisOptions(Math.max(1, timeLeft(ctx))));
}

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const codeOf = (e: unknown): string | undefined => {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
};

export const isAuthError = (e: unknown): boolean => /^(NOAUTH|WRONGPASS|NOPERM)|invalid password|invalid username/i.test(messageOf(e));

/**
 * Why the target could not be used, in plain words. `thrown` is what the awaited call rejected with,
 * `emitted` the first error the client emitted (often the real cause behind "Connection is closed").
 */
export function explainFailure(thrown: unknown, emitted: Error | undefined, connected: boolean, budgetMs: number): string {
  if (thrown instanceof DeadlineError || /command timed out/i.test(messageOf(thrown))) {
    if (thrown instanceof DeadlineError && thrown.message === 'aborted') return 'the diagnostic was cancelled before Redis answered';
    return connected
      ? `no answer within ${budgetMs} ms: the server accepted the connection but did not reply to PING`
      : `no connection within ${budgetMs} ms`;
  }
  const cause = isAuthError(thrown) || !emitted ? thrown : emitted;
  const message = messageOf(cause);
  const code = codeOf(cause);
  if (/^NOAUTH/i.test(message)) return 'authentication required (NOAUTH): the URL has no password';
  if (/^WRONGPASS|invalid password|invalid username/i.test(message)) return `authentication failed: ${message}`;
  if (/^NOPERM/i.test(message)) return `permission denied for the probe's user: ${message}`;
  if (code === 'ECONNREFUSED') return `connection refused (${message.replace(/^connect ECONNREFUSED\s*/, '')})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (DNS): ${message}`;
  if (code === 'ETIMEDOUT') return `connection timed out after ${budgetMs} ms`;
  return message;
}
