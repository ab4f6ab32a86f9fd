/**
 * Does Slack answer, and does it accept the bot token? Asked with auth.test at start, then again
 * whenever the answer is stale or Slack could not be reached. A refused token ends Firebreak
 * (nothing works without it; restarting would not help). An unreachable Slack does not: Firebreak
 * serves meanwhile (commands are acknowledged, /healthz says 503) and keeps asking, with backoff.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { webApi } from '@slack/bolt';
import { describeCause } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { boltLogger } from './bolt-logger.js';

/** Slack's answers meaning "this token will never work": fix the configuration. */
export const TOKEN_REFUSED = new Set(['invalid_auth', 'token_revoked', 'not_authed', 'account_inactive', 'token_expired']);

export interface BotIdentity {
  botId: string;
  botUserId: string;
}

export type SlackReach =
  | { state: 'ok'; identity: BotIdentity }
  | { state: 'unreachable'; error: string; retryAfterMs?: number }
  | { state: 'refused'; error: string };

export interface SlackLinkOptions {
  token: string;
  apiUrl: string;
  logger: Logger;
  /** One auth.test gives up after this long. */
  timeoutMs?: number;
  /** A good answer is trusted this long before /healthz asks again. */
  freshMs?: number;
  /** Waits between attempts while Slack cannot be reached: doubling from the first to the last. */
  backoffMs?: { first: number; max: number };
  /** Called once, when Slack refuses the token after start() has answered (start() itself returns it). */
  onRefused?: (reach: Extract<SlackReach, { state: 'refused' }>) => void;
}

export interface SlackLink {
  /** Asks once (bounded by the timeout); while Slack is unreachable, goes on asking in the background. */
  start(): Promise<SlackReach>;
  /** The last answer, at once; asks again in the background when that answer is stale. */
  reach(): SlackReach;
  /** The bot's ids, once Slack has said them. */
  identity(): BotIdentity | undefined;
  /** The workspace the bot is installed in (auth.test's team_id), once Slack has said it. */
  teamId(): string | undefined;
  stop(): void;
}

export function slackLink(options: SlackLinkOptions): SlackLink {
  const timeoutMs = options.timeoutMs ?? 5000;
  const freshMs = options.freshMs ?? 30_000;
  const backoff = options.backoffMs ?? { first: 1000, max: 15_000 };
  const log = options.logger.child({ component: 'slack-link' });
  // One attempt, no retries inside the client: this module decides when to ask again.
  const client = new webApi.WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    timeout: timeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: boltLogger(log.child({}, { level: 'error' })),
  });
  let last: SlackReach = { state: 'unreachable', error: 'not asked yet' };
  let lastAt = 0;
  let identity: BotIdentity | undefined;
  let teamId: string | undefined;
  let asking: Promise<SlackReach> | undefined;
  let retrying = false;
  let stopped = false;
  let refusedSaid = false;
  let started = false;
  const abort = new AbortController();

  async function askOnce(): Promise<SlackReach> {
    try {
      const res = await client.auth.test();
      if (res.team_id) teamId = res.team_id;
      return { state: 'ok', identity: { botId: res.bot_id ?? '', botUserId: res.user_id ?? '' } };
    } catch (err) {
      const code = (err as { data?: { error?: unknown } }).data?.error;
      if (typeof code === 'string' && TOKEN_REFUSED.has(code)) return { state: 'refused', error: code };
      const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
      const reach: SlackReach = { state: 'unreachable', error: describeTimeout(err, timeoutMs) };
      return typeof retryAfter === 'number' ? { ...reach, retryAfterMs: retryAfter * 1000 } : reach;
    }
  }

  function ask(): Promise<SlackReach> {
    asking ??= askOnce().then((reach) => {
      asking = undefined;
      record(reach);
      return reach;
    });
    return asking;
  }

  function record(reach: SlackReach): void {
    const was = last.state;
    last = reach;
    lastAt = Date.now();
    if (reach.state === 'ok') {
      identity = reach.identity;
      if (was === 'unreachable' && retrying) log.info('Slack answers again');
    } else if (reach.state === 'refused') {
      if (!refusedSaid) {
        refusedSaid = true;
        log.fatal({ error: reach.error }, `Slack refuses SLACK_BOT_TOKEN (${reach.error})`);
        if (started) options.onRefused?.(reach);
      }
    } else if (was !== 'unreachable' || !retrying) {
      log.warn({ error: reach.error }, 'Slack cannot be reached; serving anyway and asking again with backoff');
    }
    if (reach.state === 'unreachable') void retry();
  }

  async function retry(): Promise<void> {
    if (retrying || stopped) return;
    retrying = true;
    try {
      let wait = backoff.first;
      while (!stopped && last.state === 'unreachable') {
        const pause = Math.max(last.retryAfterMs ?? 0, wait * (0.8 + Math.random() * 0.4));
        await sleep(pause, undefined, { signal: abort.signal, ref: false }).catch(() => undefined);
        if (stopped) return;
        log.debug({ afterMs: Math.round(pause) }, 'asking Slack again');
        await ask();
        wait = Math.min(backoff.max, wait * 2);
      }
    } finally {
      retrying = false;
    }
  }

  return {
    async start() {
      const reach = await ask();
      started = true;
      return reach;
    },
    reach() {
      if (!stopped && last.state === 'ok' && Date.now() - lastAt > freshMs) void ask();
      return last;
    },
    identity: () => identity,
    teamId: () => teamId,
    stop() {
      stopped = true;
      abort.abort();
    },
  };
}

/** "no answer within 5000 ms" rather than the runtime's "This operation was aborted". */
function describeTimeout(err: unknown, timeoutMs: number): string {
  const original = (err as { original?: { name?: unknown } }).original;
  if (original?.name === 'TimeoutError' || original?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return describeCause((err as { original?: { cause?: unknown } }).original?.cause ?? err);
}
