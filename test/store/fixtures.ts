/** Helpers shared by the store tests. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/adapters/postgres/db.js';
import type { NewIncident } from '../../src/core/incident/incident.js';
import type { ClaimedItem, ScheduledItem, Store } from '../../src/ports.js';

export type OpenedStore = Store & { db: Db };

let seq = 0;
/** A workspace id no other test uses, so tests can share one database. */
export const newTeam = (): string => `T${Date.now().toString(36)}${(seq++).toString(36)}${randomUUID().slice(0, 6)}`;

export function newIncident(teamId: string, overrides: Partial<NewIncident> = {}): NewIncident {
  return {
    teamId,
    title: 'Checkout returns 502',
    severity: 'P1',
    impact: 'EU customers cannot pay',
    symptoms: '502 from /api/checkout since 14:02',
    actions: 'Rolling back release 412',
    eta: '45 min',
    reporterId: 'U_REPORTER',
    commanderId: 'U_COMMANDER',
    declaredAt: new Date('2025-03-04T14:05:06.789Z'),
    sourceKey: `view-${randomUUID()}`,
    ...overrides,
  };
}

export const count = async (db: Db, sql: string, params: unknown[]): Promise<number> => {
  const [row] = await db.query<{ n: string | number }>(sql, params);
  return Number(row?.n);
};

export type NewRequest = Parameters<Store['remediation']['create']>[0];

/** A remediation request as `create` takes it: every field set, with JSON that must round-trip. */
export function newRequest(teamId: string, overrides: Partial<NewRequest> = {}): NewRequest {
  const createdAt = overrides.createdAt ?? new Date('2025-07-01T10:00:00.123Z');
  return {
    teamId,
    actionId: 'postgres.terminate_backend',
    targetName: 'orders-db',
    args: ['4242', '--reason', 'ünïcødé "quoted" \\ back'],
    risk: 'high',
    requesterId: 'U_REQUESTER',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 15 * 60_000),
    guard: { pid: 4242, backendStart: '2025-07-01T09:57:00.000Z', nested: { ok: true, list: [1, 'a', null], n: 1.5 } },
    preview: { current: ['pid 4242 (app) running ALTER TABLE orders… for 3 min'], change: ['terminate backend 4242'] },
    incidentId: null,
    ...overrides,
  };
}

/** A claimed item as the store lists it (without what only the claim tells). */
export const asItem = ({ takenOver: _, ...item }: ClaimedItem): ScheduledItem => item;
