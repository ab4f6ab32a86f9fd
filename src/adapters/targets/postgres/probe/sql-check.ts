/**
 * A runbook's custom SQL check as a probe: the step's query, run read-only on a configured
 * PostgreSQL target, and one number of its answer graded against the step's thresholds.
 *
 * How it runs: one session of the probe pool (already `default_transaction_read_only`), then
 * `BEGIN READ ONLY` with `SET LOCAL statement_timeout` and `lock_timeout` ending before the
 * deadline (or the diagnostics timeout, if sooner), the query with `args` bound as `$1…` over the
 * extended protocol (one statement, values never pasted into the text), `ROLLBACK`, and the session
 * closed. A write (INSERT, UPDATE, DDL, nextval…) fails with PostgreSQL's read-only error.
 *
 * How the answer is read: the column named `value` (the first column when absent) of the first row.
 * - numbers, numeric text (pg sends bigint and numeric as text) and booleans (1 / 0) are graded;
 * - no rows is "unknown", value "no rows": an empty answer says nothing about the number, and
 *   calling it 0 would turn a broken filter into a green check (count(*) always returns a row);
 * - NULL, text, dates… are "unknown", with the value shown;
 * - a missing column, an SQL error, a write attempt, a statement timeout are "unknown" findings
 *   that say what to fix; a target that cannot be reached is the usual "unreachable".
 * Up to five rows of the answer go in the evidence, so people see which rows made the number.
 */
import type pg from 'pg';
import { grade, unreachable, type Finding, type Status } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import type { CustomCheck } from '../../../../core/runbook/model.js';
import { excerpt } from '../../shared/bounded-get.js';
import { connectFailure, endpoint, errorText, openProbePool, redact, serverTimeouts } from '../connect.js';
import { fmtMs } from '../format.js';
import type { PostgresTarget } from '../target.js';
import { finding } from './check.js';
import { DEADLINE, deadlineOf, settle } from './probe.js';

export type SqlCustomCheck = Extract<CustomCheck, { kind: 'sql' }>;

/** Rows shown in the evidence, and how long each may be. */
export const SQL_EVIDENCE_ROWS = 5;
export const SQL_EVIDENCE_ROW_CHARS = 200;
/** Longest value shown for a finding (a non-numeric cell, an error message). */
const MAX_VALUE_CHARS = 300;

const NUMERIC_TEXT = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$|^\s*(?:NaN|[-+]?Infinity)\s*$/;

/** A cell as a number to grade, or undefined when it is not one. */
export function cellNumber(cell: unknown): number | undefined {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'string' && NUMERIC_TEXT.test(cell)) return Number(cell);
  return undefined;
}

/** A cell for people: NULL, ISO dates, JSON for objects, text as it is. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return 'NULL';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? 'invalid date' : cell.toISOString();
  if (Buffer.isBuffer(cell)) return `\\x${cell.subarray(0, 32).toString('hex')}${cell.length > 32 ? '…' : ''}`;
  if (typeof cell === 'object') {
    try {
      return JSON.stringify(cell) ?? String(cell);
    } catch {
      return String(cell);
    }
  }
  return String(cell);
}

/** Integers as they are, other numbers to 6 significant digits. */
export function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** "warning at 20, critical at 50", or with "≤" when lower is worse. */
export function thresholdText(check: { warn: number; critical: number; lowerIsWorse: boolean }, unit = ''): string {
  const op = check.lowerIsWorse ? '≤ ' : '';
  return `warning at ${op}${formatValue(check.warn)}${unit}, critical at ${op}${formatValue(check.critical)}${unit}`;
}

/** The meaning on one line: it is the finding's check. */
export const checkName = (meaning: string): string => excerpt(meaning, 200) || 'custom check';

interface Answer {
  fields: string[];
  rows: unknown[][];
}

function evidenceOf(answer: Answer, url: string): string[] {
  const lines = answer.rows.slice(0, SQL_EVIDENCE_ROWS).map((row) => {
    const text = answer.fields.map((f, i) => `${f}=${cellText(row[i])}`).join(', ');
    return excerpt(redact(text, url), SQL_EVIDENCE_ROW_CHARS);
  });
  const more = answer.rows.length - SQL_EVIDENCE_ROWS;
  if (more > 0) lines.push(`… ${more} more row${more === 1 ? '' : 's'}`);
  return lines;
}

/**
 * The column named `name`: exactly, else the only one equal to it ignoring case (PostgreSQL folds
 * an unquoted `AS Late` to "late"); -1 when there is none.
 */
function columnIndex(fields: readonly string[], name: string): number {
  const exact = fields.indexOf(name);
  if (exact >= 0) return exact;
  const folded = fields.flatMap((f, i) => (f.toLowerCase() === name.toLowerCase() ? [i] : []));
  return folded.length === 1 ? folded[0]! : -1;
}

/** The finding of an answer: the graded value, or why there is none. */
export function gradeAnswer(target: PostgresTarget, check: SqlCustomCheck, answer: Answer): Finding {
  const name = checkName(check.meaning);
  const unknown = (value: string, recommendation: string, evidence: string[] = []): Finding =>
    finding(name, target.name, 'unknown', excerpt(redact(value, target.url), MAX_VALUE_CHARS), { recommendation, evidence, threshold: thresholdText(check) });
  if (answer.fields.length === 0) {
    return unknown('the statement returned no columns', 'The SQL of this runbook step must be a query that returns the number to grade (a SELECT).');
  }
  const column = check.value === undefined || check.value === '' ? 0 : columnIndex(answer.fields, check.value);
  if (column < 0) {
    return unknown(
      `no column "${check.value}" in the answer (columns: ${answer.fields.join(', ')})`,
      `Name the graded column in the step's "value" (or alias it in the SQL: AS ${check.value}).`,
      evidenceOf(answer, target.url),
    );
  }
  const evidence = evidenceOf(answer, target.url);
  const first = answer.rows[0];
  if (!first) {
    return unknown('no rows', 'The query returned nothing to grade: write it so it always returns one row (an aggregate such as count(*) does, even over no rows).');
  }
  const cell = first[column];
  const n = cellNumber(cell);
  if (n === undefined || Number.isNaN(n)) {
    const shown = cell === null || cell === undefined ? 'NULL' : `not a number: ${cellText(cell)}`;
    return unknown(shown, 'The graded column must hold a number: cast it, or wrap it in coalesce(…, 0) when NULL means none.', evidence);
  }
  const status: Status = grade(n, check.warn, check.critical, check.lowerIsWorse);
  return finding(name, target.name, status, formatValue(n), {
    threshold: thresholdText(check),
    recommendation: status === 'unknown' ? 'The value is infinite: check the query.' : (check.recommendation ?? 'Look at the rows in the evidence and follow the runbook’s next steps.'),
    evidence,
  });
}

/** What an error of the statement means for the runbook's author or the responder. */
function statementFailure(target: PostgresTarget, check: SqlCustomCheck, err: unknown, statementMs: number): Finding {
  const { code, message } = errorText(err);
  const name = checkName(check.meaning);
  const [value, recommendation] = ((): [string, string] => {
    if (code === '25006') return [`the check is not read-only: ${message}`, 'A check only reads: rewrite this runbook step as a SELECT; a change goes in an action step, which is approved.'];
    if (code === '57014') return [`the query did not finish within ${fmtMs(statementMs)} (statement timeout)`, 'Make the query cheaper (an index, a shorter window), or look at the server’s load; then run the step again.'];
    if (code === '55P03') return [`the query waited on a lock for more than ${fmtMs(statementMs)}: ${message}`, 'Another session holds a lock the query needs: look at blocked sessions (/diag db).'];
    if (code === '42501') return [`permission denied: ${message}`, 'Grant the role Firebreak uses for this target read access to what the query reads (or pg_monitor, pg_read_all_data).'];
    if (code === '08P01' || code === '42P02') return [`the query’s parameters do not match its args: ${message}`, 'Give this runbook step one entry in "args" for each $1, $2… of its SQL.'];
    if (code.startsWith('42') || code.startsWith('22')) return [`the query failed: ${message}`, 'Fix the SQL of this runbook step (try it in psql on the target first).'];
    return [`the query failed: ${message}${code ? ` (${code})` : ''}`, 'Run the step again; if it persists, check the SQL and the server log.'];
  })();
  return finding(name, target.name, 'unknown', excerpt(redact(value, target.url), MAX_VALUE_CHARS), { recommendation, threshold: thresholdText(check) });
}

/** The probe running one SQL check on one target. `run` never throws. */
export function sqlCheckProbe(target: PostgresTarget, check: SqlCustomCheck, env: { timeoutMs: number }): Probe {
  const fixed = structuredClone({ target, check });
  return {
    kind: 'postgres',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      try {
        return await runSqlCheck(fixed.target, fixed.check, env, ctx);
      } catch (err) {
        return [finding(checkName(check.meaning), target.name, 'unknown', excerpt(redact(`the check failed: ${errorText(err).message}`, target.url), MAX_VALUE_CHARS))];
      }
    },
  };
}

async function runSqlCheck(target: PostgresTarget, check: SqlCustomCheck, env: { timeoutMs: number }, ctx: ProbeContext): Promise<Finding[]> {
  const started = Date.now();
  const budget = ctx.deadline - started;
  if (budget <= 0 || ctx.signal.aborted) return [unreachable(target.name, 'no time left before the deadline')];
  const deadline = deadlineOf(ctx);
  const session = openProbePool(target.url, budget, 1);
  let cutOff = false;
  let client: pg.PoolClient | null = null;
  const late = (what: string): Finding[] => {
    cutOff = true;
    return [finding(checkName(check.meaning), target.name, 'unknown', `${what} before the deadline (${budget} ms in all)`, {
      recommendation: 'The server did not answer in time: it may be overloaded (see /diag db); run the step again.',
      threshold: thresholdText(check),
    })];
  };
  try {
    const conn = await settle(session.pool.connect(), deadline.promise);
    if (conn === DEADLINE) {
      cutOff = true;
      return [unreachable(target.name, `no answer from ${endpoint(target.url)} within ${budget} ms`)];
    }
    if (!conn.ok) {
      const { why, recommendation } = connectFailure(conn.error, target.url, budget);
      return [unreachable(target.name, why, ...(recommendation ? [recommendation] : []))];
    }
    client = conn.value;
    const { statementMs, lockMs } = serverTimeouts(Math.min(ctx.deadline - Date.now(), env.timeoutMs));
    const begun = await settle(client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${statementMs}; SET LOCAL lock_timeout = ${lockMs}`), deadline.promise);
    if (begun === DEADLINE) return late('connected, but the transaction did not start');
    if (!begun.ok) return [unreachable(target.name, redact(`connected, but BEGIN READ ONLY failed: ${errorText(begun.error).message}`, target.url))];

    // queryMode 'extended' (not in pg's types): one statement only, even without args, so the
    // text cannot end the read-only transaction and go on in another.
    const config = { text: check.sql, values: check.args, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig;
    const result = await settle(client.query(config), deadline.promise);
    if (result === DEADLINE) return late('no result');
    const rolledBack = await settle(client.query('ROLLBACK'), deadline.promise);
    if (rolledBack === DEADLINE || !rolledBack.ok) cutOff = true; // the session is not clean: do not keep it
    if (!result.ok) return [statementFailure(target, check, result.error, statementMs)];
    const answer: Answer = { fields: (result.value.fields ?? []).map((f) => f.name), rows: result.value.rows ?? [] };
    return [gradeAnswer(target, check, answer)];
  } finally {
    deadline.clear();
    client?.release(cutOff);
    await session.close(cutOff ? 0 : 250);
  }
}
