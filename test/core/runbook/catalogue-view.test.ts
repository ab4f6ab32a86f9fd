/**
 * `/runbook show`, the "which incident?" question and the suggestions posted when an incident
 * opens, each compared whole: every optional part present and absent, values escaped and cut, and
 * the limits (blocks, text, buttons) at their exact boundary.
 */
import { describe, expect, it } from 'vitest';
import type { Block, Message } from '../../../src/core/render/message.js';
import { incidentChoiceMessage, listMessage, showMessage, suggestionsMessage } from '../../../src/core/runbook/catalogue-view.js';
import { actionStep, diagCheck, manualStep, notifyStep, runbook, slowDatabase } from '../../fixtures/runbook-runs/build.js';

const ZWSP = '\u200B';

describe('/runbook show', () => {
  it('shows the facts, the summary, the params, each step, the escalation and how to start it', () => {
    expect(showMessage(slowDatabase())).toEqual({
      text: 'Runbook Slow database: 4 steps',
      blocks: [
        { type: 'header', text: 'Slow database' },
        { type: 'context', items: ['`db-slow` · *P2* · RTO 15m · RPO 0m · services: postgres · alerts: PostgresSlow'] },
        { type: 'text', text: 'When requests hang.' },
        { type: 'text', text: '*Params*\n• `db` (target postgres, default: the first configured target): The database\n• `minutes` (integer, default `5`): Older than this' },
        { type: 'text', text: '*4 steps*' },
        {
          type: 'text',
          text: [
            '1. *Look at what is running* · _check_: Why activity matters.',
            '2. *Terminate the long queries* · _action_ _(if activity is critical or warning)_: Why terminate matters.',
            '3. *Check the disk* · _manual_: Why disk matters.',
            '4. *Tell the stakeholders* · _notify_: Why tell matters.',
          ].join('\n'),
        },
        { type: 'context', items: [':telephone_receiver: *Escalation:* Page the backend on-call (L2).'] },
        { type: 'context', items: ['Start it with `/runbook run db-slow db=… minutes=…`'] },
      ],
    });
  });

  it('leaves out what the runbook does not have; a step without a title is named by its id', () => {
    const { rto: _rto, rpo: _rpo, escalation: _escalation, ...bare } = runbook({
      services: [], alerts: [], summary: '  \n ', params: {},
      steps: [manualStep('look', { title: '', explanation: '' }), diagCheck('one', { explanation: ' ' })],
    });
    expect(showMessage(bare)).toEqual({
      text: 'Runbook Slow database: 2 steps',
      blocks: [
        { type: 'header', text: 'Slow database' },
        { type: 'context', items: ['`db-slow` · *P2*'] },
        { type: 'text', text: '*2 steps*' },
        { type: 'text', text: '1. *look* · _manual_\n2. *Step one* · _check_' },
        { type: 'context', items: ['Start it with `/runbook run db-slow`'] },
      ],
    });
  });

  it('says 1 step, and tells each kind of param: a string default, a required one, a target of no kind, a required target', () => {
    const m = showMessage(runbook({
      rto: '1h', rpo: undefined, services: ['api', 'web'], alerts: ['A', 'B'],
      params: {
        ns: { type: 'string', default: 'shop`s', description: 'The *namespace*' },
        reason: { type: 'string', description: 'Why' },
        host: { type: 'target', description: 'Any target' },
        replica: { type: 'target', kind: 'postgres', required: true, description: 'The replica' },
        n: { type: 'integer', default: 0, description: 'Zero' },
      },
      steps: [notifyStep('tell', { title: 'Tell <everyone>', explanation: 'Say it\n  twice.' })],
    }));
    expect(m).toEqual({
      text: 'Runbook Slow database: 1 step',
      blocks: [
        { type: 'header', text: 'Slow database' },
        { type: 'context', items: ['`db-slow` · *P2* · RTO 1h · services: api, web · alerts: A, B'] },
        { type: 'text', text: 'When requests hang.' },
        {
          type: 'text',
          text: [
            '*Params*',
            `• \`ns\` (string, default \`shop's\`): The ${ZWSP}*namespace${ZWSP}*`,
            '• `reason` (string, required): Why',
            '• `host` (target, default: the first configured target): Any target',
            '• `replica` (target postgres, default: the first configured target): The replica',
            '• `n` (integer, default `0`): Zero',
          ].join('\n'),
        },
        { type: 'text', text: '*1 step*' },
        { type: 'text', text: '1. *Tell &lt;everyone&gt;* · _notify_: Say it twice.' },
        { type: 'context', items: [':telephone_receiver: *Escalation:* Page the backend on-call (L2).'] },
        { type: 'context', items: ['Start it with `/runbook run db-slow ns=… reason=… host=… replica=… n=…`'] },
      ],
    });
  });
});

describe('/runbook show within the message budget', () => {
  // Lines of `n. *title* · _manual_: explanation`: 17 characters around the title and the explanation, and the number.
  const step = (i: number, titleLength: number, explanationLength: number) =>
    manualStep(`s${i}`, { title: 't'.repeat(titleLength), explanation: 'e'.repeat(explanationLength) });
  const lineOf = (i: number, titleLength: number, explanationLength: number) => `${i}. *${'t'.repeat(titleLength)}* · _manual_: ${'e'.repeat(explanationLength)}`;
  const text = (lines: string[]): Block => ({ type: 'text', text: lines.join('\n') });
  const bare = (steps: ReturnType<typeof step>[]) => {
    const { rto: _rto, rpo: _rpo, escalation: _escalation, ...rb } = runbook({ services: [], alerts: [], summary: '', params: {}, steps });
    return rb;
  };
  // The header (13), the facts (16) and the start line (36) leave 10,935 characters to the steps.
  const head: Block[] = [{ type: 'header', text: 'Slow database' }, { type: 'context', items: ['`db-slow` · *P2*'] }];
  const tail: Block[] = [{ type: 'context', items: ['Start it with `/runbook run db-slow`'] }];
  // 33 steps of 328 and 329 characters take 10,881 of them with their line breaks; 54 are left.
  const full = Array.from({ length: 33 }, (_, i) => i + 1);
  const fullLines = full.map((i) => lineOf(i, 150, 160));
  const packed = [fullLines.slice(0, 8), fullLines.slice(8, 16), fullLines.slice(16, 24), fullLines.slice(24, 32)];

  it('shows a step that fills the text budget exactly, and counts the one after it', () => {
    // The 34th step's line is 54 characters; the 35th (50) would go over.
    const m = showMessage(bare([...full.map((i) => step(i, 150, 160)), step(34, 20, 15), step(35, 20, 11)]));
    expect(lineOf(34, 20, 15)).toHaveLength(54);
    expect(m).toEqual({
      text: 'Runbook Slow database: 35 steps',
      blocks: [
        ...head,
        { type: 'text', text: '*35 steps*' },
        ...packed.map(text),
        text([fullLines[32]!, lineOf(34, 20, 15)]),
        { type: 'context', items: ['+1 more step not shown.'] },
        ...tail,
      ],
    });
  });

  it('counts a step one character over the text budget', () => {
    const m = showMessage(bare([...full.map((i) => step(i, 150, 160)), step(34, 20, 16), step(35, 20, 11)]));
    expect(m.blocks).toEqual([
      ...head,
      { type: 'text', text: '*35 steps*' },
      ...packed.map(text),
      text([fullLines[32]!]),
      { type: 'context', items: ['+2 more steps not shown.'] },
      ...tail,
    ]);
  });

  it('has no step block for a runbook without steps', () => {
    expect(showMessage(bare([])).blocks).toEqual([...head, { type: 'text', text: '*0 steps*' }, ...tail]);
  });
});

describe('/runbook list within the message budget', () => {
  // Lines of `` `rb-NN` *title* · P2 · service ``: 18 characters around the title and the service.
  const rb = (i: number, titleLength: number, serviceLength: number) =>
    runbook({ id: `rb-${String(i).padStart(2, '0')}`, title: 't'.repeat(titleLength), services: ['s'.repeat(serviceLength)], symptoms: [], steps: [] });
  const lineOf = (r: ReturnType<typeof rb>) => `\`${r.id}\` *${r.title}* · P2 · ${r.services[0]!}`;
  const text = (rbs: ReturnType<typeof rb>[]): Block => ({ type: 'text', text: rbs.map(lineOf).join('\n') });
  const heading = (n: number): Block => ({ type: 'text', text: `*${n} runbooks*. \`/runbook show <id>\` tells its steps, \`/runbook run <id>\` starts it.` });
  // Seven lines of 350 characters make a block of 2,456; 344 are left in it.
  const seven = Array.from({ length: 7 }, (_, i) => rb(i, 150, 182));

  it('fills a block to exactly 2,800 characters before starting the next', () => {
    const rbs = [...seven, rb(7, 150, 175), rb(8, 150, 182)];
    expect(lineOf(rbs[7]!)).toHaveLength(343);
    const m = listMessage(rbs);
    expect(m).toEqual({ text: '9 runbooks', blocks: [heading(9), text(rbs.slice(0, 8)), text(rbs.slice(8))] });
    expect((m.blocks[1] as { text: string }).text).toHaveLength(2800);
  });

  it('starts a new block for a line one character too long for the current one', () => {
    const rbs = [...seven, rb(7, 150, 176), rb(8, 150, 182)];
    expect(listMessage(rbs).blocks).toEqual([heading(9), text(rbs.slice(0, 7)), text(rbs.slice(7))]);
  });

  // 31 lines of 350 characters take 10,881 of the 11,000 with their line breaks; 119 are left.
  const many = Array.from({ length: 31 }, (_, i) => rb(i, 150, 182));
  const blocksOf = (rbs: ReturnType<typeof rb>[]) => [text(rbs.slice(0, 7)), text(rbs.slice(7, 14)), text(rbs.slice(14, 21)), text(rbs.slice(21, 28)), text(rbs.slice(28))];

  it('shows a line that fills the text budget exactly, and counts the one after it', () => {
    const rbs = [...many, rb(31, 100, 1), rb(32, 150, 182)];
    expect(lineOf(rbs[31]!)).toHaveLength(119);
    expect(listMessage(rbs).blocks).toEqual([heading(33), ...blocksOf(rbs.slice(0, 32)), { type: 'context', items: ['+1 more runbook not shown.'] }]);
  });

  it('counts a line one character over the text budget', () => {
    const rbs = [...many, rb(31, 100, 2)];
    expect(listMessage(rbs).blocks).toEqual([heading(32), ...blocksOf(many), { type: 'context', items: ['+1 more runbook not shown.'] }]);
  });
});

describe('/runbook list replies', () => {
  it('says how to add runbooks when none is loaded, whatever the filter', () => {
    const none: Message = { text: 'No runbook is loaded.', blocks: [{ type: 'text', text: 'No runbook is loaded. Runbooks are Markdown files in the runbooks directory (`runbooks.dir`); see docs/RUNBOOKS.md.' }] };
    expect(listMessage([])).toEqual(none);
    expect(listMessage([], 'redis')).toEqual(none);
  });

  it('takes a filter of spaces for no filter, and escapes and cuts the filter it names', () => {
    const one = runbook({ id: 'a', title: 'A', services: [], steps: [] });
    expect(listMessage([one], '  ')).toEqual({ text: '1 runbook', blocks: [{ type: 'text', text: '*1 runbook*. `/runbook show <id>` tells its steps, `/runbook run <id>` starts it.' }, { type: 'text', text: '`a` *A* · P2' }] });
    expect(listMessage([one], `*x* ${'y'.repeat(70)}`).text).toBe(`No runbook matching "${ZWSP}*x${ZWSP}* ${'y'.repeat(55)}…".`);
  });
});

describe('which incident a run is for', () => {
  const rb = runbook({ title: 'Slow *database*', steps: [] });
  const incident = (n: number) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, label: `INC-${n}`, title: `Incident\n${n}` });
  const value = (i: string | null, p: Record<string, string> = { minutes: '10' }) => JSON.stringify({ r: 'db-slow', p, i, q: 1 });
  const question = (more?: string) =>
    [`*Which incident is this run of Slow ${ZWSP}*database${ZWSP}* for?* Its steps go on that incident's timeline, and the run is posted in its channel.`, ...(more ? [more] : []), '_No incident: the run is posted here, in this channel._'].join('\n');

  it('asks with a button per open incident, the first one primary, and No incident', () => {
    expect(incidentChoiceMessage({ runbook: rb, params: { minutes: '10' }, incidents: [incident(1), incident(2)] })).toEqual({
      text: `Which incident is this run of Slow ${ZWSP}*database${ZWSP}* for?`,
      blocks: [
        { type: 'text', text: question() },
        {
          type: 'actions',
          buttons: [
            { action: 'runbook_start:0', label: 'INC-1 Incident 1', value: value(incident(1).id), style: 'primary' },
            { action: 'runbook_start:1', label: 'INC-2 Incident 2', value: value(incident(2).id) },
            { action: 'runbook_start:none', label: 'No incident', value: value(null) },
          ],
        },
      ],
    });
  });

  it('lists ten incidents at most, and counts the others', () => {
    const ten = Array.from({ length: 10 }, (_, i) => incident(i + 1));
    expect(incidentChoiceMessage({ runbook: rb, params: {}, incidents: ten })!.blocks[0]).toEqual({ type: 'text', text: question() });
    const m = incidentChoiceMessage({ runbook: rb, params: {}, incidents: [...ten, incident(11)] })!;
    expect(m.blocks[0]).toEqual({ type: 'text', text: question('_1 more open incident not listed: run the command in that incident\'s channel._') });
    expect(m.blocks[1]).toEqual({ type: 'actions', buttons: [...ten.map((x, n) => ({ action: `runbook_start:${n}`, label: `${x.label} Incident ${n + 1}`, value: value(x.id, {}), ...(n === 0 ? { style: 'primary' } : {}) })), { action: 'runbook_start:none', label: 'No incident', value: value(null, {}) }] });
  });

  it('asks only with No incident when none is open', () => {
    expect(incidentChoiceMessage({ runbook: rb, params: {}, incidents: [] })!.blocks[1]).toEqual({ type: 'actions', buttons: [{ action: 'runbook_start:none', label: 'No incident', value: value(null, {}) }] });
  });

  it('takes params whose button value is 2,000 characters, not one more', () => {
    // The value with an incident is 34 characters longer than with none.
    const withNote = (length: number) => ({ note: 'n'.repeat(length - value(incident(1).id, { note: '' }).length) });
    expect(value(incident(1).id, withNote(2000))).toHaveLength(2000);
    expect(incidentChoiceMessage({ runbook: rb, params: withNote(2000), incidents: [incident(1)] })!.blocks[1]).toEqual({
      type: 'actions',
      buttons: [
        { action: 'runbook_start:0', label: 'INC-1 Incident 1', value: value(incident(1).id, withNote(2000)), style: 'primary' },
        { action: 'runbook_start:none', label: 'No incident', value: value(null, withNote(2000)) },
      ],
    });
    // Too long with an incident, though it would fit with none.
    expect(incidentChoiceMessage({ runbook: rb, params: withNote(2001), incidents: [incident(1)] })).toBeNull();
    // Too long even with none.
    expect(incidentChoiceMessage({ runbook: rb, params: { note: 'n'.repeat(2000) }, incidents: [] })).toBeNull();
  });
});

describe('the suggestions when an incident opens', () => {
  const incident = { id: '00000000-0000-4000-8000-000000000001', label: 'INC-1' };
  const value = (r: string) => JSON.stringify({ r, i: incident.id });
  const rbs = [
    runbook({ id: 'db-slow', title: 'Slow *database*', services: ['postgres', 'orders', 'a', 'b'], symptoms: ['slow', 'c', 'd'], steps: [] }),
    runbook({ id: 'disk', title: 'Disk full', severity: 'P3', rto: undefined, services: [], symptoms: [], steps: [] }),
    runbook({ id: 'redis-down', title: 'Redis\ndown', severity: 'P1', rto: '5m', services: ['redis'], symptoms: [], steps: [] }),
    runbook({ id: 'fourth', title: 'Fourth', steps: [] }),
  ];

  it('suggests three runbooks at most, each with why and a Run button, the first one primary', () => {
    expect(suggestionsMessage({ incident, runbooks: rbs })).toEqual({
      text: `Runbooks that may help with INC-1: Slow ${ZWSP}*database${ZWSP}*, Disk full, Redis down`,
      blocks: [
        {
          type: 'text',
          text: [
            ':books: *Runbooks that may help with INC-1*',
            `• *Slow ${ZWSP}*database${ZWSP}** (\`db-slow\`, P2, RTO 15m): postgres, orders, a, b, slow, c`,
            '• *Disk full* (`disk`, P3)',
            '• *Redis down* (`redis-down`, P1, RTO 5m): redis',
          ].join('\n'),
        },
        {
          type: 'actions',
          buttons: [
            { action: 'runbook_start:0', label: 'Run Slow *database*', value: value('db-slow'), style: 'primary' },
            { action: 'runbook_start:1', label: 'Run Disk full', value: value('disk') },
            { action: 'runbook_start:2', label: 'Run Redis down', value: value('redis-down') },
          ],
        },
      ],
    });
  });

  it('puts the note above, and posts the note alone when no runbook is suggested', () => {
    expect(suggestionsMessage({ incident, runbooks: rbs.slice(1, 2), note: ':grey_question: no runbook "x"' })).toEqual({
      text: 'Runbooks that may help with INC-1: Disk full',
      blocks: [
        { type: 'text', text: ':grey_question: no runbook "x"' },
        { type: 'text', text: ':books: *Runbooks that may help with INC-1*\n• *Disk full* (`disk`, P3)' },
        { type: 'actions', buttons: [{ action: 'runbook_start:0', label: 'Run Disk full', value: value('disk'), style: 'primary' }] },
      ],
    });
    expect(suggestionsMessage({ incident, runbooks: [], note: ':grey_question: no runbook "x"' })).toEqual({ text: ':grey_question: no runbook "x"', blocks: [{ type: 'text', text: ':grey_question: no runbook "x"' }] });
    expect(suggestionsMessage({ incident, runbooks: [], note: '' })).toBeNull();
  });

  it('leaves out a Run button whose value Slack would refuse, and the buttons block when none is left', () => {
    const huge = runbook({ id: 'x'.repeat(2000), title: 'Huge', services: [], symptoms: [], rto: undefined, steps: [] });
    expect(suggestionsMessage({ incident, runbooks: [huge, rbs[1]!] })!.blocks[1]).toEqual({ type: 'actions', buttons: [{ action: 'runbook_start:1', label: 'Run Disk full', value: value('disk') }] });
    expect(suggestionsMessage({ incident, runbooks: [huge] })!.blocks).toEqual([{ type: 'text', text: `:books: *Runbooks that may help with INC-1*\n• *Huge* (\`${'x'.repeat(62)}…\`, P2)` }]);
  });
});
