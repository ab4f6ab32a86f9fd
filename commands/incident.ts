/** `/incident`: declare and run incidents. */
import type { SlashCommandModule } from '../src/adapters/slack/command-types.js';
import { incidentOpen } from './incident-open.js';

export const incidentCommand: SlashCommandModule = {
  command: '/incident',
  description: 'Declare and run incidents: open one, then follow it through to resolution.',
  usageHint: 'open [title] | help',
  intro: 'declare and run incidents.',
  subcommands: [incidentOpen],
};
