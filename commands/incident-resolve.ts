/** `/incident resolve [INC-n]`: opens the resolution form (root cause, fix, impact, postmortem date). */
import { incidentForm } from './incident-shared.js';

export const incidentResolve = incidentForm(
  { name: 'resolve', usage: 'resolve [INC-n]', summary: 'resolve: root cause, fix applied, final impact, postmortem date; then the post-incident checklist' },
  'resolve-incident',
);
