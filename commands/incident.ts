/** `/incident`: declare and run incidents. */
import type { SlashCommandModule } from './contract.js';
import { defineCommand } from './define-command.js';
import { incidentAssign } from './incident-assign.js';
import { incidentNote } from './incident-note.js';
import { incidentOpen } from './incident-open.js';
import { incidentList, incidentPostmortem, incidentStatsCommand, incidentTimeline } from './incident-reports.js';
import { incidentResolve } from './incident-resolve.js';
import { incidentSeverity } from './incident-severity.js';
import { incidentAck, incidentReopen, incidentStatus } from './incident-simple.js';
import { incidentUpdate } from './incident-update.js';

export const incidentCommand: SlashCommandModule = defineCommand({
  command: '/incident',
  description: 'Declare and run incidents: open one, then follow it through to resolution.',
  intro: 'declare and run incidents. In an incident channel, commands act on its incident; elsewhere add its id (INC-7).',
  subcommands: [
    incidentOpen,
    incidentUpdate,
    incidentSeverity,
    incidentAssign,
    incidentAck,
    incidentStatus,
    incidentList,
    incidentTimeline,
    incidentNote,
    incidentResolve,
    incidentReopen,
    incidentPostmortem,
    incidentStatsCommand,
  ],
});
