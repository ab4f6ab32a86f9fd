/**
 * The runbook run's message part by part: the button values at their bounds, each step's
 * condition and shown state, what each kind of step says, each outcome line, the status line and
 * the notification in each state, and where the message collapses finished steps and pages the
 * others, at the exact limits. Messages are compared whole.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, Status } from '../../../src/core/diagnostics/finding.js';
import type { Block, Message } from '../../../src/core/render/message.js';
import type { Step } from '../../../src/core/runbook/model.js';
import {
  code, conditionOf, esc, FINAL_STEP_STATES, isFinished, MAX_BLOCKS, MAX_TOTAL_TEXT, nextStep, progressOf, readPageValue, readStepValue, runMessage, RUNBOOK_ACTIONS, size, stepValue, stepWindow,
  type StepProgress,
} from '../../../src/core/runbook/run-view.js';
import type { RunbookStepRecord } from '../../../src/core/runbook/run-record.js';
import { actionStep, diagCheck, manualStep, notifyStep, record, RUN_ID, runbook, runOf, sqlCheck, STARTED_AT } from '../../fixtures/runbook-runs/build.js';

const ZWSP = '\u200B';
const NOW = new Date(STARTED_AT.getTime() + 60_000);
const STARTED = `started by <@U0ALICE> <!date^1741096800^{date_short_pretty} {time}|2025-03-04 14:00 UTC>`;
const AT = ' <!date^1741096800^{time}|2025-03-04 14:00 UTC>';
const FACTS = `*P2* · RTO 15m · RPO 0m · no incident · ${STARTED}`;
const PARAMS = 'Params: db=`main` minutes=`5`';
const ESCALATION: Block = { type: 'context', items: [':telephone_receiver: *Escalation:* Page the backend on-call (L2).'] };
const stepButton = (id: string, label: string, primary = false, action = 'runbook_step'): Block => ({
  type: 'actions',
  buttons: [{ action: `${action}:${id}`, label, value: `${RUN_ID}:${id}`, ...(primary ? { style: 'primary' as const } : {}) }],
});
/** The head of a run's message for the default runbook and run, with the status line given. */
const head = (status: string, title = 'Slow database'): Block[] => [
  { type: 'header', text: `Runbook: ${title}` },
  { type: 'context', items: [FACTS, PARAMS] },
  { type: 'text', text: status },
];
const draw = (steps: Step[], records: RunbookStepRecord[] = [], over: Partial<Parameters<typeof runMessage>[0]> = {}): Message => {
  const rb = runbook({ steps });
  return runMessage({ runbook: rb, run: runOf(rb, records), incident: null, now: NOW, ...over });
};
/** The blocks of the steps alone (between the head and the escalation). */
const stepBlocks = (m: Message): Block[] => m.blocks.slice(3, -1);

describe('button values', () => {
  const id63 = `a${'b'.repeat(62)}`;

  it('the action ids stay as they are: messages already posted carry them', () => {
    expect(RUNBOOK_ACTIONS).toEqual({ step: 'runbook_step', notify: 'runbook_notify', page: 'runbook_page', start: 'runbook_start' });
  });

  it('reads a step value: a 36-character run id of lower-case hex and dashes, and a step id of 1 to 63 characters', () => {
    expect(stepValue(RUN_ID, 'x')).toBe(`${RUN_ID}:x`);
    expect(readStepValue(`${RUN_ID}:x`)).toEqual({ runId: RUN_ID, stepId: 'x' });
    expect(readStepValue(`${RUN_ID}:${id63}`)).toEqual({ runId: RUN_ID, stepId: id63 });
    expect(readStepValue(`${RUN_ID}:a0_-z9`)).toEqual({ runId: RUN_ID, stepId: 'a0_-z9' });
    expect(readStepValue(`${RUN_ID}:${id63}b`)).toBeNull();
    expect(readStepValue(`${RUN_ID}:`)).toBeNull();
    expect(readStepValue(`${RUN_ID}:0a`)).toBeNull();
    expect(readStepValue(`${RUN_ID}:_a`)).toBeNull();
    expect(readStepValue(`${RUN_ID}:a.b`)).toBeNull();
    expect(readStepValue(`${RUN_ID.slice(1)}:a`)).toBeNull();
    expect(readStepValue(`0${RUN_ID}:a`)).toBeNull();
    expect(readStepValue(`${RUN_ID.toUpperCase()}:a`)).toBeNull();
    expect(readStepValue(`${RUN_ID.replace(/-/g, 'g')}:a`)).toBeNull();
    expect(readStepValue(`x${RUN_ID}:a`)).toBeNull();
    expect(readStepValue(`${RUN_ID}:a!`)).toBeNull();
    expect(readStepValue(`${RUN_ID}:a\n`)).toBeNull();
    expect(readStepValue(`${RUN_ID}-a`)).toBeNull();
    expect(readStepValue('')).toBeNull();
  });

  it('reads a page value: the run id and a first step of 1 to 4 digits', () => {
    expect(readPageValue(`${RUN_ID}:0`)).toEqual({ runId: RUN_ID, start: 0 });
    expect(readPageValue(`${RUN_ID}:9999`)).toEqual({ runId: RUN_ID, start: 9999 });
    expect(readPageValue(`${RUN_ID}:0042`)).toEqual({ runId: RUN_ID, start: 42 });
    expect(readPageValue(`${RUN_ID}:10000`)).toBeNull();
    expect(readPageValue(`${RUN_ID}:`)).toBeNull();
    expect(readPageValue(`${RUN_ID}:1a`)).toBeNull();
    expect(readPageValue(`${RUN_ID}:a1`)).toBeNull();
    expect(readPageValue(`${RUN_ID}:1.5`)).toBeNull();
    expect(readPageValue(`${RUN_ID.slice(1)}:1`)).toBeNull();
    expect(readPageValue(`0${RUN_ID}:1`)).toBeNull();
    expect(readPageValue(`${RUN_ID.toUpperCase()}:1`)).toBeNull();
    expect(readPageValue(`x${RUN_ID}:1`)).toBeNull();
    expect(readPageValue(`${RUN_ID}:1 `)).toBeNull();
    expect(readPageValue(`${RUN_ID}-1`)).toBeNull();
    expect(readPageValue(undefined)).toBeNull();
  });
});

describe('inline text', () => {
  it('code: one line, cut, tokens made entities, backticks made quotes', () => {
    expect(code('a  `b`\n<!here> & *c*', 200)).toBe("`a 'b' &lt;!here&gt; &amp; *c*`");
    expect(code('abcdef', 4)).toBe('`abc…`');
  });

  it('esc: one line, cut, every markup character escaped', () => {
    expect(esc(' a\n\t*b* <c> ', 200)).toBe(`a ${ZWSP}*b${ZWSP}* &lt;c&gt;`);
    expect(esc('abcdef', 4)).toBe('abc…');
  });

  it('size: the text of text, header and context blocks, 100 a button, 50 any other block', () => {
    expect(size([])).toBe(0);
    expect(size([{ type: 'text', text: 'abc' }, { type: 'header', text: 'de' }, { type: 'context', items: ['f', 'gh'] }])).toBe(8);
    const b = { action: 'x', label: 'y', value: 'z' };
    expect(size([{ type: 'actions', buttons: [b, b] }, { type: 'divider' }, { type: 'fields', fields: [{ label: 'l', value: 'v' }] }])).toBe(300);
  });
});

describe('conditions', () => {
  const rb = runbook({
    steps: [
      diagCheck('a', { title: 'Check A' }),
      actionStep('b', { when: { step: 'a', status: ['critical', 'warning'] } }),
      diagCheck('c', { title: '' }),
      actionStep('d', { when: { step: 'c', status: ['unknown'] } }),
      actionStep('e', { when: { step: 'gone', status: ['ok'] } }),
    ],
  });
  const [a, b, , d, e] = rb.steps as [Step, Step, Step, Step, Step];

  it('a step without a condition applies', () => {
    expect(conditionOf(rb, a, {})).toEqual({ met: 'yes' });
  });

  it('met when the check is done with one of the statuses', () => {
    expect(conditionOf(rb, b, { a: record('a', 'done', { status: 'critical' }) })).toEqual({ met: 'yes' });
    expect(conditionOf(rb, b, { a: record('a', 'done', { status: 'warning' }) })).toEqual({ met: 'yes' });
    expect(conditionOf(rb, d, { c: record('c', 'done') })).toEqual({ met: 'yes' });
  });

  it('not met when the check is done with another status, could not run or was skipped', () => {
    expect(conditionOf(rb, b, { a: record('a', 'done', { status: 'ok' }) })).toEqual({ met: 'no', why: '*1. Check A* was ok; this step applies only when it is critical or warning' });
    expect(conditionOf(rb, b, { a: record('a', 'done') })).toEqual({ met: 'no', why: '*1. Check A* was unknown; this step applies only when it is critical or warning' });
    expect(conditionOf(rb, b, { a: record('a', 'failed') })).toEqual({ met: 'no', why: '*1. Check A* could not run; this step applies only when it is critical or warning' });
    expect(conditionOf(rb, b, { a: record('a', 'skipped') })).toEqual({ met: 'no', why: '*1. Check A* was skipped; this step applies only when it is critical or warning' });
    // A check without a title is named by its id.
    expect(conditionOf(rb, d, { c: record('c', 'done', { status: 'ok' }) })).toEqual({ met: 'no', why: '*3. c* was ok; this step applies only when it is unknown' });
  });

  it('waits while the check has not finished, or names a step the runbook no longer has', () => {
    const waiting = { met: 'waiting', why: 'waits for *1. Check A* (applies when it is critical or warning)' };
    expect(conditionOf(rb, b, {})).toEqual(waiting);
    expect(conditionOf(rb, b, { a: record('a', 'pending') })).toEqual(waiting);
    expect(conditionOf(rb, b, { a: record('a', 'running') })).toEqual(waiting);
    expect(conditionOf(rb, b, { a: record('a', 'requested') })).toEqual(waiting);
    expect(conditionOf(rb, e, {})).toEqual({ met: 'waiting', why: 'waits for *gone* (applies when it is ok)' });
    // Only the run's own records count, not what an object inherits.
    expect(conditionOf(rb, b, Object.create({ a: record('a', 'done', { status: 'critical' }) }) as Record<string, RunbookStepRecord>)).toEqual(waiting);
  });

  it('names the check escaped and cut to 120 characters', () => {
    const long = runbook({ steps: [diagCheck('a', { title: `*${'x'.repeat(200)}` }), actionStep('b', { when: { step: 'a', status: ['ok'] } })] });
    expect(conditionOf(long, long.steps[1]!, {})).toEqual({ met: 'waiting', why: `waits for *1. ${ZWSP}*${'x'.repeat(115)}…* (applies when it is ok)` });
  });
});

describe('the shown state of each step', () => {
  const progress = (steps: Step[], records: RunbookStepRecord[]): Array<Pick<StepProgress, 'index' | 'state' | 'record' | 'note'>> => {
    const rb = runbook({ steps });
    return progressOf(rb, runOf(rb, records), NOW).map(({ index, state, record: r, note }) => ({ index, state, record: r, note }));
  };

  it('a running step is running until its claim ends, then to do again; a claim without an end holds', () => {
    const until = (ms: number) => record('a', 'running', { claimedUntil: new Date(NOW.getTime() + ms) });
    expect(progress([diagCheck('a')], [until(1)])).toEqual([{ index: 0, state: 'running', record: until(1), note: null }]);
    expect(progress([diagCheck('a')], [until(0)])).toEqual([{ index: 0, state: 'pending', record: until(0), note: null }]);
    expect(progress([diagCheck('a')], [until(-1)])).toEqual([{ index: 0, state: 'pending', record: until(-1), note: null }]);
    const held = record('a', 'running');
    expect(progress([diagCheck('a')], [held])).toEqual([{ index: 0, state: 'running', record: held, note: null }]);
  });

  it('a stored state is shown as stored; a step without a record is to do, or waits, or is skipped', () => {
    const done = record('a', 'done', { status: 'ok' });
    const requested = record('c', 'requested');
    const steps = [
      diagCheck('a'),
      actionStep('b', { when: { step: 'a', status: ['critical'] } }),
      actionStep('c'),
      actionStep('d', { when: { step: 'b', status: ['critical'] } }),
      diagCheck('e'),
      actionStep('f', { when: { step: 'e', status: ['critical'] } }),
      manualStep('constructor'),
    ];
    expect(progress(steps, [done, requested])).toEqual([
      { index: 0, state: 'done', record: done, note: null },
      { index: 1, state: 'skipped', record: null, note: '*1. Step a* was ok; this step applies only when it is critical' },
      { index: 2, state: 'requested', record: requested, note: null },
      { index: 3, state: 'skipped', record: null, note: '*2. Step b* was skipped; this step applies only when it is critical' },
      { index: 4, state: 'pending', record: null, note: null },
      { index: 5, state: 'waiting', record: null, note: 'waits for *5. Step e* (applies when it is critical)' },
      { index: 6, state: 'pending', record: null, note: null },
    ]);
  });

  it('a recorded state other than to do is kept: the end of a claim, or the condition, decides only for a running or pending step', () => {
    const past = new Date(NOW.getTime() - 1);
    const done = record('a', 'done', { status: 'ok', claimedUntil: past });
    const b = record('b', 'done', { claimedUntil: past });
    const d = record('d', 'requested');
    const steps = [diagCheck('a'), manualStep('b', { when: { step: 'a', status: ['critical'] } }), diagCheck('c'), actionStep('d', { when: { step: 'c', status: ['critical'] } })];
    expect(progress(steps, [done, b, d])).toEqual([
      { index: 0, state: 'done', record: done, note: null },
      { index: 1, state: 'done', record: b, note: null },
      { index: 2, state: 'pending', record: null, note: null },
      { index: 3, state: 'requested', record: d, note: null },
    ]);
  });

  it('the next step is the first to do; finished when every step is done, skipped or failed', () => {
    const rb = runbook({ steps: [diagCheck('a'), manualStep('b'), manualStep('c')] });
    const at = (records: RunbookStepRecord[]) => progressOf(rb, runOf(rb, records), NOW);
    expect(nextStep(at([record('a', 'running')]))?.index).toBe(1);
    expect(nextStep(at([record('a', 'done'), record('b', 'requested'), record('c', 'running')]))).toBeUndefined();
    expect(FINAL_STEP_STATES).toEqual(['done', 'skipped', 'failed']);
    expect(isFinished(at([record('a', 'done'), record('b', 'skipped'), record('c', 'failed')]))).toBe(true);
    for (const state of ['pending', 'running', 'requested'] as const) expect(isFinished(at([record('a', 'done'), record('b', 'done'), record('c', state)]))).toBe(false);
    expect(isFinished([])).toBe(true);
  });
});

describe('what each kind of step says', () => {
  it('draws every step to do in full: heading, explanation, what it does with the params filled in, and its button, the next one primary', () => {
    const m = draw([diagCheck('a', { title: 'Check A', target: '{{db}}' }), sqlCheck('b'), actionStep('c', { target: 'web' }), manualStep('d', { command: ' ls -l ' }), notifyStep('e')]);
    expect(m).toEqual({
      text: 'Runbook Slow database: next, step 1 of 5',
      blocks: [
        ...head(':arrow_forward: Next: step 1 of 5, *Check A* · 0 done'),
        { type: 'text', text: ':arrow_forward: *Next: 1. Check A* · _check_\nWhy a matters.\nRuns `/diag db` on *main*.' },
        stepButton('a', 'Run check', true),
        {
          type: 'text',
          text: ':white_circle: *2. Step b* · _check_ · to do\nWhy b matters.\nRows older than 5 minutes: SQL on *main*, read-only; higher is worse, warning at 5, critical at 20.\n```SELECT count(*) AS n FROM t WHERE age &gt; $1```',
        },
        stepButton('b', 'Run check'),
        { type: 'text', text: ':white_circle: *3. Step c* · _action_ · to do\nWhy c matters.\nAsks for `fake.restart payments-api` on *web*: it runs only once approved.' },
        stepButton('c', 'Request approval'),
        { type: 'text', text: ':white_circle: *4. Step d* · _manual_ · to do\nWhy d matters.\nLook at the volume.\n```ls -l```' },
        stepButton('d', 'Mark done'),
        { type: 'text', text: ':white_circle: *5. Step e* · _notify_ · to do\nWhy e matters.\nPosts the stakeholder update, prefilled with status: identified; progress: Queries over 5 minutes terminated..' },
        stepButton('e', 'Post', false, 'runbook_notify'),
        ESCALATION,
      ],
    });
  });

  it('a diagnostic with its scope, or on the first configured target', () => {
    const scoped: Step = { ...diagCheck('a', { diag: 'k8s' }), check: { type: 'diag', spec: { diag: 'k8s', namespace: 'shop', deployment: '{{db}}-api', since: '15m' } } } as Step;
    const one = (spec: Record<string, string>) => ({ ...diagCheck('a', { diag: 'logs' }), check: { type: 'diag', spec: { diag: 'logs', ...spec } } }) as Step;
    const detail = (step: Step) => (draw([step]).blocks[3] as { text: string }).text.split('\n').slice(2);
    expect(detail(scoped)).toEqual(['Runs `/diag k8s` on the first configured target (namespace `shop`, deployment `main-api`, last `15m`).']);
    expect(detail(one({ namespace: 'shop' }))).toEqual(['Runs `/diag logs` on the first configured target (namespace `shop`).']);
    expect(detail(one({ deployment: 'api' }))).toEqual(['Runs `/diag logs` on the first configured target (deployment `api`).']);
    expect(detail(one({ since: '5m' }))).toEqual(['Runs `/diag logs` on the first configured target (last `5m`).']);
    expect(detail(one({}))).toEqual(['Runs `/diag logs` on the first configured target.']);
    expect(detail(diagCheck('a', { target: '*t*' }))).toEqual([`Runs \`/diag db\` on *${ZWSP}*t${ZWSP}**.`]);
  });

  it('a custom check: what it means, on which target, and its thresholds', () => {
    const sql = { ...sqlCheck('a'), check: { type: 'sql', spec: { sql: '  SELECT 1 ```x```  ', args: [], warn: 1, critical: 0, lowerIsWorse: true, meaning: 'Free *slots*' } } } as Step;
    const promql = { ...sqlCheck('a'), check: { type: 'promql', spec: { promql: 'rate(x[5m]) > `1`', target: 'prom', warn: 0.5, critical: 2, lowerIsWorse: false, meaning: 'Error rate' } } } as Step;
    const http = {
      ...sqlCheck('a'),
      check: { type: 'http', spec: { http: { method: 'GET', path: '/health/{{db}}', headers: {}, expect: { status: [200], json: {} } }, meaning: 'The shop answers' } },
    } as Step;
    const detail = (step: Step) => (draw([step]).blocks[3] as { text: string }).text.split('\n').slice(2);
    expect(detail(sql)).toEqual([`Free ${ZWSP}*slots${ZWSP}*: SQL on the first configured target, read-only; lower is worse, warning at 1, critical at 0.`, "```SELECT 1 '''x'''```"]);
    expect(detail(promql)).toEqual(["Error rate: `rate(x[5m]) &gt; '1'` on *prom*; higher is worse, warning at 0.5, critical at 2."]);
    expect(detail(http)).toEqual(['The shop answers: `GET /health/main` on the first configured target.']);
  });

  it('an action without arguments or target, a manual step without command, a notify step without fields', () => {
    const m = draw([actionStep('a', { args: [] }), manualStep('b', { instruction: 'Look *here*' }), notifyStep('c', { fields: {} }), notifyStep('d', { fields: { next_steps: 'Wait' } }), actionStep('e', { args: ['{{db}}', '--force'] })]);
    expect(stepBlocks(m)).toEqual([
      { type: 'text', text: ':arrow_forward: *Next: 1. Step a* · _action_\nWhy a matters.\nAsks for `fake.restart` on the first configured target: it runs only once approved.' },
      stepButton('a', 'Request approval', true),
      { type: 'text', text: `:white_circle: *2. Step b* · _manual_ · to do\nWhy b matters.\nLook ${ZWSP}*here${ZWSP}*` },
      stepButton('b', 'Mark done'),
      { type: 'text', text: ':white_circle: *3. Step c* · _notify_ · to do\nWhy c matters.\nPosts the stakeholder update.' },
      stepButton('c', 'Post', false, 'runbook_notify'),
      { type: 'text', text: ':white_circle: *4. Step d* · _notify_ · to do\nWhy d matters.\nPosts the stakeholder update, prefilled with next steps: Wait.' },
      stepButton('d', 'Post', false, 'runbook_notify'),
      { type: 'text', text: ':white_circle: *5. Step e* · _action_ · to do\nWhy e matters.\nAsks for `fake.restart main --force` on the first configured target: it runs only once approved.' },
      stepButton('e', 'Request approval'),
    ]);
  });

  it('a step whose claim ended is to do again, with its button; a step waiting on its condition says so, without a button', () => {
    const m = draw([diagCheck('a', { title: 'Check A' }), actionStep('b', { when: { step: 'a', status: ['critical'] } }), manualStep('c')], [
      record('a', 'running', { claimedUntil: new Date(NOW.getTime() + 1), summary: 'Running /diag db' }),
      record('c', 'running', { claimedUntil: NOW }),
    ]);
    expect(m.blocks[2]).toEqual({ type: 'text', text: ':arrow_forward: Next: step 3 of 3, *Step c* · 0 done' });
    expect(stepBlocks(m)).toEqual([
      { type: 'text', text: `:gear: *1. Check A* · _check_ · running\nWhy a matters.\nRuns \`/diag db\` on the first configured target.\n:gear: Running: Running /diag db · <@U0ALICE>${AT}` },
      { type: 'text', text: ':hourglass: *2. Step b* · _action_ · waiting\nWhy b matters.\nAsks for `fake.restart payments-api` on the first configured target: it runs only once approved.\n:hourglass: waits for *1. Check A* (applies when it is critical)' },
      ...[{ type: 'text', text: ':arrow_forward: *Next: 3. Step c* · _manual_\nWhy c matters.\nLook at the volume.' }, stepButton('c', 'Mark done', true)],
    ]);
  });

  it('a step without explanation or title; a condition that holds is said under the step', () => {
    const m = draw([diagCheck('a', { explanation: ' \n ', title: ' ' }), actionStep('b', { when: { step: 'a', status: ['critical', 'warning'] } })], [record('a', 'done', { status: 'warning', summary: '1 finding', actorId: null, updatedAt: null })]);
    expect(stepBlocks(m)).toEqual([
      { type: 'text', text: ':white_check_mark: *1. a* · _check_ · done\n:warning: *WARNING*: 1 finding' },
      { type: 'text', text: ':arrow_forward: *Next: 2. Step b* · _action_\nWhy b matters.\nAsks for `fake.restart payments-api` on the first configured target: it runs only once approved.\n_Applies: a was critical or warning_' },
      stepButton('b', 'Request approval', true),
    ]);
  });
});

describe('the outcome under each step', () => {
  const finding = (check: string, status: Status, component = ''): Finding => ({ check, component, status, value: `${check} value` });

  it('a check done: its status and summary, who and when, then its worst findings, the ones that passed left out and counted', () => {
    const findings = [finding('w1', 'warning', 'pid 1'), finding('ok1', 'ok'), finding('c1', 'critical'), finding('u1', 'unknown', '*x*'), finding('w2', 'warning')];
    const m = draw([diagCheck('a'), manualStep('b')], [record('a', 'done', { status: 'critical', summary: '5 findings', findings })]);
    expect(stepBlocks(m)[0]).toEqual({
      type: 'text',
      text: [
        ':white_check_mark: *1. Step a* · _check_ · done',
        'Why a matters.',
        `:red_circle: *CRITICAL*: 5 findings · <@U0ALICE>${AT}`,
        ':red_circle: *c1*: c1 value',
        ':warning: *w1* · pid 1: w1 value',
        ':warning: *w2*: w2 value',
        '_+2 more findings_',
      ].join('\n'),
    });
  });

  it('counts one finding left out in the singular, and none when all are shown', () => {
    const four = [finding('c1', 'critical'), finding('c2', 'critical'), finding('c3', 'critical'), finding('c4', 'critical')];
    const lines = (findings: Finding[]) => (stepBlocks(draw([diagCheck('a'), manualStep('b')], [record('a', 'done', { status: 'critical', summary: 's', actorId: null, updatedAt: null, findings })]))[0] as { text: string }).text.split('\n').slice(2);
    expect(lines(four)).toEqual([':red_circle: *CRITICAL*: s', ':red_circle: *c1*: c1 value', ':red_circle: *c2*: c2 value', ':red_circle: *c3*: c3 value', '_+1 more finding_']);
    expect(lines(four.slice(0, 3))).toEqual([':red_circle: *CRITICAL*: s', ':red_circle: *c1*: c1 value', ':red_circle: *c2*: c2 value', ':red_circle: *c3*: c3 value']);
    expect(lines([])).toEqual([':red_circle: *CRITICAL*: s']);
    // Fewer than three problems: the passing findings are not shown in their place, only counted.
    expect(lines([finding('o1', 'ok'), finding('c1', 'critical')])).toEqual([':red_circle: *CRITICAL*: s', ':red_circle: *c1*: c1 value', '_+1 more finding_']);
    // Only passing findings: they are shown, the first three.
    expect(lines([finding('o1', 'ok'), finding('o2', 'ok'), finding('o3', 'ok'), finding('o4', 'ok')])).toEqual([
      ':red_circle: *CRITICAL*: s', ':white_check_mark: *o1*: o1 value', ':white_check_mark: *o2*: o2 value', ':white_check_mark: *o3*: o3 value', '_+1 more finding_',
    ]);
  });

  it('a finding is escaped and cut: check to 60, component to 80, value to 200, the line to 320', () => {
    const long = { check: `*${'c'.repeat(70)}`, component: 'p'.repeat(90), status: 'warning' as const, value: 'v'.repeat(250) };
    const line = (stepBlocks(draw([diagCheck('a'), manualStep('b')], [record('a', 'done', { status: 'warning', summary: 's', findings: [long] })]))[0] as { text: string }).text.split('\n')[3];
    const full = `:warning: *${ZWSP}*${'c'.repeat(58)}…* · ${'p'.repeat(79)}…: ${'v'.repeat(199)}…`;
    expect(full.length).toBeGreaterThan(320);
    expect(line).toBe(`${full.slice(0, 319)}…`);
  });

  it('each other state: running, approval requested, failed, skipped as stored, done without a status or summary, a check that could not run', () => {
    const m = draw(
      [manualStep('a'), manualStep('b'), actionStep('c'), actionStep('d'), manualStep('e'), manualStep('f'), manualStep('g'), manualStep('h'), diagCheck('i')],
      [
        record('a', 'running', { actorId: null, updatedAt: null }),
        record('b', 'running', { summary: 'Checking the disk' }),
        record('c', 'requested', { summary: 'Approval requested by <@U0BOB>', actorId: 'U0BOB' }),
        record('d', 'failed', { actorId: null }),
        record('e', 'skipped', { summary: 'Not needed' }),
        record('f', 'skipped'),
        record('g', 'done', { updatedAt: null }),
        record('h', 'done', { summary: 'Marked done', actorId: 'bad id' }),
        record('i', 'failed', { status: 'critical', summary: 'Could not run: timed out' }),
      ],
    );
    const instruction = (id: string) => `Why ${id} matters.\nLook at the volume.`;
    expect(stepBlocks(m)).toEqual([
      { type: 'text', text: `:gear: *1. Step a* · _manual_ · running\n${instruction('a')}\n:gear: Running` },
      { type: 'text', text: `:gear: *2. Step b* · _manual_ · running\n${instruction('b')}\n:gear: Running: Checking the disk · <@U0ALICE>${AT}` },
      { type: 'text', text: `:hourglass_flowing_sand: *3. Step c* · _action_ · approval requested\nWhy c matters.\nAsks for \`fake.restart payments-api\` on the first configured target: it runs only once approved.\n:hourglass_flowing_sand: Approval requested by <@U0BOB> · <@U0BOB>${AT}` },
      { type: 'text', text: `:x: *4. Step d* · _action_ · failed\nWhy d matters.\n:x: failed${AT}` },
      { type: 'text', text: ':fast_forward: *5. Step e* · _manual_ · skipped\nWhy e matters.\n:fast_forward: Skipped: Not needed' },
      { type: 'text', text: ':fast_forward: *6. Step f* · _manual_ · skipped\nWhy f matters.\n:fast_forward: Skipped: its condition did not hold' },
      { type: 'text', text: ':white_check_mark: *7. Step g* · _manual_ · done\nWhy g matters.\n:white_check_mark: done · <@U0ALICE>' },
      { type: 'text', text: `:white_check_mark: *8. Step h* · _manual_ · done\nWhy h matters.\n:white_check_mark: Marked done · bad id${AT}` },
      // Only a check done shows its status: one that could not run shows that.
      { type: 'text', text: `:x: *9. Step i* · _check_ · failed\nWhy i matters.\n:x: Could not run: timed out · <@U0ALICE>${AT}` },
    ]);
  });
  it("cuts a summary to 500 characters, a skip's reason to 400, a step's name to 150 in full and to 120 collapsed, a collapsed line to 600", () => {
    const title = 't'.repeat(200);
    const m = draw([manualStep('a', { title }), manualStep('b', { title: 'B' }), manualStep('c', { title: 'C' })], [record('a', 'done', { summary: 's'.repeat(600) }), record('b', 'skipped', { summary: 'k'.repeat(600) })]);
    expect(m.blocks[2]).toEqual({ type: 'text', text: `:arrow_forward: Next: step 3 of 3, *C* · 1 done, 1 skipped` });
    expect(stepBlocks(m).slice(0, 2)).toEqual([
      { type: 'text', text: `:white_check_mark: *1. ${'t'.repeat(146)}…* · _manual_ · done\nWhy a matters.\n:white_check_mark: ${'s'.repeat(499)}… · <@U0ALICE>${AT}` },
      { type: 'text', text: `:fast_forward: *2. B* · _manual_ · skipped\nWhy b matters.\n:fast_forward: Skipped: ${'k'.repeat(399)}…` },
    ]);
    const next = draw([manualStep('a', { title })]);
    expect(next.blocks[2]).toEqual({ type: 'text', text: `:arrow_forward: Next: step 1 of 1, *${'t'.repeat(149)}…* · 0 done` });
    const rb = runbook({ steps: Array.from({ length: 30 }, (_, i) => manualStep(`d${i}`, { title })) });
    const collapsed = runMessage({ runbook: rb, run: runOf(rb, rb.steps.map((s) => record(s.id, 'done', { summary: 's'.repeat(1000) }))), incident: null, now: NOW });
    expect(collapsed.blocks[3]).toEqual({ type: 'context', items: [`${`:white_check_mark: *1. ${'t'.repeat(116)}…* · ${'s'.repeat(499)}…`.slice(0, 599)}…`] });
    // A check's status stays at the head of its collapsed line.
    const check = runbook({ steps: Array.from({ length: 30 }, (_, i) => diagCheck(`d${i}`)) });
    const checks = runMessage({ runbook: check, run: runOf(check, check.steps.map((s) => record(s.id, 'done', { status: 'warning', summary: 's'.repeat(1000) }))), incident: null, now: NOW });
    // (Cut before the date token, which would not fit whole.)
    expect(checks.blocks[3]).toEqual({ type: 'context', items: [`:white_check_mark: *1. Step d0* · :warning: *WARNING*: ${'s'.repeat(499)}… · <@U0ALICE> …`] });
  });
});

describe('the head of the message, the status line and the notification', () => {
  it('the facts: severity, RTO and RPO when given, the incident, who started it; the params, a blank one as the default', () => {
    const rb = runbook({ title: `  A *long*\ntitle ${'t'.repeat(150)}`, rto: undefined, rpo: '1h', escalation: undefined, steps: [manualStep('a')] });
    const m = runMessage({ runbook: rb, run: runOf(rb, [], { params: { db: '', 'x_y': '<@U1> `z`' } }), incident: { label: 'INC-12345678901234567890', title: `*Down* ${'d'.repeat(150)}` }, now: NOW });
    expect(m.blocks.slice(0, 2)).toEqual([
      { type: 'header', text: `Runbook: A *long* title ${'t'.repeat(125)}…` },
      {
        type: 'context',
        items: [`*P2* · RPO 1h · *INC-123456789012345…* ${ZWSP}*Down${ZWSP}* ${'d'.repeat(112)}… · ${STARTED}`, `Params: db=_default_ x${ZWSP}_y=\`&lt;@U1&gt; 'z'\``],
      },
    ]);
    expect(m.text).toBe(`Runbook A ${ZWSP}*long${ZWSP}* title ${'t'.repeat(134)}… (INC-123456789012345…): next, step 1 of 1`);
    // No escalation: the message ends with the last step.
    expect(m.blocks.at(-1)).toEqual(stepButton('a', 'Mark done', true));
  });

  it('no params: no params line; RTO and RPO cut to 10 characters, the params line to 1,500', () => {
    const rb = runbook({ rto: '12345678901m', rpo: undefined, steps: [manualStep('a')] });
    expect(runMessage({ runbook: rb, run: runOf(rb, [], { params: {} }), incident: null, now: NOW }).blocks[1]).toEqual({ type: 'context', items: [`*P2* · RTO 123456789… · no incident · ${STARTED}`] });
    const params = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, 'v'.repeat(79)]));
    const item = (runMessage({ runbook: rb, run: runOf(rb, [], { params }), incident: null, now: NOW }).blocks[1] as { items: string[] }).items[1]!;
    const whole = `Params: ${Object.keys(params).map((k) => `${k}=\`${'v'.repeat(79)}\``).join(' ')}`;
    expect(item).toBe(`${whole.slice(0, 1499)}…`);
  });

  it('the status line and the notification in each state', () => {
    const steps = [diagCheck('a', { title: 'Check A' }), actionStep('b', { when: { step: 'a', status: ['critical'] } }), manualStep('c'), manualStep('d')];
    const rb = runbook({ steps });
    const at = (records: RunbookStepRecord[], status: 'running' | 'finished' | 'abandoned' = 'running', incident: { label: string; title: string } | null = null) => {
      const m = runMessage({ runbook: rb, run: runOf(rb, records, { status }), incident, now: NOW });
      return [(m.blocks[2] as { text: string }).text, m.text];
    };
    const ok = record('a', 'done', { status: 'ok' });
    expect(at([])).toEqual([':arrow_forward: Next: step 1 of 4, *Check A* · 0 done', 'Runbook Slow database: next, step 1 of 4']);
    expect(at([ok], 'running', { label: 'INC-7', title: 'Slow' })).toEqual([':arrow_forward: Next: step 3 of 4, *Step c* · 1 done, 1 skipped', 'Runbook Slow database (INC-7): next, step 3 of 4']);
    expect(at([record('a', 'done', { status: 'critical' }), record('b', 'failed'), record('c', 'failed')])).toEqual([':arrow_forward: Next: step 4 of 4, *Step d* · 1 done, 2 failed', 'Runbook Slow database: next, step 4 of 4']);
    expect(at([ok, record('c', 'done'), record('d', 'failed')], 'finished')).toEqual([':checkered_flag: *Finished* · 2 done, 1 skipped, 1 failed of 4 steps', 'Runbook Slow database: finished']);
    expect(at([ok, record('c', 'done'), record('d', 'done')], 'running', { label: 'INC-7', title: 'Slow' })).toEqual([':checkered_flag: *Finished* · 3 done, 1 skipped of 4 steps', 'Runbook Slow database (INC-7): finished']);
    expect(at([ok], 'abandoned')).toEqual([':no_entry_sign: *Abandoned* · 1 done, 1 skipped of 4 steps', 'Runbook Slow database: next, step 3 of 4']);
    // Nothing to do now: the first step someone is on.
    expect(at([record('a', 'running'), record('c', 'requested'), record('d', 'done')])).toEqual([':gear: Step 1 of 4 is running: *Check A* · 1 done', 'Runbook Slow database: in progress']);
    expect(at([record('a', 'done', { status: 'critical' }), record('b', 'requested'), record('c', 'done'), record('d', 'running')])).toEqual([':hourglass_flowing_sand: Step 2 of 4 is approval requested: *Step b* · 2 done', 'Runbook Slow database: in progress']);
    const waits = runbook({ steps: [actionStep('b', { when: { step: 'a', status: ['critical'] } }), diagCheck('a', { title: '*A*' })] });
    const m = runMessage({ runbook: waits, run: runOf(waits, [record('a', 'running')]), incident: null, now: NOW });
    expect((m.blocks[2] as { text: string }).text).toBe(':hourglass: Step 1 of 2 is waiting: *Step b* · 0 done');
  });
});

describe('the window of steps that fit', () => {
  const text = (n: number): Block[] => [{ type: 'text', text: 'x'.repeat(n) }];
  const parts = (count: number, n = 1000) => Array.from({ length: count }, () => text(n));

  it('takes steps forward from the start while they fit, to the exact limits of blocks and of text', () => {
    expect(MAX_BLOCKS).toBe(46);
    expect(MAX_TOTAL_TEXT).toBe(11_000);
    expect(stepWindow(parts(12), 0, 0, 0)).toEqual({ from: 0, to: 11 });
    expect(stepWindow(parts(12), 0, 0, 1)).toEqual({ from: 0, to: 10 });
    expect(stepWindow(parts(12), 0, 0, 1000)).toEqual({ from: 0, to: 10 });
    expect(stepWindow(parts(12, 1), 0, 40, 0)).toEqual({ from: 0, to: 6 });
    expect(stepWindow(parts(12, 1), 0, 41, 0)).toEqual({ from: 0, to: 5 });
    expect(stepWindow([[...text(1), ...text(1)], text(1)], 0, 43, 0)).toEqual({ from: 0, to: 2 });
    expect(stepWindow([[...text(1), ...text(1)], text(1)], 0, 44, 0)).toEqual({ from: 0, to: 1 });
    expect(stepWindow([[...text(1), ...text(1)], text(1)], 0, 45, 0)).toEqual({ from: 0, to: 1 });
    expect(stepWindow(parts(3, 1), 0, 0, 0)).toEqual({ from: 0, to: 3 });
  });

  it('then takes earlier steps while there is room', () => {
    expect(stepWindow(parts(10), 5, 0, 5000)).toEqual({ from: 4, to: 10 });
    expect(stepWindow(parts(10), 5, 0, 4999)).toEqual({ from: 4, to: 10 });
    expect(stepWindow(parts(10), 5, 0, 0)).toEqual({ from: 0, to: 10 });
    expect(stepWindow(parts(10, 1), 8, 43, 0)).toEqual({ from: 7, to: 10 });
  });

  it('clamps the start to the steps there are, and shows one step even when it does not fit by itself', () => {
    expect(stepWindow(parts(10), -3, 0, 8000)).toEqual({ from: 0, to: 3 });
    expect(stepWindow(parts(10), 2.9, 0, 8000)).toEqual({ from: 2, to: 5 });
    expect(stepWindow(parts(10), 99, 0, 8000)).toEqual({ from: 7, to: 10 });
    expect(stepWindow(parts(3, 12_000), 1, 0, 0)).toEqual({ from: 1, to: 2 });
    expect(stepWindow([text(1), text(12_000), text(1)], 1, 0, 0)).toEqual({ from: 0, to: 2 });
    expect(stepWindow([], 0, 0, 0)).toEqual({ from: 0, to: 0 });
    expect(stepWindow([], 5, 0, 0)).toEqual({ from: 0, to: 0 });
  });
});

describe('within the limits of a message', () => {
  const manuals = (prefix: string, count: number, from = 0) => Array.from({ length: count }, (_, i) => manualStep(`${prefix}${from + i}`));
  /** A manual step to do, drawn in full: its text and its button. */
  const todo = (n: number, id: string, next = false): Block[] => [
    { type: 'text', text: `${next ? `:arrow_forward: *Next: ${n}. Step ${id}* · _manual_` : `:white_circle: *${n}. Step ${id}* · _manual_ · to do`}\nWhy ${id} matters.\nLook at the volume.` },
    stepButton(id, 'Mark done', next),
  ];
  const doneLine = (n: number, id: string): Block => ({ type: 'context', items: [`:white_check_mark: *${n}. Step ${id}* · done · <@U0ALICE>${AT}`] });
  const paging = (from: number, to: number, of: number, buttons: Array<[string, number, number]>): Block[] => [
    { type: 'context', items: [`Steps ${from}–${to} of ${of} shown.`] },
    ...(buttons.length ? [{ type: 'actions' as const, buttons: buttons.map(([dir, count, start]) => ({ action: `runbook_page:${dir}`, label: `${dir === 'earlier' ? 'Earlier' : 'Later'} steps (${count})`, value: `${RUN_ID}:${start}` })) }] : []),
  ];

  it('46 blocks: every step in full; 47: a window of the steps, collapsed, with the steps after it counted', () => {
    const fits = draw([...manuals('d', 2), ...manuals('p', 20)], [record('d0', 'done'), record('d1', 'done')]);
    expect(fits.blocks).toHaveLength(46);
    expect(stepBlocks(fits).slice(0, 4)).toEqual([
      { type: 'text', text: `:white_check_mark: *1. Step d0* · _manual_ · done\nWhy d0 matters.\n:white_check_mark: done · <@U0ALICE>${AT}` },
      { type: 'text', text: `:white_check_mark: *2. Step d1* · _manual_ · done\nWhy d1 matters.\n:white_check_mark: done · <@U0ALICE>${AT}` },
      ...todo(3, 'p0', true),
    ]);
    expect(fits.blocks.at(-1)).toEqual(ESCALATION);

    const over = draw([...manuals('d', 1), ...manuals('p', 21)], [record('d0', 'done')]);
    expect(over.blocks).toEqual([
      ...head(':arrow_forward: Next: step 2 of 22, *Step p0* · 1 done'),
      doneLine(1, 'd0'),
      ...todo(2, 'p0', true),
      ...Array.from({ length: 18 }, (_, i) => todo(i + 3, `p${i + 1}`)).flat(),
      ESCALATION,
      ...paging(1, 20, 22, [['later', 2, 20]]),
    ]);
  });

  it('11,000 characters: every step in full; one more: the finished steps collapse to a line each', () => {
    const at = (instruction: number) => {
      const steps = [manualStep('d0', { explanation: 'e'.repeat(280) }), manualStep('d1', { explanation: 'e'.repeat(280) }), manualStep('p0', { instruction: 'i'.repeat(instruction) }), ...manuals('p', 11, 1).map((s) => ({ ...s, instruction: 'i'.repeat(600) }))];
      return draw(steps, [record('d0', 'done', { summary: 's'.repeat(500) }), record('d1', 'done', { summary: 's'.repeat(500) })]);
    };
    const fits = at(318);
    expect(size(fits.blocks)).toBe(11_000);
    expect(fits.blocks[3]).toEqual({ type: 'text', text: `:white_check_mark: *1. Step d0* · _manual_ · done\n${'e'.repeat(280)}\n:white_check_mark: ${'s'.repeat(500)} · <@U0ALICE>${AT}` });
    const over = at(319);
    expect(size(over.blocks)).toBe(10_369);
    expect(over.blocks.slice(3, 6)).toEqual([
      { type: 'context', items: [`:white_check_mark: *1. Step d0* · ${'s'.repeat(500)} · <@U0ALICE>${AT}`] },
      { type: 'context', items: [`:white_check_mark: *2. Step d1* · ${'s'.repeat(500)} · <@U0ALICE>${AT}`] },
      { type: 'text', text: `:arrow_forward: *Next: 3. Step p0* · _manual_\nWhy p0 matters.\n${'i'.repeat(319)}` },
    ]);
    expect(over.blocks.at(-1)).toEqual(ESCALATION);
  });

  it('collapsed, 11,000 characters: every step; one more: a window', () => {
    const at = (instruction: number) => {
      const steps = [...manuals('d', 3).map((s) => ({ ...s, explanation: 'e'.repeat(280) })), manualStep('p0', { instruction: 'i'.repeat(instruction) }), ...manuals('p', 11, 1).map((s) => ({ ...s, instruction: 'i'.repeat(600) }))];
      return draw(steps, ['d0', 'd1', 'd2'].map((id) => record(id, 'done', { summary: 's'.repeat(500) })));
    };
    const fits = at(355);
    expect(size(fits.blocks)).toBe(11_000);
    expect(fits.blocks).toHaveLength(31);
    expect(fits.blocks[3]).toEqual({ type: 'context', items: [`:white_check_mark: *1. Step d0* · ${'s'.repeat(500)} · <@U0ALICE>${AT}`] });
    expect(fits.blocks.at(-1)).toEqual(ESCALATION);
    const over = at(356);
    expect(over.blocks.slice(-2)).toEqual(paging(2, 15, 15, [['earlier', 1, 0]]));
  });

  it('the window is cut where the text of the rest of the message and 300 characters for the paging leave no room', () => {
    const at = (escalation: number) => {
      const rb = runbook({ steps: manuals('d', 30), escalation: 'e'.repeat(escalation) });
      return runMessage({ runbook: rb, run: runOf(rb, rb.steps.map((s) => record(s.id, 'done', { summary: 's'.repeat(500) }))), incident: null, now: NOW });
    };
    const line = (n: number) => ({ type: 'context', items: [`:white_check_mark: *${n}. Step d${n - 1}* · ${'s'.repeat(500)} · <@U0ALICE>${AT}`] });
    const fits = at(324);
    expect(fits.blocks).toEqual([
      ...head(':checkered_flag: *Finished* · 30 done of 30 steps'),
      ...Array.from({ length: 17 }, (_, i) => line(i + 1)),
      { type: 'context', items: [`:telephone_receiver: *Escalation:* ${'e'.repeat(324)}`] },
      ...paging(1, 17, 30, [['later', 13, 17]]),
    ]);
    expect(size(fits.blocks.slice(0, -2)) + 300).toBe(11_000);
    expect(at(325).blocks.slice(-2)).toEqual(paging(1, 16, 30, [['later', 14, 16]]));
  });

  it('pages: around the next step by default, else from the step asked for, the earlier page ending where this one starts', () => {
    const rb = runbook({ steps: manuals('p', 50) });
    const at = (start?: number, records: RunbookStepRecord[] = []) => runMessage({ runbook: rb, run: runOf(rb, records), incident: null, now: NOW, start });
    const shown = (from: number, to: number, next?: number) => Array.from({ length: to - from }, (_, i) => todo(from + i + 1, `p${from + i}`, from + i === next)).flat();
    const status = (n: number) => `:arrow_forward: Next: step ${n} of 50, *Step p${n - 1}* · 0 done`;
    expect(at()).toEqual({ text: 'Runbook Slow database: next, step 1 of 50', blocks: [...head(status(1)), ...shown(0, 20, 0), ESCALATION, ...paging(1, 20, 50, [['later', 30, 20]])] });
    expect(at(20).blocks).toEqual([...head(status(1)), ...shown(20, 40), ESCALATION, ...paging(21, 40, 50, [['earlier', 20, 0], ['later', 10, 40]])]);
    expect(at(5).blocks.slice(-2)).toEqual(paging(6, 25, 50, [['earlier', 5, 0], ['later', 25, 25]]));
    expect(at(45).blocks.slice(-2)).toEqual(paging(31, 50, 50, [['earlier', 30, 10]]));
    expect(at(9999).blocks.slice(-2)).toEqual(paging(31, 50, 50, [['earlier', 30, 10]]));
    expect(at(0, [record('p30', 'done')]).blocks.slice(-2)).toEqual(paging(1, 20, 50, [['later', 30, 20]]));

    // Twelve steps done: the two before the next one are shown, collapsed, then as many as fit.
    const twelve = rb.steps.slice(0, 12).map((s) => record(s.id, 'done'));
    expect(at(undefined, twelve).blocks).toEqual([
      ...head(':arrow_forward: Next: step 13 of 50, *Step p12* · 12 done'),
      doneLine(11, 'p10'),
      doneLine(12, 'p11'),
      ...shown(12, 31, 12),
      ESCALATION,
      ...paging(11, 31, 50, [['earlier', 10, 0], ['later', 19, 31]]),
    ]);
  });

  it('nothing to do now: the window starts two steps before the first step not finished', () => {
    const rb = runbook({ steps: manuals('p', 50) });
    const records = rb.steps.map((s, i) => record(s.id, i < 12 ? 'done' : 'running'));
    const running = (n: number): Block => ({ type: 'text', text: `:gear: *${n}. Step p${n - 1}* · _manual_ · running\nWhy p${n - 1} matters.\nLook at the volume.\n:gear: Running · <@U0ALICE>${AT}` });
    expect(runMessage({ runbook: rb, run: runOf(rb, records), incident: null, now: NOW })).toEqual({
      text: 'Runbook Slow database: in progress',
      blocks: [
        ...head(':gear: Step 13 of 50 is running: *Step p12* · 12 done'),
        doneLine(11, 'p10'),
        doneLine(12, 'p11'),
        ...Array.from({ length: 38 }, (_, i) => running(i + 13)),
        ESCALATION,
        ...paging(11, 50, 50, [['earlier', 10, 0]]),
      ],
    });
  });
});
