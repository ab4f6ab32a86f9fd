/** A database that cannot be reached turns into STORE_UNAVAILABLE, quickly, without crashing the process. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDb } from '../../src/adapters/postgres/db.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { createStore, isConnectionError } from '../../src/adapters/postgres/store.js';
import { FirebreakError } from '../../src/core/errors.js';
import type { AuditEntry } from '../../src/core/remediation/request.js';
import { TEST_DATABASE_URL } from '../services.js';
import { newRequest } from './fixtures.js';
import { newIncident, newTeam } from './store-contract.js';

const CLOSED_PORT_URL = 'postgres://postgres@127.0.0.1:1/test';

/** Awaits `promise`, expects STORE_UNAVAILABLE mentioning `what`, and returns how long it took. */
async function expectUnavailable(promise: Promise<unknown>, what: string): Promise<number> {
  const started = Date.now();
  const err = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FirebreakError);
  expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', userMessage: expect.stringContaining(`Could not ${what}`) });
  return Date.now() - started;
}

describe('closed port', () => {
  const store = createStore(pgDb({ connectionString: CLOSED_PORT_URL, max: 2 }));
  afterAll(() => store.close());

  it('ping and openIncident say what failed, within a few seconds', async () => {
    expect(await expectUnavailable(store.ping(), 'reach the database')).toBeLessThan(3000);
    expect(await expectUnavailable(store.openIncident(newIncident(newTeam())), 'record the incident')).toBeLessThan(3000);
    await expectUnavailable(store.getIncidentByNumber('T1', 1), 'look up the incident');
    await expectUnavailable(store.listTimeline('00000000-0000-0000-0000-000000000000'), 'read the incident timeline');
    const id = '00000000-0000-0000-0000-000000000000';
    await expectUnavailable(store.getIncident(id), 'look up the incident');
    await expectUnavailable(store.findIncidentByChannel('T1', 'C1'), 'find the incident of this channel');
    await expectUnavailable(store.listOpenIncidents('T1'), 'list the open incidents');
    await expectUnavailable(store.listIncidentsDeclaredSince('T1', new Date()), 'list the recent incidents');
    await expectUnavailable(store.updateIncident({ id, set: { status: 'identified' } }), 'update the incident');
    await expectUnavailable(
      store.addTimelineEvent({ incidentId: id, kind: 'note', actorId: null, at: new Date(), data: {} }),
      'add to the incident timeline',
    );
    await expectUnavailable(store.listOpenIncidentIds(), 'list the open incidents');
    const { schedule } = store;
    const now = new Date();
    await expectUnavailable(schedule.plan(id, [{ kind: 'update_reminder', dueAt: now, oneShot: false }]), 'plan reminders');
    await expectUnavailable(schedule.enqueue(id, 'pager:trigger:1', now, {}), 'queue the job');
    await expectUnavailable(schedule.claimDue({ now, owner: 'w1', leaseMs: 1000, limit: 5, lane: 'chat' }), 'claim due reminders');
    await expectUnavailable(schedule.complete({ id: '1', owner: 'w1', claimedDueAt: now, next: null, fired: true, at: now }), 'finish the reminder');
    await expectUnavailable(schedule.fail({ id: '1', owner: 'w1', retryAt: now, error: 'x' }), 'record the failed reminder');
    await expectUnavailable(schedule.nextWake('pager'), 'find the next due reminder');
    await expectUnavailable(schedule.list(id), 'list the reminders');
    const { remediation } = store;
    await expectUnavailable(remediation.create(newRequest('T1')), 'record the remediation request');
    await expectUnavailable(remediation.get(id), 'look up the remediation request');
    await expectUnavailable(remediation.transition({ id, from: ['approved'], to: 'running' }), 'update the remediation request');
    await expectUnavailable(remediation.setMessage(id, { channel: 'C1', ts: '1.2' }), 'save the approval message');
    await expectUnavailable(remediation.listExpired(now), 'list the expired remediation requests');
    const entry: AuditEntry = {
      at: now, actorId: 'U1', event: 'refused', actionId: 'a', targetName: 't', args: [], requestId: null, detail: 'x',
      approvers: [], before: null, after: null, permalink: null,
    };
    await expectUnavailable(remediation.audit(entry), 'write the audit trail');
    await expectUnavailable(remediation.listAudit(10), 'read the audit trail');
    const { alerts } = store;
    await expectUnavailable(alerts.current('T1', 'g', now), 'look up the alert group');
    await expectUnavailable(alerts.link('T1', 'g', 1, id), 'link the alert group to its incident');
    await expectUnavailable(alerts.record('T1', 'g', { at: now, firing: 1, resolved: 0, status: 'firing' }), 'record the alert notification');
    const { runbooks } = store;
    const run = { teamId: 'T1', runbookId: 'r', incidentId: null, channelId: 'C1', params: {}, startedBy: 'U1', startedAt: now };
    await expectUnavailable(runbooks.create(run), 'record the runbook run');
    await expectUnavailable(runbooks.get(id), 'look up the runbook run');
    await expectUnavailable(runbooks.listForIncident(id), 'list the runbook runs of the incident');
    await expectUnavailable(runbooks.setMessage(id, { channel: 'C1', ts: '1.2' }), 'save where the runbook run is shown');
    await expectUnavailable(
      runbooks.claimStep({ runId: id, stepId: 's', actorId: 'U1', at: now, leaseUntil: new Date(now.getTime() + 1000), from: ['pending'] }),
      'claim the runbook step',
    );
    await expectUnavailable(runbooks.setStep({ runId: id, stepId: 's', state: 'done', at: now, actorId: 'U1' }), 'record the runbook step');
    await expectUnavailable(runbooks.findByRequest(id), 'find the runbook run of the remediation request');
    await expectUnavailable(runbooks.setStatus(id, 'finished'), 'update the runbook run');
  });

  it('openStore reports it too', async () => {
    const err = await openStore({ databaseUrl: CLOSED_PORT_URL, schema: 'fb_never', dataDir: 'unused' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', userMessage: expect.stringMatching(/prepare the database.*ECONNREFUSED/) });
  });
});

describe('a server that accepts connections and never answers', () => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `postgres://postgres@127.0.0.1:${(server.address() as net.AddressInfo).port}/test`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('ping rejects within about 2 s', async () => {
    const store = createStore(pgDb({ connectionString: url }));
    try {
      const took = await expectUnavailable(store.ping(), 'reach the database');
      expect(took).toBeGreaterThanOrEqual(1900);
      expect(took).toBeLessThan(3000);
    } finally {
      await store.close();
    }
  });

  it('openIncident gives up after the connection timeout', async () => {
    const store = createStore(pgDb({ connectionString: url }));
    try {
      expect(await expectUnavailable(store.openIncident(newIncident(newTeam())), 'record the incident')).toBeLessThan(4500);
    } finally {
      await store.close();
    }
  });
});

describe('isConnectionError', () => {
  it('recognises lost connections and not query errors', async () => {
    const db = pgDb({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      const syntax = await db.query('SELEC 1').catch((e: unknown) => e);
      const missing = await db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
      expect([isConnectionError(syntax), isConnectionError(missing)]).toEqual([false, false]);
    } finally {
      await db.close();
    }
    const refused = await new Promise((resolve) => net.connect(1, '127.0.0.1').on('error', resolve));
    expect(isConnectionError(refused)).toBe(true);
    for (const code of ['57P01', '57P03', '08006', '08001', 'ETIMEDOUT', 'ENOTFOUND', 'ECONNRESET']) {
      expect(isConnectionError(Object.assign(new Error('x'), { code })), code).toBe(true);
    }
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isConnectionError(null)).toBe(false);
  });
});
