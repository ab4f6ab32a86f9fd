/**
 * A diagnosis asked from chat: "running…" is posted at once, the probes run in parallel within the
 * timeout, and the message is replaced by the report. In an incident's channel the result goes on
 * the incident's timeline. A report too large for one message is attached in full as a file.
 * The same diagnosis asked while it runs joins that run, and distinct ones take turns (runs.ts).
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
import type { Admission } from './runs.js';

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
  const metrics = metricsOf(ctx);

  const admission = ctx.diagnosisRuns.admit(runKey(args.request, selected.probes), args.userId, async () => {
    const startedAt = Date.now();
    const reports = await runProbes(selected.probes, ctx.diagnostics.timeoutMs, ctx.clock, metrics);
    metrics.diagnostics(args.request.kind, worst(reports.flatMap((r) => r.findings)), (Date.now() - startedAt) / 1000);
    return reports;
  });
  if (admission.kind === 'refused') {
    log.warn({ running: admission.running, waiting: admission.waiting }, 'diagnostics refused: too many running and waiting');
    return args.reply(plain(refusalText(admission)));
  }

  let ref: MessageRef | null = null;
  try {
    ref = await ctx.chat.post(args.channelId, plain(`:hourglass_flowing_sand: Running diagnostics on ${escapeMrkdwn(names)} (at most ${formatDuration(ctx.diagnostics.timeoutMs)}${progress(admission)}), asked by ${userRef(args.userId, 'someone')}…`));
  } catch (err) {
    // Not allowed to post here (a private channel without Firebreak, a DM): the report goes privately.
    log.info({ err }, 'diagnostics answered privately');
  }

  const reports = await admission.reports;
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

/**
 * What makes two requests the same diagnosis: the probes they resolved to (kinds and targets, so
 * `/diag db` and `/diag db main` are one when main is the first target) and the parameters that
 * change what a probe reads. The kind stays in: it titles the report.
 */
function runKey(request: DiagRequest, probes: ReadonlyArray<{ kind: string; target: string }>): string {
  const { kind, namespace, deployment, sinceSeconds, container } = request;
  return JSON.stringify([kind, namespace ?? null, deployment ?? null, sinceSeconds ?? null, container ?? null, probes.map((p) => [p.kind, p.target])]);
}

/** How the "running…" message says the run is shared or waits its turn ("" for a run of its own starting now). */
function progress(admission: Exclude<Admission, { kind: 'refused' }>): string {
  if (admission.kind === 'joined') {
    const since = Math.round(admission.sinceMs / 1000);
    const who = userRef(admission.by, 'someone');
    return admission.waiting ? `; joined the same diagnosis asked by ${who} ${since} s ago, waiting for its turn` : `; joined the same diagnosis asked by ${who} ${since} s ago`;
  }
  if (!admission.waiting) return '';
  const ahead = admission.ahead === 0 ? '' : `, ${admission.ahead} other ${admission.ahead === 1 ? 'diagnosis' : 'diagnoses'} before it`;
  return ` once it starts; waiting for a turn${ahead}`;
}

/** Why a diagnosis was not started: how many run and wait, and what to do instead. */
export function refusalText(admission: Extract<Admission, { kind: 'refused' }>, advice = 'Try again in a minute, or ask for one target (`/diag db main`) rather than `/diag all`.'): string {
  const running = `${admission.running} ${admission.running === 1 ? 'diagnosis' : 'diagnoses'}`;
  return `:warning: Firebreak is already running ${running} and ${admission.waiting} more ${admission.waiting === 1 ? 'is' : 'are'} waiting, so this one was not started (nothing was run). ${advice}`;
}
