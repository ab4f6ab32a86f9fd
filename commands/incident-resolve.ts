/** `/incident resolve [INC-n]`: opens the resolution form (root cause, fix, impact, postmortem date). */
import type { Subcommand } from '../src/adapters/slack/command-types.js';
import { resolveIncidentView } from '../src/adapters/slack/views/resolve-incident.js';
import { resolvedMessage } from '../src/app/incidents/outcome.js';
import { FirebreakError } from '../src/core/errors.js';
import { isOpen } from '../src/core/incident/incident.js';
import { incidentOnly } from './args.js';
import { formMetadata, target } from './incident-shared.js';

export const incidentResolve: Subcommand<{ number: number | undefined }> = {
  name: 'resolve',
  usage: 'resolve [INC-n]',
  summary: 'resolve: root cause, fix applied, final impact, postmortem date; then the post-incident checklist',
  args: incidentOnly,
  async run(ctx, { number }) {
    await ctx.openModalFor(async () => {
      const incident = await target(ctx, number, this.usage);
      if (!isOpen(incident)) throw new FirebreakError('INVALID_INPUT', resolvedMessage(incident));
      return resolveIncidentView(incident, formMetadata(ctx, incident));
    });
  },
};
