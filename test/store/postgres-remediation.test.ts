/**
 * Remediation requests changed by several replicas at once: two separate pg pools (as two
 * processes would have) on one schema of the real PostgreSQL server.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDb } from '../../src/adapters/postgres/db.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { createStore } from '../../src/adapters/postgres/store.js';
import type { Store } from '../../src/ports.js';
import { TEST_DATABASE_URL } from '../services.js';
import { newRequest, newTeam, type OpenedStore } from './fixtures.js';

const schema = `fb_test_${randomBytes(6).toString('hex')}`;
const POOL_SIZE = 6;

describe('remediation across replicas (PostgreSQL)', () => {
  let main: OpenedStore;
  let replicas: Store[] = [];

  beforeAll(async () => {
    main = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, dataDir: 'unused', max: 2 });
    replicas = [0, 1].map(() => createStore(pgDb({ connectionString: TEST_DATABASE_URL, schema, max: POOL_SIZE })));
    // Every connection of both pools open before the race, so the calls really run side by side.
    await Promise.all(
      replicas.flatMap((r) => Array.from({ length: POOL_SIZE }, () => r.remediation.listAudit(1))),
    );
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await main?.db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await main?.close();
  });

  const replica = (i: number): Store => replicas[i % replicas.length] ?? expect.fail('no replica');

  it('lets exactly one of 20 concurrent approved → running, split over two pools, apply', async () => {
    for (let round = 0; round < 5; round++) {
      const requested = await main.remediation.create(newRequest(newTeam()));
      const { request: approved } = await main.remediation.transition({
        id: requested.id, from: ['requested'], to: 'approved', approval: { userId: 'U_APPROVER', at: requested.createdAt },
      });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          replica(i).remediation.transition({ id: approved.id, from: ['approved'], to: 'running', set: { outcome: `worker ${i}` } }),
        ),
      );
      const winners = results.flatMap((r, i) => (r.applied ? [i] : []));
      expect(winners).toHaveLength(1);
      const running = { ...approved, status: 'running', outcome: `worker ${winners[0]}` };
      // Every loser saw the request as the winner left it.
      expect(results.map((r) => r.request)).toStrictEqual(Array.from({ length: 20 }, () => running));
      expect(await main.remediation.get(approved.id)).toStrictEqual(running);
    }
  });

  it('adds each of 20 concurrent approvals from two pools exactly once', async () => {
    const request = await main.remediation.create(newRequest(newTeam(), { risk: 'critical' }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        replica(i).remediation.transition({
          id: request.id, from: ['requested'], to: 'requested', approval: { userId: `U${i}`, at: new Date(request.createdAt.getTime() + i) },
        }),
      ),
    );
    expect(results.every((r) => r.applied)).toBe(true);
    const stored = await main.remediation.get(request.id) ?? expect.fail('request lost');
    expect(stored.approvals.map((a) => a.userId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `U${i}`).sort());
  });
});
