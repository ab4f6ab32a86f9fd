/** `/incident`: declare and run incidents. */
import type { SlashCommandModule } from '../src/adapters/slack/command-types.js';
import { incidentAssign } from './incident-assign.js';
import { incidentNote } from './incident-note.js';
import { incidentOpen } from './incident-open.js';
import { incidentList, incidentPostmortem, incidentStatsCommand, incidentTimeline } from './incident-reports.js';
import { incidentResolve } from './incident-resolve.js';
import { incidentSeverity } from './incident-severity.js';
import { incidentAck, incidentReopen, incidentStatus } from './incident-simple.js';
import { incidentUpdate } from './incident-update.js';

export const incidentCommand: SlashCommandModule = {
  command: '/incident',
  description: 'Declare and run incidents: open one, then follow it through to resolution.',
  usageHint: 'open [title] | update | severity P1 | assign @user | ack | status | list | timeline | note <text> | resolve | help',
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
};
