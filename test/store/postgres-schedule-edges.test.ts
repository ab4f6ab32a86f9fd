/**
 * The schedule store's edges on the real PostgreSQL: what it refuses before any SQL runs (with the
 * method and field named), ids that name no item, an incident that does not exist, plans whose
 * kinds come in opposite orders at once (rows are locked in kind order: no deadlock), and a
 * database that cannot be reached (each method says what it could not do).
 */
import net from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDb } from '../../src/adapters/postgres/db.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { createScheduleStore } from '../../src/adapters/postgres/schedule-store.js';
import type { ScheduleStore } from '../../src/ports.js';
import { TEST_DATABASE_URL } from '../services.js';
import { count, newIncident, newTeam, type OpenedStore } from './fixtures.js';

const schema = `fb_test_${randomBytes(6).toString('hex')}`;
const T0 = new Date('2025-06-01T12:00:00.000Z');
let store: OpenedStore;
let incidentId: string;

beforeAll(async () => {
  store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, dataDir: 'unused', max: 4 });
  ({ incident: { id: incidentId } } = await store.openIncident(newIncident(newTeam())));
});
afterAll(async () => {
  await store?.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, []);
  await store?.close();
});

describe('what the schedule store refuses before any SQL', () => {
  it('names the method and the field of a bad input', async () => {
    const s = store.schedule;
    await expect(s.plan(incidentId, [{ kind: '', dueAt: T0, oneShot: false }])).rejects.toThrow(/^schedule\.plan: invalid input\.0\.kind: /);
    await expect(s.enqueue(incidentId, 'job', new Date(Number.NaN), {})).rejects.toThrow(/^schedule\.enqueue: invalid input\.at: /);
    await expect(s.claimDue({ now: T0, owner: 'w', leaseMs: 0, limit: 1, lane: 'chat' })).rejects.toThrow(/^schedule\.claimDue: invalid input\.leaseMs: /);
    await expect(s.claimDue({ now: T0, owner: '', leaseMs: 1, limit: 1, lane: 'chat' })).rejects.toThrow(/^schedule\.claimDue: invalid input\.owner: /);
    await expect(s.complete({ id: '1', owner: 'w', claimedDueAt: T0, next: null, fired: 'yes' as never, at: T0 })).rejects.toThrow(/^schedule\.complete: invalid input\.fired: /);
    await expect(s.fail({ id: '1', owner: 'w', retryAt: T0, error: 42 as never })).rejects.toThrow(/^schedule\.fail: invalid input\.error: /);
    await expect(s.plan(incidentId, 'nothing' as never)).rejects.toThrow(/^schedule\.plan: invalid input: /);
  });

  it('refuses an unknown lane', async () => {
    await expect(store.schedule.claimDue({ now: T0, owner: 'w', leaseMs: 1, limit: 1, lane: 'email' as never })).rejects.toThrow('Unknown schedule lane: "email"');
    await expect(store.schedule.nextWake('constructor' as never)).rejects.toThrow('Unknown schedule lane: "constructor"');
  });
});

describe('ids and incidents that name nothing', () => {
  it('an item id that is not a bigserial finishes nothing and fails nothing, without asking the server', async () => {
    for (const id of ['abc', '12abc', 'abc12', '1234567890123456789', '', '1 OR 1=1']) {
      expect(await store.schedule.complete({ id, owner: 'w', claimedDueAt: T0, next: null, fired: true, at: T0 }), id).toBe(false);
      await expect(store.schedule.fail({ id, owner: 'w', retryAt: T0, error: 'x' }), id).resolves.toBeUndefined();
    }
  });

  it('an incident that does not exist is said so, for a plan and a queued job; an empty plan does nothing', async () => {
    const missing = randomUUID();
    await expect(store.schedule.plan(missing, [{ kind: 'update_reminder', dueAt: T0, oneShot: false }])).rejects.toThrow(`schedule: unknown incident ${missing}`);
    await expect(store.schedule.enqueue(missing, 'job', T0, {})).rejects.toThrow(`schedule: unknown incident ${missing}`);
    await expect(store.schedule.plan('not-a-uuid', [{ kind: 'update_reminder', dueAt: T0, oneShot: false }])).rejects.toThrow('schedule: unknown incident not-a-uuid');
    await expect(store.schedule.plan(missing, [])).resolves.toBeUndefined();
    // An empty plan asks nothing, not even whether the incident id could name one.
    await expect(store.schedule.plan('not-a-uuid', [])).resolves.toBeUndefined();
    expect(await store.schedule.list('not-a-uuid')).toEqual([]);
  });

  it('a plan without a payload keeps the payload already there; with one, replaces it', async () => {
    const { incident } = await store.openIncident(newIncident(newTeam()));
    await store.schedule.plan(incident.id, [{ kind: 'update_reminder', dueAt: T0, oneShot: false, payload: { level: 2 } }]);
    await store.schedule.plan(incident.id, [{ kind: 'update_reminder', dueAt: T0, oneShot: false }]);
    expect((await store.schedule.list(incident.id))[0]?.payload).toEqual({ level: 2 });
    await store.schedule.plan(incident.id, [{ kind: 'update_reminder', dueAt: T0, oneShot: false, payload: { level: 3 } }]);
    expect((await store.schedule.list(incident.id))[0]?.payload).toEqual({ level: 3 });
  });
});

describe('plans of one incident at once', () => {
  it('lock rows in kind order, so plans listing kinds in opposite orders never deadlock', async () => {
    const { incident } = await store.openIncident(newIncident(newTeam()));
    const kinds = Array.from({ length: 12 }, (_, i) => `reminder:${String(i).padStart(2, '0')}`);
    const plan = (order: string[], round: number) => store.schedule.plan(incident.id, order.map((kind) => ({ kind, dueAt: new Date(T0.getTime() + round * 1000), oneShot: false })));
    for (let round = 0; round < 10; round += 1) {
      await Promise.all([plan(kinds, round), plan([...kinds].reverse(), round), plan(kinds, round), plan([...kinds].reverse(), round)]);
    }
    expect(await count(store.db, 'SELECT count(*) AS n FROM scheduled_items WHERE incident_id = $1', [incident.id])).toBe(12);
  });
});

describe('the order a plan locks rows in', () => {
  it('is the kinds sorted, whatever order the plan lists them in', async () => {
    const { incident } = await store.openIncident(newIncident(newTeam()));
    const item = (kind: string) => ({ kind, dueAt: T0, oneShot: false });
    await store.schedule.plan(incident.id, [item('a:first'), item('b:middle'), item('c:last')]);
    // Another session holds the last kind's row: a plan locking in kind order takes the first two
    // rows, then waits on the last; one locking in the order listed would wait at once.
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
    const prober = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    await prober.connect();
    try {
      const rowOf = `SELECT 1 FROM "${schema}".scheduled_items WHERE incident_id = $1 AND kind = $2 FOR UPDATE`;
      await holder.query('BEGIN');
      await holder.query(rowOf, [incident.id, 'c:last']);
      const planned = store.schedule.plan(incident.id, [item('c:last'), item('b:middle'), item('a:first')]);
      const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await expect.poll(async () => (await prober.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [holderPid])).rows[0].n, { timeout: 10_000 }).toBe(1);
      await prober.query('BEGIN');
      for (const kind of ['a:first', 'b:middle']) {
        await prober.query('SAVEPOINT probe');
        await expect(prober.query(`${rowOf} NOWAIT`, [incident.id, kind]), kind).rejects.toMatchObject({ code: '55P03' });
        await prober.query('ROLLBACK TO SAVEPOINT probe');
      }
      await prober.query('ROLLBACK');
      await holder.query('ROLLBACK');
      await planned;
    } finally {
      await prober.end();
      await holder.end();
    }
    expect(await count(store.db, 'SELECT count(*) AS n FROM scheduled_items WHERE incident_id = $1', [incident.id])).toBe(3);
  });
});

describe('a database that cannot be reached', () => {
  let down: ScheduleStore;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const db = pgDb({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, schema, max: 1 });
    down = createScheduleStore(db);
    close = () => db.close();
  });
  afterAll(async () => close?.());

  it('each method says what it could not do', async () => {
    const id = randomUUID();
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['plan reminders', () => down.plan(id, [{ kind: 'k', dueAt: T0, oneShot: false }])],
      ['queue the job', () => down.enqueue(id, 'job', T0, {})],
      ['claim due reminders', () => down.claimDue({ now: T0, owner: 'w', leaseMs: 1, limit: 1, lane: 'chat' })],
      ['finish the reminder', () => down.complete({ id: '1', owner: 'w', claimedDueAt: T0, next: null, fired: true, at: T0 })],
      ['record the failed reminder', () => down.fail({ id: '1', owner: 'w', retryAt: T0, error: 'x' })],
      ['find the next due reminder', () => down.nextWake('chat')],
      ['list the reminders', () => down.list(id)],
    ];
    for (const [what, call] of cases) {
      await expect(call(), what).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', userMessage: expect.stringMatching(new RegExp(`^Could not ${what}: Firebreak's database is unreachable`)) });
    }
  });
});
