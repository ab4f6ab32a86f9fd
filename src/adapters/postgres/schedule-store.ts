/**
 * The ScheduleStore port over a Db: one `scheduled_items` row per incident and kind. Claims are
 * leases (claimed_by, claimed_until) taken with one UPDATE over a FOR UPDATE SKIP LOCKED
 * sub-select, so concurrent workers, in this process or another, never get the same item; every
 * later change of a claim is conditional on still holding it. All times come from the caller (the
 * database's now() is never used), so a fake clock drives it completely.
 */
import { z } from 'zod';
import type { ScheduledItem, ScheduleLane, ScheduleStore } from '../../ports.js';
import { guard } from './connection-errors.js';
import type { Db } from './db.js';
import { parseRow, UUID } from './incident-rows.js';

const itemRow = z.object({
  id: z.string(),
  incident_id: z.string(),
  kind: z.string(),
  due_at: z.date().nullable(),
  one_shot: z.boolean(),
  attempts: z.number().int(),
  fired_count: z.number().int(),
  last_fired_at: z.date().nullable(),
  last_error: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

/** What claimDue reads besides. */
const takenOverRow = z.object({ taken_over: z.boolean() });

/** What toItem reads. The bigserial id is read as text: pg and PGlite decode int8 differently. */
const ITEM_COLUMNS = 'id::text AS id, incident_id, kind, due_at, one_shot, attempts, fired_count, last_fired_at, last_error, payload';

function toItem(row: unknown): ScheduledItem {
  const r = parseRow(itemRow, 'scheduled_items', row);
  return {
    id: r.id,
    incidentId: r.incident_id,
    kind: r.kind,
    dueAt: r.due_at,
    oneShot: r.one_shot,
    attempts: r.attempts,
    firedCount: r.fired_count,
    lastFiredAt: r.last_fired_at,
    lastError: r.last_error,
    payload: r.payload,
  };
}

/** Same split as laneOf: kinds starting with "pager:" are the pager lane. */
const LANE_FILTER: Record<ScheduleLane, string> = {
  pager: "kind LIKE 'pager:%'",
  chat: "kind NOT LIKE 'pager:%'",
};
const laneFilter = (lane: ScheduleLane): string => {
  if (!Object.hasOwn(LANE_FILTER, lane)) throw new Error(`Unknown schedule lane: ${JSON.stringify(lane)}`);
  return LANE_FILTER[lane];
};

// z.date() refuses an Invalid Date too.
const date = z.date();
const kind = z.string().min(1);
const payload = z.record(z.string(), z.unknown());
const plannedItems = z.array(z.object({ kind, dueAt: date.nullable(), oneShot: z.boolean(), payload: payload.optional() }));
const claimInput = z.object({
  now: date, owner: z.string().min(1), leaseMs: z.number().int().positive(), limit: z.number().int().positive(),
});

function parseInput<S extends z.ZodType>(schema: S, what: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new Error(`schedule.${what}: invalid input${at}: ${issue?.message ?? 'invalid'}`);
}

/** Item ids are bigserials; anything else names no item. */
const ITEM_ID = /^[0-9]{1,18}$/;

const isForeignKeyViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503';

/** Sets one kind's due time; a one-shot item that has fired is left alone. $5 null keeps the payload. */
const PLAN_SQL = `
  INSERT INTO scheduled_items AS s (incident_id, kind, due_at, one_shot, payload)
  VALUES ($1, $2, $3::timestamptz, $4, coalesce($5::jsonb, '{}'::jsonb))
  ON CONFLICT (incident_id, kind) DO UPDATE
    SET due_at = excluded.due_at, one_shot = excluded.one_shot, payload = coalesce($5::jsonb, s.payload)
    WHERE NOT (s.one_shot AND s.fired_count > 0)`;

const ENQUEUE_SQL = `
  INSERT INTO scheduled_items AS s (incident_id, kind, due_at, one_shot, payload)
  VALUES ($1, $2, $3::timestamptz, true, $4::jsonb)
  ON CONFLICT (incident_id, kind) DO UPDATE
    SET due_at = excluded.due_at, payload = excluded.payload, one_shot = true, attempts = 0, last_error = NULL`;

/**
 * $1 now, $2 owner, $3 lease end, $4 limit. A claim still there (its lease ended: complete and fail
 * clear it) is read while the row is locked, before it is replaced: the item is taken over.
 */
const claimSql = (lane: ScheduleLane): string => `
  WITH due AS (
    SELECT id, claimed_until IS NOT NULL AS taken_over FROM scheduled_items
    WHERE due_at IS NOT NULL AND due_at <= $1::timestamptz
      AND (claimed_until IS NULL OR claimed_until <= $1::timestamptz)
      AND ${laneFilter(lane)}
    ORDER BY due_at, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED),
  claimed AS (
    UPDATE scheduled_items AS s SET claimed_by = $2, claimed_until = $3::timestamptz
    FROM due WHERE s.id = due.id
    RETURNING s.*, due.taken_over)
  SELECT ${ITEM_COLUMNS}, taken_over FROM claimed ORDER BY claimed.due_at, claimed.id`;

/** $1 id, $2 owner, $3 claimed due time, $4 next, $5 fired, $6 at. */
const COMPLETE_SQL = `
  UPDATE scheduled_items SET
    due_at = CASE WHEN due_at = $3::timestamptz THEN $4::timestamptz ELSE due_at END,
    claimed_by = NULL,
    claimed_until = NULL,
    fired_count = fired_count + CASE WHEN $5::boolean THEN 1 ELSE 0 END,
    last_fired_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE last_fired_at END,
    attempts = CASE WHEN $5::boolean THEN 0 ELSE attempts END,
    last_error = CASE WHEN $5::boolean THEN NULL ELSE last_error END
  WHERE id = $1 AND claimed_by = $2
  RETURNING id`;

const FAIL_SQL = `
  UPDATE scheduled_items SET
    -- A plan that cancelled the item during the claim (the incident was resolved) stays cancelled.
    due_at = CASE WHEN due_at IS NULL THEN NULL ELSE $3::timestamptz END, attempts = attempts + 1, last_error = $4, claimed_by = NULL, claimed_until = NULL
  WHERE id = $1 AND claimed_by = $2`;

export function createScheduleStore(db: Db): ScheduleStore {
  const unknownIncident = (incidentId: string) => new Error(`schedule: unknown incident ${incidentId}`);
  /** Runs an insert for an incident; a missing incident is reported as such. */
  const forIncident = async (incidentId: string, fn: () => Promise<void>): Promise<void> => {
    if (!UUID.test(incidentId)) throw unknownIncident(incidentId);
    try {
      await fn();
    } catch (err) {
      throw isForeignKeyViolation(err) ? unknownIncident(incidentId) : err;
    }
  };

  return {
    plan: (incidentId, items) =>
      guard('plan reminders', async () => {
        const planned = parseInput(plannedItems, 'plan', items);
        if (planned.length === 0) return;
        // Rows are locked in kind order, so two plans of one incident cannot deadlock.
        planned.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
        await forIncident(incidentId, () =>
          db.transaction(async (tx) => {
            for (const item of planned) {
              const json = item.payload === undefined ? null : JSON.stringify(item.payload);
              await tx.query(PLAN_SQL, [incidentId, item.kind, item.dueAt, item.oneShot, json]);
            }
          }),
        );
      }),

    enqueue: (incidentId, itemKind, at, itemPayload) =>
      guard('queue the job', async () => {
        parseInput(z.object({ kind, at: date, payload }), 'enqueue', { kind: itemKind, at, payload: itemPayload });
        await forIncident(incidentId, async () => {
          await db.query(ENQUEUE_SQL, [incidentId, itemKind, at, JSON.stringify(itemPayload)]);
        });
      }),

    claimDue: (input) =>
      guard('claim due reminders', async () => {
        const { now, owner, leaseMs, limit } = parseInput(claimInput, 'claimDue', input);
        const rows = await db.query(claimSql(input.lane), [now, owner, new Date(now.getTime() + leaseMs), limit]);
        return rows.map((row) => ({ ...toItem(row), takenOver: parseRow(takenOverRow, 'scheduled_items', row).taken_over }));
      }),

    complete: (input) =>
      guard('finish the reminder', async () => {
        parseInput(z.object({ claimedDueAt: date, next: date.nullable(), fired: z.boolean(), at: date }), 'complete', input);
        if (!ITEM_ID.test(input.id)) return false;
        const rows = await db.query(COMPLETE_SQL, [input.id, input.owner, input.claimedDueAt, input.next, input.fired, input.at]);
        return rows.length === 1;
      }),

    fail: (input) =>
      guard('record the failed reminder', async () => {
        parseInput(z.object({ retryAt: date, error: z.string() }), 'fail', input);
        if (!ITEM_ID.test(input.id)) return;
        await db.query(FAIL_SQL, [input.id, input.owner, input.retryAt, input.error]);
      }),

    nextWake: (lane) =>
      guard('find the next due reminder', async () => {
        const [row] = await db.query<{ wake: Date | null }>(
          `SELECT min(greatest(due_at, coalesce(claimed_until, due_at))) AS wake
           FROM scheduled_items WHERE due_at IS NOT NULL AND ${laneFilter(lane)}`,
        );
        return date.nullable().parse(row?.wake ?? null);
      }),

    list: (incidentId) =>
      guard('list the reminders', async () => {
        if (!UUID.test(incidentId)) return [];
        // COLLATE "C": the same order on every server, whatever its locale.
        const rows = await db.query(
          `SELECT ${ITEM_COLUMNS} FROM scheduled_items WHERE incident_id = $1 ORDER BY kind COLLATE "C"`,
          [incidentId],
        );
        return rows.map(toItem);
      }),
  };
}
