import { describe, expect, it } from 'vitest';
import { allowedTarget, canApprove, canReject, type ApprovalPolicy } from '../../../src/core/approval/policy.js';
import type { RemediationRequest } from '../../../src/core/remediation/request.js';

const now = new Date('2026-11-22T10:00:00Z');
const policy: ApprovalPolicy = { approvers: new Set(['U0ALICE', 'U0BOB']), expiresAfterMs: 600_000, dryRun: false };
const request = (over: Partial<RemediationRequest> = {}) => ({
  risk: 'high' as const, requesterId: 'U0ALICE', status: 'requested' as const, expiresAt: new Date(now.getTime() + 60_000), approvals: [], decidedBy: null, ...over,
});
const EXPIRED = 'It expired; ask for it again if it is still needed.';

/** Every verdict, whole: a reason is what the person who clicked reads. */
describe('approving', () => {
  it.each([
    ['an approver approves a high-risk request', 'U0BOB', request(), null],
    ['an approver may approve their own high-risk request', 'U0ALICE', request(), null],
    ['a critical request needs someone else (two-person rule)', 'U0ALICE', request({ risk: 'critical' }), 'Two-person rule: a critical action needs an approver other than the person who asked for it.', 'two_person_rule'],
    ['another approver approves a critical request', 'U0BOB', request({ risk: 'critical' }), null],
    ['not an approver', 'U0EVE', request(), 'Only approvers can approve (approvals.approvers in the configuration).', 'not_approver'],
    ['not an approver, critical', 'U0EVE', request({ risk: 'critical', requesterId: 'U0EVE' }), 'Only approvers can approve (approvals.approvers in the configuration).', 'not_approver'],
    ['at its expiry time', 'U0BOB', request({ expiresAt: now }), EXPIRED, 'expired'],
    ['one millisecond before it', 'U0BOB', request({ expiresAt: new Date(now.getTime() + 1) }), null],
    ['expired by the sweep', 'U0BOB', request({ status: 'expired', expiresAt: new Date(now.getTime() + 60_000) }), EXPIRED, 'expired'],
    ['already approved', 'U0BOB', request({ status: 'approved', approvals: [{ userId: 'U0BOB', at: now }] }), 'It was already approved by <@U0BOB>.', 'already_approved'],
    ['already approved by two', 'U0BOB', request({ status: 'approved', approvals: [{ userId: 'U0BOB', at: now }, { userId: 'U0CAROL', at: now }] }), 'It was already approved by <@U0BOB>, <@U0CAROL>.', 'already_approved'],
    ['running, with no approval recorded', 'U0BOB', request({ status: 'running' }), 'It was already approved by someone.', 'already_approved'],
    ['already ran', 'U0BOB', request({ status: 'succeeded' }), 'It already ran (succeeded).', 'already_ran'],
    ['already ran and failed', 'U0BOB', request({ status: 'failed' }), 'It already ran (failed).', 'already_ran'],
    ['rejected', 'U0BOB', request({ status: 'rejected', decidedBy: 'U0ALICE' }), 'It was rejected by <@U0ALICE>.', 'rejected'],
    ['rejected by nobody known', 'U0BOB', request({ status: 'rejected' }), 'It was rejected.', 'rejected'],
    ['interrupted while it ran', 'U0BOB', request({ status: 'interrupted' }), 'It was interrupted while it ran; check the target before asking again.', 'already_ran'],
  ])('%s', (_label, actor, req, reason, code?: string) => {
    expect(canApprove(actor, req, policy, now)).toEqual(reason === null ? { allowed: true } : { allowed: false, reason, code });
  });
});

describe('rejecting', () => {
  it.each([
    ['an approver, while the request is open', 'U0BOB', request(), null],
    ['the requester, an approver, even for a critical request', 'U0ALICE', request({ risk: 'critical' }), null],
    ['not an approver', 'U0EVE', request(), 'Only approvers can reject (approvals.approvers in the configuration).', 'not_approver'],
    ['once running', 'U0BOB', request({ status: 'running', approvals: [{ userId: 'U0ALICE', at: now }] }), 'It was already approved by <@U0ALICE>.', 'already_approved'],
    ['once expired', 'U0BOB', request({ expiresAt: new Date(now.getTime() - 1) }), EXPIRED, 'expired'],
  ])('%s', (_label, actor, req, reason, code?: string) => {
    expect(canReject(actor, req, policy, now)).toEqual(reason === null ? { allowed: true } : { allowed: false, reason, code });
  });
});

describe('the allow-list', () => {
  const allow = { kubernetes: { namespaces: ['shop', 'web'] }, postgres: ['main', 'replica'], redis: ['cache'], docker: ['local'] };
  const none = { kubernetes: { namespaces: [] }, postgres: [], redis: [], docker: [] };
  it.each([
    ['kubernetes', 'prod', 'shop', allow, null],
    ['kubernetes', 'prod', 'kube-system', allow, 'Namespace "kube-system" is not in remediation.allow.kubernetes.namespaces (shop, web).'],
    ['kubernetes', 'prod', 'shop', none, 'Namespace "shop" is not in remediation.allow.kubernetes.namespaces (none).'],
    ['kubernetes', 'prod', undefined, none, null],
    ['postgres', 'main', undefined, allow, null],
    ['postgres', 'billing', undefined, allow, 'Target "billing" is not in remediation.allow.postgres (main, replica).'],
    ['postgres', 'main', undefined, none, 'Target "main" is not in remediation.allow.postgres (none).'],
    ['redis', 'cache', undefined, allow, null],
    ['redis', 'main', undefined, allow, 'Target "main" is not in remediation.allow.redis (cache).'],
    ['redis', 'sessions', undefined, none, 'Target "sessions" is not in remediation.allow.redis (none).'],
    ['docker', 'local', undefined, allow, null],
    ['docker', 'cache', undefined, allow, 'Target "cache" is not in remediation.allow.docker (local).'],
    ['docker', 'local', undefined, none, 'Target "local" is not in remediation.allow.docker (none).'],
    ['docker', 'edge', undefined, { ...none, docker: ['local', 'build'] }, 'Target "edge" is not in remediation.allow.docker (local, build).'],
    ['hosts', 'web-1', undefined, { ...none, hosts: ['web-1', 'web-2'] }, null],
    ['hosts', 'db-1', undefined, { ...none, hosts: ['web-1', 'web-2'] }, 'Host "db-1" is not in remediation.allow.hosts (web-1, web-2).'],
    ['hosts', 'web-1', undefined, { ...none, hosts: [] }, 'Host "web-1" is not in remediation.allow.hosts (none).'],
    ['hosts', 'web-1', undefined, none, 'Host "web-1" is not in remediation.allow.hosts (none).'],
    // A host named like a docker target, a postgres one or a broker is still refused: each kind has its own list.
    ['hosts', 'local', undefined, { ...allow, rabbitmq: ['local'] }, 'Host "local" is not in remediation.allow.hosts (none).'],
    ['rabbitmq', 'broker', undefined, { ...none, rabbitmq: ['broker'] }, null],
    ['rabbitmq', 'events', undefined, { ...none, rabbitmq: ['broker', 'jobs'] }, 'Target "events" is not in remediation.allow.rabbitmq (broker, jobs).'],
    ['rabbitmq', 'broker', undefined, none, 'Target "broker" is not in remediation.allow.rabbitmq (none).'],
    ['rabbitmq', 'local', undefined, { ...allow, hosts: ['local'] }, 'Target "local" is not in remediation.allow.rabbitmq (none).'],
  ] as const)('%s %s %s', (kind, target, ns, list, reason) => {
    expect(allowedTarget(kind, target, ns, list)).toEqual(reason === null ? { allowed: true } : { allowed: false, reason, code: 'target_not_allowed' });
  });
});
