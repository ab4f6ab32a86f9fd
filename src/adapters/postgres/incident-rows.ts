/**
 * Rows of `incidents` and `incident_events` as the database returns them, validated and turned
 * into the domain's objects. pg and PGlite decode timestamptz to Date and jsonb to plain values
 * alike, so both backends give identical objects.
 */
import { z } from 'zod';
import { INCIDENT_STATUSES, type Incident, type MessageRef } from '../../core/incident/incident.js';
import { SEVERITY_LEVELS } from '../../core/incident/severity.js';
import { TIMELINE_KINDS, type TimelineEvent } from '../../ports.js';
// The `resolution` and `checklist` columns hold what an IncidentChange may set.
import { checklistSchema, resolutionSchema } from '../../core/incident/change-schema.js';

const incidentRow = z.object({
  id: z.string(),
  team_id: z.string(),
  number: z.number().int(),
  title: z.string(),
  severity: z.enum(SEVERITY_LEVELS),
  status: z.enum(INCIDENT_STATUSES),
  impact: z.string().nullable(),
  symptoms: z.string().nullable(),
  actions: z.string().nullable(),
  eta: z.string().nullable(),
  reporter_id: z.string(),
  commander_id: z.string().nullable(),
  comms_lead_id: z.string().nullable(),
  declared_at: z.date(),
  detected_at: z.date().nullable(),
  acknowledged_at: z.date().nullable(),
  acknowledged_by: z.string().nullable(),
  resolved_at: z.date().nullable(),
  last_update_at: z.date(),
  announcement_channel: z.string().nullable(),
  announcement_ts: z.string().nullable(),
  channel_id: z.string().nullable(),
  card_channel: z.string().nullable(),
  card_ts: z.string().nullable(),
  resolution: resolutionSchema.nullable(),
  checklist: checklistSchema,
  reminder_snoozed_until: z.date().nullable(),
});

const eventRow = z.object({
  incident_id: z.string(),
  kind: z.enum(TIMELINE_KINDS),
  actor_id: z.string().nullable(),
  at: z.date(),
  data: z.record(z.string(), z.unknown()),
  dedupe_key: z.string().nullable(),
});

/** Incident ids are uuids; anything else names no incident. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Column list for SELECT and RETURNING: exactly what toIncident reads. */
export const INCIDENT_COLUMNS = Object.keys(incidentRow.shape).join(', ');
export const EVENT_COLUMNS = Object.keys(eventRow.shape).join(', ');

export function parseRow<S extends z.ZodType>(schema: S, table: string, row: unknown): z.infer<S> {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`Unexpected row in ${table}: column ${issue?.path.join('.') || '?'}: ${issue?.message ?? 'invalid'}`);
}

const messageRef = (channel: string | null, ts: string | null): MessageRef | null =>
  channel !== null && ts !== null ? { channel, ts } : null;

export function toIncident(row: unknown): Incident {
  const r = parseRow(incidentRow, 'incidents', row);
  return {
    id: r.id,
    teamId: r.team_id,
    number: r.number,
    title: r.title,
    severity: r.severity,
    status: r.status,
    impact: r.impact,
    symptoms: r.symptoms,
    actions: r.actions,
    eta: r.eta,
    reporterId: r.reporter_id,
    commanderId: r.commander_id,
    commsLeadId: r.comms_lead_id,
    declaredAt: r.declared_at,
    detectedAt: r.detected_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    lastUpdateAt: r.last_update_at,
    announcement: messageRef(r.announcement_channel, r.announcement_ts),
    channelId: r.channel_id,
    card: messageRef(r.card_channel, r.card_ts),
    resolution: r.resolution,
    checklist: r.checklist,
    reminderSnoozedUntil: r.reminder_snoozed_until,
  };
}

/** `dedupeKey` only when the event has one, so events compare equal to what was added. */
export function toEvent(row: unknown): TimelineEvent {
  const r = parseRow(eventRow, 'incident_events', row);
  const event: TimelineEvent = { incidentId: r.incident_id, kind: r.kind, actorId: r.actor_id, at: r.at, data: r.data };
  if (r.dedupe_key !== null) event.dedupeKey = r.dedupe_key;
  return event;
}
