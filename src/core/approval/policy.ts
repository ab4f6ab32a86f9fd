/**
 * Who may do what with a remediation request. Pure: the user groups in the configuration are
 * resolved to their members before these rules are asked.
 *
 * - Only approvers approve or reject.
 * - A high-risk action needs one approval; an approver may approve their own request.
 * - A critical action needs an approver other than the requester (two-person rule).
 * - A request expires: after that it can no longer be approved or run.
 * - Targets, namespaces outside the allow-list are refused when the request is made.
 */
import type { RemediationRequest } from '../remediation/request.js';
import type { ActionTargetKind } from '../remediation/action.js';

export interface ApprovalPolicy {
  /** User ids allowed to approve, user groups already expanded. */
  approvers: ReadonlySet<string>;
  expiresAfterMs: number;
  /** Preview and approve, never execute. */
  dryRun: boolean;
}

export interface AllowList {
  kubernetes: { namespaces: readonly string[] };
  postgres: readonly string[];
  redis: readonly string[];
  docker: readonly string[];
  /** Linux hosts (targets.hosts) by name; none when absent. */
  hosts?: readonly string[];
  /** RabbitMQ brokers (targets.rabbitmq) by name; none when absent. */
  rabbitmq?: readonly string[];
}

/**
 * Why a decision or a target was refused, as a code that stays the same when the wording changes
 * (counted in Firebreak's metrics). The last three are not the policy's: the flow reports them
 * when a decision the policy allowed loses a race (someone else decided, it is already running)
 * or names no stored request.
 */
export const REFUSAL_CODES = [
  'not_approver',
  'two_person_rule',
  'already_approved',
  'already_ran',
  'rejected',
  'expired',
  'target_not_allowed',
  'decided_meanwhile',
  'already_running',
  'no_such_request',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export type Verdict = { allowed: true } | { allowed: false; reason: string; code: RefusalCode };

const refuse = (code: RefusalCode, reason: string): Verdict => ({ allowed: false, reason, code });
const ALLOWED: Verdict = { allowed: true };

type RequestView = Pick<RemediationRequest, 'risk' | 'requesterId' | 'status' | 'expiresAt' | 'approvals' | 'decidedBy'>;

function notDecidable(request: RequestView, now: Date): Verdict | null {
  switch (request.status) {
    case 'approved':
    case 'running':
      return refuse('already_approved', `It was already approved by ${request.approvals.map((a) => `<@${a.userId}>`).join(', ') || 'someone'}.`);
    case 'succeeded':
    case 'failed':
      return refuse('already_ran', `It already ran (${request.status}).`);
    case 'interrupted':
      return refuse('already_ran', 'It was interrupted while it ran; check the target before asking again.');
    case 'rejected':
      return refuse('rejected', `It was rejected${request.decidedBy ? ` by <@${request.decidedBy}>` : ''}.`);
    case 'expired':
      return refuse('expired', 'It expired; ask for it again if it is still needed.');
    case 'requested':
      return now.getTime() >= request.expiresAt.getTime() ? refuse('expired', 'It expired; ask for it again if it is still needed.') : null;
  }
}

export function canApprove(actorId: string, request: RequestView, policy: ApprovalPolicy, now: Date): Verdict {
  const closed = notDecidable(request, now);
  if (closed) return closed;
  if (!policy.approvers.has(actorId)) return refuse('not_approver', 'Only approvers can approve (approvals.approvers in the configuration).');
  if (request.risk === 'critical' && actorId === request.requesterId) {
    return refuse('two_person_rule', 'Two-person rule: a critical action needs an approver other than the person who asked for it.');
  }
  return ALLOWED;
}

export function canReject(actorId: string, request: RequestView, policy: ApprovalPolicy, now: Date): Verdict {
  const closed = notDecidable(request, now);
  if (closed) return closed;
  return policy.approvers.has(actorId) ? ALLOWED : refuse('not_approver', 'Only approvers can reject (approvals.approvers in the configuration).');
}

/** At request time: is this target (and namespace, for Kubernetes) one remediation may touch? */
export function allowedTarget(kind: ActionTargetKind, targetName: string, namespace: string | undefined, allow: AllowList): Verdict {
  if (kind === 'kubernetes') {
    if (namespace === undefined) return ALLOWED; // node-level actions (cordon, drain) name no namespace
    return allow.kubernetes.namespaces.includes(namespace)
      ? ALLOWED
      : refuse('target_not_allowed', `Namespace "${namespace}" is not in remediation.allow.kubernetes.namespaces (${allow.kubernetes.namespaces.join(', ') || 'none'}).`);
  }
  if (kind === 'docker') return allow.docker.includes(targetName) ? ALLOWED : refuse('target_not_allowed', `Target "${targetName}" is not in remediation.allow.docker (${allow.docker.join(', ') || 'none'}).`);
  if (kind === 'hosts') return (allow.hosts ?? []).includes(targetName) ? ALLOWED : refuse('target_not_allowed', `Host "${targetName}" is not in remediation.allow.hosts (${allow.hosts?.join(', ') || 'none'}).`);
  if (kind === 'rabbitmq') return (allow.rabbitmq ?? []).includes(targetName) ? ALLOWED : refuse('target_not_allowed', `Target "${targetName}" is not in remediation.allow.rabbitmq (${allow.rabbitmq?.join(', ') || 'none'}).`);
  const list = kind === 'postgres' ? allow.postgres : allow.redis;
  return list.includes(targetName) ? ALLOWED : refuse('target_not_allowed', `Target "${targetName}" is not in remediation.allow.${kind} (${list.join(', ') || 'none'}).`);
}
