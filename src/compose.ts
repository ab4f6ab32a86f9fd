/**
 * The one place that builds Firebreak's parts from a validated configuration: the store, the Slack
 * Web API clients, templates, the reminder policy, the pager, diagnostics and remediation, and
 * the background workers. The Slack server (server.ts), the CLI and anything else that runs
 * Firebreak's use cases take what they need from here; none of them builds its own.
 */
import { webApi } from '@slack/bolt';
import { severitiesOf, type Config } from './config.js';
import type { Logger } from './logger.js';
import { createInflight, type Inflight } from './app/inflight.js';
import { newViewState, type AppContext } from './app/context.js';
import { startEngine } from './app/reminders/engine.js';
import { schedulePolicy } from './app/reminders/policy.js';
import { expireRemediations } from './app/remediation/flow.js';
import { systemClock, type Clock, type Diagnostics, type Pager, type RemediationCatalogue, type Store } from './ports.js';
import { backoffMs, pagerDutyClient } from './adapters/http/pagerduty.js';
import { openStore } from './adapters/postgres/open-store.js';
import { boltLogger } from './adapters/slack/bolt-logger.js';
import { slackChat } from './adapters/slack/chat.js';
import type { BotIdentity } from './adapters/slack/slack-auth.js';
import { createPacer } from './adapters/slack/pacer.js';
import { diagnosticsFor, remediationCatalogueFor } from './adapters/targets/registry.js';
import { loadTemplates } from './adapters/templates/load-templates.js';
import { loadRunbooks, runbookWorld } from './adapters/runbooks/load-runbooks.js';
import { runbookCatalogue } from './core/runbook/catalogue.js';

export interface ComposeOptions {
  clock?: Clock;
  /** Use this pager instead of PagerDuty's Events API (tests). */
  pager?: Pager;
  /** Use this store instead of opening one from config (it is then the caller's to close). */
  store?: Store;
  /** The bot's ids, once Slack has told them (to recognise what the bot itself created). */
  slackIdentity?: () => BotIdentity | undefined;
}

/**
 * Every Web API call gives up after this long: Slack answers in well under a second, and a
 * connection it accepted but never answers would otherwise wait for the runtime's own limit
 * (five minutes) while an announcement waits behind it.
 */
export const SLACK_CALL_TIMEOUT_MS = 8000;
/** How long ctx.chat goes on retrying one post (Retry-After waits included) before it reports a failure. */
const POST_BUDGET_MS = 90_000;

/** Firebreak assembled, with no receiver: whoever serves it (Slack, a terminal) drives its use cases through `ctx`. */
export interface Composition {
  ctx: AppContext;
  /** Bolt's client options, so the receiver's own client reaches the same Web API the same way. */
  slackClientOptions: webApi.WebClientOptions;
  /** Starts the background work: the reminder engine and the sweep that expires remediation requests. */
  startWorkers(): void;
  /** Stops the workers, waits (bounded) for work in flight, then closes the store if it opened it. */
  stop(options?: { drainMs?: number }): Promise<{ abandoned: number }>;
  /** What is running now in ctx.inflight, by label: what a crash would lose. */
  inflightLabels(): string[];
}

/** What `/diag` and `/remediate` reach: only the targets of the configuration. */
export function composeTargets(config: Pick<Config, 'targets' | 'diagnostics' | 'remediation'>): { diagnostics: Diagnostics; remediation: RemediationCatalogue } {
  return { diagnostics: diagnosticsFor(config), remediation: remediationCatalogueFor(config) };
}

export async function composeFirebreak(config: Readonly<Config>, logger: Logger, options: ComposeOptions = {}): Promise<Composition> {
  // Templates and runbooks first: an invalid one stops start-up before anything is opened.
  const templates = loadTemplates(config.templatesDir);
  const runbooks = runbookCatalogue(loadRunbooks(config.runbooks.dir, runbookWorld(config)));
  const store =
    options.store ??
    (await openStore({
      ...config.store,
      onStaleLock: (previous, why) => logger.warn({ dataDir: config.store.dataDir, previous, why }, 'took over the embedded database lock left by a process that is gone'),
    }));
  // Calls that may be repeated harmlessly (updates, reads, invites) retry inside the client: a few
  // times, within about half a minute, sitting out a 429's Retry-After. Bolt's clients take the same.
  const slackClientOptions: webApi.WebClientOptions = {
    slackApiUrl: config.slack.apiUrl,
    timeout: SLACK_CALL_TIMEOUT_MS,
    retryConfig: { retries: 3, factor: 2, minTimeout: 1000, maxTimeout: 5000, randomize: true },
  };
  // One pacer for every client, so posts to a channel stay near one a second whoever sends them.
  const pacer = createPacer();
  const client = new webApi.WebClient(config.slack.botToken, { ...slackClientOptions, logger: boltLogger(logger) });
  // Posts and channel creation must not be repeated blindly: one attempt per call, callOnce retries.
  const onceClient = (log: Logger) =>
    new webApi.WebClient(config.slack.botToken, { slackApiUrl: config.slack.apiUrl, timeout: SLACK_CALL_TIMEOUT_MS, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: boltLogger(log) });
  const inflight = labelledInflight((label, err) => logger.error({ err, work: label }, 'background work failed'));
  const severities = severitiesOf(config);
  // The reminder engine subscribes when the workers start; until then a wake has nobody to wake.
  const wakers = new Set<() => void>();
  const ctx: AppContext = {
    config,
    store,
    chat: slackChat(client, pacer, { oneAttempt: onceClient(logger), policy: { budgetMs: POST_BUDGET_MS, onRateLimit: 'wait' }, identity: () => options.slackIdentity?.() }),
    clock: options.clock ?? systemClock,
    logger,
    templates,
    severities,
    inflight,
    views: newViewState(),
    policy: schedulePolicy(config, severities),
    pager: options.pager ?? pagerDutyClient({ url: config.escalation.pagerduty.url, timeoutMs: config.escalation.pagerduty.timeout }),
    wakeScheduler: () => {
      for (const wake of wakers) wake();
    },
    ...composeTargets(config),
    runbooks,
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
        timeout: SLACK_CALL_TIMEOUT_MS,
        logger: boltLogger(logger),
      });
      // A post gets a short budget (well inside the 60 s lease); a 429 goes back to the engine, which reschedules it.
      const engineChat = slackChat(engineClient, pacer, { oneAttempt: onceClient(logger), policy: { budgetMs: 20_000, onRateLimit: 'fail' }, identity: () => options.slackIdentity?.() });
      const engine = startEngine(ctx, { chat: engineChat, backoffMs: (attempt) => backoffMs(attempt, { baseMs: 1000, maxMs: 60_000 }) });
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
    inflightLabels: () => inflight.labels(),
  };
}

/** ctx.inflight, also telling the labels of what runs (for the logs of a crash or a shutdown). */
function labelledInflight(onError: (label: string, err: unknown) => void): Inflight & { labels(): string[] } {
  const inner = createInflight(onError);
  const running = new Map<string, number>();
  return {
    run(label, work) {
      running.set(label, (running.get(label) ?? 0) + 1);
      inner.run(label, async () => {
        try {
          await work();
        } finally {
          const left = (running.get(label) ?? 1) - 1;
          if (left > 0) running.set(label, left);
          else running.delete(label);
        }
      });
    },
    drain: (timeoutMs) => inner.drain(timeoutMs),
    get size() {
      return inner.size;
    },
    labels: () => [...running].map(([label, n]) => (n > 1 ? `${label} ×${n}` : label)),
  };
}
