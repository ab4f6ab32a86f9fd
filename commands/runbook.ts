/**
 * `/runbook`: executable runbooks written from the teams' documents (runbooks/). Declared in the
 * manifest from the start; until a subcommand is registered here it answers with its usage list.
 */
import type { SlashCommandModule } from '../src/adapters/slack/command-types.js';

export const runbookCommand: SlashCommandModule = {
  command: '/runbook',
  description: 'Follow an executable runbook step by step.',
  usageHint: 'help',
  intro: 'runbooks. No runbook can be run from Slack in this version of Firebreak yet.',
  subcommands: [],
};
