/** `/incident update [INC-n]`: opens the update form (status, progress, blockers, next steps, ETA). */
import type { Subcommand } from '../src/adapters/slack/command-types.js';
import { updateIncidentView } from '../src/adapters/slack/views/update-incident.js';
import { resolvedMessage } from '../src/app/incidents/outcome.js';
import { FirebreakError } from '../src/core/errors.js';
import { isOpen } from '../src/core/incident/incident.js';
import { incidentOnly } from './args.js';
import { formMetadata, target } from './incident-shared.js';

export const incidentUpdate: Subcommand<{ number: number | undefined }> = {
  name: 'update',
  usage: 'update [INC-n]',
  summary: 'post an update: status, progress, blockers, next steps, ETA',
  args: incidentOnly,
  async run(ctx, { number }) {
    await ctx.openModalFor(async () => {
      const incident = await target(ctx, number, this.usage);
      if (!isOpen(incident)) throw new FirebreakError('INVALID_INPUT', resolvedMessage(incident));
      return updateIncidentView(incident, ctx.app.config.incidents.locale, formMetadata(ctx, incident));
    });
  },
};
