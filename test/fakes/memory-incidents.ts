/**
 * Incidents and their timelines in memory, with the rules the PostgreSQL store enforces: per-team
 * INC-n numbering, idempotency on sourceKey, guarded updates whose event is recorded only when the
 * change applies (and a redelivered dedupeKey undoes the change), one channel per incident of a team,
 * a revision moved on by every change, checklist ticks applied to the latest state, and the lease
 * on drawing an incident's messages.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { INCIDENT_STATUSES, type Incident, type NewIncident } from '../../src/core/incident/incident.js';
import { SEVERITY_LEVELS } from '../../src/core/incident/severity.js';
import { incidentGuardSchema, incidentPatchSchema } from '../../src/core/incident/change-schema.js';
import { TIMELINE_KINDS, type IncidentChange, type IncidentDrawing, type Store, type TimelineEvent } from '../../src/ports.js';
import { asJson, byTime, copy, date, parseOrThrow, sqlError, UUID } from './memory-rows.js';

const status = z.enum(INCIDENT_STATUSES);
const severity = z.enum(SEVERITY_LEVELS);

const patchSchema = incidentPatchSchema;
const guardSchema = incidentGuardSchema;

type Guard = z.infer<typeof guardSchema>;

/** The columns' NOT NULL and CHECK constraints, as a schema. */
const newIncidentSchema = z.object({
  teamId: z.string(),
  title: z.string(),
  severity,
  impact: z.string().nullable(),
  symptoms: z.string().nullable(),
  actions: z.string().nullable(),
  eta: z.string().nullable(),
  reporterId: z.string(),
  commanderId: z.string().nullable(),
  declaredAt: date,
  // The column's CHECK: never after the declaration.
  detectedAt: date.nullable().optional(),
  sourceKey: z.string(),
}).refine((i) => !i.detectedAt || new Date(i.detectedAt).getTime() <= new Date(i.declaredAt).getTime(), { message: 'detectedAt is after declaredAt' });

/** What the row holds beside the Incident: its revision and the drawing lease (see Store.claimDrawing). */
interface Drawing {
  revision: number;
  drawnRevision: number;
  drawnBy: string | null;
  drawingBy: string | null;
  drawingUntil: number | null;
  checklistMessage: { channel: string; ts: string } | null;
}

const keys = z.array(z.string().min(1).max(200)).max(100);
const checklistInput = z.object({
  id: z.string(),
  add: keys,
  remove: keys,
  message: z.object({ channel: z.string().min(1), ts: z.string().min(1) }).optional(),
});
const leaseInput = z.object({ id: z.string(), owner: z.string().min(1).max(200), at: date, leaseMs: z.number().int().positive() });

/** An event as stored: `seq` is the insertion order that breaks ties between equal times. */
interface StoredEvent {
  seq: number;
  event: TimelineEvent;
}

function holds(incident: Incident, when: Guard): boolean {
  if (when.status !== undefined) {
    const allowed = Array.isArray(when.status) ? when.status : [when.status];
    if (!allowed.includes(incident.status)) return false;
  }
  if (when.severity !== undefined && incident.severity !== when.severity) return false;
  // null means "is null"; a value never matches a null column (SQL's NULL = 'x' is not true).
  if (when.commanderId !== undefined && incident.commanderId !== when.commanderId) return false;
  if (when.acknowledgedAt !== undefined && incident.acknowledgedAt !== null) return false;
  if (when.resolvedAt !== undefined && incident.resolvedAt !== null) return false;
  return true;
}

/** The event as it will be stored and read back; refuses what the database would refuse. */
function toStoredEvent(event: TimelineEvent): TimelineEvent {
  // Checked first, as the PostgreSQL store does: an event that could not be read back is a bug.
  if (!(TIMELINE_KINDS as readonly string[]).includes(event.kind)) {
    throw new Error(`Unknown timeline event kind: ${JSON.stringify(event.kind)}`);
  }
  if (!(event.at instanceof Date) || Number.isNaN(event.at.getTime())) throw new Error(`invalid timeline event time for ${event.kind}`);
  const stored: TimelineEvent = { incidentId: event.incidentId, kind: event.kind, actorId: event.actorId ?? null, at: new Date(event.at), data: asJson(event.data) };
  // Only when there is one, so events compare equal to what was added (as toEvent does).
  if (event.dedupeKey !== undefined && event.dedupeKey !== null) stored.dedupeKey = event.dedupeKey;
  return stored;
}

export type IncidentMethods = Omit<Store, 'schedule' | 'remediation' | 'replays' | 'runbooks' | 'alerts' | 'kind' | 'ping' | 'close'>;

/**
 * The incident half of the Store, plus `has` for the parts whose rows reference an incident and
 * `isResolved` (the incident exists and is resolved) for the alert groups.
 */
export function memoryIncidents(): IncidentMethods & { has(id: string): boolean; isResolved(id: string): boolean } {
  const incidents = new Map<string, Incident>();
  const counters = new Map<string, number>();
  const timelines = new Map<string, StoredEvent[]>();
  // Kept beside the incidents, not on them: sourceKey is not part of the Incident type.
  const sourceKeys = new Map<string, string>();
  const drawings = new Map<string, Drawing>();
  let seq = 0;

  const drawingOf = (id: string): Drawing => {
    let d = drawings.get(id);
    if (!d) {
      d = { revision: 1, drawnRevision: 0, drawnBy: null, drawingBy: null, drawingUntil: null, checklistMessage: null };
      drawings.set(id, d);
    }
    return d;
  };
  const asDrawing = (incident: Incident, d: Drawing): IncidentDrawing => ({
    incident: copy(incident), revision: d.revision, checklistMessage: d.checklistMessage ? { ...d.checklistMessage } : null, lastDrawnBy: d.drawnBy,
  });

  const find = (predicate: (i: Incident) => boolean): Incident | null => {
    for (const incident of incidents.values()) if (predicate(incident)) return copy(incident);
    return null;
  };
  const all = (predicate: (i: Incident) => boolean, order: (a: Incident, b: Incident) => number): Incident[] =>
    [...incidents.values()].filter(predicate).sort(order).map(copy);
  const append = (event: TimelineEvent): void => {
    const timeline = timelines.get(event.incidentId) ?? [];
    timeline.push({ seq: ++seq, event });
    timelines.set(event.incidentId, timeline);
  };
  const isDuplicate = (event: TimelineEvent): boolean =>
    event.dedupeKey !== undefined && (timelines.get(event.incidentId) ?? []).some((e) => e.event.dedupeKey === event.dedupeKey);

  return {
    has: (id) => incidents.has(id),
    isResolved: (id) => {
      const incident = incidents.get(id);
      return incident !== undefined && (incident.resolvedAt !== null || incident.status === 'resolved');
    },

    async openIncident(input: NewIncident) {
      const valid = parseOrThrow(newIncidentSchema, 'openIncident: invalid input', input);
      const existing = find((i) => i.teamId === valid.teamId && sourceKeys.get(i.id) === valid.sourceKey);
      if (existing) return { incident: existing, created: false };
      const number = (counters.get(valid.teamId) ?? 0) + 1;
      counters.set(valid.teamId, number);
      const incident: Incident = {
        id: randomUUID(), teamId: valid.teamId, number, title: valid.title, severity: valid.severity, status: 'investigating',
        impact: valid.impact, symptoms: valid.symptoms, actions: valid.actions, eta: valid.eta, reporterId: valid.reporterId,
        commanderId: valid.commanderId, commsLeadId: null, declaredAt: new Date(valid.declaredAt),
        detectedAt: valid.detectedAt ? new Date(valid.detectedAt) : null, acknowledgedAt: null,
        acknowledgedBy: null, resolvedAt: null, lastUpdateAt: new Date(valid.declaredAt), announcement: null, channelId: null,
        card: null, resolution: null, checklist: [], reminderSnoozedUntil: null,
      };
      incidents.set(incident.id, incident);
      sourceKeys.set(incident.id, valid.sourceKey);
      append(toStoredEvent({
        incidentId: incident.id, kind: 'opened', actorId: valid.reporterId, at: valid.declaredAt,
        data: { title: valid.title, severity: valid.severity },
      }));
      return { incident: copy(incident), created: true };
    },

    getIncidentByNumber: async (teamId, number) => find((i) => i.teamId === teamId && i.number === number),

    async setAnnouncement(incidentId, ref) {
      const incident = incidents.get(incidentId);
      if (!incident) throw new Error(`setAnnouncement: no incident with id ${incidentId}`);
      incident.announcement = { channel: ref.channel, ts: ref.ts };
    },

    getIncident: async (id) => (UUID.test(id) ? find((i) => i.id === id) : null),

    findIncidentByChannel: async (teamId, channelId) => find((i) => i.teamId === teamId && i.channelId === channelId),

    // Severities are 'P0'..'P3': their text order is most severe first.
    listOpenIncidents: async (teamId) =>
      all(
        (i) => i.teamId === teamId && i.status !== 'resolved',
        (a, b) => (a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : 0) || byTime(a.declaredAt, b.declaredAt) || a.number - b.number,
      ),

    listOpenIncidentIds: async () =>
      all((i) => i.status !== 'resolved', (a, b) => byTime(a.declaredAt, b.declaredAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((i) => i.id),

    listIncidentsDeclaredSince: async (teamId, since) =>
      all((i) => i.teamId === teamId && i.declaredAt.getTime() >= since.getTime(), (a, b) => byTime(a.declaredAt, b.declaredAt) || a.number - b.number),

    async updateIncident(change: IncidentChange) {
      // Validated before the id is looked at, in the PostgreSQL store's order.
      const patch = parseOrThrow(patchSchema, 'updateIncident: invalid set', change.set);
      const when = parseOrThrow(guardSchema, 'updateIncident: invalid when', change.when ?? {});
      const current = UUID.test(change.id) ? incidents.get(change.id) : undefined;
      if (!current) throw new Error(`unknown incident ${change.id}`);
      if (!holds(current, when)) return { incident: copy(current), applied: false };

      const next: Incident = copy(current);
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = copy(value);
      }
      if (next.channelId !== null && next.channelId !== current.channelId) {
        const taken = [...incidents.values()].some((i) => i.id !== next.id && i.teamId === next.teamId && i.channelId === next.channelId);
        if (taken) throw sqlError('23505', 'duplicate key value violates unique constraint "incidents_channel"');
      }
      const event = change.event ? toStoredEvent({ ...change.event, incidentId: change.id }) : null;
      // A redelivery of an event already recorded: the whole change is undone, reported as not applied.
      if (event && isDuplicate(event)) return { incident: copy(current), applied: false };
      incidents.set(next.id, next);
      drawingOf(next.id).revision += 1;
      if (event) append(event);
      return { incident: copy(next), applied: true };
    },

    async changeChecklist(input) {
      const c = parseOrThrow(checklistInput, 'changeChecklist: invalid input', input);
      const current = UUID.test(c.id) ? incidents.get(c.id) : undefined;
      if (!current) throw new Error(`unknown incident ${c.id}`);
      const previous = [...current.checklist];
      const next = [...new Set([...previous, ...c.add])].filter((k) => !c.remove.includes(k));
      current.checklist = next;
      const d = drawingOf(c.id);
      d.revision += 1;
      if (c.message) d.checklistMessage = { channel: c.message.channel, ts: c.message.ts };
      return { incident: copy(current), previous };
    },

    async claimDrawing(input) {
      const l = parseOrThrow(leaseInput, 'claimDrawing: invalid input', input);
      const incident = UUID.test(l.id) ? incidents.get(l.id) : undefined;
      if (!incident) return null;
      const d = drawingOf(l.id);
      const free = d.drawingUntil === null || d.drawingUntil <= l.at.getTime() || d.drawingBy === l.owner;
      if (!free) return null;
      d.drawingBy = l.owner;
      d.drawingUntil = l.at.getTime() + l.leaseMs;
      return asDrawing(incident, d);
    },

    async finishDrawing(input) {
      const l = parseOrThrow(leaseInput.extend({ revision: z.number().int() }), 'finishDrawing: invalid input', input);
      const incident = UUID.test(l.id) ? incidents.get(l.id) : undefined;
      const d = incident ? drawingOf(l.id) : undefined;
      if (!incident || !d || d.drawingBy !== l.owner) return 'lost';
      d.drawnRevision = Math.max(d.drawnRevision, l.revision);
      if (d.revision === l.revision) {
        d.drawnBy = l.owner;
        d.drawingBy = null;
        d.drawingUntil = null;
        return 'done';
      }
      d.drawingUntil = l.at.getTime() + l.leaseMs;
      return asDrawing(incident, d);
    },

    async listAbandonedDrawings(at) {
      const when = parseOrThrow(date, 'listAbandonedDrawings: invalid input', at).getTime();
      return [...drawings]
        .filter(([, d]) => d.drawingUntil !== null && d.drawingUntil <= when)
        .sort(([a, x], [b, y]) => (x.drawingUntil ?? 0) - (y.drawingUntil ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
        .map(([id]) => id);
    },

    async addTimelineEvent(event) {
      const stored = toStoredEvent(event);
      if (!UUID.test(event.incidentId) || !incidents.has(event.incidentId)) {
        throw sqlError('23503', `addTimelineEvent: unknown incident ${event.incidentId}`);
      }
      if (isDuplicate(stored)) return false;
      append(stored);
      return true;
    },

    listTimeline: async (incidentId) =>
      // Array.prototype.sort is stable: events at the same time stay in insertion order.
      [...(timelines.get(incidentId) ?? [])].sort((a, b) => byTime(a.event.at, b.event.at) || a.seq - b.seq).map((e) => copy(e.event)),
  };
}
