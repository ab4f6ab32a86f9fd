/** Every slash command Firebreak registers. manifest.yml must declare exactly these. */
import type { SlashCommandModule } from './contract.js';
import { diagCommand } from './diag.js';
import { incidentCommand } from './incident.js';
import { runbookCommand } from './runbook.js';
import { remediateCommand } from './remediate.js';

export const COMMANDS: readonly SlashCommandModule[] = [incidentCommand, diagCommand, runbookCommand, remediateCommand];
