import { describe, expect, it } from 'vitest';
import { allowedTarget, canApprove, canReject, type ApprovalPolicy } from '../../../src/core/approval/policy.js';
import type { RemediationRequest } from '../../../src/core/remediation/request.js';

const now = new Date('2026-11-22T10:00:00Z');
const policy: ApprovalPolicy = { approvers: new Set(['U0ALICE', 'U0BOB']), expiresAfterMs: 600_000, dryRun: false };
const request = (over: Partial<RemediationRequest> = {}) => ({
  risk: 'high' as const, requesterId: 'U0ALICE', status: 'requested' as const, expiresAt: new Date(now.getTime() + 60_000), approvals: [], decidedBy: null, ...over,
});

describe('approving', () => {
  it.each([
    ['an approver approves a high-risk request', 'U0BOB', request(), true, ''],
    ['an approver may approve their own high-risk request', 'U0ALICE', request(), true, ''],
    ['a critical request needs someone else (two-person rule)', 'U0ALICE', request({ risk: 'critical' }), false, 'Two-person rule'],
    ['another approver approves a critical request', 'U0BOB', request({ risk: 'critical' }), true, ''],
    ['not an approver', 'U0EVE', request(), false, 'Only approvers can approve'],
    ['expired', 'U0BOB', request({ expiresAt: now }), false, 'It expired'],
    ['already approved', 'U0BOB', request({ status: 'approved', approvals: [{ userId: 'U0BOB', at: now }] }), false, 'already approved by <@U0BOB>'],
    ['already ran', 'U0BOB', request({ status: 'succeeded' }), false, 'already ran (succeeded)'],
    ['rejected', 'U0BOB', request({ status: 'rejected', decidedBy: 'U0ALICE' }), false, 'rejected by <@U0ALICE>'],
  ])('%s', (_label, actor, req, allowed, reason) => {
    const v = canApprove(actor, req, policy, now);
    expect(v.allowed).toBe(allowed);
    if (!v.allowed) expect(v.reason).toContain(reason);
  });
});

describe('rejecting', () => {
  it('is for approvers, while the request is open', () => {
    expect(canReject('U0BOB', request(), policy, now)).toEqual({ allowed: true });
    expect(canReject('U0EVE', request(), policy, now)).toMatchObject({ allowed: false });
    expect(canReject('U0BOB', request({ status: 'running' }), policy, now)).toMatchObject({ allowed: false });
  });
});

describe('the allow-list', () => {
  const allow = { kubernetes: { namespaces: ['shop'] }, postgres: ['main'], redis: ['cache'] };
  it.each([
    ['kubernetes', 'prod', 'shop', true],
    ['kubernetes', 'prod', 'kube-system', false],
    ['kubernetes', 'prod', undefined, true],
    ['postgres', 'main', undefined, true],
    ['postgres', 'billing', undefined, false],
    ['redis', 'cache', undefined, true],
    ['redis', 'sessions', undefined, false],
  ] as const)('%s %s %s → %s', (kind, target, ns, allowed) => {
    expect(allowedTarget(kind, target, ns, allow).allowed).toBe(allowed);
  });
});
