/**
 * The store wrapper counts failed calls by operation, the database being unreachable apart, and
 * changes nothing else: results and errors pass through as they were. On PGlite and on a
 * PostgreSQL address nothing listens on.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { pgDb } from '../../src/adapters/postgres/db.js';
import { createStore } from '../../src/adapters/postgres/store.js';
import { countStoreErrors } from '../../src/adapters/postgres/store-metrics.js';
import type { Store } from '../../src/ports.js';
import { recordingMetrics } from './recording-metrics.js';

let lite: Awaited<ReturnType<typeof openStore>>;
beforeAll(async () => {
  lite = await openStore({ dataDir: 'memory://' });
});
afterAll(async () => {
  await lite?.close();
});

describe('store errors, counted', () => {
  it('passes results through and counts nothing when calls succeed', async () => {
    const metrics = recordingMetrics();
    const store = countStoreErrors<Store>(lite, metrics);
    expect(store.kind).toBe('pglite');
    expect(await store.getIncidentByNumber('T0TEST', 1)).toBeNull();
    expect(await store.schedule.nextWake('chat')).toBeNull();
    expect(metrics.told).toEqual([]);
  });

  it('counts a failed call by its name, nested ones with their part, and throws the same error', async () => {
    const metrics = recordingMetrics();
    const store = countStoreErrors<Store>(lite, metrics);
    const direct = await lite.getIncidentByNumber('T0TEST', 2 ** 40).catch((err: unknown) => err);
    const counted = await store.getIncidentByNumber('T0TEST', 2 ** 40).catch((err: unknown) => err);
    expect(counted).toBeInstanceOf(Error);
    expect((counted as Error).message).toBe((direct as Error).message);
    await expect(store.runbooks.setStatus('not-a-run', 'finished')).rejects.toThrow();
    expect(metrics.of('storeError')).toEqual([
      ['getIncidentByNumber', 'other'],
      ['runbooks.setStatus', 'other'],
    ]);
  });

  it('counts calls to a database that cannot be reached as unavailable', async () => {
    const closed = net.createServer();
    const port = await new Promise<number>((r) => closed.listen(0, '127.0.0.1', () => r((closed.address() as net.AddressInfo).port)));
    await new Promise((r) => closed.close(r));
    const db = pgDb({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` });
    const metrics = recordingMetrics();
    const store = countStoreErrors(createStore(db), metrics);
    await expect(store.getIncident('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(metrics.of('storeError')).toEqual([
      ['getIncident', 'unavailable'],
      ['ping', 'unavailable'],
    ]);
    expect(db.connections?.()).toEqual({ total: 0, idle: 0, waiting: 0 });
    await db.close();
  });

  it("reports PGlite's one connection", async () => {
    expect(lite.db.connections?.()).toEqual({ total: 1, idle: 1, waiting: 0 });
    const busy = Promise.all([lite.db.query('select pg_sleep(0.05)'), lite.db.query('select 1'), lite.db.query('select 2')]);
    expect(lite.db.connections?.()).toEqual({ total: 1, idle: 0, waiting: 2 });
    await busy;
    expect(lite.db.connections?.()).toEqual({ total: 1, idle: 1, waiting: 0 });
  });
});
