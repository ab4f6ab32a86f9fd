/**
 * Web API calls whose repetition shows (a message posted twice, a second channel), retried so that
 * they are not repeated: when a failure leaves open whether Slack acted (no answer in time, the
 * connection reset, a 5xx, Slack's own `internal_error`), Slack is asked first (`recover`) whether
 * the earlier attempt landed, and the call is made again only if it did not. A 429 is not an
 * attempt that landed: it is waited out for as long as Retry-After says, or handed to the caller.
 *
 * What this cannot close: a request Slack is still holding when `recover` looks (it lands after the
 * look, and the retry lands too), and a channel Slack will not let Firebreak read (`recover` fails
 * for good): there the call is made again, because for an incident a message shown twice costs
 * less than one never shown.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type Failure =
  /** Slack did not act: safe to try again. */
  | { kind: 'not-done' }
  /** Slack may have acted: look before trying again. */
  | { kind: 'maybe-done' }
  | { kind: 'rate-limited'; retryAfterMs: number }
  /** An answer that will not change (a Slack error such as channel_not_found, a bug). */
  | { kind: 'final' };

/** Transport errors that mean the request never reached Slack. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Slack errors (in a 200 answer) after which Slack may have done part of the work, per its method docs. */
const SLACK_MAYBE_DONE = new Set(['internal_error', 'fatal_error']);
const SLACK_NOT_DONE = new Set(['service_unavailable', 'request_timeout']);

export function classifyFailure(err: unknown): Failure {
  const e = err as { code?: unknown; retryAfter?: unknown; statusCode?: unknown; data?: { error?: unknown }; original?: { cause?: { code?: unknown } } };
  switch (e?.code) {
    case 'slack_webapi_rate_limited_error':
      return { kind: 'rate-limited', retryAfterMs: typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : 1000 };
    case 'slack_webapi_platform_error': {
      const code = String(e.data?.error);
      if (code === 'ratelimited' || code === 'rate_limited') return { kind: 'rate-limited', retryAfterMs: 1000 };
      if (SLACK_MAYBE_DONE.has(code)) return { kind: 'maybe-done' };
      return SLACK_NOT_DONE.has(code) ? { kind: 'not-done' } : { kind: 'final' };
    }
    case 'slack_webapi_http_error':
      return typeof e.statusCode === 'number' && e.statusCode >= 500 ? { kind: 'maybe-done' } : { kind: 'final' };
    case 'slack_webapi_request_error':
      return NEVER_SENT.has(String(e.original?.cause?.code)) ? { kind: 'not-done' } : { kind: 'maybe-done' };
    default:
      return { kind: 'final' };
  }
}

export interface CallOncePolicy {
  /** No new attempt starts after this long since the first one; the last error is thrown. */
  budgetMs: number;
  /** On a 429: wait as Retry-After says and go on, or throw at once (the caller reschedules). */
  onRateLimit: 'wait' | 'fail';
  /** Pause after a failure, doubling from `first` up to `max`. */
  backoffMs?: { first: number; max: number };
}

/**
 * `attempt` until it succeeds, within the policy. `recover` answers what the call produced if an
 * earlier attempt landed, undefined if none did; it is asked after a "maybe-done" failure, and
 * before the first attempt when `lookFirst` (an earlier call, maybe in another process, tried).
 */
export async function callOnce<T>(attempt: () => Promise<T>, recover: () => Promise<T | undefined>, policy: CallOncePolicy, lookFirst = false): Promise<T> {
  const startedAt = Date.now();
  const backoff = policy.backoffMs ?? { first: 500, max: 4000 };
  let wait = backoff.first;
  let unsure = lookFirst;
  let lastError: unknown;
  for (;;) {
    let pause = wait * (0.8 + Math.random() * 0.4);
    if (unsure) {
      try {
        const landed = await recover();
        if (landed !== undefined) return landed;
        unsure = false;
      } catch (err) {
        const failure = classifyFailure(err);
        // Slack cannot tell (no access to that conversation): it will not tell later either.
        if (failure.kind === 'final') unsure = false;
        if (failure.kind === 'rate-limited') {
          if (policy.onRateLimit === 'fail') throw err;
          pause = failure.retryAfterMs;
        }
        lastError ??= err;
      }
    }
    if (!unsure) {
      try {
        return await attempt();
      } catch (err) {
        lastError = err;
        const failure = classifyFailure(err);
        if (failure.kind === 'final') throw err;
        if (failure.kind === 'rate-limited') {
          if (policy.onRateLimit === 'fail') throw err;
          pause = failure.retryAfterMs;
        }
        if (failure.kind === 'maybe-done') unsure = true;
      }
    }
    if (Date.now() - startedAt + pause > policy.budgetMs) throw lastError;
    await sleep(pause);
    wait = Math.min(backoff.max, wait * 2);
  }
}
