/** The approval message's fields follow the request's life: the window while it waits or when it ran out, never after a decision. */
import { describe, expect, it } from 'vitest';
import { approvalMessage } from '../../src/app/remediation/messages.js';
import type { RemediationRequest, RequestStatus } from '../../src/core/remediation/request.js';

const request = (status: RequestStatus): RemediationRequest => ({
  id: 'r1',
  teamId: 'T1',
  actionId: 'pg.cancel',
  targetName: 'main',
  args: ['4242'],
  risk: 'high',
  requesterId: 'U0ALICE',
  status,
  createdAt: new Date('2026-12-02T10:00:00Z'),
  expiresAt: new Date('2026-12-02T10:10:00Z'),
  approvals: status === 'requested' || status === 'expired' || status === 'rejected' ? [] : [{ userId: 'U0BRUNO', at: new Date('2026-12-02T10:01:00Z') }],
  decidedBy: status === 'rejected' ? 'U0BRUNO' : null,
  guard: {},
  preview: { current: ['pid 4242 active'], change: ['cancel its query'] },
  before: null,
  after: null,
  outcome: status === 'succeeded' ? 'cancelled' : null,
  message: null,
  incidentId: null,
});

const labels = (status: RequestStatus) =>
  approvalMessage(request(status), { dryRun: false })
    .blocks.flatMap((b) => (b.type === 'fields' ? b.fields.map((f) => f.label) : []));

describe('the approval window on the approval message', () => {
  it('says when it expires while the request waits, and when it expired once it did', () => {
    expect(labels('requested')).toContain('Expires');
    expect(labels('expired')).toContain('Expired at');
  });

  it.each(['approved', 'running', 'succeeded', 'failed', 'rejected'] as const)('is left out once the request is %s (it would read as if it had expired)', (status) => {
    expect(labels(status).filter((l) => /^Expire/.test(l))).toEqual([]);
    expect(labels(status)).toContain('Risk');
  });
});
