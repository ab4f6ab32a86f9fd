/**
 * `/runbook`: executable runbooks written from the teams' documents (runbooks/). Declared in the
 * manifest from the start; until a subcommand is registered here it answers with its usage list.
 */
import type { SlashCommandModule } from './contract.js';
import { defineCommand } from './define-command.js';

export const runbookCommand: SlashCommandModule = defineCommand({
  command: '/runbook',
  description: 'Follow an executable runbook step by step.',
  intro: 'runbooks. No runbook can be run from Slack in this version of Firebreak yet.',
  subcommands: [],
});
