/**
 * The Metrics port over prom-client, served as GET /metrics in Prometheus' text format. Each
 * Firebreak process has a registry of its own (several run in one test process), with Node's
 * process metrics from prom-client's default collectors beside Firebreak's `firebreak_…` ones.
 *
 * Label values never come from users: every one goes through a guard that takes only short
 * identifier-like values from a known set (or, where the set is open, the first few dozen
 * distinct ones) and turns anything else into "other", so the number of series stays bounded
 * whatever a payload, a configuration or a Slack answer holds.
 */
import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REFUSAL_CODES } from '../../core/approval/policy.js';
import { STATUSES, type TargetKind } from '../../core/diagnostics/finding.js';
import type { Metrics } from '../../ports.js';
import type { ExtraRoute } from '../slack/health.js';

/** What the store's connections look like now (a pool for PostgreSQL; PGlite's one connection). */
export interface ConnectionStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
  /** The exposition, as GET /metrics answers it. */
  scrape(): Promise<string>;
  /** The store's connections, read at each scrape. */
  watchStore(backend: 'postgres' | 'pglite', read: () => ConnectionStats | undefined): void;
  /** How much background work runs now, read at each scrape. */
  watchInflight(read: () => number): void;
  /** The diagnoses running and waiting now, and the requests that joined a run or were refused, read at each scrape. */
  watchDiagnoses(read: () => { running: number; waiting: number; joined: number; refused: number }): void;
  /** Whether each dependency can be reached (store, slack, socket), asked at each scrape (bounded by the caller). */
  watchDependencies(read: () => Promise<Record<string, boolean>>): void;
}

export interface PrometheusOptions {
  version: string;
  /** Labels of background work that are counted by name; other labels are "other". */
  backgroundLabels: Iterable<string>;
  /** Remediation action ids of the catalogue. */
  actionIds: Iterable<string>;
}

const OTHER = 'other';
/** What a label value may look like: short, no spaces at the ends, nothing a person typed freely. */
const LABEL_SHAPE = /^[A-Za-z0-9_./:-][A-Za-z0-9_./: -]{0,62}[A-Za-z0-9_./:-]$|^[A-Za-z0-9_]$/;
const SLACK_METHOD = /^[a-z]+(\.[A-Za-z0-9]+){1,3}$/;
const SLACK_ERROR = /^[a-z0-9_]{1,48}$/;

/** A label whose values are a fixed set. */
function closedSet(values: Iterable<string>): (value: string) => string {
  const allowed = new Set(values);
  return (value) => (allowed.has(value) ? value : OTHER);
}

/** A label whose values are not known in advance: the first `max` distinct well-shaped values, then "other". */
function openSet(max: number, shape: RegExp = LABEL_SHAPE): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!shape.test(value)) return OTHER;
    if (seen.has(value)) return value;
    if (seen.size >= max) return OTHER;
    seen.add(value);
    return value;
  };
}

/** Background work whose label carries data (a runbook's id, an alert group) is counted under the label's fixed part. */
function backgroundKind(known: (label: string) => string): (label: string) => string {
  return (label) => {
    if (/^runbook \S+ checks$/.test(label)) return 'runbook checks';
    if (label.startsWith('alertmanager notification')) return 'alertmanager notification';
    return known(label);
  };
}

const TARGET_KINDS: readonly TargetKind[] = ['postgres', 'redis', 'kubernetes', 'http', 'prometheus', 'logs', 'docker', 'host', 'rabbitmq'];
const DIAG_KINDS = ['db', 'redis', 'k8s', 'http', 'prom', 'logs', 'docker', 'host', 'queue', 'all', 'runbook'];
const REQUEST_KINDS = ['command', 'action', 'view_submission', 'view_closed', 'event', 'options', 'shortcut', 'unknown'];
const AUDIT_EVENTS = ['requested', 'refused', 'approved', 'rejected', 'expired', 'started', 'succeeded', 'failed'];

export function prometheusMetrics(options: PrometheusOptions): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const register = [registry];

  const requestKind = closedSet(REQUEST_KINDS);
  const requestName = openSet(100);
  const refusedReason = closedSet(['signature', 'body', 'replay', 'too_large']);
  const apiMethod = openSet(80, SLACK_METHOD);
  const apiError = openSet(60, SLACK_ERROR);
  const workKind = backgroundKind(closedSet(options.backgroundLabels));
  const targetKind = closedSet(TARGET_KINDS);
  const diagKind = closedSet(DIAG_KINDS);
  const status = closedSet(STATUSES);
  const reminderKind = closedSet(['update_reminder', 'response_deadline', 'escalation', 'pager']);
  const reminderEvent = closedSet(['due', 'sent', 'skipped', 'failed']);
  const actionId = closedSet(options.actionIds);
  const auditEvent = closedSet(AUDIT_EVENTS);
  const decision = closedSet(['request', 'approve', 'reject']);
  const refusal = closedSet(REFUSAL_CODES);
  const storeOperation = openSet(120);
  const storeError = closedSet(['unavailable']);

  new Gauge({ name: 'firebreak_build_info', help: 'Always 1; the version of Firebreak that runs.', labelNames: ['version'], registers: register }).set({ version: options.version }, 1);

  const requests = new Counter({
    name: 'firebreak_slack_requests_total',
    help: 'Slack requests (slash commands, clicks, form submissions, events) once their work is over, by kind, route and outcome (ok, failed: an expected failure told to the person, error: an internal error, ignored).',
    labelNames: ['kind', 'name', 'outcome'],
    registers: register,
  });
  const refused = new Counter({
    name: 'firebreak_slack_requests_refused_total',
    help: 'Requests to /slack/events refused before any listener: a bad or stale signature, a body that is not a Slack payload, a replay, a body too large.',
    labelNames: ['reason'],
    registers: register,
  });
  const ack = new Histogram({
    name: 'firebreak_slack_ack_duration_seconds',
    help: 'From a Slack request arriving to its acknowledgement (Slack gives up after 3 s), by kind and route.',
    labelNames: ['kind', 'name'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: register,
  });
  const apiCalls = new Counter({
    name: 'firebreak_slack_api_calls_total',
    help: "HTTP requests to Slack's Web API (each attempt of a retried call counts), by method.",
    labelNames: ['method'],
    registers: register,
  });
  const apiErrors = new Counter({
    name: 'firebreak_slack_api_errors_total',
    help: "Web API requests that failed, by method and error: Slack's error code, ratelimited (429), http_<status>, timeout, network.",
    labelNames: ['method', 'error'],
    registers: register,
  });
  const background = new Histogram({
    name: 'firebreak_background_work_duration_seconds',
    help: 'Work run after the acknowledgement (declarations, diagnoses, remediation, runbook checks…), by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: register,
  });
  let inflightSize: (() => number) | undefined;
  new Gauge({
    name: 'firebreak_background_work_in_flight',
    help: 'Background work running now (what a shutdown waits for).',
    registers: register,
    collect() {
      if (inflightSize) this.set(inflightSize());
    },
  });
  const probes = new Histogram({
    name: 'firebreak_diagnostics_probe_duration_seconds',
    help: 'One probe of a diagnosis, by kind of system and the worst status of its findings (unreachable targets are critical).',
    labelNames: ['target_kind', 'status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: register,
  });
  const diagnoses = new Histogram({
    name: 'firebreak_diagnostics_duration_seconds',
    help: 'A whole diagnosis (/diag <kind>, or a runbook check step), by kind and the worst status of its report.',
    labelNames: ['kind', 'status'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: register,
  });
  let diagnosisCounts: (() => { running: number; waiting: number; joined: number; refused: number }) | undefined;
  new Gauge({
    name: 'firebreak_diagnoses_running',
    help: 'Distinct diagnoses running now (at most diagnostics.concurrency).',
    registers: register,
    collect() {
      if (diagnosisCounts) this.set(diagnosisCounts().running);
    },
  });
  new Gauge({
    name: 'firebreak_diagnoses_waiting',
    help: 'Diagnoses waiting for a turn (at most diagnostics.queue).',
    registers: register,
    collect() {
      if (diagnosisCounts) this.set(diagnosisCounts().waiting);
    },
  });
  // Counted where the diagnoses are admitted, and read here as totals.
  const countedTotal = (name: string, help: string, pick: (c: { joined: number; refused: number }) => number) =>
    new Counter({
      name,
      help,
      registers: register,
      collect() {
        if (!diagnosisCounts) return;
        this.reset();
        this.inc(pick(diagnosisCounts()));
      },
    });
  countedTotal('firebreak_diagnoses_joined_total', 'Diagnosis requests that joined the same diagnosis already running or waiting, instead of starting another.', (c) => c.joined);
  countedTotal('firebreak_diagnoses_refused_total', 'Diagnosis requests refused because diagnostics.concurrency were running and diagnostics.queue waiting.', (c) => c.refused);
  const reminders = new Counter({
    name: 'firebreak_reminders_total',
    help: "The reminder engine's items (update reminders, response deadlines, escalations, PagerDuty events) by kind and what happened: due (about to be sent), sent, skipped (nothing to send any more), failed (stays due, retried).",
    labelNames: ['kind', 'event'],
    registers: register,
  });
  const lateness = new Histogram({
    name: 'firebreak_reminders_lateness_seconds',
    help: 'How long after its due time an item was sent, by kind.',
    labelNames: ['kind'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600],
    registers: register,
  });
  const remediation = new Counter({
    name: 'firebreak_remediation_actions_total',
    help: 'Remediation audit events by action and outcome (requested, refused, approved, rejected, expired, started, succeeded, failed).',
    labelNames: ['action', 'outcome'],
    registers: register,
  });
  const approvalsRefused = new Counter({
    name: 'firebreak_approvals_refused_total',
    help: 'Remediation decisions (and requests, for their target) refused, by decision and reason code.',
    labelNames: ['decision', 'reason'],
    registers: register,
  });
  const storeErrors = new Counter({
    name: 'firebreak_store_errors_total',
    help: 'Store calls that failed, by operation and error (unavailable: the database could not be reached; other).',
    labelNames: ['operation', 'error'],
    registers: register,
  });
  let storeStats: { backend: string; read: () => ConnectionStats | undefined } | undefined;
  const connectionGauge = (name: string, help: string, pick: (s: ConnectionStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['backend'],
      registers: register,
      collect() {
        const stats = storeStats?.read();
        if (storeStats && stats) this.set({ backend: storeStats.backend }, pick(stats));
      },
    });
  connectionGauge('firebreak_store_connections', 'Connections the store holds open (PostgreSQL: the pool; PGlite: its one connection).', (s) => s.total);
  connectionGauge('firebreak_store_idle_connections', 'Open connections not in use.', (s) => s.idle);
  connectionGauge('firebreak_store_waiting_queries', 'Queries waiting for a connection.', (s) => s.waiting);
  let dependencies: (() => Promise<Record<string, boolean>>) | undefined;
  const dependencyName = closedSet(['store', 'slack', 'socket']);
  new Gauge({
    name: 'firebreak_dependency_up',
    help: 'Whether a dependency could be reached when scraped (1) or not (0): the store, Slack, and in Socket Mode the WebSocket; what /healthz reports.',
    labelNames: ['dependency'],
    registers: register,
    async collect() {
      if (!dependencies) return;
      const up = await dependencies().catch(() => ({}) as Record<string, boolean>);
      this.reset();
      for (const [name, ok] of Object.entries(up)) this.set({ dependency: dependencyName(name) }, ok ? 1 : 0);
    },
  });

  return {
    registry,
    scrape: () => registry.metrics(),
    watchStore: (backend, read) => {
      storeStats = { backend, read };
    },
    watchInflight: (read) => {
      inflightSize = read;
    },
    watchDiagnoses: (read) => {
      diagnosisCounts = read;
    },
    watchDependencies: (read) => {
      dependencies = read;
    },
    slackRequest: (request, outcome) => requests.inc({ kind: requestKind(request.kind), name: requestName(request.name), outcome }),
    slackRequestRefused: (reason) => refused.inc({ reason: refusedReason(reason) }),
    slackAck: (request, seconds) => ack.observe({ kind: requestKind(request.kind), name: requestName(request.name) }, seconds),
    slackApiCall: (method, error) => {
      const m = apiMethod(method);
      apiCalls.inc({ method: m });
      if (error !== null) apiErrors.inc({ method: m, error: apiError(error) });
    },
    backgroundWork: (label, seconds, outcome) => background.observe({ kind: workKind(label), outcome }, seconds),
    probe: (kind, s, seconds) => probes.observe({ target_kind: targetKind(kind), status: status(s) }, seconds),
    diagnostics: (kind, s, seconds) => diagnoses.observe({ kind: diagKind(kind), status: status(s) }, seconds),
    reminder: (event, kind, lateSeconds) => {
      const k = reminderKind(kind);
      reminders.inc({ kind: k, event: reminderEvent(event) });
      if (event === 'sent' && lateSeconds !== undefined) lateness.observe({ kind: k }, lateSeconds);
    },
    remediation: (action, outcome) => remediation.inc({ action: actionId(action), outcome: auditEvent(outcome) }),
    approvalRefused: (d, reason) => approvalsRefused.inc({ decision: decision(d), reason: refusal(reason) }),
    storeError: (operation, error) => storeErrors.inc({ operation: storeOperation(operation), error: storeError(error) }),
  };
}

/** GET /metrics on PORT, beside /healthz, in both modes. */
export function metricsRoute(metrics: Pick<PrometheusMetrics, 'scrape' | 'registry'>): ExtraRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (req, res: ServerResponse) => {
      req.resume();
      metrics.scrape().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('could not collect the metrics\n');
        },
      );
    },
  };
}
