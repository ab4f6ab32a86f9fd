/**
 * "Post an update" submitted: the update goes to the incident's channel and announcement. A form
 * opened from a runbook's notify step marks that step done once the update is posted.
 */
import { postUpdate } from '../../../app/incidents/update.js';
import { notifyPosted } from '../../../app/runbooks/steps.js';
import { readUpdateSubmission, stepOfUpdateForm, UPDATE_CALLBACK } from '../views/update-incident.js';
import { incidentForm, withIncident } from './incident-form.js';
import type { Submission } from './payloads.js';
import type { ViewListener } from './types.js';

const read = (values: unknown) => {
  const r = readUpdateSubmission(values);
  return r.ok ? { ok: true as const, value: r.form } : r;
};

const form = (step: { runId: string; stepId: string } | null) =>
  incidentForm(UPDATE_CALLBACK, read, (ctx, id, userId, submitted) =>
    withIncident(ctx, id, async (incident) => {
      const outcome = await postUpdate(ctx, incident, { authorId: userId, form: submitted });
      if (outcome.ok && step) await notifyPosted(ctx, { ...step, userId });
      return outcome;
    }),
  );

const plainForm = form(null);

export const updateSubmitted: ViewListener<Submission> = {
  ...plainForm,
  handle(args, ctx, submitted) {
    const step = stepOfUpdateForm(submitted.metadata);
    return (step ? form(step) : plainForm).handle(args, ctx, submitted);
  },
};
