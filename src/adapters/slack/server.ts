/**
 * The Slack side of Firebreak: a Bolt app that receives slash commands, interactions and events
 * (over HTTP on `/slack/events`, or over Socket Mode) and hands them to the listeners. It builds
 * nothing of the application: the context comes from the composition.
 */
import type { AddressInfo } from 'node:net';
import type { webApi } from '@slack/bolt';
import type { AppContext } from '../../app/context.js';
import type { Config } from '../../config.js';
import { COMMANDS } from '../../../commands/index.js';
import { boltLogger } from './bolt-logger.js';
import { healthRoute, type HealthBody } from './health.js';
import { registerCommands } from './register-commands.js';
import { listenerRoutes, registerListeners } from './listeners/index.js';
import { createHttpReceiver } from './http-receiver.js';
import { ScreenedApp } from './screened-app.js';

export interface SlackServer {
  /** HTTP port actually listened on (also in Socket Mode, for /healthz). */
  port: number;
  mode: 'http' | 'socket';
  /** Stops receiving; what was acknowledged already goes on in the context's inflight work. */
  stop(): Promise<void>;
}

export interface SlackServerOptions {
  slack: Config['slack'];
  port: number;
  clientOptions: webApi.WebClientOptions;
  health: () => Promise<{ code: number; body: HealthBody }>;
}

export async function startSlackServer(ctx: AppContext, options: SlackServerOptions): Promise<SlackServer> {
  const { slack, clientOptions } = options;
  const socketMode = slack.appToken !== undefined;
  const logger = boltLogger(ctx.logger);
  const customRoutes = [healthRoute(options.health)];
  const app = new ScreenedApp(
    {
      token: slack.botToken,
      logger,
      clientOptions,
      // In Socket Mode the receiver's own client (apps.connections.open) must honour SLACK_API_URL too;
      // its HTTP server then only serves /healthz, on PORT. Over HTTP, requests are screened
      // (signature both ways in time, replays, body shape) before Bolt's receiver sees them.
      ...(socketMode
        ? { signingSecret: slack.signingSecret, customRoutes, socketMode: true, appToken: slack.appToken, installerOptions: { port: options.port, clientOptions } }
        : { receiver: createHttpReceiver({ signingSecret: slack.signingSecret, replays: ctx.store.replays, logger: ctx.logger, boltLogger: logger, customRoutes }) }),
    },
    { routes: { commands: COMMANDS.map((m) => m.command), ...listenerRoutes() }, logger: ctx.logger },
  );
  registerCommands(app, ctx, COMMANDS);
  registerListeners(app, ctx);
  app.error(async (err) => {
    ctx.logger.error({ err }, 'unhandled error in a Slack listener');
  });

  let port = options.port;
  if (socketMode) {
    await app.start();
  } else {
    const server = (await app.start(options.port)) as { address(): AddressInfo | string | null };
    const address = server.address();
    if (address && typeof address === 'object') port = address.port;
  }
  return {
    port,
    mode: socketMode ? 'socket' : 'http',
    async stop() {
      await app.stop().catch((err: unknown) => ctx.logger.warn({ err }, 'stopping the Slack receiver'));
    },
  };
}
