/**
 * What a runbook run looks like in chat, drawn only from what is stored (the runbook, the run and
 * its step records), so any replica, after any restart, draws the same message (the replies that
 * show runbooks rather than a run are in catalogue-view.ts). Everything stays within Slack's limits (50 blocks, 3,000
 * characters per text) whatever the runbook: finished steps collapse to one line each and, when
 * that is still too much, the message shows a window of steps around the next one with buttons to
 * page through the others.
 *
 * Step summaries are mrkdwn written by Firebreak with every value already escaped (they may hold
 * mentions); everything else from the runbook, the params and the findings is escaped here.
 */
import { codeText, statusEmoji } from '../diagnostics/render.js';
import { sortFindings, type Finding, type Status } from '../diagnostics/finding.js';
import type { Block, Button, Message } from '../render/message.js';
import { dateToken, escapeMrkdwn, escapeTokens, plural, toPlainLine, truncate, userRef } from '../render/text.js';
import type { Runbook, Step, StepState } from './model.js';
import { fillStep } from './params.js';
import type { RunbookRun, RunbookStepRecord } from './run-record.js';

/** The action ids of the buttons drawn here; the part after the colon keeps them unique in a message. */
export const RUNBOOK_ACTIONS = {
  /** `runbook_step:<step id>` (Run check, Request approval, Mark done); value `<run id>:<step id>`. */
  step: 'runbook_step',
  /** `runbook_notify:<step id>` (Post: opens the update form); value `<run id>:<step id>`. */
  notify: 'runbook_notify',
  /** `runbook_page:earlier|later`; value `<run id>:<first step index shown>`. */
  page: 'runbook_page',
  /** `runbook_start:<n>` (a suggestion's Run, an incident picked for a run); value: a StartValue as JSON. */
  start: 'runbook_start',
} as const;

/** What a start button carries: the runbook, its params, the incident (none: `null`), and whether it answers a question (then the question is replaced). */
export interface StartValue {
  r: string;
  p?: Record<string, string>;
  i: string | null;
  q?: 1;
}

/** What a run's button value says: which run and which step. */
export const stepValue = (runId: string, stepId: string): string => `${runId}:${stepId}`;

/** Reads a step button's value; null when it is not one. */
export function readStepValue(value: string | undefined): { runId: string; stepId: string } | null {
  const m = /^([0-9a-f-]{36}):([a-z][a-z0-9_-]{0,62})$/.exec(value ?? '');
  return m ? { runId: m[1] as string, stepId: m[2] as string } : null;
}

/** Reads a page button's value; null when it is not one. */
export function readPageValue(value: string | undefined): { runId: string; start: number } | null {
  const m = /^([0-9a-f-]{36}):(\d{1,4})$/.exec(value ?? '');
  return m ? { runId: m[1] as string, start: Number(m[2]) } : null;
}

/** What the view reads of a stored run. */
export type RunView = Pick<RunbookRun, 'id' | 'runbookId' | 'params' | 'startedBy' | 'startedAt' | 'status' | 'steps'>;

/** A step's state as shown: the stored one, or derived (waiting on its condition, skipped because it did not hold). */
export type ShownState = StepState | 'waiting';

export interface StepProgress {
  step: Step;
  /** 0-based position in the runbook. */
  index: number;
  state: ShownState;
  record: RunbookStepRecord | null;
  /** Why it waits or was skipped (mrkdwn), when the condition decides it. */
  note: string | null;
}

/** States a step does not leave. */
export const FINAL_STEP_STATES: readonly ShownState[] = ['done', 'skipped', 'failed'];
const isFinal = (s: ShownState) => FINAL_STEP_STATES.includes(s);

const stepName = (step: Step, runbook?: Pick<Runbook, 'steps'>): string => {
  const title = toPlainLine(step.title);
  const n = runbook ? runbook.steps.indexOf(step) + 1 : 0;
  return `${n > 0 ? `${n}. ` : ''}${title || step.id}`;
};

/** How a step's condition stands: met, not met (it is skipped), or not decided yet (its check has not finished). */
export type Condition = { met: 'yes' } | { met: 'no'; why: string } | { met: 'waiting'; why: string };

export function conditionOf(runbook: Pick<Runbook, 'steps'>, step: Step, records: Readonly<Record<string, RunbookStepRecord>>): Condition {
  const when = step.when;
  if (!when) return { met: 'yes' };
  const ref = runbook.steps.find((s) => s.id === when.step);
  const refName = escapeMrkdwn(truncate(ref ? stepName(ref, runbook) : when.step, 120));
  const record = Object.hasOwn(records, when.step) ? records[when.step] : undefined;
  const wanted = when.status.join(' or ');
  if (record?.state === 'done') {
    const status = record.status ?? 'unknown';
    return when.status.includes(status) ? { met: 'yes' } : { met: 'no', why: `*${refName}* was ${status}; this step applies only when it is ${wanted}` };
  }
  if (record?.state === 'failed' || record?.state === 'skipped') return { met: 'no', why: `*${refName}* ${record.state === 'failed' ? 'could not run' : 'was skipped'}; this step applies only when it is ${wanted}` };
  return { met: 'waiting', why: `waits for *${refName}* (applies when it is ${wanted})` };
}

/** Every step with its state as shown at `now` (a running step whose claim ended shows as to do again). */
export function progressOf(runbook: Pick<Runbook, 'steps'>, run: Pick<RunView, 'steps'>, now: Date): StepProgress[] {
  // A step skipped here counts as skipped for the steps that depend on it, in the same pass.
  const effective: Record<string, RunbookStepRecord> = { ...run.steps };
  return runbook.steps.map((step, index) => {
    const record = Object.hasOwn(run.steps, step.id) ? (run.steps[step.id] as RunbookStepRecord) : null;
    let state: ShownState = record?.state ?? 'pending';
    if (state === 'running' && record?.claimedUntil && record.claimedUntil.getTime() <= now.getTime()) state = 'pending';
    let note: string | null = null;
    if (state === 'pending') {
      const condition = conditionOf(runbook, step, effective);
      if (condition.met === 'no') {
        state = 'skipped';
        note = condition.why;
        effective[step.id] = { stepId: step.id, state: 'skipped', status: null, summary: null, findings: [], requestId: null, actorId: null, updatedAt: null, claimedUntil: null };
      } else if (condition.met === 'waiting') {
        state = 'waiting';
        note = condition.why;
      }
    }
    return { step, index, state, record, note };
  });
}

/** The first step someone can do now, if any. */
export const nextStep = (progress: readonly StepProgress[]): StepProgress | undefined => progress.find((p) => p.state === 'pending');

/** Every step done, skipped or failed. */
export const isFinished = (progress: readonly StepProgress[]): boolean => progress.every((p) => isFinal(p.state));

// ---------------------------------------------------------------------------------------------
// Drawing

export const MAX_BLOCKS = 46; // of Slack's 50, leaving room
export const MAX_TOTAL_TEXT = 11_000; // Slack refuses messages whose blocks add up to ~13k characters
export const STEP_TEXT = 2_900;
const EXPLANATION = 280;
const FINDINGS_SHOWN = 3;

const ICON: Record<ShownState, string> = {
  pending: ':white_circle:',
  waiting: ':hourglass:',
  running: ':gear:',
  done: ':white_check_mark:',
  failed: ':x:',
  requested: ':hourglass_flowing_sand:',
  skipped: ':fast_forward:',
};
const WORD: Record<ShownState, string> = {
  pending: 'to do',
  waiting: 'waiting',
  running: 'running',
  done: 'done',
  failed: 'failed',
  requested: 'approval requested',
  skipped: 'skipped',
};

/** Inline code: inert (no mention, link or closing backtick can come out of it). */
export const code = (text: string, max: number) => `\`${escapeTokens(truncate(toPlainLine(text), max)).replace(/`/g, "'")}\``;
export const esc = (text: string, max: number) => escapeMrkdwn(truncate(toPlainLine(text), max));
const targetText = (target: string | undefined) => (target ? `*${esc(target, 63)}*` : 'the first configured target');

/** What the step does, with the run's params filled in. */
function detail(step: Step): string[] {
  switch (step.kind) {
    case 'check':
      return checkDetail(step.check);
    case 'action':
      return [`Asks for ${code(`${step.action} ${step.args.join(' ')}`.trim(), 200)} on ${targetText(step.target)}: it runs only once approved.`];
    case 'manual':
      return [esc(step.instruction, 600), ...(step.command ? [`\`\`\`${codeText(truncate(step.command.trim(), 500))}\`\`\``] : [])];
    case 'notify': {
      const fields = Object.entries(step.fields).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${esc(v, 150)}`);
      return [`Posts the stakeholder update${fields.length ? `, prefilled with ${fields.join('; ')}` : ''}.`];
    }
  }
}

function checkDetail(check: Extract<Step, { kind: 'check' }>['check']): string[] {
  switch (check.type) {
    case 'diag': {
      const s = check.spec;
      const scope = [s.namespace && `namespace ${code(s.namespace, 63)}`, s.deployment && `deployment ${code(s.deployment, 63)}`, s.since && `last ${code(s.since, 20)}`].filter(Boolean).join(', ');
      return [`Runs ${code(`/diag ${s.diag}`, 20)} on ${targetText(s.target)}${scope ? ` (${scope})` : ''}.`];
    }
    case 'sql':
      return [`${esc(check.spec.meaning, 200)}: SQL on ${targetText(check.spec.target)}, read-only; ${thresholds(check.spec)}.`, `\`\`\`${codeText(truncate(check.spec.sql.trim(), 300))}\`\`\``];
    case 'promql':
      return [`${esc(check.spec.meaning, 200)}: ${code(check.spec.promql, 300)} on ${targetText(check.spec.target)}; ${thresholds(check.spec)}.`];
    case 'http':
      return [`${esc(check.spec.meaning, 200)}: ${code(`${check.spec.http.method} ${check.spec.http.path}`, 200)} on ${targetText(check.spec.target)}.`];
  }
}

function thresholds(spec: { warn: number; critical: number; lowerIsWorse: boolean }): string {
  return `${spec.lowerIsWorse ? 'lower is worse' : 'higher is worse'}, warning at ${spec.warn}, critical at ${spec.critical}`;
}

function findingLine(f: Finding): string {
  const component = f.component ? ` · ${esc(f.component, 80)}` : '';
  return truncate(`${statusEmoji(f.status)} *${esc(f.check, 60)}*${component}: ${esc(f.value, 200)}`, 320);
}

const by = (record: RunbookStepRecord) => `${record.actorId ? ` · ${userRef(record.actorId)}` : ''}${record.updatedAt ? ` ${dateToken(record.updatedAt, '{time}')}` : ''}`;

/** The outcome line of a step that has one, and (full view) the top findings of a check. */
function resultLines(p: StepProgress, full: boolean): string[] {
  const r = p.record;
  if (p.state === 'skipped') return [`${ICON.skipped} Skipped: ${p.note ?? (r?.summary ? truncate(r.summary, 400) : 'its condition did not hold')}`];
  if (p.state === 'waiting') return [`${ICON.waiting} ${p.note ?? 'waiting'}`];
  if (!r || p.state === 'pending') return [];
  const summary = r.summary ? truncate(r.summary, 500) : WORD[p.state];
  const lead = p.state === 'done' && r.status ? `${statusEmoji(r.status)} *${r.status.toUpperCase()}*: ` : `${ICON[p.state]} `;
  const lines = [`${lead}${p.state === 'running' ? `Running${r.summary ? `: ${summary}` : ''}` : summary}${by(r)}`];
  if (full && r.findings.length) {
    const sorted = sortFindings(r.findings.filter((f) => f.status !== 'ok'));
    const shown = (sorted.length ? sorted : sortFindings(r.findings)).slice(0, FINDINGS_SHOWN);
    lines.push(...shown.map(findingLine));
    const more = r.findings.length - shown.length;
    if (more > 0) lines.push(`_+${plural(more, 'more finding')}_`);
  }
  return lines;
}

function stepButton(runId: string, p: StepProgress, primary: boolean): Button | null {
  if (p.state !== 'pending') return null;
  const value = stepValue(runId, p.step.id);
  const style = primary ? { style: 'primary' as const } : {};
  switch (p.step.kind) {
    case 'check':
      return { action: `${RUNBOOK_ACTIONS.step}:${p.step.id}`, label: 'Run check', value, ...style };
    case 'action':
      return { action: `${RUNBOOK_ACTIONS.step}:${p.step.id}`, label: 'Request approval', value, ...style };
    case 'manual':
      return { action: `${RUNBOOK_ACTIONS.step}:${p.step.id}`, label: 'Mark done', value, ...style };
    case 'notify':
      return { action: `${RUNBOOK_ACTIONS.notify}:${p.step.id}`, label: 'Post', value, ...style };
  }
}

/** A step drawn in full: heading, explanation, what it does, its condition, its outcome and its button. */
function fullStep(runbook: Runbook, runId: string, p: StepProgress, values: Record<string, string>, isNext: boolean): Block[] {
  const filled = fillStep(p.step, values);
  const name = esc(stepName(p.step, runbook), 150);
  const head = isNext ? `:arrow_forward: *Next: ${name}* · _${p.step.kind}_` : `${ICON[p.state]} *${name}* · _${p.step.kind}_ · ${WORD[p.state]}`;
  const lines = [head];
  const explanation = toPlainLine(p.step.explanation);
  if (explanation) lines.push(esc(explanation, EXPLANATION));
  if (!isFinal(p.state)) lines.push(...detail(filled));
  if (p.step.when && p.state === 'pending') lines.push(`_Applies: ${p.step.when.step} was ${p.step.when.status.join(' or ')}_`);
  lines.push(...resultLines(p, true));
  const blocks: Block[] = [{ type: 'text', text: truncate(lines.join('\n'), STEP_TEXT) }];
  const button = stepButton(runId, p, isNext);
  if (button) blocks.push({ type: 'actions', buttons: [button] });
  return blocks;
}

/** A finished step on one line. */
function collapsedStep(runbook: Runbook, p: StepProgress): Block[] {
  const outcome = resultLines(p, false)[0] ?? WORD[p.state];
  // The state's icon leads the line once; a check's status icon stays.
  const line = outcome.startsWith(ICON[p.state]) ? outcome.slice(ICON[p.state].length).trimStart() : outcome;
  return [{ type: 'context', items: [truncate(`${ICON[p.state]} *${esc(stepName(p.step, runbook), 120)}* · ${line}`, 600)] }];
}

export const size = (blocks: readonly Block[]) =>
  blocks.reduce((n, b) => n + (b.type === 'text' || b.type === 'header' ? b.text.length : b.type === 'context' ? b.items.join('').length : b.type === 'actions' ? 100 * b.buttons.length : 50), 0);

export interface RunMessageInput {
  runbook: Runbook;
  run: RunView;
  /** The incident the run is attached to ("INC-12" and its title), or null. */
  incident: { label: string; title: string } | null;
  now: Date;
  /** The first step to show when the steps do not all fit (a page button's value); default: around the next step. */
  start?: number | undefined;
}

/** The run's message: header, progress, the steps (as many as fit), escalation, paging. */
export function runMessage(input: RunMessageInput): Message {
  const { runbook, run, now } = input;
  const progress = progressOf(runbook, run, now);
  const next = nextStep(progress);
  const finished = isFinished(progress);

  const facts = [
    `*${runbook.severity}*`,
    ...(runbook.rto ? [`RTO ${esc(runbook.rto, 10)}`] : []),
    ...(runbook.rpo ? [`RPO ${esc(runbook.rpo, 10)}`] : []),
    input.incident ? `*${esc(input.incident.label, 20)}* ${esc(input.incident.title, 120)}` : 'no incident',
    `started by ${userRef(run.startedBy)} ${dateToken(run.startedAt)}`,
  ];
  const params = Object.entries(run.params).map(([k, v]) => `${esc(k, 63)}=${v === '' ? '_default_' : code(v, 80)}`);
  const head: Block[] = [
    { type: 'header', text: truncate(`Runbook: ${toPlainLine(runbook.title)}`, 150) },
    { type: 'context', items: [facts.join(' · '), ...(params.length ? [truncate(`Params: ${params.join(' ')}`, 1500)] : [])] },
    { type: 'text', text: statusLine(runbook, progress, next, finished, run.status) },
  ];
  const tail: Block[] = runbook.escalation ? [{ type: 'context', items: [`:telephone_receiver: *Escalation:* ${esc(runbook.escalation, 1000)}`] }] : [];

  const full = progress.map((p) => fullStep(runbook, run.id, p, run.params, p === next));
  const collapsed = progress.map((p, i) => (isFinal(p.state) ? collapsedStep(runbook, p) : (full[i] as Block[])));
  const fits = (parts: Block[][], extra: Block[]) => {
    const blocks = [...head, ...parts.flat(), ...tail, ...extra];
    return blocks.length <= MAX_BLOCKS && size(blocks) <= MAX_TOTAL_TEXT;
  };

  let steps: Block[];
  let paging: Block[] = [];
  if (fits(full, [])) steps = full.flat();
  else if (fits(collapsed, [])) steps = collapsed.flat();
  else {
    const window = stepWindow(collapsed, input.start ?? Math.max(0, (next?.index ?? progress.findIndex((p) => !isFinal(p.state))) - 2), head.length + tail.length + 2, size([...head, ...tail]) + 300);
    steps = collapsed.slice(window.from, window.to).flat();
    const earlier = window.from;
    const later = collapsed.length - window.to;
    const buttons: Button[] = [];
    const pageSize = Math.max(1, window.to - window.from);
    if (earlier > 0) buttons.push({ action: `${RUNBOOK_ACTIONS.page}:earlier`, label: `Earlier steps (${earlier})`, value: `${run.id}:${Math.max(0, window.from - pageSize)}` });
    if (later > 0) buttons.push({ action: `${RUNBOOK_ACTIONS.page}:later`, label: `Later steps (${later})`, value: `${run.id}:${window.to}` });
    paging = [{ type: 'context', items: [`Steps ${window.from + 1}–${window.to} of ${collapsed.length} shown.`] }, ...(buttons.length ? [{ type: 'actions' as const, buttons }] : [])];
  }
  return { text: notification(runbook, progress, next, finished, input.incident), blocks: [...head, ...steps, ...tail, ...paging] };
}

/**
 * The steps [from, to) that fit: starting at `start` (clamped), as many as fit going forward, then
 * earlier ones while there is room. `usedBlocks`/`usedText` are what the rest of the message takes.
 */
export function stepWindow(parts: readonly Block[][], start: number, usedBlocks: number, usedText: number): { from: number; to: number } {
  const first = Math.min(Math.max(0, Math.floor(start)), Math.max(0, parts.length - 1));
  let blocks = usedBlocks;
  let text = usedText;
  const take = (i: number) => {
    const part = parts[i] as Block[];
    if (blocks + part.length > MAX_BLOCKS || text + size(part) > MAX_TOTAL_TEXT) return false;
    blocks += part.length;
    text += size(part);
    return true;
  };
  let to = first;
  while (to < parts.length && take(to)) to += 1;
  // A single step always shows, even alone (its text is bounded).
  if (to === first && parts.length) to = first + 1;
  let from = first;
  while (from > 0 && take(from - 1)) from -= 1;
  return { from, to };
}

function statusLine(runbook: Runbook, progress: StepProgress[], next: StepProgress | undefined, finished: boolean, status: RunView['status']): string {
  const count = (s: ShownState) => progress.filter((p) => p.state === s).length;
  const tally = [`${count('done')} done`, count('skipped') && `${count('skipped')} skipped`, count('failed') && `${count('failed')} failed`].filter(Boolean).join(', ');
  if (status === 'abandoned') return `:no_entry_sign: *Abandoned* · ${tally} of ${progress.length} steps`;
  if (finished) return `:checkered_flag: *Finished* · ${tally} of ${progress.length} steps`;
  if (next) return `:arrow_forward: Next: step ${next.index + 1} of ${progress.length}, *${esc(stepName(next.step), 150)}* · ${tally}`;
  const busy = progress.find((p) => p.state === 'running' || p.state === 'requested' || p.state === 'waiting');
  return busy
    ? `${ICON[busy.state]} Step ${busy.index + 1} of ${progress.length} is ${WORD[busy.state]}: *${esc(stepName(busy.step), 150)}* · ${tally}`
    : `${tally} of ${progress.length} steps`;
}

function notification(runbook: Runbook, progress: StepProgress[], next: StepProgress | undefined, finished: boolean, incident: RunMessageInput['incident']): string {
  const where = incident ? ` (${esc(incident.label, 20)})` : '';
  const title = esc(runbook.title, 150);
  if (finished) return `Runbook ${title}${where}: finished`;
  return `Runbook ${title}${where}: ${next ? `next, step ${next.index + 1} of ${progress.length}` : 'in progress'}`;
}

// ---------------------------------------------------------------------------------------------
// /runbook list, /runbook show
