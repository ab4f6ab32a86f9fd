/**
 * A remediation request's life: requested → approved → running → succeeded | failed, or
 * rejected | expired. Every change is one atomic conditional update in the store, so double
 * clicks, Slack retries and several replicas run an action at most once.
 */
import type { MessageRef } from '../incident/incident.js';
import type { Risk } from './action.js';

export const REQUEST_STATUSES = ['requested', 'approved', 'running', 'succeeded', 'failed', 'rejected', 'expired'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const FINAL_STATUSES: readonly RequestStatus[] = ['succeeded', 'failed', 'rejected', 'expired'];

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
  /** What happened: requested, refused, approved, rejected, expired, started, succeeded, failed. */
  event: 'requested' | 'refused' | 'approved' | 'rejected' | 'expired' | 'started' | 'succeeded' | 'failed';
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
