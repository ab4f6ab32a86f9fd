/**
 * Runbooks as chat shows them outside a run: the replies of `/runbook list` and `/runbook show`,
 * the "which incident?" question of `/runbook run` typed outside an incident's channel, and the
 * suggestions posted when an incident opens. Within the same limits as the run's message
 * (run-view.ts), with every value from a runbook escaped.
 */
import type { Block, Button, Message } from '../render/message.js';
import { plural, toPlainLine, truncate } from '../render/text.js';
import type { Runbook } from './model.js';
import { code, esc, MAX_BLOCKS, MAX_TOTAL_TEXT, RUNBOOK_ACTIONS, size, STEP_TEXT, type StartValue } from './run-view.js';

const LIST_BLOCK_TEXT = 2_800;

/** Runbooks whose id, title, services or symptoms contain `filter` (case-insensitive); all for an empty filter. */
export function filterRunbooks(runbooks: readonly Runbook[], filter: string): Runbook[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...runbooks];
  return runbooks.filter((r) => {
    const hay = [r.id, r.title, ...r.services, ...r.symptoms].join('\n').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Lines packed into text blocks of at most LIST_BLOCK_TEXT characters, within the message budget; what does not fit is counted. */
function packLines(lines: string[], budgetBlocks: number, budgetText: number, what: string): Block[] {
  const blocks: Block[] = [];
  let current: string[] = [];
  let used = 0;
  let shown = 0;
  const flush = () => {
    if (current.length) blocks.push({ type: 'text', text: current.join('\n') });
    current = [];
  };
  for (const raw of lines) {
    const line = truncate(raw, LIST_BLOCK_TEXT);
    if (used + line.length > budgetText) break;
    if (current.join('\n').length + line.length + 1 > LIST_BLOCK_TEXT) {
      if (blocks.length + 1 >= budgetBlocks) break;
      flush();
    }
    current.push(line);
    used += line.length + 1;
    shown += 1;
  }
  flush();
  const hidden = lines.length - shown;
  if (hidden > 0) blocks.push({ type: 'context', items: [`+${plural(hidden, `more ${what}`)} not shown.`] });
  return blocks;
}

export function listMessage(runbooks: readonly Runbook[], filter = ''): Message {
  const shown = filterRunbooks(runbooks, filter);
  const about = filter.trim() ? ` matching "${esc(filter, 60)}"` : '';
  if (!runbooks.length) return { text: 'No runbook is loaded.', blocks: [{ type: 'text', text: 'No runbook is loaded. Runbooks are Markdown files in the runbooks directory (`runbooks.dir`); see docs/RUNBOOKS.md.' }] };
  if (!shown.length) return { text: `No runbook${about}.`, blocks: [{ type: 'text', text: `No runbook${about}. \`/runbook list\` shows all ${runbooks.length}.` }] };
  const lines = shown.map((r) => {
    const services = r.services.length ? ` · ${esc(r.services.join(', '), 200)}` : '';
    return `\`${esc(r.id, 63)}\` *${esc(r.title, 150)}* · ${r.severity}${services}`;
  });
  return {
    text: `${plural(shown.length, 'runbook')}${about}`,
    blocks: [
      { type: 'text', text: `*${plural(shown.length, 'runbook')}*${about}. \`/runbook show <id>\` tells its steps, \`/runbook run <id>\` starts it.` },
      ...packLines(lines, MAX_BLOCKS - 1, MAX_TOTAL_TEXT, 'runbook'),
    ],
  };
}

export function showMessage(runbook: Runbook): Message {
  const facts = [
    `\`${esc(runbook.id, 63)}\``,
    `*${runbook.severity}*`,
    ...(runbook.rto ? [`RTO ${esc(runbook.rto, 10)}`] : []),
    ...(runbook.rpo ? [`RPO ${esc(runbook.rpo, 10)}`] : []),
    ...(runbook.services.length ? [`services: ${esc(runbook.services.join(', '), 300)}`] : []),
    ...(runbook.alerts.length ? [`alerts: ${esc(runbook.alerts.join(', '), 300)}`] : []),
  ];
  const params = Object.entries(runbook.params).map(([name, p]) => {
    const dflt = p.default !== undefined ? `, default ${code(String(p.default), 60)}` : p.type === 'target' ? ', default: the first configured target' : ', required';
    return `• \`${esc(name, 63)}\` (${p.type}${p.kind ? ` ${p.kind}` : ''}${dflt}): ${esc(p.description, 200)}`;
  });
  const usage = `/runbook run ${runbook.id}${Object.keys(runbook.params).map((n) => ` ${n}=…`).join('')}`;
  const head: Block[] = [
    { type: 'header', text: truncate(toPlainLine(runbook.title), 150) },
    { type: 'context', items: [facts.join(' · ')] },
  ];
  const summary = toPlainLine(runbook.summary);
  if (summary) head.push({ type: 'text', text: esc(summary, 600) });
  if (params.length) head.push({ type: 'text', text: truncate(`*Params*\n${params.join('\n')}`, LIST_BLOCK_TEXT) });
  const tail: Block[] = [
    ...(runbook.escalation ? [{ type: 'context' as const, items: [`:telephone_receiver: *Escalation:* ${esc(runbook.escalation, 1000)}`] }] : []),
    { type: 'context', items: [`Start it with ${code(usage, 300)}`] },
  ];
  const lines = runbook.steps.map((s, i) => {
    const when = s.when ? ` _(if ${esc(s.when.step, 63)} is ${s.when.status.join(' or ')})_` : '';
    const explanation = toPlainLine(s.explanation);
    return `${i + 1}. *${esc(s.title || s.id, 150)}* · _${s.kind}_${when}${explanation ? `: ${esc(explanation, 160)}` : ''}`;
  });
  const budgetText = MAX_TOTAL_TEXT - size([...head, ...tail]);
  const steps = packLines(lines, MAX_BLOCKS - head.length - tail.length - 1, budgetText, 'step');
  return { text: `Runbook ${esc(runbook.title, 150)}: ${plural(runbook.steps.length, 'step')}`, blocks: [...head, { type: 'text', text: `*${plural(runbook.steps.length, 'step')}*` }, ...steps, ...tail] };
}

// ---------------------------------------------------------------------------------------------
// Starting: which incident, and the suggestions when an incident opens

const MAX_INCIDENT_BUTTONS = 10;

/** Every start button's value within Slack's 2,000 characters, or null. */
function startValue(value: StartValue): string | null {
  const json = JSON.stringify(value);
  return json.length <= 2000 ? json : null;
}

/**
 * The question asked when `/runbook run` is typed outside an incident's channel: one button per
 * open incident (most severe first, at most 10) and "No incident". Null when the params are too
 * long to travel in a button.
 */
export function incidentChoiceMessage(input: { runbook: Runbook; params: Record<string, string>; incidents: ReadonlyArray<{ id: string; label: string; title: string }> }): Message | null {
  const { runbook, params } = input;
  const buttons: Button[] = [];
  for (const [n, incident] of input.incidents.slice(0, MAX_INCIDENT_BUTTONS).entries()) {
    const value = startValue({ r: runbook.id, p: params, i: incident.id, q: 1 });
    if (!value) return null;
    buttons.push({ action: `${RUNBOOK_ACTIONS.start}:${n}`, label: `${incident.label} ${toPlainLine(incident.title)}`, value, ...(n === 0 ? { style: 'primary' as const } : {}) });
  }
  const none = startValue({ r: runbook.id, p: params, i: null, q: 1 });
  if (!none) return null;
  buttons.push({ action: `${RUNBOOK_ACTIONS.start}:none`, label: 'No incident', value: none });
  const more = input.incidents.length - Math.min(input.incidents.length, MAX_INCIDENT_BUTTONS);
  const lines = [
    `*Which incident is this run of ${esc(runbook.title, 150)} for?* Its steps go on that incident's timeline, and the run is posted in its channel.`,
    ...(more > 0 ? [`_${plural(more, 'more open incident')} not listed: run the command in that incident's channel._`] : []),
    `_No incident: the run is posted here, in this channel._`,
  ];
  return { text: `Which incident is this run of ${esc(runbook.title, 150)} for?`, blocks: [{ type: 'text', text: lines.join('\n') }, { type: 'actions', buttons }] };
}

/** "Runbooks that may help", with a Run button each (at most 3), and an optional note above (an unknown runbook named by an alert). */
export function suggestionsMessage(input: { incident: { id: string; label: string }; runbooks: readonly Runbook[]; note?: string | undefined }): Message | null {
  const shown = input.runbooks.slice(0, 3);
  if (!shown.length && !input.note) return null;
  const blocks: Block[] = [];
  if (input.note) blocks.push({ type: 'text', text: truncate(input.note, STEP_TEXT) });
  if (shown.length) {
    const lines = shown.map((r) => {
      const why = [...r.services, ...r.symptoms].slice(0, 6).join(', ');
      return `• *${esc(r.title, 150)}* (\`${esc(r.id, 63)}\`, ${r.severity}${r.rto ? `, RTO ${esc(r.rto, 10)}` : ''})${why ? `: ${esc(why, 200)}` : ''}`;
    });
    blocks.push({ type: 'text', text: `:books: *Runbooks that may help with ${esc(input.incident.label, 20)}*\n${lines.join('\n')}` });
    const buttons = shown.flatMap((r, n) => {
      const value = startValue({ r: r.id, i: input.incident.id });
      return value ? [{ action: `${RUNBOOK_ACTIONS.start}:${n}`, label: `Run ${toPlainLine(r.title)}`, value, ...(n === 0 ? { style: 'primary' as const } : {}) }] : [];
    });
    if (buttons.length) blocks.push({ type: 'actions', buttons });
  }
  const text = shown.length ? `Runbooks that may help with ${esc(input.incident.label, 20)}: ${shown.map((r) => esc(r.title, 80)).join(', ')}` : truncate(input.note ?? '', 300);
  return { text, blocks };
}
