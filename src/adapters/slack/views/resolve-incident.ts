/** The "Resolve" modal: what the resolution template and the postmortem need. */
import { humanId, type Incident, type Resolution } from '../../../core/incident/incident.js';
import { input, plainText, reader, stateValues, textInput, type IncidentFormMetadata } from './fields.js';

export const RESOLVE_CALLBACK = 'incident_resolve';

export function resolveIncidentView(incident: Incident, metadata: IncidentFormMetadata) {
  return {
    type: 'modal',
    callback_id: RESOLVE_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plainText(`Resolve ${humanId(incident)}`.slice(0, 24)),
    submit: plainText('Resolve'),
    close: plainText('Cancel'),
    blocks: [
      input('root_cause', 'Root cause', textInput('Brief explanation of what caused it', true, 2000)),
      input('fix_applied', 'Fix applied', textInput('What was done to restore service', true, 2000)),
      input('final_impact', 'Final impact', textInput('Users affected, failed requests, downtime', true, 1000), { optional: true }),
      input('postmortem_date', 'Postmortem date', { type: 'datepicker', placeholder: plainText('When the team reviews it') }, { optional: true }),
    ],
  };
}

export type ResolveSubmission = { ok: true; resolution: Resolution } | { ok: false; errors: Record<string, string> };

export function readResolveSubmission(values: unknown): ResolveSubmission {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) return { ok: false, errors: { root_cause: 'The form arrived incomplete; close it and try again.' } };
  const r = reader(parsed.data);
  const errors: Record<string, string> = {};
  const rootCause = r.text('root_cause');
  const fixApplied = r.text('fix_applied');
  if (!rootCause) errors.root_cause = 'Give the root cause, even provisional ("under investigation").';
  if (!fixApplied) errors.fix_applied = 'Say what restored the service.';
  const date = r.date('postmortem_date');
  if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.postmortem_date = 'Pick a date from the calendar.';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, resolution: { rootCause, fixApplied, finalImpact: r.text('final_impact'), postmortemDate: date } };
}
