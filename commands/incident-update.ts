/** `/incident update [INC-n]`: opens the update form (status, progress, blockers, next steps, ETA). */
import { incidentForm } from './incident-shared.js';

export const incidentUpdate = incidentForm(
  { name: 'update', usage: 'update [INC-n]', summary: 'post an update: status, progress, blockers, next steps, ETA' },
  'update-incident',
);
