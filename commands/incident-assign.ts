/** `/incident assign @user [commander|comms] [INC-n]`. */
import { z } from 'zod';
import type { Subcommand } from './contract.js';
import { assignRole } from '../src/app/incidents/roles.js';
import type { Role } from '../src/core/incident/labels.js';
import { takeIncident, takeUser, tokens, unescapeSlack } from './args.js';
import { replyOutcome, target } from './incident-shared.js';

const ROLES: Record<string, Role> = { commander: 'commander', ic: 'commander', lead: 'commander', comms: 'comms', communication: 'comms', communications: 'comms' };

const args = z.string().transform((text, ctx) => {
  const list = tokens(text);
  const number = takeIncident(list);
  const userId = takeUser(list);
  if (!userId) {
    const typed = list.find((t) => t.startsWith('@'));
    ctx.addIssue({ code: 'custom', message: typed ? `"${unescapeSlack(typed)}" is not a person Slack recognised; pick them from the @ autocomplete` : 'say who, with an @mention' });
    return z.NEVER;
  }
  const roleWord = list.shift()?.toLowerCase();
  const role = roleWord === undefined ? 'commander' : ROLES[roleWord];
  if (!role || list.length) {
    ctx.addIssue({ code: 'custom', message: `the role is "commander" or "comms", not "${unescapeSlack([roleWord, ...list].join(' '))}"` });
    return z.NEVER;
  }
  return { number, userId, role };
});

export const incidentAssign: Subcommand<{ number: number | undefined; userId: string; role: Role }> = {
  name: 'assign',
  usage: 'assign @user [commander|comms] [INC-n]',
  summary: 'give someone a role (commander by default) and invite them',
  args,
  async run(ctx, a) {
    const incident = await target(ctx, a.number, this.usage);
    await replyOutcome(ctx, await assignRole(ctx.app, incident, { actorId: ctx.userId, userId: a.userId, role: a.role }));
  },
};
