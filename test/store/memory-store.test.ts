/**
 * The Store contract on the in-memory fake of test/fakes, so the use-case tests built on it rely on
 * the same behaviour as production. storeSqlContract does not apply (there is no database to look
 * into); what its tests establish through SQL is checked here through the port instead.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/remediation/request.js';
import { memoryStore, type MemoryStore } from '../fakes/memory-store.js';
import { newIncident, newRequest, newTeam } from './fixtures.js';
import { storePortContract } from './store-contract.js';
import { replayContract } from './replay-contract.js';
import { alertContract } from './alert-contract.js';
import { runbookContract } from './runbook-contract.js';

const FAR_FUTURE = new Date('2999-01-01T00:00:00.000Z');

describe('memory store', () => {
  let store: MemoryStore;
  beforeAll(() => {
    store = memoryStore();
  });
  storePortContract(() => store, {
    scheduledItems: async () => store.clearSchedule(),
    remediationRequests: async () => store.clearRemediationRequests(),
  });
});

describe('memory store: replays', () => replayContract(async () => memoryStore()));

describe('memory store: alert groups', () => alertContract(async () => memoryStore()));

describe('memory store: runbook runs', () => runbookContract(async () => memoryStore()));

describe('memory store: what the SQL contract counts in the database', () => {
  it('stores one incident and one "opened" event for 10 concurrent calls with the same sourceKey', async () => {
    const store = memoryStore();
    const team = newTeam();
    const input = newIncident(team);
    const results = await Promise.all(Array.from({ length: 10 }, () => store.openIncident(input)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
    expect(await store.listOpenIncidents(team)).toHaveLength(1);
    expect(await store.listTimeline(results[0]?.incident.id ?? '')).toHaveLength(1);
    expect((await store.openIncident(newIncident(team))).incident.number).toBe(2);
  });

  it('records all 20 events of 20 concurrent unguarded updates, and no other', async () => {
    const store = memoryStore();
    const { incident } = await store.openIncident(newIncident(newTeam()));
    const at = (s: number) => new Date(incident.declaredAt.getTime() + s * 1000);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.updateIncident({
          id: incident.id, set: { lastUpdateAt: at(100 + i) },
          event: { kind: 'update_posted', actorId: 'U_COMMS', at: at(100 + i), data: { n: i } },
        }),
      ),
    );
    expect(await store.listTimeline(incident.id)).toHaveLength(21);
  });

  it('keeps only the preview lines, and stores nothing for a refused request', async () => {
    const store = memoryStore();
    const create = (overrides: Parameters<typeof newRequest>[1] = {}) => store.remediation.create(newRequest(newTeam(), overrides));
    const preview = { current: ['a'], change: ['b'], guard: { pid: 1 }, refusal: 'no' };
    expect((await create({ preview })).preview).toStrictEqual({ current: ['a'], change: ['b'] });
    await expect(create({ incidentId: randomUUID() })).rejects.toThrow(/unknown incident/);
    await expect(create({ incidentId: 'INC-1' })).rejects.toThrow(/invalid input\.incidentId/);
    await expect(create({ expiresAt: new Date(NaN) })).rejects.toThrow(/invalid input\.expiresAt/);
    await expect(create({ risk: 'low' as 'high' })).rejects.toThrow(/invalid input\.risk/);
    // Every request here is still "requested": listing those expired by a far future lists them all.
    expect(await store.remediation.listExpired(FAR_FUTURE)).toHaveLength(1);
  });

  it('bounds listAudit to 1..500 entries', async () => {
    const store = memoryStore();
    const entry = (at: Date, actorId: string): AuditEntry => ({
      at, actorId, event: 'refused', actionId: 'a', targetName: 't', args: [], requestId: null, detail: null, approvers: [], before: null, after: null, permalink: null,
    });
    for (let n = 1; n <= 501; n++) await store.remediation.audit(entry(new Date(Date.UTC(2031, 0, 1, 0, 0, n)), 'U_BULK'));
    await store.remediation.audit(entry(new Date('2099-01-01T00:00:00.000Z'), 'U_BOUNDS'));
    for (const limit of [0, -3, 0.5]) expect((await store.remediation.listAudit(limit)).map((e) => e.actorId)).toEqual(['U_BOUNDS']);
    expect(await store.remediation.listAudit(2.9)).toHaveLength(2);
    const all = await store.remediation.listAudit(100_000);
    expect(all).toHaveLength(500);
    expect(all[0]?.actorId).toBe('U_BOUNDS');
    await expect(store.remediation.listAudit(Number.NaN)).rejects.toThrow(/invalid limit/);
  });

  it('writes nothing for an audit entry it refuses', async () => {
    const store = memoryStore();
    const base: AuditEntry = {
      at: new Date('2030-01-01T00:00:00.000Z'), actorId: 'U_REFUSED', event: 'requested', actionId: 'a', targetName: 't', args: [],
      requestId: null, detail: null, approvers: [], before: null, after: null, permalink: null,
    };
    await expect(store.remediation.audit({ ...base, event: 'deleted' as 'failed' })).rejects.toThrow(/invalid input\.event/);
    await expect(store.remediation.audit({ ...base, requestId: 'REQ-1' })).rejects.toThrow(/invalid input\.requestId/);
    await expect(store.remediation.audit({ ...base, at: new Date(NaN) })).rejects.toThrow(/invalid input\.at/);
    expect(await store.remediation.listAudit(500)).toEqual([]);
  });
});

describe('memory store: values in and out are copies', () => {
  it('an incident returned, or handed in, can be mutated without changing the store', async () => {
    const store = memoryStore();
    const input = newIncident(newTeam());
    const { incident } = await store.openIncident(input);
    const kept = structuredClone(incident);
    input.title = 'changed after the call';
    input.declaredAt.setTime(0);
    incident.title = 'changed by a reader';
    incident.checklist.push('sneaky');
    incident.lastUpdateAt.setTime(0);
    expect(await store.getIncident(incident.id)).toStrictEqual(kept);

    const checklist = ['timeline'];
    const card = { channel: 'C1', ts: '1.2' };
    const { incident: updated } = await store.updateIncident({ id: incident.id, set: { checklist, card } });
    checklist.push('later');
    card.ts = '9.9';
    updated.card!.channel = 'C_OTHER';
    expect(await store.getIncident(incident.id)).toMatchObject({ checklist: ['timeline'], card: { channel: 'C1', ts: '1.2' } });
  });

  it('timeline events, scheduled items and requests come back as copies', async () => {
    const store = memoryStore();
    const { incident } = await store.openIncident(newIncident(newTeam()));
    const data = { list: [1] };
    await store.addTimelineEvent({ incidentId: incident.id, kind: 'note', actorId: null, at: new Date(), data });
    data.list.push(2);
    const [, note] = await store.listTimeline(incident.id);
    (note?.data.list as number[]).push(3);
    expect((await store.listTimeline(incident.id))[1]?.data).toEqual({ list: [1] });

    const payload = { level: 'L2' };
    await store.schedule.plan(incident.id, [{ kind: 'escalation:L2', dueAt: new Date(1000), oneShot: true, payload }]);
    payload.level = 'L9';
    const [item] = await store.schedule.list(incident.id);
    item!.payload.level = 'L8';
    item!.dueAt!.setTime(0);
    expect(await store.schedule.list(incident.id)).toMatchObject([{ dueAt: new Date(1000), payload: { level: 'L2' } }]);

    const request = await store.remediation.create(newRequest(incident.teamId));
    const untouched = structuredClone(request);
    request.args.push('extra');
    request.approvals.push({ userId: 'U_FORGED', at: new Date() });
    const got = await store.remediation.get(request.id);
    got!.guard.pid = 1;
    got!.preview.change.push('more');
    const { request: after } = await store.remediation.transition({ id: request.id, from: ['approved'], to: 'running' });
    after.status = 'running';
    expect(await store.remediation.get(request.id)).toStrictEqual(untouched);
  });

  it('an audit entry read back cannot be changed through the object returned', async () => {
    const store = memoryStore();
    const entry: AuditEntry = {
      at: new Date('2030-01-01T00:00:00.000Z'), actorId: 'U1', event: 'approved', actionId: 'a', targetName: 't', args: ['x'],
      requestId: null, detail: 'first', approvers: ['U1'], before: { n: 1 }, after: null, permalink: null,
    };
    await store.remediation.audit(entry);
    entry.approvers.push('U_LATE');
    const [read] = await store.remediation.listAudit(1);
    read!.detail = 'rewritten';
    read!.before!.n = 2;
    expect(await store.remediation.listAudit(1)).toStrictEqual([{ ...entry, approvers: ['U1'] }]);
  });

  it('keeps two stores apart', async () => {
    const [a, b] = [memoryStore(), memoryStore()];
    const team = newTeam();
    await a.openIncident(newIncident(team));
    expect((await b.openIncident(newIncident(team))).incident.number).toBe(1);
    expect(await b.listOpenIncidents(team)).toHaveLength(1);
  });
});
