/**
 * A remediation request's life: requested → approved → running → succeeded | failed, or
 * rejected | expired. Every change is one atomic conditional update in the store, so double
 * clicks, Slack retries and several replicas run an action at most once. A running request holds a
 * lease its runner renews; when the runner stops (killed, its host gone) and the lease ends, any
 * replica marks it interrupted, a final status: it is never run again by itself.
 */
import type { MessageRef } from '../incident/incident.js';
import type { Risk } from './action.js';

export const REQUEST_STATUSES = ['requested', 'approved', 'running', 'succeeded', 'failed', 'rejected', 'expired', 'interrupted'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface Approval {
  userId: string;
  at: Date;
}

export interface RemediationRequest {
  id: string;
  teamId: string;
  actionId: string;
  /** The configured target's name. */
  targetName: string;
  /** The arguments as typed (validated by the action's schema when requested). */
  args: string[];
  risk: Risk;
  requesterId: string;
  status: RequestStatus;
  createdAt: Date;
  expiresAt: Date;
  approvals: Approval[];
  /** Who rejected it, when rejected. */
  decidedBy: string | null;
  /** The preview's guard: what execution must find unchanged. */
  guard: Record<string, unknown>;
  /** The preview's lines, kept to show on the approval message. */
  preview: { current: string[]; change: string[] };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The result line once it ran (or why it failed). */
  outcome: string | null;
  /** The approval message in Slack. */
  message: MessageRef | null;
  /** The incident whose channel it was asked from, if any. */
  incidentId: string | null;
}

/** One line of the append-only audit trail: every attempt, refused ones included. */
export interface AuditEntry {
  at: Date;
  actorId: string;
  /** What happened: requested, refused, approved, rejected, expired, started, succeeded, failed, interrupted (its runner stopped). */
  event: 'requested' | 'refused' | 'approved' | 'rejected' | 'expired' | 'started' | 'succeeded' | 'failed' | 'interrupted';
  actionId: string;
  targetName: string;
  args: string[];
  requestId: string | null;
  /** Why it was refused, or the outcome line. */
  detail: string | null;
  approvers: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  permalink: string | null;
}
