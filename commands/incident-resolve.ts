/** `/incident resolve [INC-n]`: opens the resolution form (root cause, fix, impact, postmortem date). */
import { resolveIncidentView } from '../src/adapters/slack/views/resolve-incident.js';
import { formMetadata, incidentForm } from './incident-shared.js';

export const incidentResolve = incidentForm(
  { name: 'resolve', usage: 'resolve [INC-n]', summary: 'resolve: root cause, fix applied, final impact, postmortem date; then the post-incident checklist' },
  (ctx, incident) => resolveIncidentView(incident, formMetadata(ctx, incident)),
);
