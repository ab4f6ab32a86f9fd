/**
 * Bolt is handed one listener per kind of payload (and one for every slash command), each finding
 * Firebreak's own listener in a table. These tests hold what that relies on: every id a listener
 * answers finds that listener and no other (Bolt ran every listener that matched; the table runs
 * the first), and a payload no listener answers is acknowledged and logged, never left hanging.
 */
import { App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.js';
import { LISTENERS, listenerTable, registerListeners, type Listener } from '../../src/adapters/slack/listeners/index.js';
import { registerCommands } from '../../src/adapters/slack/register-commands.js';
import { TEAM_ID } from '../../src/adapters/local-slack/web-api.js';
import { fakeContext } from '../fakes/context.js';

/** An id the listener answers: its own, or for a pattern its fixed prefix and some data after it. */
function sampleId(l: Listener): string {
  if (typeof l.id === 'string') return l.id;
  expect(l.id.source, `${String(l.id)} is a prefix pattern`).toMatch(/^\^[\w.-]+:$/);
  return `${l.id.source.slice(1)}C0SAMPLE:42`;
}

const matchesId = (l: Listener, id: string) => (typeof l.id === 'string' ? l.id === id : l.id.test(id));

describe('the listener table', () => {
  for (const kind of ['view', 'action', 'event'] as const) {
    const ofKind = LISTENERS.filter((l) => l.kind === kind);
    it(`finds each ${kind} listener by its id, and no id of one matches another`, () => {
      expect(ofKind.length).toBeGreaterThan(0);
      const find = listenerTable(ofKind);
      for (const l of ofKind) {
        const id = sampleId(l);
        expect(find(id), id).toBe(l);
        expect(ofKind.filter((other) => matchesId(other, id)), id).toEqual([l]);
      }
      expect(find('no_such_id')).toBeUndefined();
      expect(find('')).toBeUndefined();
    });
  }

  it('looks up exact ids before patterns, and patterns in the order of the list', () => {
    const exact: Listener = { kind: 'action', id: 'snooze:exact', read: undefined as never, handle: async () => undefined };
    const first: Listener = { kind: 'action', id: /^snooze:/, read: undefined as never, handle: async () => undefined };
    const second: Listener = { kind: 'action', id: /^snooze:.*/, read: undefined as never, handle: async () => undefined };
    const find = listenerTable([first, second, exact]);
    expect(find('snooze:exact')).toBe(exact);
    expect(find('snooze:other')).toBe(first);
    expect(find('snoozed')).toBeUndefined();
  });
});

/** A receiver that never listens: the tests hand events to the app themselves. */
const noReceiver: Receiver = { init: () => undefined, start: async () => undefined, stop: async () => undefined };

function appUnderTest() {
  const ctx = fakeContext();
  const app = new App({ receiver: noReceiver, authorize: async () => ({ botToken: 'xoxb-fake', botId: 'B0FIREBREAK', botUserId: 'U0FIREBREAK' }) });
  registerCommands(app, ctx, COMMANDS);
  registerListeners(app, ctx);
  /** Hands a payload to Bolt, as a receiver would (no payload screen in front), and says what was acknowledged. */
  const deliver = async (body: Record<string, unknown>): Promise<unknown[]> => {
    const acks: unknown[] = [];
    const event: ReceiverEvent = { body, ack: async (response?: unknown) => void acks.push(response ?? null) };
    await app.processEvent(event);
    return acks;
  };
  const errors = () => ctx.logs.filter((l) => l.level === 50).map((l) => String(l.msg));
  return { ctx, deliver, errors };
}

const user = { id: 'U0ALICE', team_id: TEAM_ID };

describe('a payload the screen would have refused, reaching Bolt anyway', () => {
  it('a click on an action no listener answers is acknowledged once, logged, and nothing else happens', async () => {
    const t = appUnderTest();
    const acks = await t.deliver({
      type: 'block_actions',
      user,
      team: { id: TEAM_ID },
      channel: { id: 'C0ROOM' },
      actions: [{ action_id: 'no_such_button', block_id: 'b', type: 'button', value: 'x', action_ts: '1.2' }],
      trigger_id: '1.2.3',
    });
    expect(acks).toEqual([null]);
    expect(t.errors()).toEqual(['no action listener answers "no_such_button"; acknowledged and ignored']);
    expect(t.ctx.inflight.size).toBe(0);
  });

  it('a form no listener answers is acknowledged once and logged', async () => {
    const t = appUnderTest();
    const acks = await t.deliver({
      type: 'view_submission',
      user,
      team: { id: TEAM_ID },
      view: { id: 'V0FORM', callback_id: 'no_such_form', type: 'modal', state: { values: {} }, private_metadata: '', hash: 'h', app_installed_team_id: TEAM_ID },
    });
    expect(acks).toEqual([null]);
    expect(t.errors()).toEqual(['no view listener answers "no_such_form"; acknowledged and ignored']);
  });

  it('a slash command of no module is acknowledged once and logged', async () => {
    const t = appUnderTest();
    const acks = await t.deliver({ command: '/nosuch', text: '', user_id: 'U0ALICE', team_id: TEAM_ID, channel_id: 'C0ROOM', trigger_id: '1.2.3', response_url: 'https://hooks.slack.invalid/x' });
    expect(acks).toEqual([null]);
    expect(t.errors()).toEqual(['no module answers this command; acknowledged and ignored']);
  });

  it('a known command still reaches its module through the one listener', async () => {
    const t = appUnderTest();
    const acks = await t.deliver({ command: '/incident', text: 'help', user_id: 'U0ALICE', team_id: TEAM_ID, channel_id: 'C0ROOM', trigger_id: '1.2.3', response_url: 'https://hooks.slack.invalid/x' });
    expect(acks).toHaveLength(1);
    expect(JSON.stringify(acks[0])).toContain('/incident open');
    expect(t.errors()).toEqual([]);
  });
});
