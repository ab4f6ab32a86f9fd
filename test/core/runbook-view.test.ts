/**
 * The runbook run's message and the /runbook replies, drawn from stored state: each step's state,
 * the next step, results under their step, and Slack's limits whatever the runbook (60 steps,
 * huge findings), checked on the neutral message and again on its Block Kit by the stand-in's
 * rules. Hostile titles, explanations, params and findings stay inert.
 */
import { describe, expect, it } from 'vitest';
import { toBlockKit } from '../../src/adapters/slack/block-kit.js';
import type { Block, Button, Message } from '../../src/core/render/message.js';
import { conditionOf, isFinished, nextStep, progressOf, readPageValue, readStepValue, runMessage, stepValue, RUNBOOK_ACTIONS, type StartValue } from '../../src/core/runbook/run-view.js';
import { incidentChoiceMessage, listMessage, showMessage, suggestionsMessage } from '../../src/core/runbook/catalogue-view.js';
import { messageProblems } from '../../src/adapters/local-slack/block-kit-rules.js';
import {
  actionStep, diagCheck, hugeFindings, longRunbook, manualStep, notifyStep, record, RUN_ID, runbook, runOf, slowDatabase, STARTED_AT,
} from '../fixtures/runbook-runs/build.js';

const NOW = new Date(STARTED_AT.getTime() + 60_000);
const INCIDENT = { label: 'INC-7', title: 'Checkout is slow' };

const texts = (m: Message): string[] =>
  m.blocks.flatMap((b) => (b.type === 'text' || b.type === 'header' ? [b.text] : b.type === 'context' ? b.items : b.type === 'fields' ? b.fields.map((f) => f.value) : []));
const all = (m: Message) => [m.text, ...texts(m), ...buttons(m).map((b) => b.label)].join('\n');
const buttons = (m: Message): Button[] => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
const button = (m: Message, label: RegExp) => buttons(m).find((b) => label.test(b.label));

/** Within Slack's limits by itself (no block dropped or text cut by the adapter), and accepted by the stand-in's rules. */
function expectWithinLimits(m: Message): void {
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  for (const b of m.blocks) {
    if (b.type === 'header') expect(b.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'text') expect(b.text.length).toBeLessThanOrEqual(3000);
    if (b.type === 'context') {
      expect(b.items.length).toBeLessThanOrEqual(10);
      for (const item of b.items) expect(item.length).toBeLessThanOrEqual(3000);
    }
    if (b.type === 'actions') {
      expect(b.buttons.length).toBeLessThanOrEqual(25);
      for (const x of b.buttons) expect(x.value.length).toBeLessThanOrEqual(2000);
    }
  }
  const total = m.blocks.reduce((n, b: Block) => n + (b.type === 'text' || b.type === 'header' ? b.text.length : b.type === 'context' ? b.items.join('').length : 0), 0);
  expect(total).toBeLessThanOrEqual(12_000);
  const kit = toBlockKit(m);
  expect(JSON.stringify(kit.blocks)).not.toContain('more blocks not shown');
  expect(messageProblems(kit.blocks, kit.text)).toBeNull();
  // Slack wants the action ids of one message's buttons unique.
  const ids = buttons(m).map((b) => b.action);
  expect(new Set(ids).size).toBe(ids.length);
}

describe('the run message', () => {
  it('shows the header facts, every step with its kind, and the first step as next with its button', () => {
    const rb = slowDatabase();
    const m = runMessage({ runbook: rb, run: runOf(rb), incident: INCIDENT, now: NOW });
    expectWithinLimits(m);
    expect(m.blocks[0]).toEqual({ type: 'header', text: 'Runbook: Slow database' });
    const shown = all(m);
    expect(shown).toContain('*P2*');
    expect(shown).toContain('RTO 15m');
    expect(shown).toContain('RPO 0m');
    expect(shown).toContain('*INC-7* Checkout is slow');
    expect(shown).toContain('started by <@U0ALICE>');
    expect(shown).toContain(':arrow_forward: *Next: 1. Look at what is running*');
    expect(shown).toContain('Page the backend on-call (L2).');
    // The params are filled into what the step does.
    expect(shown).toContain('on *main*');
    const run = button(m, /^Run check$/);
    expect(run).toMatchObject({ action: `${RUNBOOK_ACTIONS.step}:activity`, value: `${RUN_ID}:activity`, style: 'primary' });
    // The action waits for its check; the manual and notify steps can be done already.
    expect(button(m, /^Request approval$/)).toBeUndefined();
    expect(shown).toMatch(/:hourglass: waits for \*1\. Look at what is running\* \(applies when it is critical or warning\)/);
    expect(button(m, /^Mark done$/)?.action).toBe(`${RUNBOOK_ACTIONS.step}:disk`);
    expect(button(m, /^Post$/)?.action).toBe(`${RUNBOOK_ACTIONS.notify}:tell`);
    expect(button(m, /^Mark done$/)?.style).toBeUndefined();
    expect(m.text).toBe('Runbook Slow database (INC-7): next, step 1 of 4');
  });

  it('shows each state: running, done with findings, requested, failed, skipped, and a stale claim as to do again', () => {
    const rb = runbook({
      steps: [
        diagCheck('a', { title: 'Check A' }),
        actionStep('b', { title: 'Act on A', when: { step: 'a', status: ['critical'] } }),
        diagCheck('c', { title: 'Check C' }),
        actionStep('d', { title: 'Act on C', when: { step: 'c', status: ['critical'] } }),
        manualStep('e', { title: 'Manual E' }),
        manualStep('f', { title: 'Manual F' }),
        manualStep('g', { title: 'Manual G' }),
      ],
    });
    const run = runOf(rb, [
      record('a', 'done', { status: 'critical', summary: '2 findings', actorId: 'U0BOB', findings: [
        { check: 'blocked sessions', component: 'pid 42', status: 'critical', value: '3 blocked' },
        { check: 'connections', component: 'main', status: 'ok', value: '10 of 100' },
      ] }),
      record('b', 'requested', { requestId: '0f0e0d0c-0b0a-4909-8807-060504030201', summary: 'Approval requested by <@U0BOB>' }),
      record('c', 'done', { status: 'ok', summary: 'all ok' }),
      record('e', 'running', { claimedUntil: new Date(NOW.getTime() + 60_000), actorId: 'U0CAROL' }),
      record('f', 'running', { claimedUntil: new Date(NOW.getTime() - 1) }),
      record('g', 'failed', { summary: 'Could not run: no such target' }),
    ]);
    const progress = progressOf(rb, run, NOW);
    expect(progress.map((p) => p.state)).toEqual(['done', 'requested', 'done', 'skipped', 'running', 'pending', 'failed']);
    expect(nextStep(progress)?.step.id).toBe('f');
    expect(isFinished(progress)).toBe(false);

    const m = runMessage({ runbook: rb, run, incident: null, now: NOW });
    expectWithinLimits(m);
    const shown = all(m);
    expect(shown).toContain(':red_circle: *CRITICAL*: 2 findings · <@U0BOB>');
    expect(shown).toContain(':red_circle: *blocked sessions* · pid 42: 3 blocked');
    expect(shown).toContain(':hourglass_flowing_sand: Approval requested by <@U0BOB>');
    expect(shown).toMatch(/:fast_forward: Skipped: \*3\. Check C\* was ok; this step applies only when it is critical/);
    expect(shown).toContain(':gear: Running · <@U0CAROL>');
    expect(shown).toContain(':x: Could not run: no such target');
    expect(shown).toContain('no incident');
    // Only the stale claim (F) is clickable, and it is the next step.
    expect(buttons(m).map((b) => b.action)).toEqual([`${RUNBOOK_ACTIONS.step}:f`]);
    expect(shown).toContain('*Next: 6. Manual F*');
  });

  it('is finished when every step is done, skipped or failed', () => {
    const rb = slowDatabase();
    const run = runOf(rb, [record('activity', 'done', { status: 'ok' }), record('disk', 'done'), record('tell', 'failed')]);
    const progress = progressOf(rb, run, NOW);
    expect(progress.map((p) => p.state)).toEqual(['done', 'skipped', 'done', 'failed']);
    expect(isFinished(progress)).toBe(true);
    const m = runMessage({ runbook: rb, run, incident: INCIDENT, now: NOW });
    expect(all(m)).toContain(':checkered_flag: *Finished* · 2 done, 1 skipped, 1 failed of 4 steps');
    expect(buttons(m)).toEqual([]);
    expect(m.text).toBe('Runbook Slow database (INC-7): finished');
  });

  it('skips a chain: a condition on a skipped check is not met either', () => {
    const rb = runbook({
      steps: [
        diagCheck('a'),
        diagCheck('b', { when: { step: 'a', status: ['critical'] } }),
        actionStep('c', { when: { step: 'b', status: ['critical'] } }),
      ],
    });
    const progress = progressOf(rb, runOf(rb, [record('a', 'done', { status: 'ok' })]), NOW);
    expect(progress.map((p) => p.state)).toEqual(['done', 'skipped', 'skipped']);
    expect(conditionOf(rb, rb.steps[2]!, {})).toMatchObject({ met: 'waiting' });
    expect(conditionOf(rb, rb.steps[1]!, { a: record('a', 'done', { status: 'critical' }) })).toEqual({ met: 'yes' });
    expect(conditionOf(rb, rb.steps[1]!, { a: record('a', 'failed') })).toMatchObject({ met: 'no' });
  });

  it('a step id that names an Object property is an ordinary id', () => {
    const rb = runbook({ steps: [diagCheck('constructor'), actionStep('tostring', { when: { step: 'constructor', status: ['critical'] } })] });
    expect(progressOf(rb, runOf(rb), NOW).map((p) => p.state)).toEqual(['pending', 'waiting']);
  });

  it('a 60-step runbook fits: a window around the next step, with the steps before and after counted and paged', () => {
    const rb = longRunbook(60);
    const fresh = runMessage({ runbook: rb, run: runOf(rb), incident: INCIDENT, now: NOW });
    expectWithinLimits(fresh);
    expect(all(fresh)).toContain('*Next: 1. Check number 1*');
    expect(button(fresh, /^Earlier steps/)).toBeUndefined();
    const later = button(fresh, /^Later steps \(\d+\)$/);
    expect(later).toBeDefined();
    const page = readPageValue(later!.value);
    expect(page?.runId).toBe(RUN_ID);
    expect(page!.start).toBeGreaterThan(1);

    // 40 steps done, each check with findings far beyond a message: they collapse to one line each.
    const records = rb.steps.slice(0, 40).map((s) => record(s.id, 'done', s.kind === 'check' ? { status: 'critical', summary: 'x'.repeat(900), findings: hugeFindings(20) } : { summary: 'Marked done' }));
    const midway = runMessage({ runbook: rb, run: runOf(rb, records), incident: INCIDENT, now: NOW });
    expectWithinLimits(midway);
    const shown = all(midway);
    expect(shown).toContain('*Next: 41. Check number 41*');
    expect(shown).toContain('Next: step 41 of 60');
    expect(button(midway, /^Run check$/)?.value).toBe(`${RUN_ID}:s41`);
    expect(button(midway, /^Earlier steps \(\d+\)$/)).toBeDefined();
    expect(shown).toMatch(/Steps \d+–\d+ of 60 shown\./);
    // The two steps before the next one are there, collapsed.
    expect(midway.blocks.some((b) => b.type === 'context' && b.items.some((i) => i.includes('*39. Action number 39*')))).toBe(true);

    // A page asked for: it starts there.
    const paged = runMessage({ runbook: rb, run: runOf(rb, records), incident: INCIDENT, now: NOW, start: 55 });
    expectWithinLimits(paged);
    expect(all(paged)).toContain('*56. Notify number 56*');
    expect(button(paged, /^Later steps/)).toBeUndefined();
  });

  it('every step done with huge findings: still within the limits, and finished', () => {
    const rb = longRunbook(60);
    const records = rb.steps.map((s) => record(s.id, 'done', { status: 'critical', summary: 's'.repeat(1000), findings: hugeFindings(20) }));
    const m = runMessage({ runbook: rb, run: runOf(rb, records), incident: INCIDENT, now: NOW });
    expectWithinLimits(m);
    expect(all(m)).toContain('*Finished*');
  });

  it('a check with huge findings shows its worst few, bounded, and counts the rest', () => {
    const rb = runbook({ steps: [diagCheck('a', { title: 'Check A' }), manualStep('b')] });
    const findings = [...hugeFindings(15, 'warning'), ...hugeFindings(5, 'critical')];
    const m = runMessage({ runbook: rb, run: runOf(rb, [record('a', 'done', { status: 'critical', summary: '20 findings', findings })]), incident: null, now: NOW });
    expectWithinLimits(m);
    const step = texts(m).find((t) => t.includes('Check A'))!;
    expect(step.match(/:red_circle: \*check \d/g)?.length).toBe(3);
    expect(step).toContain('+17 more findings');
    expect(step).not.toContain('evidence');
  });

  it('leaves hostile titles, explanations, params and findings inert', () => {
    const evil = '<!channel> *bold* <@U0EVIL> <https://evil.example|click> `code` &amp;';
    const rb = runbook({
      title: `${evil} title`,
      escalation: evil,
      steps: [
        diagCheck('a', { title: evil, explanation: evil, target: '{{db}}' }),
        manualStep('b', { title: evil, explanation: evil, instruction: evil, command: '```\n<!here>\n```' }),
        notifyStep('c', { fields: { progress: evil } }),
      ],
    });
    const run = runOf(rb, [record('a', 'done', { status: 'critical', summary: 'ok', findings: [{ check: evil, component: evil, status: 'critical', value: evil }] })], { params: { db: '<!everyone>' } });
    const m = runMessage({ runbook: rb, run, incident: { label: 'INC-1', title: evil }, now: NOW });
    expectWithinLimits(m);
    // The header is plain text (Slack shows it as typed, no mention can happen there); everything else is mrkdwn.
    expect(toBlockKit(m).blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const shown = all({ ...m, blocks: m.blocks.slice(1) });
    expect(shown).not.toMatch(/<!(channel|here|everyone)/);
    expect(shown).not.toContain('<@U0EVIL>');
    expect(shown).not.toContain('<https://evil');
    expect(shown).not.toMatch(/(^|[^\u200B])\*bold/);
    // A code block stays closed around the command.
    const manual = texts(m).find((t) => t.includes('```'))!;
    expect(manual.split('```').length % 2).toBe(1);
    // The people and times Firebreak writes are still mentions and date tokens.
    expect(shown).toContain('<@U0ALICE>');
    expect(shown).toMatch(/<!date\^\d+\^/);
  });

  it('a runbook no longer having a recorded step, or records of unknown steps, draws what it has', () => {
    const rb = slowDatabase();
    const m = runMessage({ runbook: rb, run: runOf(rb, [record('gone', 'done')]), incident: null, now: NOW });
    expectWithinLimits(m);
    expect(all(m)).toContain('*Next: 1. Look at what is running*');
  });
});

describe('button values', () => {
  it('round-trips a step and a page, and refuses anything else', () => {
    expect(readStepValue(stepValue(RUN_ID, 'activity'))).toEqual({ runId: RUN_ID, stepId: 'activity' });
    expect(readStepValue(`${RUN_ID}:Bad Step`)).toBeNull();
    expect(readStepValue('<!channel>')).toBeNull();
    expect(readStepValue(undefined)).toBeNull();
    expect(readPageValue(`${RUN_ID}:12`)).toEqual({ runId: RUN_ID, start: 12 });
    expect(readPageValue(`${RUN_ID}:-1`)).toBeNull();
  });
});

describe('/runbook list and show', () => {
  const many = Array.from({ length: 400 }, (_, i) => runbook({ id: `rb-${i}`, title: `Runbook number ${i} ${'t'.repeat(100)}`, services: [`svc${i}`, 'shared'], symptoms: [i === 7 ? 'disk full' : 'slow'], steps: [] }));

  it('lists id, title, severity and services, filtered on id, title, services and symptoms', () => {
    const rbs = [slowDatabase(), runbook({ id: 'redis-down', title: 'Redis is down', severity: 'P1', services: ['redis'], symptoms: ['cache misses'], steps: [] })];
    const allOf = listMessage(rbs);
    expect(all(allOf)).toContain('`db-slow` *Slow database* · P2 · postgres');
    expect(all(allOf)).toContain('`redis-down` *Redis is down* · P1 · redis');
    expect(all(listMessage(rbs, 'CACHE'))).not.toContain('db-slow');
    expect(all(listMessage(rbs, 'cache'))).toContain('redis-down');
    expect(all(listMessage(rbs, 'postgres'))).toContain('db-slow');
    expect(all(listMessage(rbs, 'nothing-like-it'))).toContain('No runbook matching "nothing-like-it"');
    expect(all(listMessage([]))).toContain('No runbook is loaded');
  });

  it('stays within the limits with hundreds of runbooks, and counts those not shown', () => {
    const m = listMessage(many);
    expectWithinLimits(m);
    expect(all(m)).toMatch(/\+\d+ more runbooks not shown/);
    expect(all(listMessage(many, 'disk full'))).toContain('rb-7');
  });

  it('shows the steps with kind and explanation, the params with defaults, RTO/RPO and escalation', () => {
    const m = showMessage(slowDatabase());
    expectWithinLimits(m);
    const shown = all(m);
    expect(shown).toContain('RTO 15m');
    expect(shown).toContain('RPO 0m');
    expect(shown).toContain('Page the backend on-call (L2).');
    expect(shown).toContain('`db` (target postgres, default: the first configured target): The database');
    expect(shown).toContain('`minutes` (integer, default `5`): Older than this');
    expect(shown).toContain('1. *Look at what is running* · _check_: Why activity matters.');
    expect(shown).toContain('2. *Terminate the long queries* · _action_ _(if activity is critical or warning)_');
    expect(shown).toContain('/runbook run db-slow db=… minutes=…');
  });

  it('shows a 60-step runbook within the limits, the steps that do not fit counted', () => {
    const m = showMessage(longRunbook(60));
    expectWithinLimits(m);
    expect(all(m)).toContain('*60 steps*');
    expect(all(m)).toMatch(/1\. \*Check number 1\*/);
  });
});

describe('starting', () => {
  const rb = slowDatabase();
  const incidents = Array.from({ length: 14 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, label: `INC-${i + 1}`, title: `Incident ${i + 1}` }));

  it('asks which incident: one button per open incident (at most 10) and No incident, each carrying the run', () => {
    const m = incidentChoiceMessage({ runbook: rb, params: { minutes: '10' }, incidents })!;
    expectWithinLimits(m);
    const b = buttons(m);
    expect(b).toHaveLength(11);
    expect(b[0]).toMatchObject({ label: 'INC-1 Incident 1', style: 'primary' });
    expect(JSON.parse(b[0]!.value) as StartValue).toEqual({ r: 'db-slow', p: { minutes: '10' }, i: incidents[0]!.id, q: 1 });
    expect(b.at(-1)).toMatchObject({ label: 'No incident' });
    expect(JSON.parse(b.at(-1)!.value) as StartValue).toEqual({ r: 'db-slow', p: { minutes: '10' }, i: null, q: 1 });
    expect(all(m)).toContain('4 more open incidents not listed');
  });

  it('refuses to build buttons whose value Slack would refuse', () => {
    expect(incidentChoiceMessage({ runbook: rb, params: { note: 'n'.repeat(2100) }, incidents })).toBeNull();
  });

  it('suggests at most three runbooks with a Run button each, and a note above when given', () => {
    const rbs = ['a', 'b', 'c', 'd'].map((id) => runbook({ id: `rb-${id}`, title: `Runbook ${id}`, steps: [] }));
    const incident = { id: incidents[0]!.id, label: 'INC-1' };
    const m = suggestionsMessage({ incident, runbooks: rbs, note: ':grey_question: unknown runbook' })!;
    expectWithinLimits(m);
    expect(all(m)).toContain(':grey_question: unknown runbook');
    expect(all(m)).toContain('Runbooks that may help with INC-1');
    expect(buttons(m).map((b) => b.label)).toEqual(['Run Runbook a', 'Run Runbook b', 'Run Runbook c']);
    expect(JSON.parse(buttons(m)[1]!.value) as StartValue).toEqual({ r: 'rb-b', i: incident.id });
    expect(suggestionsMessage({ incident, runbooks: [] })).toBeNull();
    expect(buttons(suggestionsMessage({ incident, runbooks: [], note: 'only a note' })!)).toEqual([]);
  });
});
