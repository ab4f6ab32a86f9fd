/** The composer's completion: commands after `/`, subcommands after `/incident `, people after `@`, and the usage line. */
import { describe, expect, it } from 'vitest';
import type { ConsoleState } from '../../src/adapters/local-slack/console/protocol.js';
import { applySuggestion, suggestionsFor, usageFor } from '../../src/adapters/local-slack/console/render/index.js';

const known: Pick<ConsoleState, 'commands' | 'users'> = {
  users: [
    { id: 'U0ALICE', name: 'alice', realName: 'Alice Martin', title: 'On-call engineer', approver: false },
    { id: 'U0BRUNO', name: 'bruno', realName: 'Bruno Petit', title: 'Engineering manager', approver: true },
    { id: 'U0BEA', name: 'bea', realName: 'Béatrice Martin', title: 'SRE', approver: false },
  ],
  commands: [
    {
      command: '/incident',
      description: 'Declare and run incidents',
      usageHint: 'open [title] | update [INC-n] | assign @user [commander|comms] [INC-n]',
      subcommands: [
        { name: 'open', usage: 'open [title]', summary: 'Declare an incident' },
        { name: 'update', usage: 'update [INC-n]', summary: 'Post an update' },
        { name: 'assign', usage: 'assign @user [commander|comms] [INC-n]', summary: 'Give a role' },
      ],
    },
    { command: '/diag', description: 'Diagnostics', usageHint: 'pg | redis', subcommands: [] },
    { command: '/runbook', description: 'Runbooks', usageHint: 'list | show <name>', subcommands: [] },
  ],
};
const at = (value: string) => suggestionsFor(known, value, value.length);
const labels = (value: string) => at(value).map((s) => s.label);

describe('suggestionsFor', () => {
  it('lists every command after a lone /, and filters them by what follows', () => {
    expect(labels('/')).toEqual(['/incident', '/diag', '/runbook']);
    expect(at('/')[0]?.detail).toBe('Declare and run incidents');
    expect(labels('/r')).toEqual(['/runbook']);
    expect(labels('/INC')).toEqual(['/incident']);
    expect(labels('/nope')).toEqual([]);
  });

  it('lists the subcommands with their usage and summary after the command and a space', () => {
    expect(at('/incident ').map((s) => [s.label, s.detail])).toEqual([
      ['/incident open [title]', 'Declare an incident'],
      ['/incident update [INC-n]', 'Post an update'],
      ['/incident assign @user [commander|comms] [INC-n]', 'Give a role'],
    ]);
    expect(labels('/incident u')).toEqual(['/incident update [INC-n]']);
    expect(labels('/diag ')).toEqual([]);
    expect(labels('/unknown ')).toEqual([]);
  });

  it('stops offering once the subcommand is typed and followed by a space, or the text is not a command', () => {
    expect(labels('/incident open ')).toEqual([]);
    expect(labels('/incident open Checkout')).toEqual([]);
    expect(labels('hello /incident')).toEqual([]);
    expect(labels('/incident\nopen')).toEqual([]);
  });

  it('offers people after @, by handle or by a word of their name, anywhere in the text', () => {
    expect(labels('@')).toEqual(['@alice', '@bruno', '@bea']);
    expect(labels('ping @b')).toEqual(['@bruno', '@bea']);
    expect(labels('ping @mar')).toEqual(['@alice', '@bea']);
    expect(labels('/incident assign @bru')).toEqual(['@bruno']);
    expect(at('@bru')[0]?.detail).toBe('Bruno Petit · Engineering manager · approver');
    expect(labels('mail me@b')).toEqual([]);
    expect(labels('@zed')).toEqual([]);
  });

  it('reads only what is before the caret', () => {
    expect(suggestionsFor(known, '/incident u and more', '/incident u'.length).map((s) => s.label)).toEqual(['/incident update [INC-n]']);
    expect(suggestionsFor(known, '@b hello', 2).map((s) => s.label)).toEqual(['@bruno', '@bea']);
  });
});

describe('applySuggestion', () => {
  it('completes a command, a subcommand and a mention with one space after', () => {
    const command = at('/inc')[0];
    expect(command && applySuggestion('/inc', command)).toEqual({ value: '/incident ', caret: 10 });
    const sub = at('/incident o')[0];
    expect(sub && applySuggestion('/incident o', sub)).toEqual({ value: '/incident open ', caret: 15 });
    const mention = at('/incident assign @br')[0];
    expect(mention && applySuggestion('/incident assign @br', mention)).toEqual({ value: '/incident assign @bruno ', caret: 24 });
  });

  it('replaces the whole word under the caret and keeps what follows', () => {
    const value = 'ping @b now';
    const s = suggestionsFor(known, value, 7)[0];
    expect(s && applySuggestion(value, s)).toEqual({ value: 'ping @bruno now', caret: 12 });
    const inWord = 'ping @bruXX now';
    const t = suggestionsFor(known, inWord, 9)[0];
    expect(t && applySuggestion(inWord, t).value).toBe('ping @bruno now');
  });
});

describe('usageFor', () => {
  it('shows the subcommand’s usage once it is named, else the command’s hint', () => {
    expect(usageFor(known, '/incident')).toBe('/incident open [title] | update [INC-n] | assign @user [commander|comms] [INC-n]');
    expect(usageFor(known, '/incident ')).toBe('/incident open [title] | update [INC-n] | assign @user [commander|comms] [INC-n]');
    expect(usageFor(known, '/incident assign @bruno')).toBe('/incident assign @user [commander|comms] [INC-n] — Give a role');
    expect(usageFor(known, '/incident OPEN x')).toBe('/incident open [title] — Declare an incident');
    expect(usageFor(known, '/diag pg')).toBe('/diag pg | redis');
    expect(usageFor(known, '/nope')).toBeNull();
    expect(usageFor(known, 'hello')).toBeNull();
  });
});
