/** Block Kit blocks and elements as the console draws them: what appears, and the data the page acts on. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderBlocks, renderConfirm, type RenderContext } from '../../src/adapters/local-slack/console/render/index.js';
import { all, one, parseHtml, readText, type El } from './render-html.js';

const ctx: RenderContext = {
  users: { U1: { name: 'alice', realName: 'Alice Martin' }, U2: { name: 'bob', realName: 'Bob Chen' }, UBOT: { name: 'firebreak' } },
  channels: { C1: { name: 'incidents' } },
  timeZone: 'UTC',
  now: Date.UTC(2024, 4, 1, 12),
  botUserId: 'UBOT',
};
const pt = (text: string) => ({ type: 'plain_text', text, emoji: true });
const mk = (text: string) => ({ type: 'mrkdwn', text });
const draw = (blocks: unknown[], surface: 'message' | 'modal' = 'message', errors?: Record<string, string>) => parseHtml(renderBlocks(blocks, ctx, { surface, errors, scope: 's1' }));
const options = (...pairs: Array<[string, string]>) => pairs.map(([text, value]) => ({ text: pt(text), value }));
const selectedValues = (el: El) => all(el, 'option').filter((o) => 'selected' in o.attrs).map((o) => o.attrs.value);

describe('layout blocks', () => {
  it('header: its plain text, escaped, emoji drawn', () => {
    const h = one(draw([{ type: 'header', block_id: 'h', text: pt('INC-7 <checkout> :fire:') }]), '.block-header h3');
    expect(readText(h)).toBe('INC-7 <checkout> 🔥');
  });

  it('section: mrkdwn text, fields in two columns, and the block id', () => {
    const out = draw([{ type: 'section', block_id: 'card', text: mk('*Checkout* is down'), fields: [mk('*Severity*\nP1'), mk('*Status*\nInvestigating'), pt('<plain>')] }]);
    const section = one(out, '.block-section[data-block-id="card"]');
    expect(one(section, '.sk-section-text b').children).toEqual(['Checkout']);
    const fields = all(section, '.sk-fields .sk-field');
    expect(fields.map(readText)).toEqual(['SeverityP1', 'StatusInvestigating', '<plain>']);
    expect(all(fields[0] as El, 'br')).toHaveLength(1);
  });

  it('context: small text and images', () => {
    const out = draw([{ type: 'context', elements: [mk('Opened by <@U1>'), { type: 'image', image_url: 'https://img.example/a.png', alt_text: 'logo' }, pt('P1')] }]);
    expect(all(out, '.block-context .sk-context-text').map(readText)).toEqual(['Opened by @alice', 'P1']);
    expect(one(out, '.block-context img.sk-context-image').attrs).toMatchObject({ src: 'https://img.example/a.png', alt: 'logo' });
  });

  it('divider: a rule', () => {
    expect(all(draw([{ type: 'divider' }]), '.block-divider hr')).toHaveLength(1);
  });

  it('image: the picture, its alt text and title; never a javascript: source', () => {
    const out = draw([{ type: 'image', image_url: 'https://grafana.example/render.png', alt_text: 'p99 latency', title: pt('Latency') }]);
    expect(one(out, 'figure.block-image img').attrs).toMatchObject({ src: 'https://grafana.example/render.png', alt: 'p99 latency' });
    expect(readText(one(out, 'figure figcaption'))).toBe('Latency');
    const bad = draw([{ type: 'image', image_url: 'javascript:alert(1)', alt_text: 'chart' }]);
    expect(all(bad, 'img')).toHaveLength(0);
    expect(readText(bad)).toContain('chart');
  });

  it('unknown blocks: a grey "unsupported block" line, never a crash', () => {
    const out = draw([{ type: 'video', video_url: 'x' }, 'nonsense', { text: 'no type' }]);
    expect(all(out, '.block-unsupported').map(readText)).toEqual(['unsupported block: video', 'unsupported block: "nonsense"', 'unsupported block: none']);
  });

  it('blocks that are not an array draw nothing', () => {
    expect(renderBlocks(undefined, ctx, { surface: 'message' })).toBe('');
    expect(renderBlocks({ type: 'divider' }, ctx, { surface: 'message' })).toBe('');
  });

  it('a block without block_id gets one from its position', () => {
    expect(all(draw([{ type: 'divider' }, { type: 'actions', elements: [{ type: 'button', action_id: 'go', text: pt('Go') }] }]), 'button')[0]?.attrs['data-block-id']).toBe('block-1');
  });
});

describe('buttons', () => {
  const confirm = { title: pt('Restart?'), text: mk('Restarts *checkout*'), confirm: pt('Restart'), deny: pt('Keep'), style: 'danger' };
  const out = draw([
    {
      type: 'actions',
      block_id: 'inc:1',
      elements: [
        { type: 'button', action_id: 'ack', text: pt('Acknowledge :eyes:'), value: 'INC-1', style: 'primary' },
        { type: 'button', action_id: 'resolve', text: pt('Resolve'), value: 'v"1\'<>', style: 'danger', confirm },
        { type: 'button', action_id: 'plain', text: pt('Timeline') },
        { type: 'button', action_id: 'docs', text: pt('Runbook'), url: 'https://wiki.example/runbook' },
        { type: 'button', action_id: 'evil', text: pt('Evil'), url: 'javascript:alert(1)' },
      ],
    },
  ]);
  const [ack, resolve, plain, docs, evil] = all(out, 'button') as [El, El, El, El, El];

  it('are real buttons with their text, style class, and the action data', () => {
    expect(all(out, 'button')).toHaveLength(5);
    expect(readText(ack)).toBe('Acknowledge 👀');
    expect(ack.attrs).toMatchObject({ type: 'button', class: 'sk-button sk-button-primary', 'data-element-type': 'button', 'data-block-id': 'inc:1', 'data-action-id': 'ack', 'data-value': 'INC-1', 'data-text': 'Acknowledge :eyes:', 'data-style': 'primary' });
    expect(resolve.attrs.class).toBe('sk-button sk-button-danger');
    expect(plain.attrs.class).toBe('sk-button');
    expect('data-style' in plain.attrs || 'data-value' in plain.attrs || 'data-confirm' in plain.attrs).toBe(false);
  });

  it('carry values with quotes and brackets intact', () => {
    expect(resolve.attrs['data-value']).toBe('v"1\'<>');
  });

  it('carry their confirm object as JSON, and the dialog reads it', () => {
    expect(JSON.parse(resolve.attrs['data-confirm'] as string)).toEqual(confirm);
    const dialog = renderConfirm(confirm, ctx);
    expect(dialog).toEqual({ title: 'Restart?', text: 'Restarts <b>checkout</b>', confirm: 'Restart', deny: 'Keep', danger: true });
    expect(renderConfirm({}, ctx)).toMatchObject({ title: 'Are you sure?', confirm: 'Yes', deny: 'Cancel', danger: false });
  });

  it('carry a safe url for the page to open, never a javascript: one', () => {
    expect(docs.attrs['data-url']).toBe('https://wiki.example/runbook');
    expect(readText(docs)).toBe('Runbook ↗');
    expect('data-url' in evil.attrs).toBe(false);
  });
});

describe('selects, menus, choices, dates', () => {
  it('static_select: options, groups, initial option, placeholder', () => {
    const out = draw([
      {
        type: 'actions',
        block_id: 'b',
        elements: [
          { type: 'static_select', action_id: 'sev', placeholder: pt('Severity'), options: options(['P0 Critical', 'P0'], ['P1 Major', 'P1']), initial_option: { text: pt('P1 Major'), value: 'P1' } },
          { type: 'static_select', action_id: 'grouped', option_groups: [{ label: pt('Databases'), options: options(['pg', 'pg'], ['redis', 'redis']) }, { label: pt('Web'), options: options(['api', 'api']) }] },
        ],
      },
    ]);
    const [sev, grouped] = all(out, 'select') as [El, El];
    expect(sev.attrs).toMatchObject({ 'data-element-type': 'static_select', 'data-action-id': 'sev', 'data-block-id': 'b', 'aria-label': 'Severity' });
    expect(all(sev, 'option').map(readText)).toEqual(['Severity', 'P0 Critical', 'P1 Major']);
    expect(selectedValues(sev)).toEqual(['P1']);
    expect(all(sev, 'option')[2]?.attrs['data-text']).toBe('P1 Major');
    expect(all(grouped, 'optgroup').map((g) => g.attrs.label)).toEqual(['Databases', 'Web']);
    expect(all(grouped, 'optgroup option').map((o) => o.attrs.value)).toEqual(['pg', 'redis', 'api']);
    expect(selectedValues(grouped)).toEqual(['']);
  });

  it('users_select: the context’s people (not the bot), the initial user selected', () => {
    const out = draw([{ type: 'actions', elements: [{ type: 'users_select', action_id: 'who', initial_user: 'U2', placeholder: pt('Pick someone') }] }]);
    const select = one(out, 'select');
    expect(select.attrs['data-element-type']).toBe('users_select');
    expect(all(select, 'option').map((o) => o.attrs.value)).toEqual(['', 'U1', 'U2']);
    expect(all(select, 'option').map(readText)).toEqual(['Pick someone', 'Alice Martin (@alice)', 'Bob Chen (@bob)']);
    expect(selectedValues(select)).toEqual(['U2']);
  });

  it('overflow: a ⋯ button and a hidden menu of its options', () => {
    const out = draw([{ type: 'section', block_id: 's', text: mk('x'), accessory: { type: 'overflow', action_id: 'more', options: [{ text: pt('Timeline'), value: 'timeline' }, { text: pt('Docs'), value: 'docs', url: 'https://docs.example' }] } }]);
    const menu = one(out, '.sk-accessory .sk-overflow');
    expect(menu.attrs).toMatchObject({ 'data-element-type': 'overflow', 'data-action-id': 'more', 'data-block-id': 's' });
    expect(readText(one(menu, '.sk-overflow-toggle'))).toBe('⋯');
    expect('hidden' in one(menu, '[role="menu"]').attrs).toBe(true);
    const items = all(menu, 'button[role="menuitem"]');
    expect(items.map((i) => [readText(i), i.attrs['data-option-value'], i.attrs['data-option-text']])).toEqual([
      ['Timeline', 'timeline', 'Timeline'],
      ['Docs', 'docs', 'Docs'],
    ]);
    expect(items[1]?.attrs['data-url']).toBe('https://docs.example');
  });

  it('checkboxes: options (mrkdwn drawn), initial ones checked, descriptions, raw text for the payload', () => {
    const out = draw([
      {
        type: 'actions',
        block_id: 'checklist:0',
        elements: [
          {
            type: 'checkboxes',
            action_id: 'tick',
            options: [
              { text: mk('Page the *DBA*'), value: 'dba', description: pt('within 5 min') },
              { text: mk('Post status'), value: 'status' },
            ],
            initial_options: [{ text: mk('Post status'), value: 'status' }],
          },
        ],
      },
    ]);
    const group = one(out, '.sk-checkboxes');
    expect(group.attrs).toMatchObject({ role: 'group', 'data-element-type': 'checkboxes', 'data-action-id': 'tick', 'data-block-id': 'checklist:0' });
    const boxes = all(group, 'input');
    expect(boxes.map((b) => [b.attrs.type, b.attrs.value, 'checked' in b.attrs, b.attrs['data-text'], b.attrs['data-text-type']])).toEqual([
      ['checkbox', 'dba', false, 'Page the *DBA*', 'mrkdwn'],
      ['checkbox', 'status', true, 'Post status', 'mrkdwn'],
    ]);
    expect(one(group, '.sk-choice-text b').children).toEqual(['DBA']);
    expect(readText(one(group, '.sk-choice-desc'))).toBe('within 5 min');
  });

  it('datepicker: a date input with its initial date (a malformed one is dropped)', () => {
    const out = draw([{ type: 'actions', elements: [{ type: 'datepicker', action_id: 'd1', initial_date: '2024-05-03' }, { type: 'datepicker', action_id: 'd2', initial_date: '03/05/2024' }] }]);
    const [d1, d2] = all(out, 'input') as [El, El];
    expect(d1.attrs).toMatchObject({ type: 'date', value: '2024-05-03', 'data-element-type': 'datepicker', 'data-action-id': 'd1' });
    expect('value' in d2.attrs).toBe(false);
  });

  it('section accessories: button, static_select, users_select, checkboxes, datepicker, image', () => {
    const accessories = [
      { type: 'button', action_id: 'a', text: pt('Go') },
      { type: 'static_select', action_id: 'a', options: options(['x', 'x']) },
      { type: 'users_select', action_id: 'a' },
      { type: 'checkboxes', action_id: 'a', options: options(['x', 'x']) },
      { type: 'datepicker', action_id: 'a' },
      { type: 'image', image_url: 'https://img.example/x.png', alt_text: 'x' },
    ];
    const out = draw(accessories.map((accessory, i) => ({ type: 'section', block_id: `s${i}`, text: mk('t'), accessory })));
    const found = all(out, '.sk-accessory').map((a) => {
      const first = a.children[0] as El;
      return first.attrs['data-element-type'] ?? first.tag;
    });
    expect(found).toEqual(['button', 'static_select', 'users_select', 'checkboxes', 'datepicker', 'img']);
  });

  it('unknown elements: a grey line naming them', () => {
    expect(readText(one(draw([{ type: 'actions', elements: [{ type: 'timepicker', action_id: 't' }] }]), '.sk-unsupported'))).toBe('unsupported element: timepicker');
  });
});

describe('input blocks', () => {
  const blocks = [
    { type: 'input', block_id: 'title', label: pt('Title'), element: { type: 'plain_text_input', action_id: 'title', placeholder: pt('What is broken'), initial_value: 'Checkout "500s" <b>', min_length: 3, max_length: 120 } },
    { type: 'input', block_id: 'impact', optional: true, label: pt('Impact'), hint: pt('Who is affected'), element: { type: 'plain_text_input', action_id: 'impact', multiline: true, initial_value: 'line 1\n</textarea><script>x</script>' } },
    { type: 'input', block_id: 'severity', label: pt('Severity'), element: { type: 'static_select', action_id: 'severity', options: options(['P1', 'P1'], ['P2', 'P2']) } },
    { type: 'input', block_id: 'commander', optional: true, label: pt('Commander'), element: { type: 'users_select', action_id: 'commander', initial_user: 'U1' } },
    { type: 'input', block_id: 'checks', label: pt('Checks'), element: { type: 'checkboxes', action_id: 'checks', options: options(['pg', 'pg'], ['redis', 'redis']), initial_options: options(['redis', 'redis']) } },
    { type: 'input', block_id: 'date', label: pt('Postmortem'), element: { type: 'datepicker', action_id: 'date', initial_date: '2024-05-10' } },
    { type: 'input', block_id: 'mode', label: pt('Mode'), dispatch_action: true, element: { type: 'radio_buttons', action_id: 'mode', options: options(['Dry run', 'dry'], ['Apply', 'apply']), initial_option: { text: pt('Apply'), value: 'apply' } } },
  ];
  const out = draw(blocks, 'modal', { title: 'A title is required.', checks: 'Pick at least one <check>.' });
  const blockOf = (id: string) => one(out, `.block-input[data-block-id="${id}"]`);

  it('each has its label, "(optional)" when optional, and its hint', () => {
    expect(all(out, '.block-input .sk-label').map(readText)).toEqual(['Title', 'Impact (optional)', 'Severity', 'Commander (optional)', 'Checks', 'Postmortem', 'Mode']);
    expect(readText(one(blockOf('impact'), '.sk-hint'))).toBe('Who is affected');
    expect('data-optional' in blockOf('impact').attrs).toBe(true);
    expect('data-optional' in blockOf('title').attrs).toBe(false);
  });

  it('labels point at their control (for = id)', () => {
    for (const id of ['title', 'impact', 'severity', 'commander', 'date']) {
      const label = one(blockOf(id), 'label.sk-label');
      const control = one(blockOf(id), `[data-action-id="${id}"]`);
      expect(control.attrs.id).toBe(label.attrs.for);
    }
    const group = one(blockOf('checks'), '.sk-checkboxes');
    expect(group.attrs['aria-labelledby']).toBe(one(blockOf('checks'), '.sk-label').attrs.id);
  });

  it('plain_text_input: single line with value, placeholder and lengths; multiline as a textarea', () => {
    const title = one(blockOf('title'), 'input');
    expect(title.attrs).toMatchObject({ type: 'text', value: 'Checkout "500s" <b>', placeholder: 'What is broken', minlength: '3', maxlength: '120', 'data-element-type': 'plain_text_input', 'data-block-id': 'title', 'data-in-input': '' });
    const impact = one(blockOf('impact'), 'textarea');
    expect(impact.children).toEqual(['line 1\n</textarea><script>x</script>']);
    expect(all(out, 'script')).toHaveLength(0);
  });

  it('selects, users, checkboxes, datepicker and radio buttons keep their initial values', () => {
    expect(selectedValues(one(blockOf('severity'), 'select'))).toEqual(['']);
    expect(selectedValues(one(blockOf('commander'), 'select'))).toEqual(['U1']);
    expect(all(blockOf('checks'), 'input').map((i) => 'checked' in i.attrs)).toEqual([false, true]);
    expect(one(blockOf('date'), 'input').attrs.value).toBe('2024-05-10');
    const radios = all(blockOf('mode'), 'input');
    expect(radios.map((r) => [r.attrs.type, r.attrs.value, 'checked' in r.attrs])).toEqual([
      ['radio', 'dry', false],
      ['radio', 'apply', true],
    ]);
    expect(new Set(radios.map((r) => r.attrs.name)).size).toBe(1);
    expect(one(blockOf('mode'), '.sk-radios').attrs).toMatchObject({ role: 'radiogroup', 'data-element-type': 'radio_buttons', 'data-dispatch': '' });
  });

  it('shows the view’s error under its field, and only there', () => {
    expect(blockOf('title').attrs.class).toBe('block block-input has-error');
    expect(readText(one(blockOf('title'), '.sk-error'))).toBe('A title is required.');
    expect(readText(one(blockOf('checks'), '.sk-error'))).toBe('Pick at least one <check>.');
    expect(all(out, '.sk-error')).toHaveLength(2);
    expect(blockOf('severity').attrs.class).toBe('block block-input');
  });
});

describe('robustness', () => {
  it('draws well-formed HTML for any JSON, never throwing', () => {
    const blockish = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('section', 'header', 'actions', 'input', 'context', 'image', 'divider', 'rich_text', 'button', 'static_select', 'checkboxes', 'plain_text', 'mrkdwn', '<b>', 'javascript:x'),
        fc.string({ maxLength: 8 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('type', 'text', 'elements', 'element', 'fields', 'accessory', 'options', 'label', 'block_id', 'action_id', 'value', 'url', 'image_url', 'confirm', 'initial_option', 'placeholder'), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.array(blockish, { maxLength: 4 }), (blocks) => {
        const out = parseHtml(renderBlocks(blocks, ctx, { surface: 'modal', errors: { x: '<e>' } }));
        expect(all(out, 'script')).toHaveLength(0);
        // The page's content policy (style-src 'self') drops inline styles: none may be needed.
        expect(all(out, '[style]')).toHaveLength(0);
      }),
      { numRuns: 300 },
    );
  });
});
