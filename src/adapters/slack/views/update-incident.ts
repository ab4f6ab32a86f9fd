/** The "Post an update" modal, following the playbook's update template (prefilled by a runbook's notify step). */
import { z } from 'zod';
import { humanId, type Incident } from '../../../core/incident/incident.js';
import { statusLabel } from '../../../core/incident/labels.js';
import type { UpdateForm } from '../../../core/incident/messages.js';
import { OPEN_STATUSES } from '../../../core/incident/status.js';
import type { Locale } from '../../../core/render/templates-catalogue.js';
import { ID_PATTERN } from '../../../core/runbook/model.js';
import { input, plainText, reader, stateValues, textInput, type IncidentFormMetadata } from './fields.js';

export const UPDATE_CALLBACK = 'incident_update';

/** What a runbook's notify step puts in the form: its fields, and the step to mark done once the update is posted. */
export interface UpdatePrefill {
  fields: Partial<Record<'status' | 'progress' | 'blockers' | 'next_steps' | 'eta', string>>;
  step: { runId: string; stepId: string };
}

/** The runbook step a submitted update form was opened from, read from its private_metadata; null for none. */
export function stepOfUpdateForm(metadata: string | undefined): { runId: string; stepId: string } | null {
  let json: unknown;
  try {
    json = JSON.parse(metadata || '{}');
  } catch {
    return null;
  }
  const read = z.object({ step: z.object({ r: z.uuid(), s: z.string().regex(ID_PATTERN) }) }).safeParse(json);
  return read.success ? { runId: read.data.step.r, stepId: read.data.step.s } : null;
}

export function updateIncidentView(incident: Incident, locale: Locale, formMetadata: IncidentFormMetadata, prefill?: UpdatePrefill) {
  const options = OPEN_STATUSES.map((s) => ({ text: plainText(statusLabel(s, locale, true)), value: s }));
  const wanted = prefill?.fields.status;
  const current = options.find((o) => o.value === wanted) ?? options.find((o) => o.value === incident.status) ?? options[0];
  const given = (key: keyof UpdatePrefill['fields'], max: number) => prefill?.fields[key]?.slice(0, max) || undefined;
  const metadata = prefill ? { ...formMetadata, step: { r: prefill.step.runId, s: prefill.step.stepId } } : formMetadata;
  return {
    type: 'modal',
    callback_id: UPDATE_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plainText(`Update ${humanId(incident)}`.slice(0, 24)),
    submit: plainText('Post update'),
    close: plainText('Cancel'),
    blocks: [
      input('status', 'Status', { type: 'static_select', options, initial_option: current }),
      input('progress', 'Progress', textInput('What was done since the last update', true, 2000, given('progress', 2000))),
      input('blockers', 'Blockers', textInput('What is in the way, if anything', true, 1000, given('blockers', 1000)), { optional: true }),
      input('next_steps', 'Next steps', textInput('What happens next', true, 1000, given('next_steps', 1000)), { optional: true }),
      input('eta', 'Updated ETA', textInput('e.g. 30 min, unknown', false, 100, given('eta', 100) ?? incident.eta ?? undefined), { optional: true }),
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
