/**
 * Socket Mode's WebSocket, kept up by Firebreak. The SDK's own reconnection is off: when Slack
 * cannot be reached it gives up for good (and leaves an unhandled rejection behind), so a bot
 * that lost Slack for a minute would never hear from it again. Here a lost or failed connection
 * is retried with backoff for as long as it takes; a refused app token stops Firebreak instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SocketModeReceiver, type Logger as BoltLogger, type webApi } from '@slack/bolt';
import { describeCause, FirebreakError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import type { SocketState } from './health.js';

/** Slack's answers to apps.connections.open meaning the app token will never work. */
const APP_TOKEN_REFUSED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'user_removed_from_team', 'team_disabled']);

export interface SocketLink {
  receiver: SocketModeReceiver;
  state(): SocketState;
  /** Connects once; if that fails for any reason but a refused token, goes on trying in the background. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function appTokenRefused(code: string): FirebreakError {
  return new FirebreakError(
    'SLACK_TOKEN_REJECTED',
    `Slack refused SLACK_APP_TOKEN (${code}). Set it to an app-level token (xapp-…) with the connections:write scope, from the app's Basic Information page, then start Firebreak again.`,
  );
}

export function socketLink(options: {
  appToken: string;
  clientOptions: webApi.WebClientOptions;
  boltLogger: BoltLogger;
  logger: Logger;
  /** A refusal after start (the token was revoked while Firebreak ran). */
  onRefused: (err: FirebreakError) => void;
  backoffMs?: { first: number; max: number };
}): SocketLink {
  const log = options.logger.child({ component: 'socket-mode' });
  const backoff = options.backoffMs ?? { first: 1000, max: 15_000 };
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger: options.boltLogger,
    autoReconnectEnabled: false,
    // One attempt per connection try: the loop below decides when to try again.
    installerOptions: { clientOptions: { ...options.clientOptions, retryConfig: { retries: 0 } } },
  });
  const client = receiver.client;
  let state: SocketState = 'connecting';
  let stopped = false;
  let busy = false;
  const abort = new AbortController();

  client.on('connected', () => {
    if (state !== 'connected') log.info('Socket Mode connected');
    state = 'connected';
  });
  for (const event of ['connecting', 'reconnecting']) client.on(event, () => (state = 'connecting'));
  client.on('disconnected', () => {
    if (stopped) return;
    if (state === 'connected') log.warn('Socket Mode connection lost; reconnecting');
    state = 'disconnected';
    void keepTrying();
  });

  /** One try: undefined when connected, else why not. */
  async function attempt(): Promise<{ refused: string } | { failed: string } | undefined> {
    busy = true;
    try {
      await client.start();
      return undefined;
    } catch (err) {
      const code = (err as { data?: { error?: unknown } } | undefined)?.data?.error;
      if (typeof code === 'string' && APP_TOKEN_REFUSED.has(code)) return { refused: code };
      return { failed: err === undefined ? 'the connection closed' : describeCause(err) };
    } finally {
      busy = false;
    }
  }

  async function keepTrying(): Promise<void> {
    if (busy || stopped) return;
    let wait = backoff.first;
    while (!stopped && state !== 'connected') {
      await sleep(wait * (0.8 + Math.random() * 0.4), undefined, { signal: abort.signal, ref: false }).catch(() => undefined);
      if (stopped || busy) return;
      const outcome = await attempt();
      if (outcome && 'refused' in outcome) {
        stopped = true;
        options.onRefused(appTokenRefused(outcome.refused));
        return;
      }
      if (outcome) {
        state = 'disconnected';
        log.debug({ error: outcome.failed }, 'Socket Mode connection failed; trying again');
      }
      wait = Math.min(backoff.max, wait * 2);
    }
  }

  return {
    receiver,
    state: () => state,
    async start() {
      const outcome = await attempt();
      if (outcome && 'refused' in outcome) throw appTokenRefused(outcome.refused);
      if (outcome) {
        state = 'disconnected';
        log.warn({ error: outcome.failed }, 'Socket Mode cannot connect to Slack; serving /healthz meanwhile and trying again with backoff');
        void keepTrying();
      }
    },
    async stop() {
      stopped = true;
      abort.abort();
      // disconnect() waits for a "disconnected" that a socket already closed never sends.
      await Promise.race([client.disconnect().catch(() => undefined), sleep(2000, undefined, { ref: false })]);
    },
  };
}
