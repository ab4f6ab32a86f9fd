/**
 * An in-memory Store for unit tests of the use cases: the PostgreSQL store's semantics (checked by
 * the same contract, test/store/memory-store.test.ts) without a database. Every method runs to its
 * end without yielding, so each call is atomic, as one transaction is there; concurrent callers
 * still interleave between calls, as they would between statements. Everything going in or out is
 * copied, so mutating a returned object never changes what is stored.
 */
import type { Store } from '../../src/ports.js';
import { memoryIncidents } from './memory-incidents.js';
import { memoryRemediation } from './memory-remediation.js';
import { memorySchedule } from './memory-schedule.js';
import { memoryRunbooks } from './memory-runbooks.js';
import { memoryAlerts } from './memory-alerts.js';

export interface MemoryStore extends Store {
  /** Empties the scheduled items: claimDue and nextWake see every item, so tests sharing a store start clean. */
  clearSchedule(): void;
  /** Empties the remediation requests (listExpired sees them all); the audit trail stays, it is append-only. */
  clearRemediationRequests(): void;
}

/** Seen keys and their expiry; each call runs without yielding, so remember is atomic. */
function memoryReplays(): Store['replays'] {
  const seen = new Map<string, number>();
  return {
    remember: async (key, expiresAt, now) => {
      const until = seen.get(key);
      if (until !== undefined && until > now.getTime()) return false;
      seen.set(key, expiresAt.getTime());
      return true;
    },
    prune: async (now) => {
      const expired = [...seen].filter(([, until]) => until <= now.getTime());
      for (const [key] of expired) seen.delete(key);
      return expired.length;
    },
  };
}

/** A new, empty in-memory store. */
export function memoryStore(): MemoryStore {
  const incidents = memoryIncidents();
  const schedule = memorySchedule(incidents.has);
  // A transition's timeline event, stored with it (the fakes have no transaction to fail half-way).
  const remediation = memoryRemediation(incidents.has, (event) => void incidents.addTimelineEvent(event));
  const { has: _has, isResolved: _isResolved, ...incidentMethods } = incidents;
  const { clear, ...scheduleMethods } = schedule;
  const { clearRequests, ...remediationMethods } = remediation;
  return {
    ...incidentMethods,
    schedule: scheduleMethods,
    remediation: remediationMethods,
    replays: memoryReplays(),
    runbooks: memoryRunbooks(incidents.has),
    alerts: memoryAlerts(incidents),
    // The Store type knows two backends. Nothing branches on `kind` (only the start-up log and
    // /healthz show it), and PGlite is the one this resembles: in-process, one session, no server.
    kind: 'pglite',
    ping: async () => undefined,
    close: async () => undefined,
    clearSchedule: clear,
    clearRemediationRequests: clearRequests,
  };
}
