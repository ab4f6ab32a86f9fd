/**
 * Scheduled items claimed by several replicas at once: three separate pg pools (as three processes
 * would have) on one schema of the real PostgreSQL server.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgDb } from '../../src/adapters/postgres/db.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { createStore } from '../../src/adapters/postgres/store.js';
import type { ScheduledItem, Store } from '../../src/ports.js';
import { TEST_DATABASE_URL } from '../services.js';
import { count, newIncident, newTeam, type OpenedStore } from './fixtures.js';
import { claimedDue } from './schedule-contract.js';

const schema = `fb_test_${randomBytes(6).toString('hex')}`;
const T0 = new Date('2025-06-01T12:00:00.000Z');
const s = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('schedule across replicas (PostgreSQL)', () => {
  let main: OpenedStore;
  let replicas: Store[] = [];

  beforeAll(async () => {
    main = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, dataDir: 'unused', max: 2 });
    replicas = [0, 1, 2].map(() => createStore(pgDb({ connectionString: TEST_DATABASE_URL, schema, max: 3 })));
    // Connected before the races start, so all three race from the first claim.
    await Promise.all(replicas.map((r) => r.ping()));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await main?.db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await main?.close();
  });
  beforeEach(async () => {
    await main.db.exec('DELETE FROM scheduled_items');
  });

  it('claims each of 200 due items exactly once in total, with three pools claiming and completing concurrently', async () => {
    for (let n = 0; n < 4; n++) {
      const { incident } = await main.openIncident(newIncident(newTeam()));
      await main.schedule.plan(
        incident.id,
        Array.from({ length: 50 }, (_, k) => ({ kind: `reminder:${k}`, dueAt: s(-(n * 50 + k) % 37), oneShot: k % 2 === 0 })),
      );
    }
    expect(await count(main.db, 'SELECT count(*) AS n FROM scheduled_items WHERE due_at IS NOT NULL', [])).toBe(200);

    const now = s(1);
    const claims = new Map<string, number>();
    const perReplica = [0, 0, 0];
    const work = async (replica: number, worker: number): Promise<void> => {
      const store = replicas[replica] ?? expect.fail('no replica');
      const owner = `replica-${replica}/${worker}`;
      for (;;) {
        const batch: ScheduledItem[] = await store.schedule.claimDue({ now, owner, leaseMs: 300_000, limit: 25, lane: 'chat' });
        if (batch.length === 0) return;
        for (const item of batch) {
          claims.set(item.id, (claims.get(item.id) ?? 0) + 1);
          perReplica[replica] = (perReplica[replica] ?? 0) + 1;
          const done = await store.schedule.complete({ id: item.id, owner, claimedDueAt: claimedDue(item), next: null, fired: true, at: now });
          expect(done).toBe(true);
        }
      }
    };
    // Each replica runs two workers, as a process with a chat loop that overlaps itself would.
    await Promise.all([0, 1, 2].flatMap((r) => [work(r, 0), work(r, 1)]));

    expect(claims.size).toBe(200);
    expect([...claims.values()].every((n) => n === 1)).toBe(true);
    expect(perReplica.every((n) => n > 0)).toBe(true);
    const rows = await main.db.query<{ fired_count: number; due_at: Date | null; claimed_by: string | null; last_fired_at: Date }>(
      'SELECT fired_count, due_at, claimed_by, last_fired_at FROM scheduled_items',
    );
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r.fired_count === 1 && r.due_at === null && r.claimed_by === null)).toBe(true);
    expect(rows.every((r) => r.last_fired_at.getTime() === now.getTime())).toBe(true);
  });

  it('gives one due item to exactly one of 20 concurrent claims spread over the three pools', async () => {
    const { incident } = await main.openIncident(newIncident(newTeam()));
    await main.schedule.plan(incident.id, [{ kind: 'update_reminder', dueAt: s(0), oneShot: false }]);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (replicas[i % 3] ?? expect.fail('no replica')).schedule.claimDue({ now: s(0), owner: `w${i}`, leaseMs: 60_000, limit: 5, lane: 'chat' }),
      ),
    );
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    expect(results.flat().map((i) => i.kind)).toEqual(['update_reminder']);
    const winner = results.findIndex((r) => r.length > 0);
    const [row] = await main.db.query<{ claimed_by: string }>('SELECT claimed_by FROM scheduled_items WHERE incident_id = $1', [incident.id]);
    expect(row?.claimed_by).toBe(`w${winner}`);
  });
});
