/** "Post an update" submitted: the update goes to the incident's channel and announcement. */
import { postUpdate } from '../../../app/incidents/update.js';
import { readUpdateSubmission, UPDATE_CALLBACK } from '../views/update-incident.js';
import { incidentForm, withIncident } from './incident-form.js';

export const updateSubmitted = incidentForm(
  UPDATE_CALLBACK,
  (values) => {
    const r = readUpdateSubmission(values);
    return r.ok ? { ok: true, value: r.form } : r;
  },
  (ctx, id, userId, form) => withIncident(ctx, id, (incident) => postUpdate(ctx, incident, { authorId: userId, form })),
);
