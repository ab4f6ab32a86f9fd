/**
 * The interfaces the use cases need from the outside world. Adapters implement them; tests use
 * the real adapters (PostgreSQL, the Slack stand-in) or small fakes, never module mocks.
 */
import type { Incident, MessageRef, NewIncident } from './core/incident/incident.js';
import type { Message } from './core/render/message.js';

/** Event recorded on an incident's timeline. */
export interface TimelineEvent {
  incidentId: string;
  kind: string;
  actorId: string | null;
  at: Date;
  /** Free-form details of the event, stored as JSON. */
  data: Record<string, unknown>;
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
  /** Appends an event to an incident's timeline. */
  addTimelineEvent(event: TimelineEvent): Promise<void>;
  /** The incident's timeline, oldest first. */
  listTimeline(incidentId: string): Promise<TimelineEvent[]>;
  close(): Promise<void>;
}

/** Outgoing chat messages. */
export interface Chat {
  post(channel: string, message: Message, options?: { threadTs?: string }): Promise<MessageRef>;
  /** A message only `user` sees in `channel`; falls back to a direct message when that is refused. */
  postEphemeral(channel: string, user: string, message: Message): Promise<void>;
  update(ref: MessageRef, message: Message): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
