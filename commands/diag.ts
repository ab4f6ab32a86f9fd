/**
 * `/diag`: diagnostics against PostgreSQL, Redis, Kubernetes, HTTP, Prometheus and logs. Declared
 * in the manifest from the start so the Slack app does not need re-creating when checks arrive;
 * until a check is registered here, the command answers with its (empty) usage list.
 */
import type { SlashCommandModule } from '../src/adapters/slack/command-types.js';

export const diagCommand: SlashCommandModule = {
  command: '/diag',
  description: 'Run diagnostics on PostgreSQL, Redis, Kubernetes, HTTP health, Prometheus and logs.',
  usageHint: 'help',
  intro: 'diagnostics. No check is available in this version of Firebreak yet.',
  subcommands: [],
};
