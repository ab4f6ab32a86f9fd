/**
 * Guarded incident changes: one `UPDATE … WHERE id = $1 AND <guard> RETURNING` and its timeline
 * event in one transaction. Column names come only from the whitelists below; every value is a
 * parameter. The row lock taken by the UPDATE serialises concurrent changes to one incident, and
 * PostgreSQL re-checks the guard against the row as the previous change left it, so of N racing
 * "acknowledge if not yet acknowledged" exactly one applies.
 */
import { z } from 'zod';
import type { Incident } from '../../core/incident/incident.js';
import { incidentGuardSchema, incidentPatchSchema } from '../../core/incident/change-schema.js';
import { TIMELINE_KINDS, type IncidentChange, type TimelineEvent } from '../../ports.js';
import type { Db } from './db.js';
import { INCIDENT_COLUMNS, toIncident, UUID } from './incident-rows.js';

const patchSchema = incidentPatchSchema;
const guardSchema = incidentGuardSchema;

type Patch = z.infer<typeof patchSchema>;
type Assignment = [column: string, value: unknown, cast?: '::jsonb'];

/** Patch key → the columns it writes. jsonb values are sent as JSON text; null stays SQL NULL. */
const PATCH_COLUMNS: { [K in keyof Patch]-?: (v: Exclude<Patch[K], undefined>) => Assignment[] } = {
  title: (v) => [['title', v]],
  severity: (v) => [['severity', v]],
  status: (v) => [['status', v]],
  commanderId: (v) => [['commander_id', v]],
  commsLeadId: (v) => [['comms_lead_id', v]],
  acknowledgedAt: (v) => [['acknowledged_at', v]],
  acknowledgedBy: (v) => [['acknowledged_by', v]],
  resolvedAt: (v) => [['resolved_at', v]],
  lastUpdateAt: (v) => [['last_update_at', v]],
  channelId: (v) => [['channel_id', v]],
  card: (v) => [['card_channel', v?.channel ?? null], ['card_ts', v?.ts ?? null]],
  resolution: (v) => [['resolution', v === null ? null : JSON.stringify(v), '::jsonb']],
  checklist: (v) => [['checklist', JSON.stringify(v), '::jsonb']],
  reminderSnoozedUntil: (v) => [['reminder_snoozed_until', v]],
};

function parseInput<S extends z.ZodType>(schema: S, what: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new Error(`updateIncident: invalid ${what}${at}: ${issue?.message ?? 'invalid'}`);
}

/** Builds the UPDATE for `change`; parameter $1 is the id. */
export function buildUpdate(change: IncidentChange): { sql: string; params: unknown[] } {
  const params: unknown[] = [change.id];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };

  const patch = parseInput(patchSchema, 'set', change.set);
  const assignments: string[] = [];
  for (const key of Object.keys(PATCH_COLUMNS) as (keyof Patch)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    const columns = (PATCH_COLUMNS[key] as (v: unknown) => Assignment[])(value);
    for (const [column, v, cast = ''] of columns) assignments.push(`${column} = ${param(v)}${cast}`);
  }
  // Every change moves the revision on, so the replica drawing the incident's messages sees that
  // what it drew is no longer the latest (see incident-drawing.ts). With nothing else to set, this
  // still runs the guard, locks the row and returns it.
  assignments.push('revision = revision + 1');

  const when = parseInput(guardSchema, 'when', change.when ?? {});
  const conditions = ['id = $1'];
  if (when.status !== undefined) {
    conditions.push(Array.isArray(when.status) ? `status = ANY(${param(when.status)}::text[])` : `status = ${param(when.status)}`);
  }
  if (when.severity !== undefined) conditions.push(`severity = ${param(when.severity)}`);
  if (when.commanderId !== undefined) {
    conditions.push(when.commanderId === null ? 'commander_id IS NULL' : `commander_id = ${param(when.commanderId)}`);
  }
  if (when.acknowledgedAt !== undefined) conditions.push('acknowledged_at IS NULL');
  if (when.resolvedAt !== undefined) conditions.push('resolved_at IS NULL');

  return {
    sql: `UPDATE incidents SET ${assignments.join(', ')} WHERE ${conditions.join(' AND ')} RETURNING ${INCIDENT_COLUMNS}`,
    params,
  };
}

/** Inserts `event` unless one with its dedupeKey is already on the incident; true when inserted. */
export async function insertEvent(q: Db, event: TimelineEvent): Promise<boolean> {
  // Read values from the database must validate, so a kind that could not be read back is refused here.
  if (!(TIMELINE_KINDS as readonly string[]).includes(event.kind)) {
    throw new Error(`Unknown timeline event kind: ${JSON.stringify(event.kind)}`);
  }
  const rows = await q.query(
    `INSERT INTO incident_events (incident_id, kind, actor_id, at, data, dedupe_key)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6)
     ON CONFLICT (incident_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
     RETURNING id`,
    [event.incidentId, event.kind, event.actorId, event.at, JSON.stringify(event.data), event.dedupeKey ?? null],
  );
  return rows.length === 1;
}

/** Thrown inside the transaction to roll the change back when its event was a redelivery. */
class DuplicateEvent extends Error {}

/**
 * Applies `change` (see Store.updateIncident). When the event carries a dedupeKey already on the
 * timeline, the change is a redelivery of one already recorded: it is rolled back and reported
 * as not applied, so the caller does not act on it twice.
 */
export async function updateIncident(db: Db, change: IncidentChange): Promise<{ incident: Incident; applied: boolean }> {
  const { sql, params } = buildUpdate(change);
  if (!UUID.test(change.id)) throw new Error(`unknown incident ${change.id}`);
  const current = async (q: Db): Promise<Incident> => {
    const [row] = await q.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [change.id]);
    if (row === undefined) throw new Error(`unknown incident ${change.id}`);
    return toIncident(row);
  };
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.query(sql, params);
      if (row === undefined) return { incident: await current(tx), applied: false };
      const incident = toIncident(row);
      if (change.event && !(await insertEvent(tx, { ...change.event, incidentId: change.id }))) throw new DuplicateEvent();
      return { incident, applied: true };
    });
  } catch (err) {
    if (!(err instanceof DuplicateEvent)) throw err;
    return { incident: await current(db), applied: false };
  }
}
