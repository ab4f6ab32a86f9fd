/**
 * The Store port over a Db (PostgreSQL through pg, or PGlite): parameterised SQL only, rows
 * validated as they are read, and connection failures turned into STORE_UNAVAILABLE.
 */
import { storeUnavailable } from '../../core/errors.js';
import type { Incident, NewIncident } from '../../core/incident/incident.js';
import type { Store } from '../../ports.js';
import { guard, isConnectionError } from './connection-errors.js';
import type { Db } from './db.js';
import { EVENT_COLUMNS, INCIDENT_COLUMNS, toEvent, toIncident, UUID } from './incident-rows.js';
import { insertEvent, updateIncident } from './incident-updates.js';
import { changeChecklist, claimDrawing, finishDrawing, listAbandonedDrawings } from './incident-drawing.js';
import { createRemediationStore } from './remediation-store.js';
import { createReplayStore } from './replay-store.js';
import { createRunbookRunStore } from './runbook-store.js';
import { createAlertGroupStore } from './alert-store.js';
import { createScheduleStore } from './schedule-store.js';

export { isConnectionError };

const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

const PING_TIMEOUT_MS = 2000;

export function createStore(db: Db): Store {
  const first = async (q: Db, sql: string, params: unknown[]): Promise<Incident | null> => {
    const [row] = await q.query(sql, params);
    return row === undefined ? null : toIncident(row);
  };
  const all = async (sql: string, params: unknown[]): Promise<Incident[]> => (await db.query(sql, params)).map(toIncident);

  const findBySourceKey = (q: Db, teamId: string, sourceKey: string): Promise<Incident | null> =>
    first(q, `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE team_id = $1 AND source_key = $2`, [teamId, sourceKey]);

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
                                reporter_id, commander_id, declared_at, last_update_at, source_key, detected_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)
         RETURNING ${INCIDENT_COLUMNS}`,
        [
          input.teamId, Number(counter.last_number), input.title, input.severity, input.impact, input.symptoms,
          input.actions, input.eta, input.reporterId, input.commanderId, input.declaredAt, input.sourceKey,
          input.detectedAt ?? null,
        ],
      );
      const incident = toIncident(row);
      await insertEvent(tx, {
        incidentId: incident.id, kind: 'opened', actorId: input.reporterId, at: input.declaredAt,
        data: { title: input.title, severity: input.severity },
      });
      return { incident, created: true };
    });

  return {
    kind: db.kind,
    schedule: createScheduleStore(db),
    remediation: createRemediationStore(db),
    replays: createReplayStore(db),
    runbooks: createRunbookRunStore(db),
    alerts: createAlertGroupStore(db),

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
      guard('look up the incident', () =>
        first(db, `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE team_id = $1 AND number = $2`, [teamId, number]),
      ),

    setAnnouncement: (incidentId, ref) =>
      guard('save where the incident was announced', async () => {
        const rows = await db.query(
          'UPDATE incidents SET announcement_channel = $2, announcement_ts = $3 WHERE id = $1 RETURNING id',
          [incidentId, ref.channel, ref.ts],
        );
        if (rows.length === 0) throw new Error(`setAnnouncement: no incident with id ${incidentId}`);
      }),

    getIncident: (id) =>
      guard('look up the incident', async () =>
        // Not a uuid: no such incident (rather than PostgreSQL's "invalid input syntax for type uuid").
        UUID.test(id) ? first(db, `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [id]) : null,
      ),

    findIncidentByChannel: (teamId, channelId) =>
      guard('find the incident of this channel', () =>
        first(db, `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE team_id = $1 AND channel_id = $2`, [teamId, channelId]),
      ),

    listOpenIncidents: (teamId) =>
      guard('list the open incidents', () =>
        // Severities are 'P0'..'P3': their text order is most severe first.
        all(
          `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE team_id = $1 AND status <> 'resolved'
           ORDER BY severity, declared_at, number`,
          [teamId],
        ),
      ),

    listOpenIncidentIds: () =>
      guard('list the open incidents', async () => {
        const rows = await db.query<{ id: string }>(
          "SELECT id FROM incidents WHERE status <> 'resolved' ORDER BY declared_at, id",
        );
        return rows.map((r) => r.id);
      }),

    listIncidentsDeclaredSince: (teamId, since) =>
      guard('list the recent incidents', () =>
        all(
          `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE team_id = $1 AND declared_at >= $2 ORDER BY declared_at, number`,
          [teamId, since],
        ),
      ),

    updateIncident: (change) => guard('update the incident', () => updateIncident(db, change)),

    changeChecklist: (input) => guard('save the checklist', () => changeChecklist(db, input)),

    claimDrawing: (input) => guard('claim the drawing of the incident', () => claimDrawing(db, input)),

    finishDrawing: (input) => guard('finish the drawing of the incident', () => finishDrawing(db, input)),

    listAbandonedDrawings: (at) => guard('list the abandoned drawings', () => listAbandonedDrawings(db, at)),

    addTimelineEvent: (event) => guard('add to the incident timeline', () => insertEvent(db, event)),

    listTimeline: (incidentId) =>
      guard('read the incident timeline', async () => {
        const rows = await db.query(
          `SELECT ${EVENT_COLUMNS} FROM incident_events WHERE incident_id = $1 ORDER BY at, id`,
          [incidentId],
        );
        return rows.map(toEvent);
      }),

    close: () => db.close(),
  };
}
