import type { SeverityLevel } from './severity.js';

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Where a message lives in Slack (or any chat): enough to update it or reply in its thread. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** An incident as stored. Times are UTC instants. */
export interface Incident {
  /** Internal primary key (uuid). */
  id: string;
  /** Slack workspace (team) the incident belongs to; human ids are unique per workspace. */
  teamId: string;
  /** Per-workspace sequence number: the n of INC-n. */
  number: number;
  title: string;
  severity: SeverityLevel;
  status: IncidentStatus;
  impact: string | null;
  symptoms: string | null;
  /** What is being done right now, as told at declaration. */
  actions: string | null;
  /** Estimated time of resolution, free text ("45 min", "unknown"). */
  eta: string | null;
  reporterId: string;
  commanderId: string | null;
  /** Communications lead: writes to stakeholders. */
  commsLeadId: string | null;
  declaredAt: Date;
  /** When the problem was first noticed (the first alert, or what the reporter said), when known: MTTD runs from it. */
  detectedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  /** Time of the last update posted (declaredAt until the first); the reminder clock keys on it. */
  lastUpdateAt: Date;
  /** Where the incident was announced in the incidents channel. */
  announcement: MessageRef | null;
  /** The incident's own channel, when one was created. */
  channelId: string | null;
  /** The pinned summary card, kept current with every change. */
  card: MessageRef | null;
  /** What the resolution form said; null until resolved. */
  resolution: Resolution | null;
  /** Keys of the post-incident checklist items ticked so far. */
  checklist: string[];
  /** Update reminders are snoozed until then; an update clears it. */
  reminderSnoozedUntil: Date | null;
}

export interface Resolution {
  rootCause: string | null;
  fixApplied: string | null;
  finalImpact: string | null;
  /** When the postmortem is planned, free text ("Thursday 14:00"). */
  postmortemDate: string | null;
}

/** Where messages about the incident go: its channel, or the announcement's thread when it has none. */
export function incidentHome(incident: Incident): { channel: string; threadTs?: string } | null {
  if (incident.channelId) return { channel: incident.channelId };
  if (incident.announcement) return { channel: incident.announcement.channel, threadTs: incident.announcement.ts };
  return null;
}

export const isOpen = (incident: Pick<Incident, 'status'>): boolean => incident.status !== 'resolved';

/** What a declaration carries before it is stored. */
export interface NewIncident {
  teamId: string;
  title: string;
  severity: SeverityLevel;
  impact: string | null;
  symptoms: string | null;
  actions: string | null;
  eta: string | null;
  reporterId: string;
  commanderId: string | null;
  declaredAt: Date;
  /** When it was first noticed, if before the declaration (later is taken as the declaration itself). */
  detectedAt?: Date | null;
  /**
   * Identifies the request that declared the incident (for a modal: its view id and hash), so a
   * repeated delivery of the same request returns the incident already stored instead of a second one.
   */
  sourceKey: string;
}

/** A detection told as more than this before the declaration is taken as unknown (an alert firing for days, then declared again). */
export const DETECTION_LOOKBACK_MS = 7 * 86_400_000;

/**
 * The detection time kept for an incident: none when unknown, unreadable or more than a week
 * before the declaration, and never after it (an alert's clock a little ahead of ours means it
 * was detected as it was declared).
 */
export function detectionTime(detectedAt: Date | null | undefined, declaredAt: Date): Date | null {
  if (!(detectedAt instanceof Date) || Number.isNaN(detectedAt.getTime())) return null;
  if (declaredAt.getTime() - detectedAt.getTime() > DETECTION_LOOKBACK_MS) return null;
  return detectedAt.getTime() > declaredAt.getTime() ? new Date(declaredAt.getTime()) : detectedAt;
}

export function humanId(incident: Pick<Incident, 'number'>): string {
  return `INC-${incident.number}`;
}

/** Parses "INC-7", "inc-7" or "7" into 7; anything else is null. */
export function parseHumanId(text: string): number | null {
  const m = /^(?:inc-)?(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}
