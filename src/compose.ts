/**
 * The one place that builds Firebreak's parts from a validated configuration: the store, the Slack
 * Web API clients, templates, the reminder policy, the pager, diagnostics and remediation, and
 * the background workers. The Slack server (server.ts), the CLI and anything else that runs
 * Firebreak's use cases take what they need from here; none of them builds its own.
 */
import { performance } from 'node:perf_hooks';
import { webApi } from '@slack/bolt';
import { severitiesOf, type Config } from './config.js';
import type { Logger } from './logger.js';
import { createInflight, type Inflight } from './app/inflight.js';
import { newViewState, type AppContext } from './app/context.js';
import { createDiagnosisRuns } from './app/diagnostics/runs.js';
import { startEngine } from './app/reminders/engine.js';
import { schedulePolicy } from './app/reminders/policy.js';
import { expireRemediations, interruptAbandoned } from './app/remediation/flow.js';
import { redrawAbandoned } from './app/incidents/home.js';
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
import { prometheusMetrics, type PrometheusMetrics } from './adapters/metrics/prometheus.js';
import { countStoreErrors } from './adapters/postgres/store-metrics.js';
import type { Db } from './adapters/postgres/db.js';
import { countingFetch } from './adapters/slack/api-metrics.js';
import { LISTENERS } from './adapters/slack/listeners/index.js';
import { currentSlackRequest } from './adapters/slack/request-scope.js';
import { ACKNOWLEDGED_REQUEST } from './adapters/slack/screened-app.js';
import { COMMANDS } from '../commands/index.js';
import { VERSION } from './version.js';
import type { Metrics } from './ports.js';

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
  /** Bolt's client options, so the receiver's own client reaches the same Web API the same way (and is counted the same way). */
  slackClientOptions: webApi.WebClientOptions;
  /** What ctx.metrics counts, served on GET /metrics. */
  metrics: PrometheusMetrics;
  /** Starts the background work: the reminder engine, and the sweeps that expire remediation requests, interrupt abandoned ones and redraw abandoned incidents. */
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
  const targets = composeTargets(config);
  const runbooks = runbookCatalogue(loadRunbooks(config.runbooks.dir, runbookWorld(config)));
  const metrics = prometheusMetrics({ version: VERSION, backgroundLabels: backgroundLabels(), actionIds: [...targets.remediation.actions.keys()] });
  const opened =
    options.store ??
    (await openStore({
      ...config.store,
      onStaleLock: (previous, why) => logger.warn({ dataDir: config.store.dataDir, previous, why }, 'took over the embedded database lock left by a process that is gone'),
    }));
  const store = countStoreErrors(opened, metrics);
  const db = (opened as { db?: Db }).db;
  metrics.watchStore(opened.kind, () => db?.connections?.());
  // Calls that may be repeated harmlessly (updates, reads, invites) retry inside the client: a few
  // times, within about half a minute, sitting out a 429's Retry-After. Bolt's clients take the same.
  const fetch = countingFetch(metrics, config.slack.apiUrl);
  const slackClientOptions: webApi.WebClientOptions = {
    slackApiUrl: config.slack.apiUrl,
    fetch,
    timeout: SLACK_CALL_TIMEOUT_MS,
    retryConfig: { retries: 3, factor: 2, minTimeout: 1000, maxTimeout: 5000, randomize: true },
  };
  // One pacer for every client, so posts to a channel stay near one a second whoever sends them.
  const pacer = createPacer();
  const client = new webApi.WebClient(config.slack.botToken, { ...slackClientOptions, logger: boltLogger(logger) });
  // Posts and channel creation must not be repeated blindly: one attempt per call, callOnce retries.
  const onceClient = (log: Logger) =>
    new webApi.WebClient(config.slack.botToken, { slackApiUrl: config.slack.apiUrl, fetch, timeout: SLACK_CALL_TIMEOUT_MS, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: boltLogger(log) });
  const inflight = labelledInflight((label, err, requestId) => logger.error({ err, work: label, ...(requestId ? { requestId } : {}) }, 'background work failed'), metrics);
  metrics.watchInflight(() => inflight.size);
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
    diagnosisRuns: createDiagnosisRuns({ concurrency: config.diagnostics.concurrency, maxWaiting: config.diagnostics.queue }),
    policy: schedulePolicy(config, severities),
    pager: options.pager ?? pagerDutyClient({ url: config.escalation.pagerduty.url, timeoutMs: config.escalation.pagerduty.timeout }),
    wakeScheduler: () => {
      for (const wake of wakers) wake();
    },
    ...targets,
    runbooks,
    metrics,
  };

  metrics.watchDiagnoses(() => ctx.diagnosisRuns.counts());

  let stopWorkers: (() => Promise<void>) | undefined;
  return {
    ctx,
    slackClientOptions,
    metrics,
    startWorkers() {
      if (stopWorkers) return;
      // The engine posts with a client that gives up quickly (and does not sit out a Retry-After):
      // its retries are durable, in the store, and a claim must not outlive its lease.
      const engineClient = new webApi.WebClient(config.slack.botToken, {
        slackApiUrl: config.slack.apiUrl,
        fetch,
        retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
        rejectRateLimitedCalls: true,
        timeout: SLACK_CALL_TIMEOUT_MS,
        logger: boltLogger(logger),
      });
      // A post gets a short budget (well inside the 60 s lease); a 429 goes back to the engine, which reschedules it.
      const engineChat = slackChat(engineClient, pacer, { oneAttempt: onceClient(logger), policy: { budgetMs: 20_000, onRateLimit: 'fail' }, identity: () => options.slackIdentity?.(), pace: 'background' });
      const engine = startEngine(ctx, { chat: engineChat, backoffMs: (attempt) => backoffMs(attempt, { baseMs: 1000, maxMs: 60_000 }) });
      wakers.add(engine.poke);
      // Requests nobody decided lose their buttons once expired (a click after that is refused anyway).
      const sweep = setInterval(() => {
        ctx.inflight.run('expire remediation requests', async () => {
          await expireRemediations(ctx);
        });
        // An incident whose drawer stopped while drawing (its lease ended) is drawn again.
        ctx.inflight.run('redraw abandoned incidents', async () => {
          await redrawAbandoned(ctx);
        });
      }, 30_000);
      sweep.unref();
      // Actions whose replica stopped while they ran (their lease ended) are marked interrupted: at
      // start, then often enough to notice it within about a lease.
      const interrupt = () =>
        ctx.inflight.run('interrupt abandoned remediations', async () => {
          await interruptAbandoned(ctx);
        });
      interrupt();
      const interrupts = setInterval(interrupt, Math.min(30_000, Math.max(1000, config.remediation.executionLease / 2)));
      interrupts.unref();
      stopWorkers = async () => {
        clearInterval(sweep);
        clearInterval(interrupts);
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

/**
 * The labels of background work counted by name in the metrics (others count as "other"): the
 * slash commands' subcommands, the listeners' ids, and the labels listeners and workers give.
 */
function backgroundLabels(): string[] {
  const commands = COMMANDS.flatMap((m) => [...m.subcommands, ...(m.fallback ? [m.fallback] : [])].map((s) => `${m.command} ${s.name}`));
  const listeners = LISTENERS.flatMap((l) => (typeof l.id === 'string' ? [l.id] : []));
  const listenerWork = ['declare incident', 'diagnostics', 'pin to timeline', 'remediation from a finding', 'snooze', 'checklist tick', 'runbook start', 'runbook page', 'runbook step'];
  const workers = ['expire remediation requests', 'redraw abandoned incidents', 'interrupt abandoned remediations'];
  const named = [...listenerWork, ...workers, ACKNOWLEDGED_REQUEST];
  return [...commands, ...listeners, ...named];
}

/**
 * ctx.inflight, also telling the labels of what runs (for the logs of a crash or a shutdown),
 * timing each piece of work for the metrics, and holding the Slack request it runs for open
 * until it ends (so that the request is counted with its outcome once all its work is over).
 */
function labelledInflight(onError: (label: string, err: unknown, requestId: string | undefined) => void, metrics: Metrics): Inflight & { labels(): string[] } {
  const inner = createInflight(() => undefined);
  const running = new Map<string, number>();
  return {
    run(label, work) {
      running.set(label, (running.get(label) ?? 0) + 1);
      const request = currentSlackRequest();
      const release = request?.hold();
      const startedAt = performance.now();
      inner.run(label, async () => {
        let outcome: 'ok' | 'error' = 'ok';
        try {
          await work();
        } catch (err) {
          outcome = 'error';
          request?.mark('error');
          onError(label, err, request?.id);
        } finally {
          metrics.backgroundWork(label, (performance.now() - startedAt) / 1000, outcome);
          const left = (running.get(label) ?? 1) - 1;
          if (left > 0) running.set(label, left);
          else running.delete(label);
          release?.();
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
