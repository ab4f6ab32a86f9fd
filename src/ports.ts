/**
 * The interfaces the use cases need from the outside world. Adapters implement them; tests use
 * the real adapters (PostgreSQL, the Slack stand-in) or small fakes, never module mocks.
 */
import type { Incident, IncidentStatus, MessageRef, NewIncident, Resolution } from './core/incident/incident.js';
import type { SeverityLevel } from './core/incident/severity.js';
import type { Probe } from './core/diagnostics/probe.js';
import type { Approval, AuditEntry, RemediationRequest, RequestStatus } from './core/remediation/request.js';
import type { ActionDefinition, ActionTargetKind } from './core/remediation/action.js';
import type { Message } from './core/render/message.js';
import type { Template } from './core/render/template.js';
import type { Locale, TemplateKind } from './core/render/templates-catalogue.js';
import type { TimelineEvent } from './core/incident/timeline-event.js';
import type { CustomCheck, StepState } from './core/runbook/model.js';
export type { RunbookCatalogue } from './core/runbook/catalogue.js';
import type { RunbookRun, RunbookStepRecord } from './core/runbook/run-record.js';
export type { RunbookRun, RunbookStepRecord } from './core/runbook/run-record.js';
import type { Finding, Status, TargetKind } from './core/diagnostics/finding.js';
import type { RefusalCode } from './core/approval/policy.js';

export { TIMELINE_KINDS, type TimelineEvent, type TimelineKind } from './core/incident/timeline-event.js';

/** The communication templates, loaded and checked at start. */
export interface Templates {
  get(locale: Locale, kind: TemplateKind): Template;
}

/** Incident fields a use case may change. */
export interface IncidentPatch {
  title: string;
  severity: SeverityLevel;
  status: IncidentStatus;
  commanderId: string | null;
  commsLeadId: string | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  lastUpdateAt: Date;
  channelId: string | null;
  card: MessageRef | null;
  resolution: Resolution | null;
  checklist: string[];
  reminderSnoozedUntil: Date | null;
}

/**
 * Conditions on the current row for a change to apply: each listed field must currently have that
 * value (null means "is null"; an array means "one of").
 */
export interface IncidentGuard {
  status: IncidentStatus | IncidentStatus[];
  severity: SeverityLevel;
  commanderId: string | null;
  acknowledgedAt: null;
  resolvedAt: null;
}

export interface IncidentChange {
  id: string;
  set: Partial<IncidentPatch>;
  when?: Partial<IncidentGuard>;
  /** Appended to the timeline in the same transaction, only when the change applies. */
  event?: Omit<TimelineEvent, 'incidentId'>;
}

/**
 * What is due when, per incident and kind ("update_reminder", "response_deadline",
 * "escalation:<level>", "pager:<action>:<level>"): one row each, so nothing is only in memory.
 */
export interface ScheduledItem {
  id: string;
  incidentId: string;
  kind: string;
  /** When it is due; null when nothing is due (cancelled, or a one-shot item that fired). */
  dueAt: Date | null;
  /** A one-shot item fires once and is never re-armed by a plan. */
  oneShot: boolean;
  /** Failed attempts since the last success (drives the retry backoff). */
  attempts: number;
  firedCount: number;
  lastFiredAt: Date | null;
  lastError: string | null;
  payload: Record<string, unknown>;
}

/** An item as claimDue hands it over. */
export interface ClaimedItem extends ScheduledItem {
  /**
   * It still held an earlier claim, whose lease had ended: the process holding it stopped (or
   * stalled) while firing it, and may have posted it already.
   */
  takenOver: boolean;
}

/** One entry of an incident's plan: set `dueAt` (null cancels). */
export interface PlannedItem {
  kind: string;
  dueAt: Date | null;
  oneShot: boolean;
  payload?: Record<string, unknown>;
}

/** Which worker loop claims an item: Slack posts and PagerDuty calls never wait on each other. */
export type ScheduleLane = 'chat' | 'pager';
export const laneOf = (kind: string): ScheduleLane => (kind.startsWith('pager:') ? 'pager' : 'chat');

export interface ScheduleStore {
  /**
   * Applies an incident's plan: each kind's due time is set (inserted if new) or cleared (null).
   * A one-shot item that has fired is left as it is; a plan never re-arms it.
   */
  plan(incidentId: string, items: PlannedItem[]): Promise<void>;
  /** Queues a job (a PagerDuty call) due at `at`, re-arming it even if the same kind ran before. */
  enqueue(incidentId: string, kind: string, at: Date, payload: Record<string, unknown>): Promise<void>;
  /**
   * Atomically claims up to `limit` items of the lane due at or before `now` whose lease is free
   * (never claimed, or the claimer's lease ended at or before `now`), for `owner` until now + leaseMs.
   * Each item is claimed by exactly one caller, across processes (FOR UPDATE SKIP LOCKED).
   */
  claimDue(input: { now: Date; owner: string; leaseMs: number; limit: number; lane: ScheduleLane }): Promise<ClaimedItem[]>;
  /**
   * Ends a claim held by `owner`. `fired`: it was sent (fired count and time recorded, attempts
   * reset). The due time becomes `next` only if it is still the one claimed (`claimedDueAt`): a
   * reschedule that happened meanwhile (an update reset the clock) wins. Returns false when the
   * claim was no longer held (the lease expired and someone else took it).
   */
  complete(input: { id: string; owner: string; claimedDueAt: Date; next: Date | null; fired: boolean; at: Date }): Promise<boolean>;
  /** Ends a claim after a failure: due again at `retryAt` (unless a plan cancelled it meanwhile), attempts + 1, error kept. */
  fail(input: { id: string; owner: string; retryAt: Date; error: string }): Promise<void>;
  /** The earliest time something of the lane becomes claimable (a due time, or a lease ending), or null. */
  nextWake(lane: ScheduleLane): Promise<Date | null>;
  /** Every item of an incident (for the card, tests and diagnostics). */
  list(incidentId: string): Promise<ScheduledItem[]>;
}

/** Remediation requests (a state machine) and the append-only audit trail. */
export interface RemediationStore {
  /** Stores a new request in status "requested". */
  create(input: Omit<RemediationRequest, 'id' | 'status' | 'approvals' | 'decidedBy' | 'before' | 'after' | 'outcome' | 'message'>): Promise<RemediationRequest>;
  get(id: string): Promise<RemediationRequest | null>;
  /**
   * One atomic conditional update: applies when the request is in one of `from` (and, when
   * `notExpiredAt` is given, expires after that time). Returns the request as it is after the call
   * and whether this call changed it. `approval` is appended to the approvals when it applies.
   */
  transition(input: {
    id: string;
    from: RequestStatus[];
    to: RequestStatus;
    notExpiredAt?: Date;
    approval?: Approval;
    set?: Partial<Pick<RemediationRequest, 'decidedBy' | 'before' | 'after' | 'outcome'>>;
    /** The execution lease, set with the change (`to: 'running'`): the runner renews it while the action runs. */
    runningUntil?: Date;
    /** A condition too: applies only when the request's lease ended at or before this time (a request with none never matches). */
    leaseEndedBy?: Date;
    /**
     * Appended to the audit trail in the same atomic step, only when the change applies: a change
     * is never stored without its entry, nor an entry without its change (a process dying between
     * two writes would leave one of them behind).
     */
    audit?: AuditEntry;
    /**
     * Added to the timeline of the request's incident in the same atomic step, when the change
     * applies and the request belongs to an incident (an approval, an outcome, an interruption
     * on the incident's record exactly when it happened to the request).
     */
    event?: Omit<TimelineEvent, 'incidentId' | 'dedupeKey'>;
  }): Promise<{ request: RemediationRequest; applied: boolean }>;
  /** Moves the lease of a request that is still "running" to `until`; false when it no longer is (it was interrupted) or there is no such request. */
  renewLease(id: string, until: Date): Promise<boolean>;
  /** Requests "running" whose lease ended at or before `now`: their runner stopped renewing it. */
  listLeaseEnded(now: Date): Promise<RemediationRequest[]>;
  setMessage(id: string, ref: MessageRef): Promise<void>;
  /** Requests still "requested" whose expiry time has passed at `now`. */
  listExpired(now: Date): Promise<RemediationRequest[]>;
  /** Appends to the audit trail; the trail can never be updated or deleted. */
  audit(entry: AuditEntry): Promise<void>;
  /** The latest entries, newest first. */
  listAudit(limit: number): Promise<AuditEntry[]>;
}

/**
 * Keys of requests already received (a signed request's signature), kept until they expire, so a
 * request replayed to any replica is recognised.
 */
export interface ReplayStore {
  /** Records `key` until `expiresAt`; false when it is already recorded and not yet expired at `now` (a replay). Atomic. */
  remember(key: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Forgets the keys expired at `now`; returns how many. */
  prune(now: Date): Promise<number>;
}

/**
 * Runbook runs and their steps: each step claimed by one caller at a time, across replicas. The
 * methods changing a run or a step throw a plain Error for an unknown run id.
 */
export interface RunbookRunStore {
  /** Stores a new run, "running", with no step records; throws for an unknown incident. Params are strings only. */
  create(input: Pick<RunbookRun, 'teamId' | 'runbookId' | 'incidentId' | 'channelId' | 'params' | 'startedBy' | 'startedAt'>): Promise<RunbookRun>;
  get(id: string): Promise<RunbookRun | null>;
  /** Runs attached to an incident, oldest first. */
  listForIncident(incidentId: string): Promise<RunbookRun[]>;
  setMessage(id: string, ref: MessageRef): Promise<void>;
  /**
   * Atomically moves a step to "running" for `actorId` until `leaseUntil` (after `at`) when it is
   * in one of `from` (a step with no record is "pending"), or is "running" with a lease ended at or
   * before `at` (or with none). While a lease holds, every other claim is refused, the holder's
   * own included. Exactly one of concurrent callers gets `applied: true`. The step's outcome so far
   * (status, summary, findings, request) is kept. Returns the run as it is after the call.
   */
  claimStep(input: { runId: string; stepId: string; actorId: string; at: Date; leaseUntil: Date; from: StepState[] }): Promise<{ run: RunbookRun; applied: boolean }>;
  /**
   * Records a step's outcome atomically: its state, actor and time, and those of status, summary,
   * findings (bounded, see RunbookStepRecord) and request that are given (the others are kept);
   * unconditionally, or only when the step is in one of `from`. A step set "running" keeps its
   * lease; in any other state the lease is cleared.
   */
  setStep(input: { runId: string; stepId: string; state: StepState; at: Date; actorId: string | null; status?: Status | null; summary?: string | null; findings?: Finding[]; requestId?: string | null; from?: StepState[] }): Promise<{ run: RunbookRun; applied: boolean }>;
  /** The run whose action step asked for that remediation request, and the step (the earliest updated, should there be several). */
  findByRequest(requestId: string): Promise<{ run: RunbookRun; stepId: string } | null>;
  setStatus(id: string, status: RunbookRun['status']): Promise<void>;
}

/**
 * Alertmanager groups (by `groupKey`) and the incident each opened. A group opens at most one
 * incident while that incident is open; once it is resolved, the group firing again opens a new one.
 */
export interface AlertGroupStore {
  /**
   * The group's current generation, atomically: created (1, first seen at `at`) if the group is
   * new; moved to the next one, unlinked, when the incident linked to it is resolved (status
   * resolved or a resolution time). Concurrent callers for one group get the same answer.
   * `incidentId` is the open incident of that generation, once linked. A group key is any text
   * (any length, NUL included); two keys are one group only when they are the same string.
   */
  current(teamId: string, groupKey: string, at: Date): Promise<{ generation: number; incidentId: string | null }>;
  /**
   * Links the generation to the incident opened for it; a no-op when it is already linked or the
   * group has moved to another generation. Throws for an unknown incident or a group never seen.
   */
  link(teamId: string, groupKey: string, generation: number, incidentId: string): Promise<void>;
  /**
   * Records a notification received for the group (creating the group, generation 1, if new): its
   * time, how many of its alerts fire and how many are resolved, and its status, kept as the
   * group's latest. Returns how many notifications the group has received.
   */
  record(teamId: string, groupKey: string, input: { at: Date; firing: number; resolved: number; status: 'firing' | 'resolved' }): Promise<{ notifications: number }>;
}

/** An incident as the replica drawing its messages sees it (see Store.claimDrawing). */
export interface IncidentDrawing {
  incident: Incident;
  /** Moves on with every change to the incident (updateIncident, changeChecklist). */
  revision: number;
  /** The post-incident checklist message last ticked, redrawn with the card; null before any tick. */
  checklistMessage: MessageRef | null;
  /** The owner of the last finished drawing, or null: when it is another, what this one remembers having drawn (the topic) is stale. */
  lastDrawnBy: string | null;
}

/** Firebreak's own state. Every method throws FirebreakError('STORE_UNAVAILABLE') when the database cannot be reached. */
export interface Store {
  readonly schedule: ScheduleStore;
  readonly remediation: RemediationStore;
  readonly replays: ReplayStore;
  readonly runbooks: RunbookRunStore;
  readonly alerts: AlertGroupStore;
  /** 'postgres' for a server reached with pg, 'pglite' for the embedded database. */
  readonly kind: 'postgres' | 'pglite';
  /** Resolves when the database answers a trivial query within a short timeout. */
  ping(): Promise<void>;
  /**
   * Stores a new incident with the next INC-n of its workspace, and its "opened" timeline event,
   * in one transaction. Idempotent on `sourceKey`: a second call with the same key returns the
   * incident stored by the first with `created: false`.
   */
  openIncident(input: NewIncident): Promise<{ incident: Incident; created: boolean }>;
  /** The incident with that per-workspace number, or null. */
  getIncidentByNumber(teamId: string, number: number): Promise<Incident | null>;
  /** Remembers where the incident was announced (for later updates and threads). */
  setAnnouncement(incidentId: string, ref: MessageRef): Promise<void>;
  /** The incident with that internal id, or null. */
  getIncident(id: string): Promise<Incident | null>;
  /** The incident whose dedicated channel this is, or null. */
  findIncidentByChannel(teamId: string, channelId: string): Promise<Incident | null>;
  /** Open (not resolved) incidents of a workspace, most severe first, then oldest first. */
  listOpenIncidents(teamId: string): Promise<Incident[]>;
  /** Ids of every open incident in every workspace (for re-planning at start). */
  listOpenIncidentIds(): Promise<string[]>;
  /** Incidents of a workspace declared at or after `since`, oldest first. */
  listIncidentsDeclaredSince(teamId: string, since: Date): Promise<Incident[]>;
  /**
   * Applies `set` atomically when `when` holds, and records `event` with it. Returns the incident
   * as it is after the call and whether the change applied (false: the guard did not hold, nothing
   * changed). Throws a plain Error for an unknown id.
   */
  updateIncident(change: IncidentChange): Promise<{ incident: Incident; applied: boolean }>;
  /**
   * Ticks (`add`) and unticks (`remove`) post-incident checklist items in one atomic update, so
   * that concurrent calls, from any replica, each apply to what the one before left and no tick is
   * lost. Items already ticked keep their place, new ones follow in the order given; an item in both
   * lists is unticked. `message`, the checklist message ticked, is remembered to be redrawn with the
   * card. Returns the incident after the change and the checklist before it. Throws a plain Error
   * for an unknown id.
   */
  changeChecklist(input: { id: string; add: string[]; remove: string[]; message?: MessageRef }): Promise<{ incident: Incident; previous: string[] }>;
  /**
   * Drawing an incident's messages (card, announcement, checklist, topic) is one replica's at a
   * time. Takes that lease for `owner` until `at` + `leaseMs` when it is free, ended at or before
   * `at`, or already `owner`'s, and returns the incident to draw. Null when another owner holds it
   * (that one draws again before it lets go if the incident changed, see finishDrawing) or when
   * there is no such incident.
   */
  claimDrawing(input: { id: string; owner: string; at: Date; leaseMs: number }): Promise<IncidentDrawing | null>;
  /**
   * Ends `owner`'s drawing of `revision`, atomically: 'done', the lease let go, when that is still
   * the latest revision; when the incident changed meanwhile, the lease is renewed until `at` +
   * `leaseMs` and the incident is returned as it is now, to be drawn again; 'lost' when `owner` no
   * longer holds the lease (it ended and another took it).
   */
  finishDrawing(input: { id: string; owner: string; revision: number; at: Date; leaseMs: number }): Promise<IncidentDrawing | 'done' | 'lost'>;
  /** Ids of the incidents whose drawing lease ended at or before `at` without being finished: their drawer stopped. */
  listAbandonedDrawings(at: Date): Promise<string[]>;
  /** Appends an event to an incident's timeline; false when its dedupeKey was already recorded. */
  addTimelineEvent(event: TimelineEvent): Promise<boolean>;
  /** The incident's timeline, oldest first. */
  listTimeline(incidentId: string): Promise<TimelineEvent[]>;
  close(): Promise<void>;
}

/** Outgoing chat messages and the channel operations an incident needs. */
export interface Chat {
  /** `once.key` names the post across retries and processes; with `lookFirst`, a post of that key already there is not made again. */
  post(channel: string, message: Message, options?: { threadTs?: string; once?: { key: string; lookFirst: boolean } }): Promise<MessageRef>;
  /** A message only `user` sees in `channel`; falls back to a direct message when that is refused. */
  postEphemeral(channel: string, user: string, message: Message): Promise<void>;
  update(ref: MessageRef, message: Message): Promise<void>;
  /** Creates a public channel; `{ taken: true }` when the name exists already. */
  createChannel(name: string): Promise<{ id: string } | { taken: true }>;
  /** Invites people; those already in the channel are not an error. */
  invite(channel: string, userIds: string[]): Promise<void>;
  setTopic(channel: string, topic: string): Promise<void>;
  pin(ref: MessageRef): Promise<void>;
  permalink(ref: MessageRef): Promise<string | null>;
  /** A message's text, or null when it cannot be read. */
  messageText(ref: MessageRef): Promise<string | null>;
  uploadFile(file: { channel: string; threadTs?: string; filename: string; title: string; content: string; comment?: string }): Promise<void>;
  /** The members of a user group (S…). */
  userGroupMembers(groupId: string): Promise<string[]>;
}

/** A paging service (PagerDuty Events API v2). `send` never throws: failures are values. */
export interface PagerEvent {
  action: 'trigger' | 'acknowledge' | 'resolve';
  routingKey: string;
  dedupKey: string;
  summary?: string;
  severity?: 'critical' | 'error' | 'warning' | 'info';
  source?: string;
  timestamp?: Date;
  customDetails?: Record<string, unknown>;
  links?: Array<{ href: string; text: string }>;
}
export type PagerResult = { ok: true } | { ok: false; retryable: boolean; error: string };
export interface Pager {
  send(event: PagerEvent): Promise<PagerResult>;
}

/** What `/diag` (or the CLI) asks for. */
export type DiagKind = 'db' | 'redis' | 'k8s' | 'http' | 'prom' | 'logs' | 'docker' | 'host' | 'queue' | 'all';
export interface DiagRequest {
  kind: DiagKind;
  /** A configured target's name; the first of its kind when absent. */
  target?: string | undefined;
  namespace?: string | undefined;
  deployment?: string | undefined;
  sinceSeconds?: number | undefined;
  /** Docker: one container of the target, or its compose project by name. */
  container?: string | undefined;
}

/** The configured diagnostic targets, turned into probes on request. */
export interface Diagnostics {
  /** The probes for a request, or why there are none (unknown target, nothing configured). */
  probes(request: DiagRequest): { ok: true; probes: Probe[] } | { ok: false; message: string };
  /** What is configured, for help texts and the form. */
  catalogue(): DiagCatalogue;
  /** Deployments of the Kubernetes targets' namespaces, read within `timeoutMs` (what answered in time). */
  deployments(timeoutMs: number): Promise<Array<{ target: string; namespace: string; name: string }>>;
  timeoutMs: number;
  /**
   * A runbook's custom read-only check (SQL on a PostgreSQL target, PromQL, an HTTP request) as a
   * probe, or why it cannot run (unknown target).
   */
  custom(check: CustomCheck): { ok: true; probe: Probe } | { ok: false; message: string };
}
export interface DiagCatalogue {
  postgres: string[];
  redis: string[];
  kubernetes: Array<{ name: string; namespaces: string[] }>;
  http: string[];
  prometheus: string[];
  docker: string[];
  hosts: string[];
  /** RabbitMQ brokers (targets.rabbitmq); none when absent. */
  rabbitmq?: string[];
}

/** The remediation actions and how to find their targets, from the configuration. */
export interface RemediationCatalogue {
  actions: ReadonlyMap<string, ActionDefinition<unknown, unknown>>;
  /** The configured target of that kind (the first when no name is given), or why there is none. */
  target(kind: ActionTargetKind, name: string | undefined): { ok: true; name: string; target: unknown } | { ok: false; message: string };
}

export interface Clock {
  now(): Date;
  /**
   * A clock that does not run at real speed (local mode's fast clock) says how long a wait of
   * `clockMs` of its time takes in real milliseconds, and tells when its speed changes, so that
   * a sleeping scheduler wakes on time. The system clock has neither: its time is real time.
   */
  toRealMs?(clockMs: number): number;
  onSpeedChange?(listener: () => void): () => void;
}

export const systemClock: Clock = { now: () => new Date() };

/** A Slack request as the metrics name it: its kind and the route it matched, both from a bounded set. */
export interface RequestLabels {
  /** command, action, view_submission, view_closed, event, options, shortcut, unknown. */
  kind: string;
  /** The command, the action id's family (the part before ":"), the view's callback id or the event type; "other" when none of Firebreak's. */
  name: string;
}

/**
 * How a Slack request ended, once the work it started is over: `ok`; `failed`, an expected failure
 * told to the person with its own message; `error`, an internal error (the person read a
 * reference); `ignored`, acknowledged without being handled (not Firebreak's, unreadable).
 */
export type RequestOutcome = 'ok' | 'failed' | 'error' | 'ignored';

/** What happened to a due reminder, escalation or PagerDuty event when the engine took it. */
export type ReminderEvent = 'due' | 'sent' | 'skipped' | 'failed';

/**
 * What Firebreak counts and times about itself, served on GET /metrics. The use cases and adapters
 * report through this port; whatever they pass, the implementation keeps every label within a
 * bounded set (anything else becomes "other"), so no user id, channel id or free text ever
 * becomes a label value.
 */
export interface Metrics {
  /** A Slack request whose work is over (its background work included). */
  slackRequest(request: RequestLabels, outcome: RequestOutcome): void;
  /** A request refused before it reached a listener: a bad signature, a body that is not a Slack payload, a replay, one too large. */
  slackRequestRefused(reason: 'signature' | 'body' | 'replay' | 'too_large'): void;
  /** From a Slack request's arrival to its acknowledgement. */
  slackAck(request: RequestLabels, seconds: number): void;
  /** One HTTP request to Slack's Web API; `error` is null when Slack answered ok, "ratelimited" for a 429, else Slack's error code, "http_<status>", "timeout" or "network". */
  slackApiCall(method: string, error: string | null): void;
  /** Work run after the acknowledgement (ctx.inflight), by its label. */
  backgroundWork(label: string, seconds: number, outcome: 'ok' | 'error'): void;
  /** One probe of a diagnosis: the kind of system, the worst status of its findings. */
  probe(kind: TargetKind, status: Status, seconds: number): void;
  /** A whole diagnosis (`/diag <kind>`, a runbook's check) and the worst status of its report. */
  diagnostics(kind: DiagKind | 'runbook', status: Status, seconds: number): void;
  /** The reminder engine's fire path, by kind of item; `lateSeconds` with "sent": how long after its due time. */
  reminder(event: ReminderEvent, kind: 'update_reminder' | 'response_deadline' | 'escalation' | 'pager' | 'other', lateSeconds?: number): void;
  /** A remediation audit event (requested, refused, approved, rejected, expired, started, succeeded, failed) of an action of the catalogue. */
  remediation(actionId: string, outcome: AuditEntry['event']): void;
  /** A decision on a remediation request, or the request itself (its target), refused. */
  approvalRefused(decision: 'request' | 'approve' | 'reject', reason: RefusalCode): void;
  /** A store call that failed: `unavailable` when the database could not be reached, else `other`. */
  storeError(operation: string, error: 'unavailable' | 'other'): void;
}

/** Metrics that go nowhere: the default wherever nothing was composed (tests, the CLI). */
export const noMetrics: Metrics = {
  slackRequest: () => undefined,
  slackRequestRefused: () => undefined,
  slackAck: () => undefined,
  slackApiCall: () => undefined,
  backgroundWork: () => undefined,
  probe: () => undefined,
  diagnostics: () => undefined,
  reminder: () => undefined,
  remediation: () => undefined,
  approvalRefused: () => undefined,
  storeError: () => undefined,
};
