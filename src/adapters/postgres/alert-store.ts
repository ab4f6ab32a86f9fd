/**
 * The AlertGroupStore port over a Db: one `alert_groups` row per workspace and Alertmanager group.
 * A group key is whatever text Alertmanager sends (any length, braces, quotes, unicode, NUL), so
 * rows are found by the SHA-256 of its UTF-16 code units (`keyHash`), computed before storable.ts
 * replaces NUL and lone surrogates: two keys differing only there stay two groups, and a key of
 * any length fits the primary key. The text itself is kept in group_key, as storable.ts stores it.
 *
 * `current` is one INSERT … ON CONFLICT DO UPDATE … RETURNING: the row lock it takes serialises
 * concurrent callers for one group, and each sees the row as the previous one left it, so only the
 * first caller after the incident was resolved moves the generation on; the others get that same
 * generation. All times come from the caller; the database's now() is never used.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertGroupStore } from '../../ports.js';
import { guard } from './connection-errors.js';
import type { Db } from './db.js';
import { parseRow, UUID } from './incident-rows.js';

/** The key of a group's row: SHA-256 (hex) of the group key's UTF-16 code units, so distinct strings never share a row. */
export const keyHash = (groupKey: string): string => createHash('sha256').update(groupKey, 'utf16le').digest('hex');

const INT_MAX = 2_147_483_647;
// z.date() refuses an Invalid Date too.
const date = z.date();
const team = z.string().min(1);
const groupKey = z.string();
const count = z.number().int().min(0).max(INT_MAX);
const currentInput = z.object({ teamId: team, groupKey, at: date });
const linkInput = z.object({ teamId: team, groupKey, generation: z.number().int().min(1).max(INT_MAX), incidentId: z.string() });
const recordInput = z.object({
  teamId: team,
  groupKey,
  at: date,
  firing: count,
  resolved: count,
  status: z.enum(['firing', 'resolved']),
});

const currentRow = z.object({ generation: z.number().int().min(1), incident_id: z.string().nullable() });
const notificationsRow = z.object({ notifications: z.number().int().min(1) });

function parseInput<S extends z.ZodType>(schema: S, method: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new Error(`alerts.${method}: invalid input${at}: ${issue?.message ?? 'invalid'}`);
}

const isForeignKeyViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503';

/** True when the group's incident is over (resolved); a missing incident (none linked) is not. */
const ENDED = `EXISTS (SELECT 1 FROM incidents i
                       WHERE i.id = g.incident_id AND (i.resolved_at IS NOT NULL OR i.status = 'resolved'))`;

/**
 * $1 team, $2 key hash, $3 group key, $4 at. The update always applies (and always returns the
 * row); it changes the row only when the linked incident is resolved. Both assignments read the
 * row as it was, so they agree.
 */
const CURRENT_SQL = `
  INSERT INTO alert_groups AS g (team_id, key_hash, group_key, first_at, last_at)
  VALUES ($1, $2, $3, $4, $4)
  ON CONFLICT (team_id, key_hash) DO UPDATE SET
    generation = CASE WHEN ${ENDED} THEN g.generation + 1 ELSE g.generation END,
    incident_id = CASE WHEN ${ENDED} THEN NULL ELSE g.incident_id END
  RETURNING generation, incident_id`;

/** $1 team, $2 key hash, $3 generation, $4 incident. */
const LINK_SQL = `
  UPDATE alert_groups SET incident_id = $4
  WHERE team_id = $1 AND key_hash = $2 AND generation = $3 AND incident_id IS NULL
  RETURNING generation`;

/** $1 team, $2 key hash, $3 group key, $4 at, $5 firing, $6 resolved, $7 status. */
const RECORD_SQL = `
  INSERT INTO alert_groups AS g (team_id, key_hash, group_key, first_at, last_at, notifications, firing, resolved, last_status)
  VALUES ($1, $2, $3, $4, $4, 1, $5, $6, $7)
  ON CONFLICT (team_id, key_hash) DO UPDATE SET
    notifications = g.notifications + 1,
    last_at = excluded.last_at,
    firing = excluded.firing,
    resolved = excluded.resolved,
    last_status = excluded.last_status
  RETURNING notifications`;

export function createAlertGroupStore(db: Db): AlertGroupStore {
  return {
    current: (teamId, key, at) =>
      guard('look up the alert group', async () => {
        const input = parseInput(currentInput, 'current', { teamId, groupKey: key, at });
        const [row] = await db.query(CURRENT_SQL, [input.teamId, keyHash(input.groupKey), input.groupKey, input.at]);
        const r = parseRow(currentRow, 'alert_groups', row);
        return { generation: r.generation, incidentId: r.incident_id };
      }),

    link: (teamId, key, generation, incidentId) =>
      guard('link the alert group to its incident', async () => {
        const input = parseInput(linkInput, 'link', { teamId, groupKey: key, generation, incidentId });
        if (!UUID.test(input.incidentId)) throw new Error(`alerts.link: unknown incident ${input.incidentId}`);
        const hash = keyHash(input.groupKey);
        let rows: unknown[];
        try {
          rows = await db.query(LINK_SQL, [input.teamId, hash, input.generation, input.incidentId]);
        } catch (err) {
          throw isForeignKeyViolation(err) ? new Error(`alerts.link: unknown incident ${input.incidentId}`) : err;
        }
        if (rows.length > 0) return;
        // Not linked: already linked, or another generation by now (both fine), or no such group (a bug).
        const [exists] = await db.query('SELECT 1 AS one FROM alert_groups WHERE team_id = $1 AND key_hash = $2', [input.teamId, hash]);
        if (exists === undefined) throw new Error(`alerts.link: unknown alert group ${JSON.stringify(input.groupKey.slice(0, 200))}`);
      }),

    record: (teamId, key, notification) =>
      guard('record the alert notification', async () => {
        const input = parseInput(recordInput, 'record', { ...notification, teamId, groupKey: key });
        const [row] = await db.query(RECORD_SQL, [
          input.teamId, keyHash(input.groupKey), input.groupKey, input.at, input.firing, input.resolved, input.status,
        ]);
        return { notifications: parseRow(notificationsRow, 'alert_groups', row).notifications };
      }),
  };
}
