/**
 * What keeps an incident's messages right when several replicas change it at once.
 *
 * Checklist ticks are one UPDATE whose new value is computed in SQL from the row as it is when the
 * UPDATE gets it: PostgreSQL re-reads a row another transaction changed meanwhile, so concurrent
 * ticks each apply to what the previous one left. The CTE locks the row first (FOR UPDATE also
 * returns its latest version), so the checklist before the change comes back with it.
 *
 * Drawing is a lease in the incident's row (drawing_by, drawing_until) rather than an advisory
 * lock: nothing holds a connection while Slack answers (PGlite has only one), it works the same on
 * PGlite and in the memory fake, and a replica that dies only delays the next drawing until its
 * lease ends. The lease is let go only in the same UPDATE that checks the revision drawn is still
 * the latest, so a change committed while someone draws is always drawn by someone afterwards.
 */
import { z } from 'zod';
import type { Incident } from '../../core/incident/incident.js';
import type { IncidentDrawing } from '../../ports.js';
import type { Db } from './db.js';
import { INCIDENT_COLUMNS, parseRow, toIncident, UUID } from './incident-rows.js';

const DRAWING_COLUMNS = `${INCIDENT_COLUMNS}, revision, checklist_channel, checklist_ts, drawn_by`;

const drawingRow = z.object({
  // pg gives bigint as text, PGlite as a number.
  revision: z.union([z.number(), z.string()]).transform(Number),
  checklist_channel: z.string().nullable(),
  checklist_ts: z.string().nullable(),
  drawn_by: z.string().nullable(),
});

function toDrawing(row: unknown): IncidentDrawing {
  const r = parseRow(drawingRow, 'incidents', row);
  return {
    incident: toIncident(row),
    revision: r.revision,
    checklistMessage: r.checklist_channel !== null && r.checklist_ts !== null ? { channel: r.checklist_channel, ts: r.checklist_ts } : null,
    lastDrawnBy: r.drawn_by,
  };
}

const date = z.date();
const uuid = z.string().regex(UUID, 'not a uuid');
const keys = z.array(z.string().min(1).max(200)).max(100);
const leaseInput = z.object({ id: z.string(), owner: z.string().min(1).max(200), at: date, leaseMs: z.number().int().positive() });

const checklistInput = z.object({
  id: z.string(),
  add: keys,
  remove: keys,
  message: z.object({ channel: z.string().min(1), ts: z.string().min(1) }).optional(),
});

function parseInput<S extends z.ZodType>(schema: S, method: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new Error(`${method}: invalid input${at}: ${issue?.message ?? 'invalid'}`);
}

const leaseEnd = (at: Date, leaseMs: number): Date => new Date(at.getTime() + leaseMs);

/**
 * Ticked items keep their first position; new ones follow in the order given ($2); the unticked
 * ($3) are left out. The positions of added items start past any checklist's length.
 */
const CHECKLIST_SQL = `
  WITH previous AS (SELECT id AS previous_id, checklist AS previous_checklist FROM incidents WHERE id = $1 FOR UPDATE)
  UPDATE incidents SET
    checklist = (
      SELECT coalesce(jsonb_agg(item ORDER BY position), '[]'::jsonb)
      FROM (
        SELECT item, min(position) AS position
        FROM (
          SELECT e.item, e.position FROM jsonb_array_elements_text(previous_checklist) WITH ORDINALITY AS e(item, position)
          UNION ALL
          SELECT a.item, 1000000 + a.position FROM unnest($2::text[]) WITH ORDINALITY AS a(item, position)
        ) AS candidates
        WHERE NOT (item = ANY($3::text[]))
        GROUP BY item
      ) AS kept
    ),
    checklist_channel = coalesce($4, checklist_channel),
    checklist_ts = coalesce($5, checklist_ts),
    revision = revision + 1
  FROM previous
  WHERE id = previous_id
  RETURNING previous_checklist, ${INCIDENT_COLUMNS}`;

export async function changeChecklist(
  db: Db,
  input: { id: string; add: string[]; remove: string[]; message?: { channel: string; ts: string } },
): Promise<{ incident: Incident; previous: string[] }> {
  const c = parseInput(checklistInput, 'changeChecklist', input);
  if (!UUID.test(c.id)) throw new Error(`unknown incident ${c.id}`);
  const [row] = await db.query<{ previous_checklist: unknown }>(CHECKLIST_SQL, [c.id, c.add, c.remove, c.message?.channel ?? null, c.message?.ts ?? null]);
  if (row === undefined) throw new Error(`unknown incident ${c.id}`);
  return { incident: toIncident(row), previous: parseRow(z.object({ previous_checklist: z.array(z.string()) }), 'incidents', row).previous_checklist };
}

export async function claimDrawing(db: Db, input: { id: string; owner: string; at: Date; leaseMs: number }): Promise<IncidentDrawing | null> {
  const l = parseInput(leaseInput, 'claimDrawing', input);
  if (!uuid.safeParse(l.id).success) return null;
  const [row] = await db.query(
    `UPDATE incidents SET drawing_by = $2, drawing_until = $4
     WHERE id = $1 AND (drawing_until IS NULL OR drawing_until <= $3 OR drawing_by = $2)
     RETURNING ${DRAWING_COLUMNS}`,
    [l.id, l.owner, l.at, leaseEnd(l.at, l.leaseMs)],
  );
  return row === undefined ? null : toDrawing(row);
}

export async function finishDrawing(
  db: Db,
  input: { id: string; owner: string; revision: number; at: Date; leaseMs: number },
): Promise<IncidentDrawing | 'done' | 'lost'> {
  const l = parseInput(leaseInput.extend({ revision: z.number().int() }), 'finishDrawing', input);
  if (!uuid.safeParse(l.id).success) return 'lost';
  // Let go when the revision drawn is the latest; otherwise keep (and renew) the lease to draw again.
  const [row] = await db.query<{ drawing_by: string | null }>(
    `UPDATE incidents SET
       drawn_revision = greatest(drawn_revision, $3::bigint),
       drawn_by = CASE WHEN revision = $3 THEN $2::text ELSE drawn_by END,
       drawing_by = CASE WHEN revision = $3 THEN NULL ELSE drawing_by END,
       drawing_until = CASE WHEN revision = $3 THEN NULL ELSE $4::timestamptz END
     WHERE id = $1 AND drawing_by = $2
     RETURNING drawing_by, ${DRAWING_COLUMNS}`,
    [l.id, l.owner, l.revision, leaseEnd(l.at, l.leaseMs)],
  );
  if (row === undefined) return 'lost';
  return row.drawing_by === null ? 'done' : toDrawing(row);
}

export async function listAbandonedDrawings(db: Db, at: Date): Promise<string[]> {
  const when = parseInput(date, 'listAbandonedDrawings', at);
  const rows = await db.query<{ id: string }>('SELECT id FROM incidents WHERE drawing_until <= $1 ORDER BY drawing_until, id', [when]);
  return rows.map((r) => r.id);
}
