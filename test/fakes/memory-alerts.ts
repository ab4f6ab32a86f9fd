/**
 * Alertmanager groups in memory, with the PostgreSQL store's semantics: one group per workspace
 * and exact group key (any string, NUL included), whose generation moves on once the incident it
 * opened is resolved. Every method runs without yielding, so concurrent `current` calls for one
 * group all get the same generation, as the database's row lock gives them.
 */
import { z } from 'zod';
import type { AlertGroupStore } from '../../src/ports.js';
import { date, parseOrThrow, UUID } from './memory-rows.js';

const INT_MAX = 2_147_483_647;
const team = z.string().min(1);
const count = z.number().int().min(0).max(INT_MAX);
const currentInput = z.object({ teamId: team, groupKey: z.string(), at: date });
const linkInput = z.object({ teamId: team, groupKey: z.string(), generation: z.number().int().min(1).max(INT_MAX), incidentId: z.string() });
const recordInput = z.object({ teamId: team, groupKey: z.string(), at: date, firing: count, resolved: count, status: z.enum(['firing', 'resolved']) });

interface Group {
  generation: number;
  incidentId: string | null;
  firstAt: Date;
  lastAt: Date;
  notifications: number;
  firing: number;
  resolved: number;
  lastStatus: 'firing' | 'resolved' | null;
}

/** What the groups need to know of the incidents: `has` stands for the foreign key, `isResolved` for the join. */
export interface IncidentLookup {
  has(id: string): boolean;
  isResolved(id: string): boolean;
}

export function memoryAlerts(incidents: IncidentLookup): AlertGroupStore {
  const groups = new Map<string, Group>();
  // JSON text of the pair: injective, lone surrogates and NUL included.
  const keyOf = (teamId: string, groupKey: string): string => JSON.stringify([teamId, groupKey]);
  const fresh = (at: Date): Group => ({
    generation: 1, incidentId: null, firstAt: new Date(at), lastAt: new Date(at), notifications: 0, firing: 0, resolved: 0, lastStatus: null,
  });

  return {
    async current(teamId, groupKey, at) {
      const input = parseOrThrow(currentInput, 'alerts.current: invalid input', { teamId, groupKey, at });
      const key = keyOf(input.teamId, input.groupKey);
      const group = groups.get(key) ?? fresh(input.at);
      groups.set(key, group);
      if (group.incidentId !== null && incidents.isResolved(group.incidentId)) {
        group.generation += 1;
        group.incidentId = null;
      }
      return { generation: group.generation, incidentId: group.incidentId };
    },

    async link(teamId, groupKey, generation, incidentId) {
      const input = parseOrThrow(linkInput, 'alerts.link: invalid input', { teamId, groupKey, generation, incidentId });
      if (!UUID.test(input.incidentId)) throw new Error(`alerts.link: unknown incident ${input.incidentId}`);
      const group = groups.get(keyOf(input.teamId, input.groupKey));
      const linkable = group !== undefined && group.generation === input.generation && group.incidentId === null;
      // The database checks the foreign key only when the row is written.
      if (linkable && !incidents.has(input.incidentId)) throw new Error(`alerts.link: unknown incident ${input.incidentId}`);
      if (group === undefined) throw new Error(`alerts.link: unknown alert group ${JSON.stringify(input.groupKey.slice(0, 200))}`);
      if (linkable) group.incidentId = input.incidentId;
    },

    async record(teamId, groupKey, notification) {
      const input = parseOrThrow(recordInput, 'alerts.record: invalid input', { ...notification, teamId, groupKey });
      const key = keyOf(input.teamId, input.groupKey);
      const group = groups.get(key) ?? fresh(input.at);
      groups.set(key, group);
      group.notifications += 1;
      group.lastAt = new Date(input.at);
      group.firing = input.firing;
      group.resolved = input.resolved;
      group.lastStatus = input.status;
      return { notifications: group.notifications };
    },
  };
}
