/**
 * The one place that builds Firebreak's parts from a validated configuration: the store, the Slack
 * Web API clients, templates, the reminder policy, the pager, diagnostics and remediation, and
 * the background workers. The Slack server (server.ts), the CLI and anything else that runs
 * Firebreak's use cases take what they need from here; none of them builds its own.
 */
import { webApi } from '@slack/bolt';
import { severitiesOf, type Config } from './config.js';
import type { Logger } from './logger.js';
import { createInflight } from './app/inflight.js';
import { newViewState, type AppContext } from './app/context.js';
import { startEngine } from './app/reminders/engine.js';
import { schedulePolicy } from './app/reminders/policy.js';
import { expireRemediations } from './app/remediation/flow.js';
import { systemClock, type Clock, type Diagnostics, type Pager, type RemediationCatalogue, type Store } from './ports.js';
import { backoffMs, pagerDutyClient } from './adapters/http/pagerduty.js';
import { openStore } from './adapters/postgres/open-store.js';
import { boltLogger } from './adapters/slack/bolt-logger.js';
import { slackChat } from './adapters/slack/chat.js';
import { createPacer } from './adapters/slack/pacer.js';
import { diagnosticsFor, remediationCatalogueFor } from './adapters/targets/registry.js';
import { loadTemplates } from './adapters/templates/load-templates.js';

export interface ComposeOptions {
  clock?: Clock;
  /** Use this pager instead of PagerDuty's Events API (tests). */
  pager?: Pager;
  /** Use this store instead of opening one from config (it is then the caller's to close). */
  store?: Store;
}

/** Firebreak assembled, with no receiver: whoever serves it (Slack, a terminal) drives its use cases through `ctx`. */
export interface Composition {
  ctx: AppContext;
  /** Bolt's client options, so the receiver's own client reaches the same Web API the same way. */
  slackClientOptions: webApi.WebClientOptions;
  /** Starts the background work: the reminder engine and the sweep that expires remediation requests. */
  startWorkers(): void;
  /** Stops the workers, waits (bounded) for work in flight, then closes the store if it opened it. */
  stop(options?: { drainMs?: number }): Promise<{ abandoned: number }>;
}

/** What `/diag` and `/remediate` reach: only the targets of the configuration. */
export function composeTargets(config: Pick<Config, 'targets' | 'diagnostics' | 'remediation'>): { diagnostics: Diagnostics; remediation: RemediationCatalogue } {
  return { diagnostics: diagnosticsFor(config), remediation: remediationCatalogueFor(config) };
}

export async function composeFirebreak(config: Readonly<Config>, logger: Logger, options: ComposeOptions = {}): Promise<Composition> {
  // Templates first: an invalid one stops start-up before anything is opened.
  const templates = loadTemplates(config.templatesDir);
  const store =
    options.store ??
    (await openStore({
      ...config.store,
      onStaleLock: (previous, why) => logger.warn({ dataDir: config.store.dataDir, previous, why }, 'took over the embedded database lock left by a process that is gone'),
    }));
  const slackClientOptions: webApi.WebClientOptions = { slackApiUrl: config.slack.apiUrl, retryConfig: webApi.retryPolicies.fiveRetriesInFiveMinutes };
  // One pacer for every client, so posts to a channel stay near one a second whoever sends them.
  const pacer = createPacer();
  const client = new webApi.WebClient(config.slack.botToken, { ...slackClientOptions, logger: boltLogger(logger) });
  const severities = severitiesOf(config);
  // The reminder engine subscribes when the workers start; until then a wake has nobody to wake.
  const wakers = new Set<() => void>();
  const ctx: AppContext = {
    config,
    store,
    chat: slackChat(client, pacer),
    clock: options.clock ?? systemClock,
    logger,
    templates,
    severities,
    inflight: createInflight((label, err) => logger.error({ err, work: label }, 'background work failed')),
    views: newViewState(),
    policy: schedulePolicy(config, severities),
    pager: options.pager ?? pagerDutyClient({ url: config.escalation.pagerduty.url, timeoutMs: config.escalation.pagerduty.timeout }),
    wakeScheduler: () => {
      for (const wake of wakers) wake();
    },
    ...composeTargets(config),
  };

  let stopWorkers: (() => Promise<void>) | undefined;
  return {
    ctx,
    slackClientOptions,
    startWorkers() {
      if (stopWorkers) return;
      // The engine posts with a client that gives up quickly (and does not sit out a Retry-After):
      // its retries are durable, in the store, and a claim must not outlive its lease.
      const engineClient = new webApi.WebClient(config.slack.botToken, {
        slackApiUrl: config.slack.apiUrl,
        retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
        rejectRateLimitedCalls: true,
        timeout: 10_000,
        logger: boltLogger(logger),
      });
      const engine = startEngine(ctx, { chat: slackChat(engineClient, pacer), backoffMs: (attempt) => backoffMs(attempt, { baseMs: 1000, maxMs: 60_000 }) });
      wakers.add(engine.poke);
      // Requests nobody decided lose their buttons once expired (a click after that is refused anyway).
      const sweep = setInterval(() => {
        ctx.inflight.run('expire remediation requests', async () => {
          await expireRemediations(ctx);
        });
      }, 30_000);
      sweep.unref();
      stopWorkers = async () => {
        clearInterval(sweep);
        wakers.delete(engine.poke);
        await engine.stop();
      };
    },
    async stop({ drainMs = 10_000 } = {}) {
      await stopWorkers?.();
      const abandoned = await ctx.inflight.drain(drainMs);
      if (!options.store) await store.close();
      return { abandoned };
    },
  };
}
