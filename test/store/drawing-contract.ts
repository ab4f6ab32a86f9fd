/**
 * What keeps an incident's messages right across replicas, run against every store from
 * storePortContract: checklist ticks as one atomic change, and the lease on drawing an incident
 * (claimDrawing, finishDrawing, listAbandonedDrawings) with the revision every change moves on.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports.js';
import { newIncident, newTeam } from './fixtures.js';

const T0 = new Date('2025-08-01T10:00:00.000Z');
const s = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE_MS = 60_000;
const owner = () => `replica-${randomUUID().slice(0, 8)}`;

export function drawingContract(getStore: () => Store): void {
  const opened = async () => (await getStore().openIncident(newIncident(newTeam()))).incident;

  describe('changeChecklist', () => {
    it('ticks and unticks, keeping the other items in their place, and returns the checklist before', async () => {
      const store = getStore();
      const incident = await opened();
      const first = await store.changeChecklist({ id: incident.id, add: ['item-3', 'item-1'], remove: [] });
      expect(first.previous).toEqual([]);
      expect(first.incident).toStrictEqual({ ...incident, checklist: ['item-3', 'item-1'] });
      const second = await store.changeChecklist({ id: incident.id, add: ['item-2', 'item-1'], remove: ['item-3'] });
      expect(second.previous).toEqual(['item-3', 'item-1']);
      expect(second.incident.checklist).toEqual(['item-1', 'item-2']);
      // In both lists: unticked.
      const both = await store.changeChecklist({ id: incident.id, add: ['item-4'], remove: ['item-4', 'item-9'] });
      expect(both).toStrictEqual({ incident: second.incident, previous: ['item-1', 'item-2'] });
      expect(await store.getIncident(incident.id)).toStrictEqual(second.incident);
    });

    it('throws a plain Error for an unknown incident, and refuses invalid input', async () => {
      const store = getStore();
      for (const id of [randomUUID(), 'not-a-uuid']) {
        await expect(store.changeChecklist({ id, add: ['item-1'], remove: [] })).rejects.toThrow(/unknown incident/);
      }
      const incident = await opened();
      await expect(store.changeChecklist({ id: incident.id, add: [''], remove: [] })).rejects.toThrow(/invalid input\.add/);
      await expect(store.changeChecklist({ id: incident.id, add: [], remove: [], message: { channel: '', ts: '1.2' } })).rejects.toThrow(/invalid input\.message/);
      expect((await store.getIncident(incident.id))?.checklist).toEqual([]);
    });

    it('keeps every tick and untick of 30 concurrent calls', async () => {
      const store = getStore();
      const incident = await opened();
      const untick = Array.from({ length: 10 }, (_, i) => `old-${i}`);
      await store.changeChecklist({ id: incident.id, add: untick, remove: [] });
      const tick = Array.from({ length: 20 }, (_, i) => `new-${i}`);
      const results = await Promise.all([
        ...tick.map((item) => store.changeChecklist({ id: incident.id, add: [item], remove: [] })),
        ...untick.map((item) => store.changeChecklist({ id: incident.id, add: [], remove: [item] })),
      ]);
      expect([...((await store.getIncident(incident.id))?.checklist ?? [])].sort()).toEqual([...tick].sort());
      // Each call saw the state the one before it left: its own item was not there yet (or still there).
      tick.forEach((item, i) => expect(results[i]?.previous).not.toContain(item));
      untick.forEach((item, i) => expect(results[tick.length + i]?.previous).toContain(item));
    });
  });

  describe('the drawing lease', () => {
    it('is one owner\'s at a time until it ends; its owner may take it again', async () => {
      const store = getStore();
      const incident = await opened();
      const [a, b] = [owner(), owner()];
      const drawing = await store.claimDrawing({ id: incident.id, owner: a, at: s(0), leaseMs: LEASE_MS });
      expect(drawing).toStrictEqual({ incident, revision: expect.any(Number), checklistMessage: null, lastDrawnBy: null });
      expect(await store.claimDrawing({ id: incident.id, owner: b, at: s(59.999), leaseMs: LEASE_MS })).toBeNull();
      expect((await store.claimDrawing({ id: incident.id, owner: a, at: s(10), leaseMs: LEASE_MS }))?.incident).toStrictEqual(incident);
      // a's lease now ends at s(70): b gets it then, and a no longer does.
      expect(await store.claimDrawing({ id: incident.id, owner: b, at: s(69), leaseMs: LEASE_MS })).toBeNull();
      expect((await store.claimDrawing({ id: incident.id, owner: b, at: s(70), leaseMs: LEASE_MS }))?.incident).toStrictEqual(incident);
      expect(await store.claimDrawing({ id: incident.id, owner: a, at: s(71), leaseMs: LEASE_MS })).toBeNull();
      for (const id of [randomUUID(), 'not-a-uuid']) expect(await store.claimDrawing({ id, owner: a, at: s(0), leaseMs: LEASE_MS })).toBeNull();
      await expect(store.claimDrawing({ id: incident.id, owner: '', at: s(0), leaseMs: LEASE_MS })).rejects.toThrow(/invalid input\.owner/);
      await expect(store.claimDrawing({ id: incident.id, owner: a, at: s(0), leaseMs: 0 })).rejects.toThrow(/invalid input\.leaseMs/);
    });

    it('is let go when the revision drawn is still the latest, and kept, renewed, to draw a change made meanwhile', async () => {
      const store = getStore();
      const incident = await opened();
      const [a, b] = [owner(), owner()];
      const first = await store.claimDrawing({ id: incident.id, owner: a, at: s(0), leaseMs: LEASE_MS });
      expect(await store.finishDrawing({ id: incident.id, owner: a, revision: first!.revision, at: s(1), leaseMs: LEASE_MS })).toBe('done');

      // Let go: anyone may draw at once, and is told who drew last.
      const second = await store.claimDrawing({ id: incident.id, owner: b, at: s(2), leaseMs: LEASE_MS });
      expect(second).toStrictEqual({ ...first, lastDrawnBy: a });
      const { incident: renamed } = await store.updateIncident({ id: incident.id, set: { title: 'Renamed while drawn' } });
      const again = await store.finishDrawing({ id: incident.id, owner: b, revision: second!.revision, at: s(3), leaseMs: LEASE_MS });
      expect(again).toStrictEqual({ incident: renamed, revision: expect.any(Number), checklistMessage: null, lastDrawnBy: a });
      const next = again as Exclude<typeof again, string>;
      expect(next.revision).toBeGreaterThan(second!.revision);
      // Kept: renewed from s(3), so still b's at s(62).
      expect(await store.claimDrawing({ id: incident.id, owner: a, at: s(62), leaseMs: LEASE_MS })).toBeNull();
      expect(await store.finishDrawing({ id: incident.id, owner: b, revision: next.revision, at: s(62), leaseMs: LEASE_MS })).toBe('done');
      expect(await store.claimDrawing({ id: incident.id, owner: a, at: s(62), leaseMs: LEASE_MS })).toMatchObject({ incident: renamed, revision: next.revision, lastDrawnBy: b });
    });

    it('tells an owner whose lease ended and was taken over that it lost it', async () => {
      const store = getStore();
      const incident = await opened();
      const [a, b] = [owner(), owner()];
      const drawing = await store.claimDrawing({ id: incident.id, owner: a, at: s(0), leaseMs: LEASE_MS });
      const taken = await store.claimDrawing({ id: incident.id, owner: b, at: s(60), leaseMs: LEASE_MS });
      expect(taken).not.toBeNull();
      expect(await store.finishDrawing({ id: incident.id, owner: a, revision: drawing!.revision, at: s(61), leaseMs: LEASE_MS })).toBe('lost');
      expect(await store.finishDrawing({ id: incident.id, owner: b, revision: taken!.revision, at: s(61), leaseMs: LEASE_MS })).toBe('done');
      // Nobody holds it now: finishing again is lost too.
      expect(await store.finishDrawing({ id: incident.id, owner: b, revision: taken!.revision, at: s(62), leaseMs: LEASE_MS })).toBe('lost');
      expect(await store.finishDrawing({ id: randomUUID(), owner: b, revision: 1, at: s(62), leaseMs: LEASE_MS })).toBe('lost');
    });

    it('lets exactly one of 10 concurrent claims by different owners have it', async () => {
      const store = getStore();
      const incident = await opened();
      const owners = Array.from({ length: 10 }, owner);
      const claims = await Promise.all(owners.map((o) => store.claimDrawing({ id: incident.id, owner: o, at: s(0), leaseMs: LEASE_MS })));
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      const winner = owners[claims.findIndex((c) => c !== null)]!;
      const losers = owners.filter((o) => o !== winner);
      expect(await Promise.all(losers.map((o) => store.finishDrawing({ id: incident.id, owner: o, revision: 1, at: s(1), leaseMs: LEASE_MS })))).toEqual(losers.map(() => 'lost'));
    });

    it('lists the drawings whose lease ended without being finished', async () => {
      const store = getStore();
      const [stopped, finished, current, never] = [await opened(), await opened(), await opened(), await opened()];
      const far = new Date('2024-01-01T00:00:00.000Z');
      const at = (seconds: number) => new Date(far.getTime() + seconds * 1000);
      await store.claimDrawing({ id: stopped.id, owner: owner(), at: at(0), leaseMs: LEASE_MS });
      const done = owner();
      const drawing = await store.claimDrawing({ id: finished.id, owner: done, at: at(0), leaseMs: LEASE_MS });
      await store.finishDrawing({ id: finished.id, owner: done, revision: drawing!.revision, at: at(1), leaseMs: LEASE_MS });
      await store.claimDrawing({ id: current.id, owner: owner(), at: at(30), leaseMs: LEASE_MS });
      const ours = new Set([stopped.id, finished.id, current.id, never.id]);
      const listed = async (seconds: number) => (await store.listAbandonedDrawings(at(seconds))).filter((id) => ours.has(id));
      expect(await listed(59)).toEqual([]);
      expect(await listed(60)).toEqual([stopped.id]);
      expect(await listed(90)).toEqual([stopped.id, current.id]);
    });

    it('sees the revision move with every change, and the checklist message last ticked', async () => {
      const store = getStore();
      const incident = await opened();
      const me = owner();
      const revision = async () => (await store.claimDrawing({ id: incident.id, owner: me, at: s(0), leaseMs: LEASE_MS }))!;
      const r0 = (await revision()).revision;
      await store.updateIncident({ id: incident.id, set: { lastUpdateAt: s(5) } });
      expect((await revision()).revision).toBe(r0 + 1);
      // A guard that does not hold changes nothing: the revision stays.
      await store.updateIncident({ id: incident.id, set: { title: 'x' }, when: { status: 'resolved' } });
      expect((await revision()).revision).toBe(r0 + 1);
      const message = { channel: 'C0WAR', ts: '1754042400.000100' };
      await store.changeChecklist({ id: incident.id, add: ['item-1'], remove: [], message });
      expect(await revision()).toMatchObject({ revision: r0 + 2, checklistMessage: message, incident: { checklist: ['item-1'] } });
      await store.changeChecklist({ id: incident.id, add: [], remove: ['item-1'] });
      expect(await revision()).toMatchObject({ revision: r0 + 3, checklistMessage: message, incident: { checklist: [] } });
    });
  });
}
