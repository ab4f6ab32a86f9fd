/** Turns the text of a slash command into what to do. Pure, so it is tested without Slack. */
import type { Message } from '../../core/render/message.js';
import { escapeMrkdwn } from '../../core/render/text.js';
import type { SlashCommandModule, Subcommand } from '../../../commands/contract.js';

export type Dispatch =
  | { kind: 'help' }
  | { kind: 'unknown'; name: string }
  | { kind: 'invalid'; subcommand: Subcommand<unknown>; problems: string[] }
  | { kind: 'run'; subcommand: Subcommand<unknown>; args: unknown };

export function dispatch(module: SlashCommandModule, text: string): Dispatch {
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const name = first.toLowerCase();
  const fallback = module.defaultSubcommand && module.subcommands.find((s) => s.name === module.defaultSubcommand);
  if (name === '' && fallback) return { kind: 'run', subcommand: fallback, args: fallback.args.parse('') };
  if (name === '' || name === 'help' || name === '-h' || name === '--help') return { kind: 'help' };
  const subcommand = module.subcommands.find((s) => s.name === name);
  if (!subcommand && module.fallback) {
    const parsed = module.fallback.args.safeParse(trimmed);
    if (!parsed.success) return { kind: 'invalid', subcommand: module.fallback, problems: parsed.error.issues.map((i) => i.message) };
    return { kind: 'run', subcommand: module.fallback, args: parsed.data };
  }
  if (!subcommand) return { kind: 'unknown', name: first };
  const argText = trimmed.slice(first.length).trim();
  const parsed = subcommand.args.safeParse(rest.length ? argText : '');
  if (!parsed.success) return { kind: 'invalid', subcommand, problems: parsed.error.issues.map((i) => i.message) };
  return { kind: 'run', subcommand, args: parsed.data };
}

export function usageLines(module: SlashCommandModule): string[] {
  return [
    ...(module.fallback ? [module.fallback] : []).concat(module.subcommands).map((s) => `\`${module.command} ${s.usage}\`: ${s.summary}`),
    `\`${module.command} help\`: this list`,
  ];
}

export function helpMessage(module: SlashCommandModule, lead?: string): Message {
  const lines = usageLines(module);
  const head = lead ? `${lead}\n` : '';
  return {
    text: `${head}${module.intro}\n${lines.join('\n')}`,
    blocks: [
      ...(lead ? [{ type: 'text' as const, text: lead }] : []),
      { type: 'text', text: `*${module.command}*: ${module.intro}` },
      { type: 'text', text: lines.join('\n') },
    ],
  };
}

/** What the user sees for a dispatch that does not run anything. */
export function replyFor(module: SlashCommandModule, d: Exclude<Dispatch, { kind: 'run' }>): Message {
  switch (d.kind) {
    case 'help':
      return helpMessage(module);
    case 'unknown':
      return helpMessage(module, `:grey_question: \`${escapeMrkdwn(d.name.slice(0, 40))}\` is not a ${module.command} subcommand. Here is what it can do:`);
    case 'invalid':
      return helpMessage(
        module,
        `:warning: \`${module.command} ${d.subcommand.name}\`: ${d.problems.map(escapeMrkdwn).join('; ')}. Usage: \`${module.command} ${d.subcommand.usage}\``,
      );
  }
}
