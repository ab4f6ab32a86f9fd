/** Messages, notices and modals as the console draws them, and what it refuses to draw as Slack would. */
import { describe, expect, it } from 'vitest';
import type { ConsoleMessage, ConsoleState, ConsoleView } from '../../src/adapters/local-slack/console/protocol.js';
import { contextFromState, formatSize, modalTitle, renderMessage, renderModal, renderNotice, type RenderContext } from '../../src/adapters/local-slack/console/render/index.js';
import { all, one, parseHtml, readText } from './render-html.js';

const ctx: RenderContext = {
  users: { U1: { name: 'alice', realName: 'Alice Martin' }, U2: { name: 'bob', realName: 'Bob Chen' }, UBOT: { name: 'firebreak', realName: 'Firebreak' } },
  channels: { C1: { name: 'incidents' } },
  timeZone: 'UTC',
  now: Date.UTC(2024, 4, 1, 12),
  botUserId: 'UBOT',
  botName: 'Firebreak',
  me: 'U2',
};
/** 2024-05-01 09:05:30 UTC */
const TS = '1714554330.000200';
const message = (over: Partial<ConsoleMessage> = {}): ConsoleMessage => ({
  channel: 'C1',
  ts: TS,
  user: 'U1',
  bot: false,
  text: 'checkout is *down*',
  edited: false,
  pinned: false,
  reactions: [],
  files: [],
  replyCount: 0,
  ...over,
});
const draw = (m: ConsoleMessage, c: RenderContext = ctx, inThread = false) => parseHtml(renderMessage(m, c, { inThread }));
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('renderMessage', () => {
  it('shows the author, the time (HH:MM in the reader’s zone) and the text as mrkdwn', () => {
    const out = draw(message());
    const root = one(out, '.message');
    expect(root.attrs).toMatchObject({ 'data-ts': TS, 'data-channel': 'C1', 'data-user': 'U1' });
    expect(readText(one(out, '.message-author'))).toBe('Alice Martin');
    expect(readText(one(out, '.message-time'))).toBe('09:05');
    expect(readText(one(draw(message(), { ...ctx, timeZone: 'Asia/Kolkata' }), '.message-time'))).toBe('14:35');
    expect(one(out, '.message-body b').children).toEqual(['down']);
    expect(all(out, '.message-app')).toHaveLength(0);
  });

  it('names the bot with an APP badge', () => {
    const out = draw(message({ user: 'UBOT', bot: true }));
    expect(readText(one(out, '.message-author'))).toBe('Firebreak');
    expect(readText(one(out, '.message-app'))).toBe('APP');
    expect(one(out, '.message').attrs.class).toContain('message-bot');
  });

  it('draws the blocks, not the fallback text, when there are blocks', () => {
    const out = draw(message({ text: 'fallback only', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'INC-3 Checkout down' } }, section('Severity *P1*')] }));
    expect(readText(one(out, '.message-body'))).toBe('INC-3 Checkout downSeverity P1');
    expect(readText(out)).not.toContain('fallback only');
  });

  it('draws the red box instead of a section Slack would refuse (3,001 characters)', () => {
    const long = 'x'.repeat(3001);
    const out = draw(message({ text: 'fallback', blocks: [section(long)] }));
    const box = one(out, '.sk-refusal');
    expect(box.attrs.role).toBe('alert');
    expect(readText(one(box, '.sk-refusal-title'))).toBe('Slack would refuse this message: invalid_blocks');
    expect(all(box, 'li').map(readText)).toEqual(['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    expect(readText(out)).not.toContain('xxxxxxxxxx');
    expect(all(draw(message({ blocks: [section('x'.repeat(3000))] })), '.sk-refusal')).toHaveLength(0);
  });

  it('draws the red box for 51 blocks, and for a text past 40,000 characters', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const box = one(draw(message({ blocks })), '.sk-refusal');
    expect(all(box, 'li').map(readText)).toEqual(['must provide no more than 50 items [json-pointer:/blocks]']);
    expect(all(draw(message({ blocks })), 'hr')).toHaveLength(0);
    expect(all(draw(message({ blocks: blocks.slice(1) })), 'hr')).toHaveLength(50);
    expect(readText(one(draw(message({ text: 't'.repeat(40_001) })), '.sk-refusal-title'))).toBe('Slack would refuse this message: msg_too_long');
  });

  it('marks edited, pinned and ephemeral messages', () => {
    expect(all(draw(message()), '.message-edited')).toHaveLength(0);
    expect(readText(one(draw(message({ edited: true })), '.message-edited'))).toBe('(edited)');
    expect(all(draw(message()), '.message-pin-marker')).toHaveLength(0);
    const pinned = draw(message({ pinned: true }));
    expect(readText(one(pinned, '.message-pin-marker'))).toBe('📌 Pinned');
    expect(one(pinned, '.message').attrs.class).toContain('message-pinned');
    expect(all(draw(message()), '.message-ephemeral-note')).toHaveLength(0);
    const eph = draw(message({ user: 'UBOT', bot: true, ephemeralTo: 'U2' }));
    expect(readText(one(eph, '.message-ephemeral-note'))).toBe('👁 Only visible to you');
    expect(one(eph, '.message').attrs.class).toContain('message-ephemeral');
    expect(all(eph, '[data-add-reaction]')).toHaveLength(0);
    expect(all(eph, '[data-open-thread]')).toHaveLength(0);
  });

  it('shows reactions with their emoji and counts, marking the reader’s own', () => {
    const out = draw(message({ reactions: [{ name: 'pushpin', users: ['U1', 'U2'] }, { name: 'eyes', users: ['U1'] }, { name: 'party_parrot', users: ['U1'] }, { name: 'fire', users: [] }] }));
    const buttons = all(out, 'button.reaction');
    expect(buttons.map(readText)).toEqual(['📌 2', '👀 1', ':party_parrot: 1']);
    expect(buttons.map((b) => b.attrs['data-reaction'])).toEqual(['pushpin', 'eyes', 'party_parrot']);
    expect(buttons.map((b) => b.attrs['aria-pressed'])).toEqual(['true', 'false', 'false']);
    expect(buttons[0]?.attrs.title).toBe('@alice, @bob reacted with :pushpin:');
    expect(all(draw(message()), '.message-reactions')).toHaveLength(0);
    expect(all(draw(message()), 'button[data-add-reaction]')).toHaveLength(1);
  });

  it('lists files with their size and View / Download links', () => {
    const out = draw(message({ files: [{ id: 'F1', name: 'timeline.txt', title: 'INC-3 timeline', size: 2560, viewUrl: '/console/files/F1', downloadUrl: '/console/files/F1?download=1' }] }));
    const f = one(out, '.file[data-file-id="F1"]');
    expect(readText(one(f, '.file-title'))).toBe('INC-3 timeline');
    expect(readText(one(f, '.file-meta'))).toBe('timeline.txt · 2.5 KB');
    expect(all(f, 'a').map((a) => [readText(a), a.attrs.href])).toEqual([
      ['View', '/console/files/F1'],
      ['Download', '/console/files/F1?download=1'],
    ]);
    expect(one(f, 'a[download]').attrs.download).toBe('timeline.txt');
    const evil = draw(message({ files: [{ id: 'F2', name: 'x', title: 'x', size: 1, viewUrl: 'javascript:alert(1)', downloadUrl: '//evil.example/x' }] }));
    expect(all(evil, 'a')).toHaveLength(0);
  });

  it('offers the thread: "N replies" in the channel, nothing in the thread pane', () => {
    expect(readText(one(draw(message({ replyCount: 3 })), '.thread-link'))).toBe('3 replies');
    expect(readText(one(draw(message({ replyCount: 1 })), '.thread-link'))).toBe('1 reply');
    expect(one(draw(message({ replyCount: 1 })), '.thread-link').attrs['data-open-thread']).toBe(TS);
    expect(all(draw(message()), '.thread-link')).toHaveLength(0);
    expect(all(draw(message({ replyCount: 3 }), ctx, true), '.thread-link')).toHaveLength(0);
    expect(all(draw(message(), ctx, true), '.message-reply')).toHaveLength(0);
    expect(all(draw(message()), '.message-reply')).toHaveLength(1);
  });

  it('needs no inline style (the page\'s content policy allows none)', () => {
    const out = draw(message({ reactions: [{ name: 'fire', users: ['U1'] }], pinned: true, replyCount: 2 }));
    expect(all(out, '[style]')).toHaveLength(0);
    expect(one(out, '.avatar').attrs.class).toMatch(/^avatar avatar-[0-7]$/);
  });

  it('escapes whatever a name or text holds', () => {
    const out = draw(message({ user: 'U9', text: '<script>alert(1)</script>' }), { ...ctx, users: { U9: { name: '<img src=x>', realName: '"><script>' } } });
    expect(all(out, 'script')).toHaveLength(0);
    expect(all(out, 'img')).toHaveLength(0);
    expect(readText(one(out, '.message-author'))).toBe('"><script>');
  });
});

describe('renderNotice', () => {
  it('is a red system line with the method, the error and the details', () => {
    const out = parseHtml(renderNotice({ id: 4, at: Date.UTC(2024, 4, 1, 9, 7), channel: 'C1', method: 'chat.postMessage', error: 'invalid_blocks', details: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] }, ctx));
    const n = one(out, '.notice');
    expect(n.attrs).toMatchObject({ role: 'alert', 'data-notice-id': '4' });
    expect(readText(one(n, '.notice-title'))).toBe('Slack refused chat.postMessage: invalid_blocks 09:07');
    expect(all(n, 'li').map(readText)).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
  });
});

describe('renderModal', () => {
  const pt = (text: string) => ({ type: 'plain_text', text });
  const view = (over: Record<string, unknown> = {}, errors: Record<string, string> = {}): ConsoleView => ({
    id: 'V1',
    hash: 'h1',
    errors,
    view: {
      type: 'modal',
      callback_id: 'incident_open',
      title: pt('Declare an incident'),
      submit: pt('Declare'),
      close: pt('Cancel'),
      blocks: [
        { type: 'input', block_id: 'title', label: pt('Title'), element: { type: 'plain_text_input', action_id: 'title' } },
        { type: 'input', block_id: 'severity', label: pt('Severity'), element: { type: 'static_select', action_id: 'severity', options: [{ text: pt('P1'), value: 'P1' }] } },
      ],
      ...over,
    },
  });
  const draw = (v: ConsoleView) => parseHtml(renderModal(v, ctx));

  it('is a dialog named by its title, with ✕, the close and the submit buttons', () => {
    const out = draw(view());
    const d = one(out, '[role="dialog"]');
    expect(d.attrs).toMatchObject({ 'aria-label': 'Declare an incident', 'aria-modal': 'true', 'data-view-id': 'V1', 'data-view-hash': 'h1', 'data-callback-id': 'incident_open' });
    expect(readText(one(d, '.modal-title'))).toBe('Declare an incident');
    expect(all(d, 'button[data-modal-close]').map(readText)).toEqual(['✕', 'Cancel']);
    expect(readText(one(d, 'button[data-modal-submit]'))).toBe('Declare');
    expect(all(d, '.modal-body .block-input')).toHaveLength(2);
    expect(modalTitle(view().view)).toBe('Declare an incident');
  });

  it('says Cancel when the view has no close button, and has no submit without one', () => {
    const out = draw(view({ close: undefined, submit: undefined, blocks: [section('Nothing to fill')] }));
    expect(all(out, 'button[data-modal-close]').map(readText)).toEqual(['✕', 'Cancel']);
    expect(all(out, 'button[data-modal-submit]')).toHaveLength(0);
    expect(all(draw(view({ close: pt('Done') })), 'button[data-modal-close]').map(readText)).toEqual(['✕', 'Done']);
  });

  it('shows errors under their fields, and those naming no field on top', () => {
    const out = draw(view({}, { title: 'A title is required: one line saying what is broken.', nope: 'Stray error' }));
    expect(readText(one(out, '.block-input[data-block-id="title"] .sk-error'))).toBe('A title is required: one line saying what is broken.');
    expect(all(out, '.block-input[data-block-id="severity"] .sk-error')).toHaveLength(0);
    expect(readText(one(out, '.modal-stray-errors'))).toBe('nope: Stray error');
  });

  it('refuses a title of 25 characters as Slack would: the red box, no blocks, no submit', () => {
    const out = draw(view({ title: pt('t'.repeat(25)) }));
    expect(readText(one(out, '.sk-refusal-title'))).toBe('Slack would refuse this modal: invalid_arguments');
    expect(all(out, '.sk-refusal li').map(readText)).toEqual(['must be less than 25 characters [json-pointer:/view/title/text]']);
    expect(all(out, '.block-input')).toHaveLength(0);
    expect(all(out, 'button[data-modal-submit]')).toHaveLength(0);
    expect(all(out, 'button[data-modal-close]')).toHaveLength(2);
    expect(all(draw(view({ title: pt('t'.repeat(24)) })), '.sk-refusal')).toHaveLength(0);
  });

  it('refuses inputs without a submit button', () => {
    expect(all(draw(view({ submit: undefined })), '.sk-refusal li').map(readText)).toEqual(['a view with input blocks must have a submit button [json-pointer:/view/submit]']);
  });
});

describe('helpers', () => {
  it('formatSize', () => {
    expect([0, 512, 1024, 1536, 10 * 1024, 5 * 1024 * 1024, 3.5 * 1024 ** 3].map(formatSize)).toEqual(['0 B', '512 B', '1.0 KB', '1.5 KB', '10 KB', '5.0 MB', '3.5 GB']);
  });

  it('contextFromState knows the people, the bot and the channels', () => {
    const state = {
      me: 'U2',
      bot: { userId: 'UB', name: 'firebreak' },
      users: [{ id: 'U2', name: 'bob', realName: 'Bob Chen', title: 'Approver', approver: true }],
      channels: [{ id: 'C1', name: 'incidents', kind: 'channel', topic: '', createdByBot: false, created: 0 }],
    } as unknown as ConsoleState;
    const c = contextFromState(state, 'Europe/Paris', 5);
    expect(c).toMatchObject({ timeZone: 'Europe/Paris', now: 5, botUserId: 'UB', botName: 'firebreak', me: 'U2' });
    expect(c.users).toEqual({ UB: { name: 'firebreak', realName: 'firebreak' }, U2: { name: 'bob', realName: 'Bob Chen' } });
    expect(c.channels).toEqual({ C1: { name: 'incidents' } });
  });
});
