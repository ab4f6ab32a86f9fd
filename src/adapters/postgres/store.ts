/**
 * The Store port over a Db (PostgreSQL through pg, or PGlite): parameterised SQL only, rows
 * validated as they are read, and connection failures turned into STORE_UNAVAILABLE.
 */
import { z } from 'zod';
import { storeUnavailable } from '../../core/errors.js';
import { INCIDENT_STATUSES, type Incident, type NewIncident } from '../../core/incident/incident.js';
import { SEVERITY_LEVELS } from '../../core/incident/severity.js';
import type { Store, TimelineEvent } from '../../ports.js';
import { isConnectionError } from './connection-errors.js';
import type { Db } from './db.js';

export { isConnectionError };

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
  declared_at: z.date(),
  announcement_channel: z.string().nullable(),
  announcement_ts: z.string().nullable(),
});

const eventRow = z.object({
  incident_id: z.string(),
  kind: z.string(),
  actor_id: z.string().nullable(),
  at: z.date(),
  data: z.record(z.string(), z.unknown()),
});

const INCIDENT_COLUMNS = Object.keys(incidentRow.shape).join(', ');

function parseRow<S extends z.ZodType>(schema: S, table: string, row: unknown): z.infer<S> {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`Unexpected row in ${table}: column ${issue?.path.join('.') || '?'}: ${issue?.message ?? 'invalid'}`);
}

function toIncident(row: unknown): Incident {
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
    declaredAt: r.declared_at,
    announcement:
      r.announcement_channel !== null && r.announcement_ts !== null
        ? { channel: r.announcement_channel, ts: r.announcement_ts }
        : null,
  };
}

function toEvent(row: unknown): TimelineEvent {
  const r = parseRow(eventRow, 'incident_events', row);
  return { incidentId: r.incident_id, kind: r.kind, actorId: r.actor_id, at: r.at, data: r.data };
}

const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

/** Runs `fn`; a connection failure becomes STORE_UNAVAILABLE saying `what` could not be done. */
async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw isConnectionError(err) ? storeUnavailable(what, err) : err;
  }
}

const PING_TIMEOUT_MS = 2000;

export function createStore(db: Db): Store {
  const findBySourceKey = async (q: Db, teamId: string, sourceKey: string): Promise<Incident | null> => {
    const rows = await q.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE team_id = $1 AND source_key = $2`, [
      teamId,
      sourceKey,
    ]);
    return rows[0] === undefined ? null : toIncident(rows[0]);
  };

  const insertIncident = (input: NewIncident) =>
    db.transaction(async (tx) => {
      const existing = await findBySourceKey(tx, input.teamId, input.sourceKey);
      if (existing) return { incident: existing, created: false };
      const [counter] = await tx.query<{ last_number: number }>(
        `INSERT INTO workspace_counters (team_id, last_number) VALUES ($1, 1)
         ON CONFLICT (team_id) DO UPDATE SET last_number = workspace_counters.last_number + 1
         RETURNING last_number`,
        [input.teamId],
      );
      if (!counter) throw new Error('workspace_counters returned no row');
      const [row] = await tx.query(
        `INSERT INTO incidents (team_id, number, title, severity, impact, symptoms, actions, eta,
                                reporter_id, commander_id, declared_at, source_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING ${INCIDENT_COLUMNS}`,
        [
          input.teamId, Number(counter.last_number), input.title, input.severity, input.impact, input.symptoms,
          input.actions, input.eta, input.reporterId, input.commanderId, input.declaredAt, input.sourceKey,
        ],
      );
      const incident = toIncident(row);
      await tx.query(
        `INSERT INTO incident_events (incident_id, kind, actor_id, at, data) VALUES ($1, 'opened', $2, $3, $4::jsonb)`,
        [incident.id, input.reporterId, input.declaredAt, JSON.stringify({ title: input.title, severity: input.severity })],
      );
      return { incident, created: true };
    });

  return {
    kind: db.kind,

    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`no answer within ${PING_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })),
          PING_TIMEOUT_MS,
        );
        timer.unref();
      });
      try {
        // The query may settle after the timeout; race() has attached handlers to it, so that is harmless.
        await Promise.race([db.query('SELECT 1'), timeout]);
      } catch (err) {
        throw storeUnavailable('reach the database', err);
      } finally {
        clearTimeout(timer);
      }
    },

    openIncident: (input) =>
      guard('record the incident', async () => {
        try {
          return await insertIncident(input);
        } catch (err) {
          // Another call with the same source key committed between our check and our insert.
          if (!isUniqueViolation(err)) throw err;
          const existing = await findBySourceKey(db, input.teamId, input.sourceKey);
          if (!existing) throw err;
          return { incident: existing, created: false };
        }
      }),

    getIncidentByNumber: (teamId, number) =>
      guard('look up the incident', async () => {
        const rows = await db.query(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE team_id = $1 AND number = $2`, [
          teamId,
          number,
        ]);
        return rows[0] === undefined ? null : toIncident(rows[0]);
      }),

    setAnnouncement: (incidentId, ref) =>
      guard('save where the incident was announced', async () => {
        const rows = await db.query(
          'UPDATE incidents SET announcement_channel = $2, announcement_ts = $3 WHERE id = $1 RETURNING id',
          [incidentId, ref.channel, ref.ts],
        );
        if (rows.length === 0) throw new Error(`setAnnouncement: no incident with id ${incidentId}`);
      }),

    addTimelineEvent: (event) =>
      guard('add to the incident timeline', async () => {
        await db.query(
          'INSERT INTO incident_events (incident_id, kind, actor_id, at, data) VALUES ($1, $2, $3, $4, $5::jsonb)',
          [event.incidentId, event.kind, event.actorId, event.at, JSON.stringify(event.data)],
        );
      }),

    listTimeline: (incidentId) =>
      guard('read the incident timeline', async () => {
        const rows = await db.query(
          'SELECT incident_id, kind, actor_id, at, data FROM incident_events WHERE incident_id = $1 ORDER BY at, id',
          [incidentId],
        );
        return rows.map(toEvent);
      }),

    close: () => db.close(),
  };
}
