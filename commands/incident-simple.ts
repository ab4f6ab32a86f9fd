/** The /incident subcommands that take at most an incident id and act at once. */
import type { Subcommand } from '../src/adapters/slack/command-types.js';
import { acknowledge } from '../src/app/incidents/acknowledge.js';
import { cardMessage } from '../src/app/incidents/home.js';
import { reopenIncident } from '../src/app/incidents/resolve.js';
import { incidentOnly } from './args.js';
import { replyOutcome, target } from './incident-shared.js';

type ById = Subcommand<{ number: number | undefined }>;

export const incidentAck: ById = {
  name: 'ack',
  usage: 'ack [INC-n]',
  summary: 'acknowledge: you are on it (and commander, if there is none)',
  args: incidentOnly,
  async run(ctx, { number }) {
    const incident = await target(ctx, number, this.usage);
    await replyOutcome(ctx, await acknowledge(ctx.app, incident, ctx.userId));
  },
};

export const incidentStatus: ById = {
  name: 'status',
  usage: 'status [INC-n]',
  summary: "the incident's summary card",
  args: incidentOnly,
  async run(ctx, { number }) {
    const incident = await target(ctx, number, this.usage);
    await ctx.reply(cardMessage(ctx.app, incident));
  },
};

export const incidentReopen: ById = {
  name: 'reopen',
  usage: 'reopen [INC-n]',
  summary: 'bring a resolved incident back to investigating',
  args: incidentOnly,
  async run(ctx, { number }) {
    const incident = await target(ctx, number, this.usage);
    await replyOutcome(ctx, await reopenIncident(ctx.app, incident, { actorId: ctx.userId }));
  },
};
