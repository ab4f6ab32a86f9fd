/** "Resolve" submitted: the incident is resolved with its root cause, fix, impact and postmortem date. */
import { resolveIncident } from '../../../app/incidents/resolve.js';
import { readResolveSubmission, RESOLVE_CALLBACK } from '../views/resolve-incident.js';
import { incidentForm, withIncident } from './incident-form.js';

export const resolveSubmitted = incidentForm(
  RESOLVE_CALLBACK,
  (values) => {
    const r = readResolveSubmission(values);
    return r.ok ? { ok: true, value: r.resolution } : r;
  },
  (ctx, id, userId, resolution) => withIncident(ctx, id, (incident) => resolveIncident(ctx, incident, { actorId: userId, resolution })),
);
