/**
 * The RunbookRunStore port over a Db: one `runbook_runs` row per run and one `runbook_steps` row
 * per step that has been touched (a step with no row is pending). A step changes only through one
 * conditional statement each: `claimStep` is an INSERT … ON CONFLICT (run_id, step_id) DO UPDATE …
 * WHERE (or a plain UPDATE … WHERE when a missing step may not be claimed), so the row lock it
 * takes serialises concurrent claims and each sees the step as the previous one left it: of N
 * racing callers exactly one gets the step, across processes. A run is read with its steps in one
 * statement (one snapshot). Inputs are checked, and findings bounded when written, by the rules of
 * core/runbook/run-record.ts (which the memory fake shares); every row is checked when read, by
 * the column schemas here. All times come from the caller; the database's now() is never used.
 */
import { z } from 'zod';
import {
  boundFindings,
  boundSummary,
  claimInput,
  findingSchema,
  findingStatusSchema,
  messageInput,
  newRunInput,
  runStatusSchema,
  setStepInput,
  stepStateSchema,
} from '../../core/runbook/run-record.js';
import type { RunbookRun, RunbookRunStore, RunbookStepRecord } from '../../ports.js';
import { guard } from './connection-errors.js';
import type { Db } from './db.js';
import { parseRow, UUID } from './incident-rows.js';

// z.date() refuses an Invalid Date too.
const date = z.date();

const runColumns = z.object({
  id: z.string(),
  team_id: z.string(),
  runbook_id: z.string(),
  incident_id: z.string().nullable(),
  channel_id: z.string(),
  message_channel: z.string().nullable(),
  message_ts: z.string().nullable(),
  params: z.record(z.string(), z.string()),
  started_by: z.string(),
  started_at: date,
  status: runStatusSchema,
});

const stepColumns = z.object({
  step_id: z.string(),
  state: stepStateSchema,
  step_status: findingStatusSchema.nullable(),
  summary: z.string().nullable(),
  findings: z.array(findingSchema),
  request_id: z.string().nullable(),
  actor_id: z.string().nullable(),
  updated_at: date.nullable(),
  claimed_until: date.nullable(),
});

const RUN_COLUMNS = Object.keys(runColumns.shape).map((c) => `r.${c}`).join(', ');
const STEP_COLUMNS = 's.step_id, s.state, s.status AS step_status, s.summary, s.findings, s.request_id, s.actor_id, s.updated_at, s.claimed_until';
/** Runs with their steps, one row per step (or one with null step columns): `WHERE` on r. follows. */
const SELECT_RUNS = `SELECT ${RUN_COLUMNS}, ${STEP_COLUMNS} FROM runbook_runs r LEFT JOIN runbook_steps s ON s.run_id = r.id`;
const RUN_ORDER = 'ORDER BY r.started_at, r.id, s.step_id COLLATE "C"';

function parseInput<S extends z.ZodType>(schema: S, method: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new Error(`runbooks.${method}: invalid input${at}: ${issue?.message ?? 'invalid'}`);
}

/** Rows of SELECT_RUNS (ordered by run) → runs, each with its steps by step id. */
function toRuns(rows: readonly unknown[]): RunbookRun[] {
  const runs = new Map<string, { run: RunbookRun; steps: Array<[string, RunbookStepRecord]> }>();
  for (const row of rows) {
    const r = parseRow(runColumns, 'runbook_runs', row);
    let entry = runs.get(r.id);
    if (entry === undefined) {
      const run: RunbookRun = {
        id: r.id,
        teamId: r.team_id,
        runbookId: r.runbook_id,
        incidentId: r.incident_id,
        channelId: r.channel_id,
        message: r.message_channel !== null && r.message_ts !== null ? { channel: r.message_channel, ts: r.message_ts } : null,
        params: r.params,
        startedBy: r.started_by,
        startedAt: r.started_at,
        status: r.status,
        steps: {},
      };
      entry = { run, steps: [] };
      runs.set(r.id, entry);
    }
    if ((row as { step_id?: unknown }).step_id === null) continue;
    const s = parseRow(stepColumns, 'runbook_steps', row);
    entry.steps.push([s.step_id, {
      stepId: s.step_id,
      state: s.state,
      status: s.step_status,
      summary: s.summary,
      findings: s.findings,
      requestId: s.request_id,
      actorId: s.actor_id,
      updatedAt: s.updated_at,
      claimedUntil: s.claimed_until,
    }]);
  }
  // fromEntries defines own properties, so a step id like "__proto__" is a key like any other.
  return [...runs.values()].map(({ run, steps }) => ({ ...run, steps: Object.fromEntries(steps) }));
}

const isForeignKeyViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503';

const unknownRun = (id: string): Error => new Error(`unknown runbook run ${id}`);

/** Collects the parameters of a statement being built: returns each one's `$n`. */
function parameters(): { params: unknown[]; p(value: unknown): string } {
  const params: unknown[] = [];
  return {
    params,
    p: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}

/** The still-held test of a claim: "running" with a lease ended at `at` (or none, which no one holds). */
const leaseOver = (at: string): string => `(s.state = 'running' AND (s.claimed_until IS NULL OR s.claimed_until <= ${at}::timestamptz))`;

function buildClaim(c: z.infer<typeof claimInput>): { sql: string; params: unknown[] } {
  const { params, p } = parameters();
  const [run, step, actor, at, until, from] = [p(c.runId), p(c.stepId), p(c.actorId), p(c.at), p(c.leaseUntil), p(c.from)];
  const claimable = `(s.state = ANY(${from}::text[]) OR ${leaseOver(at)})`;
  // A step with no row is pending: it may be inserted only when "pending" is one of `from`.
  const sql = c.from.includes('pending')
    ? `INSERT INTO runbook_steps AS s (run_id, step_id, state, actor_id, updated_at, claimed_until)
       VALUES (${run}::uuid, ${step}, 'running', ${actor}, ${at}::timestamptz, ${until}::timestamptz)
       ON CONFLICT (run_id, step_id) DO UPDATE SET
         state = 'running', actor_id = excluded.actor_id, updated_at = excluded.updated_at, claimed_until = excluded.claimed_until
       WHERE ${claimable}
       RETURNING s.step_id`
    : `UPDATE runbook_steps AS s SET
         state = 'running', actor_id = ${actor}, updated_at = ${at}::timestamptz, claimed_until = ${until}::timestamptz
       WHERE s.run_id = ${run}::uuid AND s.step_id = ${step} AND ${claimable}
       RETURNING s.step_id`;
  return { sql, params };
}

function buildSetStep(input: z.infer<typeof setStepInput>): { sql: string; params: unknown[] } {
  const { params, p } = parameters();
  const [run, step, state, at, actor] = [p(input.runId), p(input.stepId), p(input.state), p(input.at), p(input.actorId)];
  const findings = input.findings === undefined ? undefined : JSON.stringify(boundFindings(input.findings));
  const summary = input.summary === undefined || input.summary === null ? input.summary : boundSummary(input.summary);
  /** The optional fields given: column and the parameter holding the value. */
  const given: Array<[string, string]> = [];
  if (input.status !== undefined) given.push(['status', p(input.status)]);
  if (summary !== undefined) given.push(['summary', p(summary)]);
  if (findings !== undefined) given.push(['findings', `${p(findings)}::jsonb`]);
  if (input.requestId !== undefined) given.push(['request_id', `${p(input.requestId)}::uuid`]);
  const from = input.from === undefined ? undefined : p(input.from);

  const assignments = [
    `state = ${state}::text`,
    `actor_id = ${actor}`,
    `updated_at = ${at}::timestamptz`,
    // A step set "running" keeps its claim's lease; in any other state no one holds it.
    `claimed_until = CASE WHEN ${state}::text = 'running' THEN s.claimed_until ELSE NULL END`,
    ...given.map(([column, value]) => `${column} = ${value}`),
  ];
  const condition = from === undefined ? 'true' : `s.state = ANY(${from}::text[])`;
  if (input.from !== undefined && !input.from.includes('pending')) {
    return {
      sql: `UPDATE runbook_steps AS s SET ${assignments.join(', ')}
            WHERE s.run_id = ${run}::uuid AND s.step_id = ${step} AND ${condition}
            RETURNING s.step_id`,
      params,
    };
  }
  // A step with no row is pending: inserted with what is given (the rest empty).
  const value = (column: string, empty: string): string => given.find(([c]) => c === column)?.[1] ?? empty;
  return {
    sql: `INSERT INTO runbook_steps AS s (run_id, step_id, state, status, summary, findings, request_id, actor_id, updated_at, claimed_until)
          VALUES (${run}::uuid, ${step}, ${state}::text, ${value('status', 'NULL')}, ${value('summary', 'NULL')},
                  ${value('findings', "'[]'::jsonb")}, ${value('request_id', 'NULL')}, ${actor}, ${at}::timestamptz, NULL)
          ON CONFLICT (run_id, step_id) DO UPDATE SET ${assignments.join(', ')}
          WHERE ${condition}
          RETURNING s.step_id`,
    params,
  };
}

export function createRunbookRunStore(db: Db): RunbookRunStore {
  const read = async (id: string): Promise<RunbookRun | null> => {
    // Not a uuid: no such run (rather than PostgreSQL's "invalid input syntax for type uuid").
    if (!UUID.test(id)) return null;
    const [run] = toRuns(await db.query(`${SELECT_RUNS} WHERE r.id = $1 ${RUN_ORDER}`, [id]));
    return run ?? null;
  };
  const mustRead = async (id: string): Promise<RunbookRun> => {
    const run = await read(id);
    if (run === null) throw unknownRun(id);
    return run;
  };

  /** Runs a step statement; the run as it is afterwards, and whether the statement changed the step. */
  const changeStep = async (runId: string, statement: { sql: string; params: unknown[] }): Promise<{ run: RunbookRun; applied: boolean }> => {
    if (!UUID.test(runId)) throw unknownRun(runId);
    let rows: unknown[];
    try {
      rows = await db.query(statement.sql, statement.params);
    } catch (err) {
      throw isForeignKeyViolation(err) ? unknownRun(runId) : err;
    }
    return { run: await mustRead(runId), applied: rows.length > 0 };
  };

  return {
    create: (input) =>
      guard('record the runbook run', async () => {
        const r = parseInput(newRunInput, 'create', input);
        try {
          const [row] = await db.query(
            `INSERT INTO runbook_runs AS r (team_id, runbook_id, incident_id, channel_id, params, started_by, started_at)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
             RETURNING ${RUN_COLUMNS}, NULL AS step_id`,
            [r.teamId, r.runbookId, r.incidentId, r.channelId, JSON.stringify(r.params), r.startedBy, r.startedAt],
          );
          const [run] = toRuns([row]);
          if (run === undefined) throw new Error('runbook_runs returned no row');
          return run;
        } catch (err) {
          throw isForeignKeyViolation(err) ? new Error(`runbooks.create: unknown incident ${r.incidentId}`) : err;
        }
      }),

    get: (id) => guard('look up the runbook run', () => read(id)),

    listForIncident: (incidentId) =>
      guard('list the runbook runs of the incident', async () =>
        UUID.test(incidentId) ? toRuns(await db.query(`${SELECT_RUNS} WHERE r.incident_id = $1 ${RUN_ORDER}`, [incidentId])) : [],
      ),

    setMessage: (id, ref) =>
      guard('save where the runbook run is shown', async () => {
        const { channel, ts } = parseInput(messageInput, 'setMessage', ref);
        if (!UUID.test(id)) throw unknownRun(id);
        const rows = await db.query('UPDATE runbook_runs SET message_channel = $2, message_ts = $3 WHERE id = $1 RETURNING id', [id, channel, ts]);
        if (rows.length === 0) throw unknownRun(id);
      }),

    claimStep: (input) =>
      guard('claim the runbook step', async () => {
        const c = parseInput(claimInput, 'claimStep', input);
        return changeStep(c.runId, buildClaim(c));
      }),

    setStep: (input) =>
      guard('record the runbook step', async () => {
        const s = parseInput(setStepInput, 'setStep', input);
        return changeStep(s.runId, buildSetStep(s));
      }),

    findByRequest: (requestId) =>
      guard('find the runbook run of the remediation request', async () => {
        if (!UUID.test(requestId)) return null;
        const [row] = await db.query<{ run_id: string; step_id: string }>(
          'SELECT run_id, step_id FROM runbook_steps WHERE request_id = $1 ORDER BY updated_at, run_id, step_id COLLATE "C" LIMIT 1',
          [requestId],
        );
        if (row === undefined) return null;
        const run = await read(row.run_id);
        return run === null ? null : { run, stepId: row.step_id };
      }),

    setStatus: (id, runStatus) =>
      guard('update the runbook run', async () => {
        const next = parseInput(runStatusSchema, 'setStatus', runStatus);
        if (!UUID.test(id)) throw unknownRun(id);
        const rows = await db.query('UPDATE runbook_runs SET status = $2 WHERE id = $1 RETURNING id', [id, next]);
        if (rows.length === 0) throw unknownRun(id);
      }),
  };
}
