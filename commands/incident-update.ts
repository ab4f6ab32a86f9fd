/** `/incident update [INC-n]`: opens the update form (status, progress, blockers, next steps, ETA). */
import { updateIncidentView } from '../src/adapters/slack/views/update-incident.js';
import { formMetadata, incidentForm } from './incident-shared.js';

export const incidentUpdate = incidentForm(
  { name: 'update', usage: 'update [INC-n]', summary: 'post an update: status, progress, blockers, next steps, ETA' },
  (ctx, incident) => updateIncidentView(incident, ctx.app.config.incidents.locale, formMetadata(ctx, incident)),
);
