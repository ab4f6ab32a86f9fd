/**
 * Firebreak served to Slack: the composition, the Slack receiver in front of it, and the
 * background workers behind it. main.ts adds the process (signals, exit codes); tests call this.
 */
import path from 'node:path';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { AppContext } from './app/context.js';
import { composeFirebreak, type ComposeOptions } from './compose.js';
import { checkHealth } from './adapters/slack/health.js';
import { startSlackServer } from './adapters/slack/server.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

export interface RunningFirebreak {
  /** HTTP port actually listened on (also in Socket Mode, for /healthz). */
  port: number;
  mode: 'http' | 'socket';
  ctx: AppContext;
  /** Stops taking requests, waits (bounded) for work in flight, closes the store. */
  stop(options?: { drainMs?: number }): Promise<void>;
}

export type StartOptions = ComposeOptions;

export async function startFirebreak(config: Readonly<Config>, logger: Logger, options: StartOptions = {}): Promise<RunningFirebreak> {
  const firebreak = await composeFirebreak(config, logger, options);
  const { ctx } = firebreak;
  let stopping = false;
  // The embedded database's directory, absolute: this process holds its lock.
  const dataDir = config.store.databaseUrl || config.store.dataDir.startsWith('memory://') ? undefined : path.resolve(config.store.dataDir);
  let slack;
  try {
    slack = await startSlackServer(ctx, {
      slack: config.slack,
      port: config.http.port,
      clientOptions: firebreak.slackClientOptions,
      health: () => checkHealth(ctx.store, VERSION, stopping, dataDir),
    });
  } catch (err) {
    await firebreak.stop({ drainMs: 0 });
    throw err;
  }
  firebreak.startWorkers();
  logger.info(
    // The logger scrubs the password out of the URL.
    { port: slack.port, mode: slack.mode, store: ctx.store.kind, database: config.store.databaseUrl ?? dataDir, version: VERSION },
    'Firebreak is serving',
  );

  return {
    port: slack.port,
    mode: slack.mode,
    ctx,
    async stop({ drainMs = 10_000 } = {}) {
      stopping = true;
      await slack.stop();
      const { abandoned } = await firebreak.stop({ drainMs });
      if (abandoned > 0) logger.warn({ left: abandoned }, 'shutdown: work still running after the drain period was abandoned');
      logger.info('Firebreak stopped');
    },
  };
}
