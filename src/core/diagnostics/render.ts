/**
 * Diagnostic reports → a Slack-sized message and a full text report. The message leads with the
 * worst status and a one-line summary, shows problems before passing checks, and stays within
 * Slack's limits whatever the number of findings; what does not fit is counted ("+183 more") and
 * the full report is attached as a file.
 */
import type { Block, Message } from '../render/message.js';
import { escapeMrkdwn, toPlainLine, truncate } from '../render/text.js';
import { sortFindings, worst, type Finding, type Report, type Status } from './finding.js';

const EMOJI: Record<Status, string> = { critical: ':red_circle:', warning: ':warning:', unknown: ':grey_question:', ok: ':white_check_mark:' };
const MAX_BLOCKS = 45; // of Slack's 50, leaving room for the footer
const MAX_TOTAL_TEXT = 11_000; // Slack refuses messages whose blocks add up to ~13k characters
const EVIDENCE_LINES = 6;

export const statusEmoji = (s: Status): string => EMOJI[s];

/** Text for a code block: markup-inert, and unable to close the block early. */
export function codeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/```/g, "'''");
}

export function counts(findings: readonly Finding[]): Record<Status, number> {
  const c: Record<Status, number> = { critical: 0, warning: 0, unknown: 0, ok: 0 };
  for (const f of findings) c[f.status] += 1;
  return c;
}

function countLine(c: Record<Status, number>): string {
  const parts = [
    c.critical && `${c.critical} critical`,
    c.warning && `${c.warning} warning${c.warning > 1 ? 's' : ''}`,
    c.unknown && `${c.unknown} unknown`,
    c.ok && `${c.ok} ok`,
  ].filter(Boolean);
  return parts.join(', ') || 'no checks';
}

/** "main (postgres): critical, blocked sessions: 3 sessions blocked by pid 123". */
export function summaryLine(reports: readonly Report[]): string {
  const all = reports.flatMap((r) => r.findings.map((f) => ({ ...f, where: `${r.target} (${r.kind})` })));
  const status = worst(all);
  const first = sortFindings(all)[0];
  const lead = `${status.toUpperCase()}: ${countLine(counts(all))}`;
  if (!first || status === 'ok') return lead;
  return `${lead}. Worst: ${first.where}, ${first.check}: ${toPlainLine(first.value)}`;
}

function findingText(f: Finding, where: string, target: string): string {
  // The component is worth showing when it is more than the target itself ("pid 4242", a pod).
  const component = f.component && f.component !== target ? ` · ${escapeMrkdwn(truncate(f.component, 120))}` : '';
  const head = `${EMOJI[f.status]} *${escapeMrkdwn(f.check)}* · ${escapeMrkdwn(where)}${component}`;
  const lines = [head, escapeMrkdwn(truncate(toPlainLine(f.value), 600))];
  if (f.threshold) lines.push(`_threshold: ${escapeMrkdwn(truncate(f.threshold, 200))}_`);
  if (f.recommendation && f.status !== 'ok') lines.push(`:point_right: ${escapeMrkdwn(truncate(f.recommendation, 600))}`);
  if (f.evidence?.length) {
    const shown = f.evidence.slice(0, EVIDENCE_LINES).map((e) => truncate(toPlainLine(e), 300));
    const more = f.evidence.length > EVIDENCE_LINES ? `\n… +${f.evidence.length - EVIDENCE_LINES} more lines` : '';
    lines.push(`\`\`\`${codeText(shown.join('\n'))}${more}\`\`\``);
  }
  return truncate(lines.join('\n'), 2900);
}

export interface RenderedReport {
  message: Message;
  /** Some findings did not fit: attach `fullText`. */
  truncated: boolean;
  /** The whole report as Markdown, every finding in full (written on first read). */
  readonly fullText: string;
}

/** The action of a finding's remediation button: it only opens the approval flow. */
export const REMEDIATE_FINDING = 'diag_remediate';
const MAX_REMEDIATION_BUTTONS = 5;

export function renderReports(reports: readonly Report[], title = 'Diagnostics', options: { canRemediate?: (actionId: string) => boolean } = {}): RenderedReport {
  const all = reports.flatMap((r) => r.findings.map((f) => ({ f, where: `${r.target} (${r.kind})`, target: r.target })));
  const status = worst(all.map((a) => a.f));
  const problems = sortFindings(all.map((a) => ({ ...a, status: a.f.status }))).filter((a) => a.f.status !== 'ok');
  const oks = all.filter((a) => a.f.status === 'ok');
  const blocks: Block[] = [
    { type: 'header', text: `${title}: ${status.toUpperCase()}` },
    { type: 'text', text: `${EMOJI[status]} ${escapeMrkdwn(summaryLine(reports))}` },
    { type: 'context', items: [reports.map((r) => `${escapeMrkdwn(r.target)} (${r.kind}) ${EMOJI[worst(r.findings)]} ${r.durationMs} ms`).join(' · ')] },
  ];
  let used = blocks.reduce((n, b) => n + ('text' in b ? b.text.length : 200), 0);
  let shown = 0;
  for (const p of problems) {
    const text = findingText(p.f, p.where, p.target);
    if (blocks.length >= MAX_BLOCKS || used + text.length > MAX_TOTAL_TEXT) break;
    blocks.push({ type: 'text', text });
    used += text.length;
    shown += 1;
  }
  const hidden = problems.length - shown;
  // Remediation proposals of the findings shown, as buttons: a click asks for approval, nothing more.
  const buttons = problems
    .slice(0, shown)
    .filter((p) => p.f.remediation && options.canRemediate?.(p.f.remediation.action))
    .slice(0, MAX_REMEDIATION_BUTTONS)
    .map((p) => {
      const r = p.f.remediation as NonNullable<Finding['remediation']>;
      return { action: `${REMEDIATE_FINDING}:${r.action}:${r.args.join(' ')}`.slice(0, 255), label: r.label, value: JSON.stringify({ a: r.action, x: r.args, t: p.target }), style: 'danger' as const };
    })
    // Slack refuses two buttons with one action_id in a block: the same proposal twice is shown once.
    .filter((b, i, all) => b.value.length <= 2000 && all.findIndex((o) => o.action === b.action) === i);
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  if (oks.length) {
    const names = [...new Set(oks.map((o) => o.f.check))];
    const line = `${EMOJI.ok} ${oks.length} check${oks.length > 1 ? 's' : ''} ok: ${escapeMrkdwn(truncate(names.join(', '), 1500))}`;
    if (used + line.length <= MAX_TOTAL_TEXT + 1500) blocks.push({ type: 'context', items: [line] });
  }
  if (hidden > 0) blocks.push({ type: 'context', items: [`+${hidden} more finding${hidden > 1 ? 's' : ''} not shown: the full report is attached.`] });
  // The full text can run to megabytes (thousands of findings with their evidence): it is written
  // when read, which is when some findings did not fit and it goes out as a file.
  let full: string | undefined;
  return {
    message: { text: `${title}: ${escapeMrkdwn(summaryLine(reports))}`, blocks },
    truncated: hidden > 0,
    get fullText() {
      return (full ??= fullReport(reports, title));
    },
  };
}

/** Every finding, worst first, as Markdown (for the attached file and the CLI). */
export function fullReport(reports: readonly Report[], title = 'Diagnostics'): string {
  const out = [`# ${title}`, '', summaryLine(reports), ''];
  for (const r of reports) {
    out.push(`## ${r.target} (${r.kind}): ${worst(r.findings)}, ${r.durationMs} ms`, '');
    for (const f of sortFindings(r.findings)) {
      out.push(`- [${f.status}] ${f.check} · ${f.component}: ${toPlainLine(f.value)}`);
      if (f.threshold) out.push(`  - threshold: ${f.threshold}`);
      if (f.recommendation && f.status !== 'ok') out.push(`  - do: ${f.recommendation}`);
      for (const e of f.evidence ?? []) out.push(`  - ${toPlainLine(e)}`);
    }
    out.push('');
  }
  return out.join('\n');
}
