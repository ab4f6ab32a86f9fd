/** Everything a use case may touch, passed explicitly: no module-level singletons. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { noMetrics, type Chat, type Clock, type Diagnostics, type Metrics, type Pager, type RemediationCatalogue, type RunbookCatalogue, type Store, type Templates } from '../ports.js';
import type { SchedulePolicy } from '../core/reminders/plan.js';
import type { Severity, SeverityLevel } from '../core/incident/severity.js';
import type { Inflight } from './inflight.js';
import type { DiagnosisRuns } from './diagnostics/runs.js';

export interface AppContext {
  config: Readonly<Config>;
  store: Store;
  chat: Chat;
  clock: Clock;
  logger: Logger;
  templates: Templates;
  severities: Readonly<Record<SeverityLevel, Severity>>;
  /** Work that continues after Slack was acknowledged; awaited (bounded) on shutdown. */
  inflight: Inflight;
  /** Per-process memory of what was last shown, so refreshes run in order and skip no-ops. */
  views: ViewState;
  /** Reminder and escalation rules (intervals, response times, levels) from the configuration. */
  policy: SchedulePolicy;
  pager: Pager;
  diagnostics: Diagnostics;
  /** The diagnoses running and waiting in this process (bounded; the same one asked twice is shared). */
  diagnosisRuns: DiagnosisRuns;
  remediation: RemediationCatalogue;
  /** The runbooks of runbooks.dir, validated at start. */
  runbooks: RunbookCatalogue;
  /** Wakes the reminder engine after a schedule change; a no-op until the engine runs. */
  wakeScheduler(): void;
  /** Where use cases report what they count and time (GET /metrics); none when left out. */
  metrics?: Metrics;
}

/** The context's metrics, or metrics that go nowhere. */
export const metricsOf = (ctx: Pick<AppContext, 'metrics'>): Metrics => ctx.metrics ?? noMetrics;

export interface ViewState {
  /**
   * Work chained per key (an incident's refreshes, a runbook run's redraws) so it runs one at a time,
   * in order, in this process; across processes, the store's drawing lease orders them.
   */
  queues: Map<string, Promise<unknown>>;
  /** The topic this process last set on each incident channel (forgotten when another replica drew since). */
  topics: Map<string, string>;
  /** Who this process is when it holds an incident's drawing lease: unique per process and start. */
  drawer: string;
}

export const newViewState = (): ViewState => ({
  queues: new Map(),
  topics: new Map(),
  drawer: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
});

/** Runs `work` after everything queued before under `key` in this process, and returns its result. */
export function inOrder<T>(ctx: Pick<AppContext, 'views'>, key: string, work: () => Promise<T>): Promise<T> {
  const { queues } = ctx.views;
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => queues.get(key) === settled && queues.delete(key));
  return next;
}
