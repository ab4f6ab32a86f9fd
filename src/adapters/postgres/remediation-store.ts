/**
 * The RemediationStore port over a Db. A request changes state only through `transition`: one
 * `UPDATE … WHERE id = $1 AND status = ANY(from) [AND not expired] RETURNING`. The UPDATE's row lock
 * serialises concurrent transitions of one request and PostgreSQL re-checks the condition against
 * the row as the previous one left it, so of N racing "approved → running" exactly one applies,
 * across processes. A running request's lease (running_until) is kept beside the columns the domain
 * reads: set with the change to "running", renewed by its runner, and a condition of the sweep that
 * interrupts it. A change given its audit entry inserts it from the updated row in the same
 * statement (a data-modifying WITH), so neither is ever stored without the other. The audit trail
 * is append-only in the database itself (migration 4's trigger).
 * All times come from the caller; the database's now() is never used.
 */
import { z } from 'zod';
import type { RemediationRequest } from '../../core/remediation/request.js';
import type { RemediationStore } from '../../ports.js';
import { guard } from './connection-errors.js';
import type { Db } from './db.js';
import { UUID } from './incident-rows.js';
import {
  AUDIT_COLUMNS, auditInput, messageInput, newRequestInput, parseInput, REQUEST_COLUMNS, toAuditEntry, toRequest, transitionInput,
} from './remediation-rows.js';

/** The most entries listAudit returns at once. */
export const MAX_AUDIT_LIMIT = 500;

/** jsonb parameters are sent as JSON text; null stays SQL NULL (not the JSON value null). */
const json = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

const isForeignKeyViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503';

const unknownRequest = (id: string): Error => new Error(`unknown remediation request ${id}`);

/** `set` key → its column, and the cast of its parameter. */
const SET_COLUMNS = {
  decidedBy: ['decided_by', ''],
  before: ['before', '::jsonb'],
  after: ['after', '::jsonb'],
  outcome: ['outcome', ''],
} as const;

const INSERT_SQL = `
  INSERT INTO remediation_requests (team_id, action_id, target_name, args, risk, requester_id, status,
                                    created_at, expires_at, guard, preview, incident_id)
  VALUES ($1, $2, $3, $4::jsonb, $5, $6, 'requested', $7, $8, $9::jsonb, $10::jsonb, $11)
  RETURNING ${REQUEST_COLUMNS}`;

const AUDIT_INSERT_COLUMNS = 'at, actor_id, event, action_id, target_name, args, request_id, detail, approvers, before, after, permalink';
/** The cast of each of those columns' parameters (in a SELECT, unlike VALUES, an untyped parameter is text). */
const AUDIT_CASTS = ['::timestamptz', '', '', '', '', '::jsonb', '::uuid', '', '::jsonb', '::jsonb', '::jsonb', ''];

const AUDIT_SQL = `
  INSERT INTO remediation_audit (${AUDIT_INSERT_COLUMNS})
  VALUES (${AUDIT_CASTS.map((cast, i) => `$${i + 1}${cast}`).join(', ')})`;

/** Builds the conditional UPDATE of `transition`: $1 id, $2 to, $3 from, $4 notExpiredAt (null: no expiry check). */
function buildTransition(input: z.infer<typeof transitionInput>): { sql: string; params: unknown[] } {
  const params: unknown[] = [input.id, input.to, input.from, input.notExpiredAt ?? null];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const assignments = ['status = $2'];
  if (input.approval) {
    const approval = { userId: input.approval.userId, at: input.approval.at.toISOString() };
    assignments.push(`approvals = approvals || jsonb_build_array(${param(JSON.stringify(approval))}::jsonb)`);
  }
  const set = input.set ?? {};
  for (const key of Object.keys(SET_COLUMNS) as (keyof typeof SET_COLUMNS)[]) {
    const value = set[key];
    if (value === undefined) continue;
    const [column, cast] = SET_COLUMNS[key];
    assignments.push(`${column} = ${param(cast === '::jsonb' ? json(value) : value)}${cast}`);
  }
  if (input.runningUntil) assignments.push(`running_until = ${param(input.runningUntil)}::timestamptz`);
  const conditions = ['id = $1', 'status = ANY($3::text[])', '($4::timestamptz IS NULL OR expires_at > $4::timestamptz)'];
  // NULL (no lease) is never <= anything: a request without a lease is never taken for abandoned.
  if (input.leaseEndedBy) conditions.push(`running_until <= ${param(input.leaseEndedBy)}::timestamptz`);
  const update = `UPDATE remediation_requests SET ${assignments.join(', ')} WHERE ${conditions.join(' AND ')} RETURNING ${REQUEST_COLUMNS}`;
  if (!input.audit && !input.event) return { sql: update, params };
  // One statement: the audit entry and the timeline event are inserted from the updated row, so
  // they exist exactly when the change applied, and a failed insert undoes the change with them.
  const inserts: string[] = [];
  const e = input.audit;
  if (e) {
    const values = [
      e.at, e.actorId, e.event, e.actionId, e.targetName, json(e.args), e.requestId, e.detail,
      json(e.approvers), json(e.before), json(e.after), e.permalink,
    ].map((value, i) => `${param(value)}${AUDIT_CASTS[i] ?? ''}`);
    inserts.push(`logged AS (INSERT INTO remediation_audit (${AUDIT_INSERT_COLUMNS}) SELECT ${values.join(', ')} FROM changed)`);
  }
  const ev = input.event;
  if (ev) {
    inserts.push(
      `noted AS (INSERT INTO incident_events (incident_id, kind, actor_id, at, data)
                 SELECT incident_id, ${param(ev.kind)}, ${param(ev.actorId)}, ${param(ev.at)}::timestamptz, ${param(JSON.stringify(ev.data))}::jsonb
                 FROM changed WHERE incident_id IS NOT NULL)`,
    );
  }
  return { sql: `WITH changed AS (${update}), ${inserts.join(', ')} SELECT * FROM changed`, params };
}

export function createRemediationStore(db: Db): RemediationStore {
  const read = async (id: string): Promise<RemediationRequest | null> => {
    // Not a uuid: no such request (rather than PostgreSQL's "invalid input syntax for type uuid").
    if (!UUID.test(id)) return null;
    const [row] = await db.query(`SELECT ${REQUEST_COLUMNS} FROM remediation_requests WHERE id = $1`, [id]);
    return row === undefined ? null : toRequest(row);
  };

  return {
    create: (input) =>
      guard('record the remediation request', async () => {
        const r = parseInput(newRequestInput, 'create', input);
        try {
          const [row] = await db.query(INSERT_SQL, [
            r.teamId, r.actionId, r.targetName, json(r.args), r.risk, r.requesterId, r.createdAt, r.expiresAt,
            json(r.guard), json(r.preview), r.incidentId,
          ]);
          return toRequest(row);
        } catch (err) {
          throw isForeignKeyViolation(err) ? new Error(`remediation.create: unknown incident ${r.incidentId}`) : err;
        }
      }),

    get: (id) => guard('look up the remediation request', () => read(id)),

    transition: (input) =>
      guard('update the remediation request', async () => {
        const parsed = parseInput(transitionInput, 'transition', input);
        if (!UUID.test(parsed.id)) throw unknownRequest(parsed.id);
        const { sql, params } = buildTransition(parsed);
        const [row] = await db.query(sql, params);
        if (row !== undefined) return { request: toRequest(row), applied: true };
        const current = await read(parsed.id);
        if (current === null) throw unknownRequest(parsed.id);
        return { request: current, applied: false };
      }),

    renewLease: (id, until) =>
      guard('renew the lease of the running action', async () => {
        const at = parseInput(z.date(), 'renewLease', until);
        if (!UUID.test(id)) return false;
        const rows = await db.query(
          "UPDATE remediation_requests SET running_until = $2 WHERE id = $1 AND status = 'running' RETURNING id",
          [id, at],
        );
        return rows.length === 1;
      }),

    listLeaseEnded: (now) =>
      guard('list the running actions whose lease ended', async () => {
        const at = parseInput(z.date(), 'listLeaseEnded', now);
        const rows = await db.query(
          `SELECT ${REQUEST_COLUMNS} FROM remediation_requests
           WHERE status = 'running' AND running_until <= $1 ORDER BY running_until, created_at, id`,
          [at],
        );
        return rows.map(toRequest);
      }),

    setMessage: (id, ref) =>
      guard('save the approval message', async () => {
        const { channel, ts } = parseInput(messageInput, 'setMessage', ref);
        if (!UUID.test(id)) throw unknownRequest(id);
        const rows = await db.query(
          'UPDATE remediation_requests SET message_channel = $2, message_ts = $3 WHERE id = $1 RETURNING id',
          [id, channel, ts],
        );
        if (rows.length === 0) throw unknownRequest(id);
      }),

    listExpired: (now) =>
      guard('list the expired remediation requests', async () => {
        const at = parseInput(z.date(), 'listExpired', now);
        const rows = await db.query(
          `SELECT ${REQUEST_COLUMNS} FROM remediation_requests
           WHERE status = 'requested' AND expires_at <= $1 ORDER BY expires_at, created_at, id`,
          [at],
        );
        return rows.map(toRequest);
      }),

    audit: (entry) =>
      guard('write the audit trail', async () => {
        const e = parseInput(auditInput, 'audit', entry);
        await db.query(AUDIT_SQL, [
          e.at, e.actorId, e.event, e.actionId, e.targetName, json(e.args), e.requestId, e.detail,
          json(e.approvers), json(e.before), json(e.after), e.permalink,
        ]);
      }),

    listAudit: (limit) =>
      guard('read the audit trail', async () => {
        if (!Number.isFinite(limit)) throw new Error(`remediation.listAudit: invalid limit ${limit}`);
        const bounded = Math.min(MAX_AUDIT_LIMIT, Math.max(1, Math.trunc(limit)));
        const rows = await db.query(`SELECT ${AUDIT_COLUMNS} FROM remediation_audit ORDER BY at DESC, id DESC LIMIT $1`, [bounded]);
        return rows.map(toAuditEntry);
      }),
  };
}
