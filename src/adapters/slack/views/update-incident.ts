/** The "Post an update" modal, following the playbook's update template. */
import { humanId, type Incident } from '../../../core/incident/incident.js';
import { statusLabel } from '../../../core/incident/labels.js';
import type { UpdateForm } from '../../../core/incident/messages.js';
import { OPEN_STATUSES } from '../../../core/incident/status.js';
import type { Locale } from '../../../core/render/templates-catalogue.js';
import { input, plainText, reader, stateValues, textInput, type IncidentFormMetadata } from './fields.js';

export const UPDATE_CALLBACK = 'incident_update';

export function updateIncidentView(incident: Incident, locale: Locale, metadata: IncidentFormMetadata) {
  const options = OPEN_STATUSES.map((s) => ({ text: plainText(statusLabel(s, locale, true)), value: s }));
  const current = options.find((o) => o.value === incident.status) ?? options[0];
  return {
    type: 'modal',
    callback_id: UPDATE_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plainText(`Update ${humanId(incident)}`.slice(0, 24)),
    submit: plainText('Post update'),
    close: plainText('Cancel'),
    blocks: [
      input('status', 'Status', { type: 'static_select', options, initial_option: current }),
      input('progress', 'Progress', textInput('What was done since the last update', true, 2000)),
      input('blockers', 'Blockers', textInput('What is in the way, if anything', true, 1000), { optional: true }),
      input('next_steps', 'Next steps', textInput('What happens next', true, 1000), { optional: true }),
      input('eta', 'Updated ETA', textInput('e.g. 30 min, unknown', false, 100, incident.eta ?? undefined), { optional: true }),
    ],
  };
}

export type UpdateSubmission = { ok: true; form: UpdateForm } | { ok: false; errors: Record<string, string> };

export function readUpdateSubmission(values: unknown): UpdateSubmission {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) return { ok: false, errors: { progress: 'The form arrived incomplete; close it and try again.' } };
  const r = reader(parsed.data);
  const status = r.option('status');
  const errors: Record<string, string> = {};
  if (!status || !(OPEN_STATUSES as readonly string[]).includes(status)) errors.status = 'Pick a status: investigating, identified or monitoring. To resolve, use /incident resolve.';
  const progress = r.text('progress');
  if (!progress) errors.progress = 'Say what progressed since the last update, even "no change yet".';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    form: { status: status as UpdateForm['status'], progress, blockers: r.text('blockers'), nextSteps: r.text('next_steps'), eta: r.text('eta') },
  };
}
