/**
 * A diagnosis asked from chat: "running…" is posted at once, the probes run in parallel within the
 * timeout, and the message is replaced by the report. In an incident's channel the result goes on
 * the incident's timeline. A report too large for one message is attached in full as a file.
 */
import { worst } from '../../core/diagnostics/finding.js';
import { renderReports, summaryLine } from '../../core/diagnostics/render.js';
import { formatDuration } from '../../core/duration.js';
import type { Message } from '../../core/render/message.js';
import { plain } from '../../core/render/message.js';
import { escapeMrkdwn, userRef } from '../../core/render/text.js';
import type { MessageRef } from '../../core/incident/incident.js';
import type { DiagRequest } from '../../ports.js';
import { metricsOf, type AppContext } from '../context.js';
import { runProbes } from './run.js';

export interface DiagnoseArgs {
  teamId: string;
  channelId: string;
  userId: string;
  request: DiagRequest;
  /** Answers only the requester (used when nothing can be posted in the channel). */
  reply(message: Message): Promise<void>;
}

export async function diagnose(ctx: AppContext, args: DiagnoseArgs): Promise<void> {
  const selected = ctx.diagnostics.probes(args.request);
  if (!selected.ok) return args.reply(plain(`:warning: ${selected.message}`));
  const names = selected.probes.map((p) => `${p.target} (${p.kind})`).join(', ');
  const log = ctx.logger.child({ diag: args.request.kind, user: args.userId });

  let ref: MessageRef | null = null;
  try {
    ref = await ctx.chat.post(args.channelId, plain(`:hourglass_flowing_sand: Running diagnostics on ${escapeMrkdwn(names)} (at most ${formatDuration(ctx.diagnostics.timeoutMs)}), asked by ${userRef(args.userId, 'someone')}…`));
  } catch (err) {
    // Not allowed to post here (a private channel without Firebreak, a DM): the report goes privately.
    log.info({ err }, 'diagnostics answered privately');
  }

  const metrics = metricsOf(ctx);
  const startedAt = Date.now();
  const reports = await runProbes(selected.probes, ctx.diagnostics.timeoutMs, ctx.clock, metrics);
  metrics.diagnostics(args.request.kind, worst(reports.flatMap((r) => r.findings)), (Date.now() - startedAt) / 1000);
  const rendered = renderReports(reports, `Diagnostics ${args.request.kind}`, { canRemediate: (id) => ctx.remediation.actions.has(id) });
  log.info({ status: worst(reports.flatMap((r) => r.findings)), targets: names }, 'diagnostics done');
  if (ref) {
    await ctx.chat.update(ref, rendered.message);
    if (rendered.truncated) {
      await ctx.chat.uploadFile({ channel: ref.channel, threadTs: ref.ts, filename: `diagnostics-${args.request.kind}.md`, title: 'Full diagnostics report', content: rendered.fullText });
    }
  } else {
    await args.reply(rendered.message);
  }

  const incident = await ctx.store.findIncidentByChannel(args.teamId, args.channelId).catch(() => null);
  if (incident) {
    await ctx.store.addTimelineEvent({
      incidentId: incident.id,
      kind: 'diagnostic_run',
      actorId: args.userId,
      at: ctx.clock.now(),
      data: { name: `${args.request.kind} ${names}`, summary: summaryLine(reports) },
    });
  }
}
