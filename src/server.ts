/**
 * Firebreak served to Slack: the composition, the Slack receiver in front of it, and the
 * background workers behind it. main.ts adds the process (signals, exit codes); tests call this.
 *
 * Start-up asks Slack whether it takes the bot token (auth.test, bounded) while the store opens.
 * A refused token stops start-up (main exits 2). A Slack that cannot be reached does not: Firebreak
 * serves, says so on /healthz (503, "slack":"unreachable") and keeps asking until Slack answers.
 */
import path from 'node:path';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { AppContext } from './app/context.js';
import { FirebreakError } from './core/errors.js';
import { composeFirebreak, type ComposeOptions, type Composition } from './compose.js';
import { healthCheck, type ExtraRoute } from './adapters/slack/health.js';
import { startSlackServer, type SlackServer } from './adapters/slack/server.js';
import { slackLink } from './adapters/slack/slack-auth.js';
import { alertmanagerRoute } from './adapters/http/alertmanager-hook.js';
import { metricsRoute } from './adapters/metrics/prometheus.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

export interface RunningFirebreak {
  /** HTTP port actually listened on (also in Socket Mode, for /healthz). */
  port: number;
  mode: 'http' | 'socket';
  ctx: AppContext;
  /** Settles if Slack refuses a token while Firebreak runs: it cannot go on, and main stops it. */
  refused: Promise<FirebreakError>;
  /** What is running in ctx.inflight now, by label. */
  inflightLabels(): string[];
  /** Stops taking requests, waits (bounded) for work in flight, closes the store. */
  stop(options?: { drainMs?: number }): Promise<void>;
}

export type StartOptions = Omit<ComposeOptions, 'slackIdentity'> & {
  /** Address to listen on (default: every interface). Local mode keeps its console on 127.0.0.1. */
  host?: string;
  /** More routes on PORT beside Slack's, /healthz, /metrics and the Alertmanager hook (local mode's console). */
  routes?: ExtraRoute[];
};

export function botTokenRefused(code: string): FirebreakError {
  return new FirebreakError(
    'SLACK_TOKEN_REJECTED',
    `Slack refused SLACK_BOT_TOKEN (${code}). Set it to the app's Bot User OAuth Token (xoxb-…, under OAuth & Permissions once the app is installed in the workspace), then start Firebreak again.`,
  );
}

export async function startFirebreak(config: Readonly<Config>, logger: Logger, startOptions: StartOptions = {}): Promise<RunningFirebreak> {
  const { host, routes = [], ...options } = startOptions;
  let refusedLater: (err: FirebreakError) => void = () => undefined;
  const refused = new Promise<FirebreakError>((resolve) => (refusedLater = resolve));
  const link = slackLink({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger, onRefused: (r) => refusedLater(botTokenRefused(r.error)) });
  // Both may take a few seconds (a Slack that does not answer, a database that is slow to open).
  const [reach, composed] = await Promise.allSettled([link.start(), composeFirebreak(config, logger, { ...options, slackIdentity: link.identity })]);
  const giveUp = async (err: unknown): Promise<never> => {
    link.stop();
    if (composed.status === 'fulfilled') await composed.value.stop({ drainMs: 0 });
    throw err;
  };
  // A broken template or database says more than the token: it is reported first.
  if (composed.status === 'rejected') return giveUp(composed.reason);
  if (reach.status === 'rejected') return giveUp(reach.reason);
  if (reach.value.state === 'refused') return giveUp(botTokenRefused(reach.value.error));
  const firebreak: Composition = composed.value;
  const { ctx } = firebreak;

  let stopping = false;
  // The embedded database's directory, absolute: this process holds its lock.
  const dataDir = config.store.databaseUrl || config.store.dataDir.startsWith('memory://') ? undefined : path.resolve(config.store.dataDir);
  let slack: SlackServer | undefined;
  const health = healthCheck({ store: ctx.store, version: VERSION, stopping: () => stopping, slack: () => link.reach(), socket: () => slack?.socketState?.(), dataDir });
  // What /healthz says of each dependency, as gauges read at each scrape (the check answers within about a second).
  firebreak.metrics.watchDependencies(async () => {
    const { body } = await health();
    return { store: body.store === 'ok', slack: body.slack === 'ok', ...(body.socket ? { socket: body.socket === 'connected' } : {}) };
  });
  try {
    slack = await startSlackServer(ctx, {
      slack: config.slack,
      port: config.http.port,
      ...(host ? { host } : {}),
      clientOptions: firebreak.slackClientOptions,
      health,
      identity: link.identity,
      onRefused: refusedLater,
      routes: [metricsRoute(firebreak.metrics), alertmanagerRoute({ ctx, teamId: link.teamId, reporterId: () => link.identity()?.botUserId }), ...routes],
    });
  } catch (err) {
    return giveUp(err);
  }
  firebreak.startWorkers();
  logger.info(
    // The logger scrubs the password out of the URL.
    { port: slack.port, mode: slack.mode, store: ctx.store.kind, database: config.store.databaseUrl ?? dataDir, slack: reach.value.state, version: VERSION },
    'Firebreak is serving',
  );

  const server = slack;
  return {
    port: server.port,
    mode: server.mode,
    ctx,
    refused,
    inflightLabels: () => firebreak.inflightLabels(),
    async stop({ drainMs = 10_000 } = {}) {
      stopping = true;
      link.stop();
      await server.stop();
      const { abandoned } = await firebreak.stop({ drainMs });
      if (abandoned > 0) logger.warn({ left: abandoned, work: firebreak.inflightLabels() }, 'shutdown: work still running after the drain period was abandoned');
      logger.info('Firebreak stopped');
    },
  };
}
