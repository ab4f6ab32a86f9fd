/**
 * Assembles a running Firebreak from a validated config: store, templates, Slack app, listeners.
 * The composition root (main.ts) adds process concerns (signals, exit codes); tests call this directly.
 */
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { App, webApi } from '@slack/bolt';
import { severitiesOf, type Config } from './config.js';
import type { Logger } from './logger.js';
import { createInflight } from './app/inflight.js';
import { newViewState, type AppContext } from './app/context.js';
import { systemClock, type Clock, type Pager, type Store } from './ports.js';
import { backoffMs, pagerDutyClient } from './adapters/http/pagerduty.js';
import { createPacer } from './adapters/slack/pacer.js';
import { startEngine, type Engine } from './app/reminders/engine.js';
import { schedulePolicy } from './app/reminders/policy.js';
import { diagnosticsFromConfig } from './adapters/targets/diagnostics.js';
import { remediationCatalogue } from './adapters/targets/remediation.js';
import { registerRemediation } from './adapters/slack/register-remediation.js';
import { expireRemediations } from './app/remediation/flow.js';
import { openStore } from './adapters/postgres/open-store.js';
import { loadTemplates } from './adapters/templates/load-templates.js';
import { slackChat } from './adapters/slack/chat.js';
import { boltLogger } from './adapters/slack/bolt-logger.js';
import { checkHealth, healthRoute } from './adapters/slack/health.js';
import { registerCommands } from './adapters/slack/register-commands.js';
import { registerViews } from './adapters/slack/register-views.js';
import { registerActions } from './adapters/slack/register-actions.js';
import { registerEvents } from './adapters/slack/register-events.js';
import { COMMANDS } from '../commands/index.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunningFirebreak {
  /** HTTP port actually listened on (also in Socket Mode, for /healthz). */
  port: number;
  mode: 'http' | 'socket';
  ctx: AppContext;
  /** Stops taking requests, waits (bounded) for work in flight, closes the store. */
  stop(options?: { drainMs?: number }): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  /** Use this pager instead of PagerDuty's Events API (tests). */
  pager?: Pager;
  /** Use this store instead of opening one from config (it is then the caller's to close). */
  store?: Store;
}

export async function startFirebreak(config: Readonly<Config>, logger: Logger, options: StartOptions = {}): Promise<RunningFirebreak> {
  const templates = loadTemplates(config.templatesDir);
  const store = options.store ?? (await openStore(config.store));
  let stopping = false;
  const socketMode = config.slack.appToken !== undefined;
  const health = healthRoute(() => checkHealth(store, VERSION, stopping));

  const clientOptions = { slackApiUrl: config.slack.apiUrl, retryConfig: webApi.retryPolicies.fiveRetriesInFiveMinutes };
  // One pacer for every client, so posts to a channel stay near one a second whoever sends them.
  const pacer = createPacer();
  const app = new App({
    token: config.slack.botToken,
    signingSecret: config.slack.signingSecret,
    logger: boltLogger(logger),
    clientOptions,
    customRoutes: [health],
    // In Socket Mode the receiver's own client (apps.connections.open) must honour SLACK_API_URL too;
    // its HTTP server then only serves /healthz, on PORT.
    ...(socketMode ? { socketMode: true, appToken: config.slack.appToken, installerOptions: { port: config.http.port, clientOptions } } : {}),
  });

  const severities = severitiesOf(config);
  let engine: Engine | undefined;
  const ctx: AppContext = {
    config,
    store,
    chat: slackChat(app.client, pacer),
    clock: options.clock ?? systemClock,
    logger,
    templates,
    severities,
    inflight: createInflight((label, err) => logger.error({ err, work: label }, 'background work failed')),
    views: newViewState(),
    policy: schedulePolicy(config, severities),
    pager: options.pager ?? pagerDutyClient({ url: config.escalation.pagerduty.url, timeoutMs: config.escalation.pagerduty.timeout }),
    wakeScheduler: () => engine?.poke(),
    diagnostics: diagnosticsFromConfig(config),
    remediation: remediationCatalogue(config),
  };
  registerCommands(app, ctx, COMMANDS);
  registerViews(app, ctx);
  registerActions(app, ctx);
  registerEvents(app, ctx);
  registerRemediation(app, ctx);
  app.error(async (err) => {
    logger.error({ err }, 'unhandled error in a Slack listener');
  });

  let port = config.http.port;
  try {
    if (socketMode) {
      await app.start();
    } else {
      const server = (await app.start(config.http.port)) as { address(): AddressInfo | string | null };
      const address = server.address();
      if (address && typeof address === 'object') port = address.port;
    }
  } catch (err) {
    if (!options.store) await store.close();
    throw err;
  }
  // The engine posts with a client that gives up quickly (and does not sit out a Retry-After):
  // its retries are durable, in the store, and a claim must not outlive its lease.
  const engineClient = new webApi.WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
  // Requests nobody decided lose their buttons once expired (a click after that is refused anyway).
  const sweep = setInterval(() => {
    ctx.inflight.run('expire remediation requests', async () => {
      await expireRemediations(ctx);
    });
  }, 30_000);
  sweep.unref();
  engine = startEngine(ctx, { chat: slackChat(engineClient, pacer), backoffMs: (attempt) => backoffMs(attempt, { baseMs: 1000, maxMs: 60_000 }) });

  logger.info(
    // The logger scrubs the password out of the URL.
    { port, mode: socketMode ? 'socket' : 'http', store: store.kind, database: config.store.databaseUrl ?? config.store.dataDir, version: VERSION },
    'Firebreak is serving',
  );

  return {
    port,
    mode: socketMode ? 'socket' : 'http',
    ctx,
    async stop({ drainMs = 10_000 } = {}) {
      stopping = true;
      await app.stop().catch((err: unknown) => logger.warn({ err }, 'stopping the Slack receiver'));
      clearInterval(sweep);
      await engine?.stop();
      const left = await ctx.inflight.drain(drainMs);
      if (left > 0) logger.warn({ left }, 'shutdown: work still running after the drain period was abandoned');
      if (!options.store) await store.close();
      logger.info('Firebreak stopped');
    },
  };
}
