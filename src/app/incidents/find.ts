/**
 * Which incident a command is about: the one whose channel it was typed in, else the id given,
 * else (when exactly one is open) that one; otherwise the user is asked to pick among the open ones.
 */
import { FirebreakError } from '../../core/errors.js';
import { humanId, type Incident } from '../../core/incident/incident.js';
import type { AppContext } from '../context.js';

export interface Where {
  teamId: string;
  channelId: string;
  /** The n of an INC-n typed by the user, if any. */
  number?: number | undefined;
}

export async function findIncident(ctx: AppContext, where: Where, usage: string): Promise<Incident> {
  if (where.number !== undefined) {
    const incident = await ctx.store.getIncidentByNumber(where.teamId, where.number);
    if (incident) return incident;
    throw new FirebreakError('NOT_FOUND', `There is no INC-${where.number} in this workspace. \`/incident list\` shows the open incidents.`);
  }
  const here = await ctx.store.findIncidentByChannel(where.teamId, where.channelId);
  if (here) return here;
  const open = await ctx.store.listOpenIncidents(where.teamId);
  if (open.length === 0) {
    throw new FirebreakError('NOT_FOUND', `No incident is open, and this is not an incident channel. Name one: \`/incident ${usage.replace('[INC-n]', 'INC-7')}\`.`);
  }
  const ids = open.slice(0, 5).map(humanId);
  const choices = ids.length === 1 ? ids[0] : `${ids.slice(0, -1).join(', ')} or ${ids.at(-1)}`;
  const more = open.length > 5 ? ` (${open.length - 5} more: \`/incident list\`)` : '';
  throw new FirebreakError(
    'NOT_FOUND',
    `Which incident? This is not an incident channel. Did you mean ${choices}${more}? For example \`/incident ${usage.replace('[INC-n]', ids[0] as string)}\`.`,
  );
}
