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
import { healthRoute, livenessRoute, serveHealth, type ExtraRoute, type Health, type SocketState } from './health.js';
import { registerCommands } from './register-commands.js';
import { listenerRoutes, registerListeners } from './listeners/index.js';
import { createHttpReceiver } from './http-receiver.js';
import { ReplayedRequest, ScreenedApp } from './screened-app.js';
import type { Routes } from './payload-screen.js';
import type { BotIdentity } from './slack-auth.js';
import { socketLink } from './socket-link.js';
import type { FirebreakError } from '../../core/errors.js';
import { metricsOf } from '../../app/context.js';
import { currentSlackRequest } from './request-scope.js';

export interface SlackServer {
  /** HTTP port actually listened on (also in Socket Mode, for /healthz). */
  port: number;
  mode: 'http' | 'socket';
  /** Socket Mode: the WebSocket's state. */
  socketState?: () => SocketState;
  /** Stops receiving; what was acknowledged already goes on in the context's inflight work. */
  stop(): Promise<void>;
}

export interface SlackServerOptions {
  slack: Config['slack'];
  port: number;
  /** Address to listen on; every interface when left out. */
  host?: string;
  clientOptions: webApi.WebClientOptions;
  health: () => Promise<Health>;
  /** The bot's ids once Slack has told them (auth.test); requests are served before that too. */
  identity: () => BotIdentity | undefined;
  /** Slack refused the app token while Firebreak ran (Socket Mode). */
  onRefused: (err: FirebreakError) => void;
  /** Routes served on PORT besides Slack's and /healthz, in both modes (the Alertmanager hook). */
  routes?: ExtraRoute[];
}

/** Every command, action id, view callback and event type Firebreak answers. */
export function slackRoutes(): Routes {
  return { commands: COMMANDS.map((m) => m.command), ...listenerRoutes() };
}

export async function startSlackServer(ctx: AppContext, options: SlackServerOptions): Promise<SlackServer> {
  const { slack, clientOptions } = options;
  const socketMode = slack.appToken !== undefined;
  const logger = boltLogger(ctx.logger);
  const liveness = livenessRoute();
  const customRoutes = [healthRoute(options.health), liveness, ...(options.routes ?? [])];
  const socket = slack.appToken === undefined ? undefined : socketLink({ appToken: slack.appToken, clientOptions, boltLogger: logger, logger: ctx.logger, onRefused: options.onRefused });
  const app = new ScreenedApp(
    {
      // Not `token`: with it Bolt calls auth.test itself, holds every request until Slack answers
      // and throws (unhandled) when Slack refuses or cannot be reached. server.ts asks Slack instead.
      authorize: async () => ({ botToken: slack.botToken, ...options.identity() }),
      logger,
      clientOptions,
      // Bolt's conversation store (context.conversation) is not used: nothing is kept per
      // conversation in this process, so its middleware is left out of every request.
      convoStore: false,
      // In Socket Mode the receiver is socket-link's (its client honours SLACK_API_URL too) and
      // /healthz gets a server of its own on PORT. Over HTTP, requests are screened
      // (signature both ways in time, replays, body shape) before Bolt's receiver sees them.
      ...(socket
        ? { receiver: socket.receiver }
        : { receiver: createHttpReceiver({ signingSecret: slack.signingSecret, replays: ctx.store.replays, logger: ctx.logger, boltLogger: logger, customRoutes, metrics: metricsOf(ctx) }) }),
    },
    { routes: slackRoutes(), logger: ctx.logger, metrics: metricsOf(ctx), inflight: ctx.inflight },
  );
  registerCommands(app, ctx, COMMANDS);
  registerListeners(app, ctx);
  app.error(async (err) => {
    if (err instanceof ReplayedRequest) return; // stopped at its ack, on purpose (screened-app.ts)
    const request = currentSlackRequest();
    request?.mark('error');
    ctx.logger.error({ err, ...(request ? { requestId: request.id } : {}) }, 'unhandled error in a Slack listener');
  });

  let port = options.port;
  let healthServer: Awaited<ReturnType<typeof serveHealth>>['server'] | undefined;
  if (socket) {
    const served = await serveHealth(options.port, options.health, [liveness, ...(options.routes ?? [])], options.host);
    ({ server: healthServer, port } = served);
    await socket.start().catch((err: unknown) => {
      served.server.close();
      throw err;
    });
  } else {
    const server = (await app.start(options.host ? { port: options.port, host: options.host } : options.port)) as { address(): AddressInfo | string | null };
    const address = server.address();
    if (address && typeof address === 'object') port = address.port;
  }
  return {
    port,
    mode: socketMode ? 'socket' : 'http',
    ...(socket ? { socketState: socket.state } : {}),
    async stop() {
      if (socket) {
        await socket.stop();
        healthServer?.closeAllConnections();
        await new Promise((resolve) => healthServer?.close(resolve));
        return;
      }
      await app.stop().catch((err: unknown) => ctx.logger.warn({ err }, 'stopping the Slack receiver'));
    },
  };
}
