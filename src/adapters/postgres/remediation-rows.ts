/**
 * Rows of `remediation_requests` and `remediation_audit` as the database returns them, validated
 * and turned into the domain's objects, and the inputs of RemediationStore, validated before they
 * are written (so what is written can always be read back). Approvals are stored as
 * `{"userId", "at": ISO text}` and come back with `at` as a Date, like every other time.
 */
import { z } from 'zod';
import { REQUEST_STATUSES, type AuditEntry, type RemediationRequest } from '../../core/remediation/request.js';
import type { Risk } from '../../core/remediation/action.js';
import { TIMELINE_KINDS } from '../../core/incident/timeline-event.js';
import { parseRow, UUID } from './incident-rows.js';

const RISKS = ['high', 'critical'] as const satisfies readonly Risk[];
export const AUDIT_EVENTS = [
  'requested', 'refused', 'approved', 'rejected', 'expired', 'started', 'succeeded', 'failed', 'interrupted',
] as const satisfies readonly AuditEntry['event'][];
// Compile-time: every event of the domain type is in the list (as in the CHECK of migrations 4 and 10).
type MissingEvent = Exclude<AuditEntry['event'], (typeof AUDIT_EVENTS)[number]>;
export const EVERY_AUDIT_EVENT_LISTED: [MissingEvent] extends [never] ? true : never = true;

// z.date() refuses an Invalid Date too.
const date = z.date();
const strings = z.array(z.string());
const object = z.record(z.string(), z.unknown());
const uuid = z.string().regex(UUID, 'not a uuid');
const status = z.enum(REQUEST_STATUSES);
/** Extra keys (a whole Preview with its guard and refusal) are dropped, not stored. */
const preview = z.object({ current: strings, change: strings });

const requestRow = z.object({
  id: z.string(),
  team_id: z.string(),
  action_id: z.string(),
  target_name: z.string(),
  args: strings,
  risk: z.enum(RISKS),
  requester_id: z.string(),
  status,
  created_at: date,
  expires_at: date,
  approvals: z.array(z.object({ userId: z.string(), at: z.iso.datetime({ offset: true }).transform((at) => new Date(at)) })),
  decided_by: z.string().nullable(),
  guard: object,
  preview,
  before: object.nullable(),
  after: object.nullable(),
  outcome: z.string().nullable(),
  message_channel: z.string().nullable(),
  message_ts: z.string().nullable(),
  incident_id: z.string().nullable(),
});

const auditRow = z.object({
  at: date,
  actor_id: z.string(),
  event: z.enum(AUDIT_EVENTS),
  action_id: z.string(),
  target_name: z.string(),
  args: strings,
  request_id: z.string().nullable(),
  detail: z.string().nullable(),
  approvers: strings,
  before: object.nullable(),
  after: object.nullable(),
  permalink: z.string().nullable(),
});

/** Column lists for SELECT and RETURNING: exactly what toRequest and toAuditEntry read. */
export const REQUEST_COLUMNS = Object.keys(requestRow.shape).join(', ');
export const AUDIT_COLUMNS = Object.keys(auditRow.shape).join(', ');

export function toRequest(row: unknown): RemediationRequest {
  const r = parseRow(requestRow, 'remediation_requests', row);
  return {
    id: r.id,
    teamId: r.team_id,
    actionId: r.action_id,
    targetName: r.target_name,
    args: r.args,
    risk: r.risk,
    requesterId: r.requester_id,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    approvals: r.approvals,
    decidedBy: r.decided_by,
    guard: r.guard,
    preview: r.preview,
    before: r.before,
    after: r.after,
    outcome: r.outcome,
    message: r.message_channel !== null && r.message_ts !== null ? { channel: r.message_channel, ts: r.message_ts } : null,
    incidentId: r.incident_id,
  };
}

export function toAuditEntry(row: unknown): AuditEntry {
  const r = parseRow(auditRow, 'remediation_audit', row);
  return {
    at: r.at,
    actorId: r.actor_id,
    event: r.event,
    actionId: r.action_id,
    targetName: r.target_name,
    args: r.args,
    requestId: r.request_id,
    detail: r.detail,
    approvers: r.approvers,
    before: r.before,
    after: r.after,
    permalink: r.permalink,
  };
}

/** What `create` is given. */
export const newRequestInput = z.object({
  teamId: z.string(),
  actionId: z.string(),
  targetName: z.string(),
  args: strings,
  risk: z.enum(RISKS),
  requesterId: z.string(),
  createdAt: date,
  expiresAt: date,
  guard: object,
  preview,
  incidentId: uuid.nullable(),
});

/** What `transition` is given; unknown keys of `set` are refused. */
export const auditInput = z.object({
  at: date,
  actorId: z.string(),
  event: z.enum(AUDIT_EVENTS),
  actionId: z.string(),
  targetName: z.string(),
  args: strings,
  requestId: uuid.nullable(),
  detail: z.string().nullable(),
  approvers: strings,
  before: object.nullable(),
  after: object.nullable(),
  permalink: z.string().nullable(),
});

export const transitionInput = z.object({
  id: z.string(),
  from: z.array(status).min(1),
  to: status,
  notExpiredAt: date.optional(),
  approval: z.object({ userId: z.string().min(1), at: date }).optional(),
  set: z.strictObject({
    decidedBy: z.string().nullable(),
    before: object.nullable(),
    after: object.nullable(),
    outcome: z.string().nullable(),
  }).partial().optional(),
  runningUntil: date.optional(),
  leaseEndedBy: date.optional(),
  audit: auditInput.optional(),
  event: z.strictObject({ kind: z.enum(TIMELINE_KINDS), actorId: z.string().nullable(), at: date, data: z.record(z.string(), z.unknown()) }).optional(),
});

export const messageInput = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

/** Parses a method's input; a mismatch is a bug of the caller, reported with the field. */
export function parseInput<S extends z.ZodType>(schema: S, method: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new Error(`remediation.${method}: invalid input${at}: ${issue?.message ?? 'invalid'}`);
}
