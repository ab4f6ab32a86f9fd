/** Read-only views of incidents: the open list, a timeline, the postmortem report, the KPIs. */
import { formatDuration } from '../../core/duration.js';
import { humanId, type Incident } from '../../core/incident/incident.js';
import { statusLabel } from '../../core/incident/labels.js';
import { postmortemMarkdown, utcStamp } from '../../core/incident/postmortem.js';
import { localizeSeverity, severityTag } from '../../core/incident/severity.js';
import { computeStats, statsMessage } from '../../core/incident/stats.js';
import { chronological, describeEventPlain, pageLines, timelineLines } from '../../core/incident/timeline.js';
import { checklistItems } from '../../core/render/checklist.js';
import type { Message } from '../../core/render/message.js';
import { escapeMrkdwn, toPlainLine, truncate, userRef } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { nextUpdateDue } from './home.js';

/** Open incidents, most severe first: id, tag, title, age, commander, time since last update. */
export async function listOpen(ctx: AppContext, teamId: string): Promise<Message> {
  const open = await ctx.store.listOpenIncidents(teamId);
  if (open.length === 0) return { text: ':white_check_mark: No open incident.', blocks: [{ type: 'text', text: ':white_check_mark: No open incident.' }] };
  const now = ctx.clock.now();
  const locale = ctx.config.incidents.locale;
  const line = (i: Incident) => {
    const s = localizeSeverity(ctx.severities[i.severity], locale);
    const due = nextUpdateDue(ctx, i);
    const overdue = due && due.getTime() < now.getTime() ? ' :warning: *update overdue*' : '';
    const since = formatDuration(now.getTime() - i.lastUpdateAt.getTime());
    return `${severityTag(s)} *${humanId(i)}* ${escapeMrkdwn(truncate(toPlainLine(i.title), 80))} · ${statusLabel(i.status, locale)} · open ${formatDuration(now.getTime() - i.declaredAt.getTime())} · commander ${userRef(i.commanderId)} · last update ${since} ago${overdue}`;
  };
  const pages = pageLines(open.map(line), 2900);
  const shown = pages.slice(0, 40);
  const hidden = pages.slice(40).flat().length;
  return {
    text: `${open.length} open incident${open.length > 1 ? 's' : ''}`,
    blocks: [
      { type: 'header', text: `${open.length} open incident${open.length > 1 ? 's' : ''}` },
      ...shown.map((p) => ({ type: 'text' as const, text: p.join('\n') })),
      ...(hidden ? [{ type: 'context' as const, items: [`+${hidden} more not shown`] }] : []),
    ],
  };
}

/** Beyond this, a timeline is attached as a file rather than shown in one message. */
const TIMELINE_INLINE_CHARS = 11_000;

export type TimelineView = { kind: 'message'; message: Message } | { kind: 'file'; filename: string; content: string; events: number };

export async function timelineView(ctx: AppContext, incident: Incident): Promise<TimelineView> {
  const locale = ctx.config.incidents.locale;
  const events = await ctx.store.listTimeline(incident.id);
  const lines = timelineLines(events, locale, ctx.severities);
  const id = humanId(incident);
  const total = lines.reduce((n, l) => n + l.length + 1, 0);
  if (total <= TIMELINE_INLINE_CHARS) {
    const pages = pageLines(lines, 2900);
    return {
      kind: 'message',
      message: {
        text: `Timeline of ${id} (${events.length} events)`,
        blocks: [{ type: 'header', text: `Timeline of ${id}` }, ...pages.map((p) => ({ type: 'text' as const, text: p.join('\n') }))],
      },
    };
  }
  // Too long for one message: the whole of it goes in a file, never cut.
  const rows = chronological(events).map((e) => `- ${utcStamp(e.at)} · ${describeEventPlain(e, locale, ctx.severities)}`);
  const markdown = [`# Timeline of ${id}: ${toPlainLine(incident.title)}`, '', ...rows, ''].join('\n');
  return { kind: 'file', filename: `${id.toLowerCase()}-timeline.md`, content: markdown, events: events.length };
}

export async function postmortemReport(ctx: AppContext, incident: Incident): Promise<{ filename: string; content: string }> {
  const locale = ctx.config.incidents.locale;
  const events = await ctx.store.listTimeline(incident.id);
  const content = postmortemMarkdown({
    incident,
    severity: ctx.severities[incident.severity],
    timeline: events,
    locale,
    now: ctx.clock.now(),
    checklistItems: checklistItems(ctx.templates.get(locale, 'checklist')),
  });
  const date = incident.declaredAt.toISOString().slice(0, 10);
  return { filename: `postmortem-${humanId(incident).toLowerCase()}-${date}.md`, content };
}

export async function incidentStats(ctx: AppContext, teamId: string, period: { from: Date; to: Date }): Promise<Message> {
  const incidents = await ctx.store.listIncidentsDeclaredSince(teamId, period.from);
  const inPeriod = incidents.filter((i) => i.declaredAt.getTime() <= period.to.getTime());
  return statsMessage(computeStats(inPeriod, period), ctx.config.incidents.locale, { ...ctx.severities });
}
