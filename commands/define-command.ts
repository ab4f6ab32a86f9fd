/**
 * Builds a command module whose usage hint follows its subcommands, so a subcommand added to the
 * registry shows in Slack's autocomplete without anyone remembering to retype the hint.
 */
import type { SlashCommandModule } from './contract.js';

/** Slack's limit on a slash command's usage_hint (app manifest schema). */
export const USAGE_HINT_MAX = 1000;

/** In the order help lists them: the fallback, the subcommands, then help. */
export function usageHint(module: Pick<SlashCommandModule, 'subcommands' | 'fallback'>): string {
  const subcommands = [...(module.fallback ? [module.fallback] : []), ...module.subcommands];
  const full = [...subcommands.map((s) => s.usage), 'help'].join(' | ');
  if (full.length <= USAGE_HINT_MAX) return full;
  // Too many to spell out: the names still tell what exists, and help tells the rest.
  return [...subcommands.map((s) => s.name), 'help'].join(' | ').slice(0, USAGE_HINT_MAX);
}

export function defineCommand(module: Omit<SlashCommandModule, 'usageHint'>): SlashCommandModule {
  return { ...module, usageHint: usageHint(module) };
}
