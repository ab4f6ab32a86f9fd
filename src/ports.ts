/**
 * The interfaces the use cases need from the outside world. Adapters implement them; tests use
 * the real adapters (PostgreSQL, the Slack stand-in) or small fakes, never module mocks.
 */
import type { Incident, IncidentStatus, MessageRef, NewIncident, Resolution } from './core/incident/incident.js';
import type { SeverityLevel } from './core/incident/severity.js';
import type { Message } from './core/render/message.js';

/** What can happen to an incident; each is recorded on its timeline with who and when. */
export const TIMELINE_KINDS = [
  'opened', 'acknowledged', 'role_changed', 'severity_changed', 'status_changed', 'update_posted',
  'note', 'pinned_message', 'diagnostic_run', 'action_requested', 'action_approved', 'action_executed',
  'reminder_sent', 'escalation_sent', 'resolved', 'reopened', 'checklist_ticked', 'postmortem_generated',
  'side_step_failed',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Event recorded on an incident's timeline. */
export interface TimelineEvent {
  incidentId: string;
  kind: TimelineKind;
  actorId: string | null;
  at: Date;
  /** Free-form details of the event, stored as JSON. */
  data: Record<string, unknown>;
  /**
   * Makes the event idempotent: a second event with the same key on the same incident is not
   * added (Slack redelivers events; a reaction must not be recorded twice).
   */
  dedupeKey?: string;
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

/** Firebreak's own state. Every method throws FirebreakError('STORE_UNAVAILABLE') when the database cannot be reached. */
export interface Store {
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
  /** Incidents of a workspace declared at or after `since`, oldest first. */
  listIncidentsDeclaredSince(teamId: string, since: Date): Promise<Incident[]>;
  /**
   * Applies `set` atomically when `when` holds, and records `event` with it. Returns the incident
   * as it is after the call and whether the change applied (false: the guard did not hold, nothing
   * changed). Throws a plain Error for an unknown id.
   */
  updateIncident(change: IncidentChange): Promise<{ incident: Incident; applied: boolean }>;
  /** Appends an event to an incident's timeline; false when its dedupeKey was already recorded. */
  addTimelineEvent(event: TimelineEvent): Promise<boolean>;
  /** The incident's timeline, oldest first. */
  listTimeline(incidentId: string): Promise<TimelineEvent[]>;
  close(): Promise<void>;
}

/** Outgoing chat messages and the channel operations an incident needs. */
export interface Chat {
  post(channel: string, message: Message, options?: { threadTs?: string }): Promise<MessageRef>;
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
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
