/**
 * The RemediationStore in memory, with the PostgreSQL store's semantics: a request changes only
 * through `transition` (a conditional update on its status and, optionally, its expiry or the end
 * of its execution lease), the lease is kept beside the request as the database keeps it beside
 * the columns the domain reads, and the audit trail can only be appended to (there is no way to
 * change or remove an entry).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuditEntry, RemediationRequest } from '../../src/core/remediation/request.js';
import type { RemediationStore, TimelineEvent } from '../../src/ports.js';
import { auditInput, messageInput, newRequestInput, transitionInput } from '../../src/adapters/postgres/remediation-rows.js';
import { asJson, byTime, copy, date, parseOrThrow, UUID } from './memory-rows.js';

/** The most entries listAudit returns at once (as the PostgreSQL store). */
const MAX_AUDIT_LIMIT = 500;

// The inputs are validated by the PostgreSQL store's own schemas: the fake refuses what it refuses.
const unknownRequest = (id: string): Error => new Error(`unknown remediation request ${id}`);

/**
 * `hasIncident` stands for the foreign key to incidents, `addEvent` for the incidents' timeline
 * (a transition's event goes there with it). `clearRequests` empties the requests (never the audit trail).
 */
export function memoryRemediation(hasIncident: (id: string) => boolean, addEvent: (event: TimelineEvent) => void = () => undefined): RemediationStore & { clearRequests(): void } {
  const requests = new Map<string, RemediationRequest>();
  /** running_until: the execution lease, by request id (ms). */
  const leases = new Map<string, number>();
  const trail: Array<{ seq: number; entry: AuditEntry }> = [];
  let seq = 0;
  const append = (e: z.infer<typeof auditInput>): void => {
    const stored: AuditEntry = {
      ...e, at: new Date(e.at), args: [...e.args], approvers: [...e.approvers],
      before: e.before === null ? null : asJson(e.before), after: e.after === null ? null : asJson(e.after),
    };
    trail.push({ seq: ++seq, entry: stored });
  };

  const read = (id: string): RemediationRequest | undefined => (UUID.test(id) ? requests.get(id) : undefined);

  return {
    clearRequests: () => {
      requests.clear();
      leases.clear();
    },

    async create(input) {
      const r = parseOrThrow(newRequestInput, 'remediation.create: invalid input', input);
      if (r.incidentId !== null && !hasIncident(r.incidentId)) throw new Error(`remediation.create: unknown incident ${r.incidentId}`);
      const request: RemediationRequest = {
        id: randomUUID(), teamId: r.teamId, actionId: r.actionId, targetName: r.targetName, args: [...r.args], risk: r.risk,
        requesterId: r.requesterId, status: 'requested', createdAt: new Date(r.createdAt), expiresAt: new Date(r.expiresAt), approvals: [],
        decidedBy: null, guard: asJson(r.guard), preview: asJson(r.preview), before: null, after: null, outcome: null, message: null,
        incidentId: r.incidentId,
      };
      requests.set(request.id, request);
      return copy(request);
    },

    get: async (id) => {
      const request = read(id);
      return request ? copy(request) : null;
    },

    async transition(input) {
      const t = parseOrThrow(transitionInput, 'remediation.transition: invalid input', input);
      const current = read(t.id);
      if (!current) throw unknownRequest(t.id);
      const expired = t.notExpiredAt !== undefined && current.expiresAt.getTime() <= t.notExpiredAt.getTime();
      // No lease is never "ended" (SQL's NULL <= x is not true).
      const lease = leases.get(current.id);
      const leaseHolds = t.leaseEndedBy !== undefined && (lease === undefined || lease > t.leaseEndedBy.getTime());
      if (!t.from.includes(current.status) || expired || leaseHolds) return { request: copy(current), applied: false };
      current.status = t.to;
      if (t.runningUntil) leases.set(current.id, t.runningUntil.getTime());
      if (t.approval) current.approvals.push({ userId: t.approval.userId, at: new Date(t.approval.at) });
      const set = t.set ?? {};
      if (set.decidedBy !== undefined) current.decidedBy = set.decidedBy;
      if (set.before !== undefined) current.before = set.before === null ? null : asJson(set.before);
      if (set.after !== undefined) current.after = set.after === null ? null : asJson(set.after);
      if (set.outcome !== undefined) current.outcome = set.outcome;
      if (t.audit) append(t.audit);
      if (t.event && current.incidentId && hasIncident(current.incidentId)) addEvent({ ...t.event, incidentId: current.incidentId });
      return { request: copy(current), applied: true };
    },

    async renewLease(id, until) {
      const at = parseOrThrow(date, 'remediation.renewLease: invalid input', until);
      const request = read(id);
      if (!request || request.status !== 'running') return false;
      leases.set(request.id, at.getTime());
      return true;
    },

    async listLeaseEnded(now) {
      const at = parseOrThrow(date, 'remediation.listLeaseEnded: invalid input', now).getTime();
      const leaseOf = (r: RemediationRequest) => leases.get(r.id) ?? Infinity;
      return [...requests.values()]
        .filter((r) => r.status === 'running' && leaseOf(r) <= at)
        .sort((a, b) => leaseOf(a) - leaseOf(b) || byTime(a.createdAt, b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(copy);
    },

    async setMessage(id, ref) {
      const { channel, ts } = parseOrThrow(messageInput, 'remediation.setMessage: invalid input', ref);
      const request = read(id);
      if (!request) throw unknownRequest(id);
      request.message = { channel, ts };
    },

    async listExpired(now) {
      const at = parseOrThrow(date, 'remediation.listExpired: invalid input', now);
      return [...requests.values()]
        .filter((r) => r.status === 'requested' && r.expiresAt.getTime() <= at.getTime())
        .sort((a, b) => byTime(a.expiresAt, b.expiresAt) || byTime(a.createdAt, b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(copy);
    },

    async audit(entry) {
      append(parseOrThrow(auditInput, 'remediation.audit: invalid input', entry));
    },

    async listAudit(limit) {
      if (!Number.isFinite(limit)) throw new Error(`remediation.listAudit: invalid limit ${limit}`);
      const bounded = Math.min(MAX_AUDIT_LIMIT, Math.max(1, Math.trunc(limit)));
      return [...trail].sort((a, b) => byTime(b.entry.at, a.entry.at) || b.seq - a.seq).slice(0, bounded).map((e) => copy(e.entry));
    },
  };
}
