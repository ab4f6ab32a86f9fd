/**
 * The ScheduleStore in memory, with the PostgreSQL store's semantics: one item per incident and
 * kind, leases (claimedBy/claimedUntil) that only their owner can end, a completion that keeps a
 * due time rescheduled meanwhile, plans that never re-arm a fired one-shot item. Times all come
 * from the caller, so a manual clock drives it completely.
 */
import { z } from 'zod';
import { laneOf, type ScheduledItem, type ScheduleLane, type ScheduleStore } from '../../src/ports.js';
import { asJson, byteOrder, copy, date, parseOrThrow, UUID } from './memory-rows.js';

interface StoredItem extends ScheduledItem {
  seq: number;
  claimedBy: string | null;
  claimedUntil: Date | null;
}

const kind = z.string().min(1);
const payload = z.record(z.string(), z.unknown());
const plannedItems = z.array(z.object({ kind, dueAt: date.nullable(), oneShot: z.boolean(), payload: payload.optional() }));
const claimInput = z.object({ now: date, owner: z.string().min(1), leaseMs: z.number().int().positive(), limit: z.number().int().positive() });

/** Item ids are decimal sequence numbers (bigserial as text); anything else names no item. */
const ITEM_ID = /^[0-9]{1,18}$/;

const LANES: readonly ScheduleLane[] = ['chat', 'pager'];
const checkLane = (lane: ScheduleLane): void => {
  if (!LANES.includes(lane)) throw new Error(`Unknown schedule lane: ${JSON.stringify(lane)}`);
};

/** The item as the port shows it: no lease fields. */
function toItem(s: StoredItem): ScheduledItem {
  return {
    id: s.id, incidentId: s.incidentId, kind: s.kind, dueAt: s.dueAt && new Date(s.dueAt), oneShot: s.oneShot, attempts: s.attempts,
    firedCount: s.firedCount, lastFiredAt: s.lastFiredAt && new Date(s.lastFiredAt), lastError: s.lastError, payload: copy(s.payload),
  };
}

const sameTime = (a: Date | null, b: Date): boolean => a !== null && a.getTime() === b.getTime();

/** `hasIncident` stands for the foreign key to incidents. `clear` empties it (tests sharing one store). */
export function memorySchedule(hasIncident: (id: string) => boolean): ScheduleStore & { clear(): void } {
  const items = new Map<string, StoredItem>();
  let seq = 0;

  const key = (incidentId: string, itemKind: string) => `${incidentId}\u0000${itemKind}`;
  const byId = (id: string, owner: string): StoredItem | undefined =>
    ITEM_ID.test(id) ? [...items.values()].find((i) => i.id === id && i.claimedBy === owner) : undefined;
  const requireIncident = (incidentId: string): void => {
    if (!UUID.test(incidentId) || !hasIncident(incidentId)) throw new Error(`schedule: unknown incident ${incidentId}`);
  };
  const insert = (incidentId: string, itemKind: string, fields: Pick<ScheduledItem, 'dueAt' | 'oneShot' | 'payload'>): void => {
    seq += 1;
    items.set(key(incidentId, itemKind), {
      id: String(seq), seq, incidentId, kind: itemKind, ...fields, attempts: 0, firedCount: 0, lastFiredAt: null, lastError: null,
      claimedBy: null, claimedUntil: null,
    });
  };

  return {
    clear: () => items.clear(),

    async plan(incidentId, planned) {
      const valid = parseOrThrow(plannedItems, 'schedule.plan: invalid input', planned);
      // An empty plan touches nothing, not even the incident check (as the PostgreSQL store).
      if (valid.length === 0) return;
      requireIncident(incidentId);
      // In kind order, as the PostgreSQL store writes them: new items' ids (which break ties
      // between equal due times when claiming) follow that order too.
      valid.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
      for (const p of valid) {
        const existing = items.get(key(incidentId, p.kind));
        const stored = p.payload === undefined ? undefined : asJson(p.payload);
        if (!existing) insert(incidentId, p.kind, { dueAt: p.dueAt && new Date(p.dueAt), oneShot: p.oneShot, payload: stored ?? {} });
        // A one-shot item that has fired is left as it is: a plan never re-arms it.
        else if (!(existing.oneShot && existing.firedCount > 0)) {
          Object.assign(existing, { dueAt: p.dueAt && new Date(p.dueAt), oneShot: p.oneShot, payload: stored ?? existing.payload });
        }
      }
    },

    async enqueue(incidentId, itemKind, at, itemPayload) {
      parseOrThrow(z.object({ kind, at: date, payload }), 'schedule.enqueue: invalid input', { kind: itemKind, at, payload: itemPayload });
      requireIncident(incidentId);
      const existing = items.get(key(incidentId, itemKind));
      const fields = { dueAt: new Date(at), oneShot: true, payload: asJson(itemPayload) };
      if (!existing) insert(incidentId, itemKind, fields);
      else Object.assign(existing, fields, { attempts: 0, lastError: null });
    },

    async claimDue(input) {
      const { now, owner, leaseMs, limit } = parseOrThrow(claimInput, 'schedule.claimDue: invalid input', input);
      checkLane(input.lane);
      const claimable = [...items.values()]
        .filter((i) => i.dueAt !== null && i.dueAt.getTime() <= now.getTime())
        .filter((i) => i.claimedUntil === null || i.claimedUntil.getTime() <= now.getTime())
        .filter((i) => laneOf(i.kind) === input.lane)
        .sort((a, b) => (a.dueAt as Date).getTime() - (b.dueAt as Date).getTime() || a.seq - b.seq)
        .slice(0, limit);
      return claimable.map((item) => {
        // A claim still there has ended (complete and fail clear it): its holder stopped while firing it.
        const takenOver = item.claimedUntil !== null;
        item.claimedBy = owner;
        item.claimedUntil = new Date(now.getTime() + leaseMs);
        return { ...toItem(item), takenOver };
      });
    },

    async complete(input) {
      parseOrThrow(z.object({ claimedDueAt: date, next: date.nullable(), fired: z.boolean(), at: date }), 'schedule.complete: invalid input', input);
      const item = byId(input.id, input.owner);
      if (!item) return false;
      // A reschedule that happened during the claim (an update reset the clock) wins over `next`.
      if (sameTime(item.dueAt, input.claimedDueAt)) item.dueAt = input.next && new Date(input.next);
      item.claimedBy = null;
      item.claimedUntil = null;
      if (input.fired) Object.assign(item, { firedCount: item.firedCount + 1, lastFiredAt: new Date(input.at), attempts: 0, lastError: null });
      return true;
    },

    async fail(input) {
      parseOrThrow(z.object({ retryAt: date, error: z.string() }), 'schedule.fail: invalid input', input);
      const item = byId(input.id, input.owner);
      if (!item) return;
      // A plan that cancelled the item during the claim (the incident was resolved) stays cancelled.
      if (item.dueAt !== null) item.dueAt = new Date(input.retryAt);
      Object.assign(item, { attempts: item.attempts + 1, lastError: input.error, claimedBy: null, claimedUntil: null });
    },

    async nextWake(lane) {
      checkLane(lane);
      let wake: number | null = null;
      for (const i of items.values()) {
        if (i.dueAt === null || laneOf(i.kind) !== lane) continue;
        // A leased item becomes claimable when both its due time and its lease end have come.
        const at = Math.max(i.dueAt.getTime(), i.claimedUntil?.getTime() ?? i.dueAt.getTime());
        if (wake === null || at < wake) wake = at;
      }
      return wake === null ? null : new Date(wake);
    },

    list: async (incidentId) =>
      [...items.values()].filter((i) => i.incidentId === incidentId).sort((a, b) => byteOrder(a.kind, b.kind)).map(toItem),
  };
}
