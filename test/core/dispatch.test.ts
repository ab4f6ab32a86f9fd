import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { dispatch, replyFor } from '../../src/adapters/slack/dispatch.js';
import type { SlashCommandModule } from '../../commands/contract.js';
import { COMMANDS } from '../../commands/index.js';

const echo: SlashCommandModule = {
  command: '/demo',
  description: 'demo',
  usageHint: 'say <n>',
  intro: 'a demo.',
  subcommands: [
    {
      name: 'say',
      usage: 'say <count>',
      summary: 'says a number',
      args: z.string().transform((t) => Number(t)).pipe(z.number({ error: 'expected a number' }).int('expected a whole number').min(1, 'must be at least 1')),
      run: async () => undefined,
    },
  ],
};

describe('dispatch', () => {
  it.each([
    ['', 'help'],
    ['help', 'help'],
    ['  HELP  ', 'help'],
    ['--help', 'help'],
    ['nope', 'unknown'],
    ['say 3', 'run'],
    ['SAY 3', 'run'],
    ['say 0', 'invalid'],
    ['say abc', 'invalid'],
  ])('%j → %s', (text, kind) => expect(dispatch(echo, text).kind).toBe(kind));

  it('hands the parsed arguments to the subcommand', () => {
    const d = dispatch(echo, 'say   42');
    expect(d.kind === 'run' && d.args).toBe(42);
  });

  it('explains an invalid argument with the usage of that subcommand', () => {
    const d = dispatch(echo, 'say 0');
    if (d.kind === 'run') throw new Error('expected invalid');
    expect(replyFor(echo, d).text).toContain(':warning: `/demo say`: must be at least 1. Usage: `/demo say <count>`');
  });

  it('lists every registered subcommand in help', () => {
    for (const module of COMMANDS) {
      const text = replyFor(module, { kind: 'help' }).text;
      for (const s of module.subcommands) expect(text).toContain(`\`${module.command} ${s.usage}\``);
      expect(text).toContain(`\`${module.command} help\``);
    }
  });

  it('never echoes markup from an unknown subcommand', () => {
    const d = dispatch(echo, '<!channel>');
    if (d.kind === 'run') throw new Error('expected unknown');
    expect(replyFor(echo, d).text).not.toContain('<!channel>');
  });
});
