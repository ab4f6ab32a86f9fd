/** /incident list, timeline, postmortem and stats: reading, never changing. */
import { z } from 'zod';
import type { Subcommand } from './contract.js';
import { incidentStats, listOpen, postmortemReport, timelineView } from '../src/app/incidents/reports.js';
import { humanId, incidentHome } from '../src/core/incident/incident.js';
import { parsePeriod } from '../src/core/incident/stats.js';
import { plain } from '../src/core/render/message.js';
import { tokens, unescapeSlack } from './args.js';
import { onIncident } from './incident-shared.js';

export const incidentList: Subcommand<string> = {
  name: 'list',
  usage: 'list',
  summary: 'open incidents, most severe first, with overdue updates marked',
  args: z.string().refine((t) => t.trim() === '', { message: 'list takes no arguments' }),
  async run(ctx) {
    await ctx.reply(await listOpen(ctx.app, ctx.teamId));
  },
};

export const incidentTimeline = onIncident(
  { name: 'timeline', usage: 'timeline [INC-n]', summary: 'everything that happened, with dates and times' },
  async (ctx, incident) => {
    const view = await timelineView(ctx.app, incident);
    if (view.kind === 'message') return ctx.reply(view.message);
    const home = incidentHome(incident) ?? { channel: ctx.channelId };
    await ctx.app.chat.uploadFile({ channel: home.channel, threadTs: home.threadTs, filename: view.filename, title: `Timeline of ${humanId(incident)}`, content: view.content });
    await ctx.reply(plain(`The timeline of ${humanId(incident)} has ${view.events} events, too many for one message: it is attached in full as a file in <#${home.channel}>.`));
  },
);

export const incidentPostmortem = onIncident(
  { name: 'postmortem', usage: 'postmortem [INC-n]', summary: 'draft the incident report (Markdown) from the timeline and resolution, posted as a file' },
  async (ctx, incident) => {
    const report = await postmortemReport(ctx.app, incident);
    const id = humanId(incident);
    const home = incidentHome(incident) ?? { channel: ctx.channelId };
    await ctx.app.chat.uploadFile({
      channel: home.channel,
      threadTs: home.threadTs,
      filename: report.filename,
      title: `Postmortem draft: ${id}`,
      content: report.content,
      comment: `:page_facing_up: Postmortem draft for *${id}*, from the timeline and the resolution. Complete the sections marked "to be completed".`,
    });
    await ctx.app.store.addTimelineEvent({ incidentId: incident.id, kind: 'postmortem_generated', actorId: ctx.userId, at: ctx.app.clock.now(), data: { filename: report.filename } });
    if (home.channel !== ctx.channelId) await ctx.reply(plain(`The postmortem draft of ${id} is posted in <#${home.channel}>.`));
  },
);

export const incidentStatsCommand: Subcommand<{ from: Date; to: Date }> = {
  name: 'stats',
  usage: 'stats [30d]',
  summary: 'incidents by severity, MTTA, MTTR and P0/P1 per month, against the targets',
  args: z.string().transform((text, ctx) => {
    const period = parsePeriod(tokens(text).join(''), new Date());
    if (!period) {
      ctx.addIssue({ code: 'custom', message: `"${unescapeSlack(text.trim())}" is not a period; write 7d, 30d, 12w or 3m` });
      return z.NEVER;
    }
    return period;
  }),
  async run(ctx, period) {
    await ctx.reply(await incidentStats(ctx.app, ctx.teamId, period));
  },
};

