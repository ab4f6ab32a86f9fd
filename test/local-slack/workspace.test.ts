/**
 * The stand-in's workspace as the console shows it: what each Web API call and response_url post
 * leaves behind (edits in place, ephemerals, pins, reactions, files shared to a channel, modals on
 * the right person's screen), and the fast clock the reminders read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastClock } from '../../src/adapters/local-slack/fast-clock.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn({ keepCalls: 5 });
});
afterAll(() => standIn.close());

async function call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(standIn.apiUrl + method, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test' }, body: JSON.stringify(args) });
  return (await res.json()) as Record<string, unknown>;
}
const section = (text: string) => [{ type: 'section', text: { type: 'mrkdwn', text } }];

describe('messages', () => {
  it('chat.update changes the message in place and marks it edited', async () => {
    const posted = await call('chat.postMessage', { channel: 'C0ONE', text: 'first', blocks: section('first') });
    expect(await call('chat.update', { channel: 'C0ONE', ts: posted.ts, text: 'second', blocks: section('second') })).toMatchObject({ ok: true });
    const [message] = standIn.messagesIn('C0ONE');
    expect(message).toMatchObject({ ts: posted.ts, text: 'second', blocks: section('second') });
    expect(message?.edited).toBeDefined();
  });

  it('an ephemeral message is kept for its one reader, out of the channel history', async () => {
    await call('chat.postEphemeral', { channel: 'C0ONE', user: 'U0ALICE', text: 'just you' });
    expect(standIn.world.ephemerals.at(-1)).toMatchObject({ channel: 'C0ONE', user: 'U0ALICE', text: 'just you' });
    expect(standIn.messagesIn('C0ONE').some((m) => m.text === 'just you')).toBe(false);
  });

  it('pins a message once (already_pinned after), and keeps who reacted with what', async () => {
    const posted = await call('chat.postMessage', { channel: 'C0TWO', text: 'card' });
    expect(await call('pins.add', { channel: 'C0TWO', timestamp: posted.ts })).toMatchObject({ ok: true });
    expect(await call('pins.add', { channel: 'C0TWO', timestamp: posted.ts })).toMatchObject({ ok: false, error: 'already_pinned' });
    expect(standIn.world.pinsIn('C0TWO')).toEqual([posted.ts]);
    expect(await call('reactions.add', { channel: 'C0TWO', timestamp: posted.ts, name: 'eyes' })).toMatchObject({ ok: true });
    expect(standIn.world.react('C0TWO', String(posted.ts), 'eyes', 'U0ALICE')).toBe(true);
    expect(standIn.world.react('C0TWO', String(posted.ts), 'eyes', 'U0ALICE')).toBe(false);
    expect(standIn.world.reactionsOn('C0TWO', String(posted.ts))).toEqual([{ name: 'eyes', users: ['U0BOT', 'U0ALICE'] }]);
  });

  it('files shared to a channel arrive there as a message with the files', async () => {
    const { upload_url, file_id } = (await call('files.getUploadURLExternal', { filename: 'postmortem.md', length: 5 })) as { upload_url: string; file_id: string };
    await fetch(upload_url, { method: 'POST', body: 'hello' });
    await call('files.completeUploadExternal', { files: [{ id: file_id, title: 'Postmortem' }], channel_id: 'C0THREE', initial_comment: 'the draft' });
    expect(standIn.messagesIn('C0THREE')).toEqual([expect.objectContaining({ text: 'the draft', files: [expect.objectContaining({ id: file_id, title: 'Postmortem', size: 5 })] })]);
    expect(standIn.uploadedFile(file_id)?.toString()).toBe('hello');
  });

  it('keeps only the last calls it was told to', () => {
    expect(standIn.calls.length).toBeLessThanOrEqual(5);
  });
});

describe('response_url posts act as Slack does for the message they were handed out for', () => {
  it('ephemeral by default, in_channel as a message, replace_original and delete_original on the message', async () => {
    const posted = await call('chat.postMessage', { channel: 'C0FOUR', text: 'approval request' });
    const ts = String(posted.ts);
    const post = (body: object) => fetch(standIn.responseUrl({ channel: 'C0FOUR', user: 'U0BRUNO', messageTs: ts }), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post({ text: 'only Bruno' });
    expect(standIn.world.ephemerals.at(-1)).toMatchObject({ channel: 'C0FOUR', user: 'U0BRUNO', text: 'only Bruno' });
    await post({ text: 'everyone', response_type: 'in_channel' });
    expect(standIn.messagesIn('C0FOUR').map((m) => m.text)).toEqual(['approval request', 'everyone']);
    await post({ text: 'approved', replace_original: true });
    expect(standIn.messagesIn('C0FOUR')[0]).toMatchObject({ ts, text: 'approved' });
    await post({ delete_original: true });
    expect(standIn.messagesIn('C0FOUR').map((m) => m.text)).toEqual(['everyone']);
  });

  it('a refused body changes nothing', async () => {
    const before = standIn.world.ephemerals.length;
    const res = await fetch(standIn.responseUrl({ channel: 'C0FOUR', user: 'U0BRUNO' }), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x', blocks: section('y'.repeat(3001)) }) });
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(standIn.world.ephemerals.length).toBe(before);
  });
});

describe("modals go on the screen of the person whose trigger opened them", () => {
  const view = (title: string) => ({ type: 'modal', callback_id: 'cb', title: { type: 'plain_text', text: title }, blocks: [] });

  it('views.open starts the stack, views.push adds (at most three), views.update replaces in place', async () => {
    const opened = (await call('views.open', { trigger_id: standIn.world.triggerFor('U0ALICE'), view: view('One') })) as { view: { id: string } };
    expect(standIn.world.viewStack('U0ALICE').map((v) => (v.view.title as { text: string }).text)).toEqual(['One']);
    expect(standIn.world.viewStack('U0BRUNO')).toEqual([]);
    await call('views.push', { trigger_id: standIn.world.triggerFor('U0ALICE'), view: view('Two') });
    await call('views.push', { trigger_id: standIn.world.triggerFor('U0ALICE'), view: view('Three') });
    expect(await call('views.push', { trigger_id: standIn.world.triggerFor('U0ALICE'), view: view('Four') })).toMatchObject({ ok: false, error: 'push_limit_reached' });
    await call('views.update', { view_id: opened.view.id, view: view('One, updated') });
    expect(standIn.world.viewStack('U0ALICE').map((v) => (v.view.title as { text: string }).text)).toEqual(['One, updated', 'Two', 'Three']);
    standIn.world.closeViews('U0ALICE', { top: true });
    expect(standIn.world.viewStack('U0ALICE')).toHaveLength(2);
    standIn.world.closeViews('U0ALICE', { all: true });
    expect(standIn.world.viewStack('U0ALICE')).toEqual([]);
  });

  it('a trigger the stand-in did not hand to a person opens a view on nobody\'s screen (the tests\' driver)', async () => {
    const { newTriggerId } = await import('../../src/adapters/local-slack/web-api.js');
    expect(await call('views.open', { trigger_id: newTriggerId(), view: view('Nobody') })).toMatchObject({ ok: true });
    expect(standIn.world.viewStack('U0ALICE')).toEqual([]);
  });
});

describe('the fast clock', () => {
  it('runs at its factor, converts waits to real time, never goes back, and tells its listeners', () => {
    let real = 1_000_000;
    const clock = fastClock(() => real);
    let told = 0;
    clock.onSpeedChange!(() => (told += 1));
    real += 1000;
    expect(clock.now().getTime()).toBe(1_001_000);
    expect(clock.setFactor(60)).toBe(true);
    expect(told).toBe(1);
    real += 1000;
    expect(clock.now().getTime()).toBe(1_061_000);
    expect(clock.toRealMs!(15 * 60_000)).toBe(15_000);
    expect(clock.setFactor(1)).toBe(true);
    real += 1000;
    expect(clock.now().getTime()).toBe(1_062_000);
    expect(clock.setFactor(7)).toBe(false);
    expect(clock.factor()).toBe(1);
    expect(told).toBe(2);
  });
});
