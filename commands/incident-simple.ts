/** The /incident subcommands that take at most an incident id and act at once. */
import { acknowledge } from '../src/app/incidents/acknowledge.js';
import { cardMessage } from '../src/app/incidents/home.js';
import { reopenIncident } from '../src/app/incidents/resolve.js';
import { onIncident, replyOutcome } from './incident-shared.js';

export const incidentAck = onIncident(
  { name: 'ack', usage: 'ack [INC-n]', summary: 'acknowledge: you are on it (and commander, if there is none)' },
  async (ctx, incident) => replyOutcome(ctx, await acknowledge(ctx.app, incident, ctx.userId)),
);

export const incidentStatus = onIncident(
  { name: 'status', usage: 'status [INC-n]', summary: "the incident's summary card" },
  (ctx, incident) => ctx.reply(cardMessage(ctx.app, incident)),
);

export const incidentReopen = onIncident(
  { name: 'reopen', usage: 'reopen [INC-n]', summary: 'bring a resolved incident back to investigating' },
  async (ctx, incident) => replyOutcome(ctx, await reopenIncident(ctx.app, incident, { actorId: ctx.userId })),
);
