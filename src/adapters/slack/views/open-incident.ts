/**
 * The "Declare an incident" modal: building it, and reading a submission back into a declaration
 * or into per-field errors (shown by Slack under each field via response_action: errors).
 */
import { z } from 'zod';
import type { NewIncident } from '../../../core/incident/incident.js';
import { SEVERITY_LEVELS, formatResponseTime, type Severity, type SeverityLevel } from '../../../core/incident/severity.js';
import { toPlainLine, truncate } from '../../../core/render/text.js';
import { TITLE_MAX } from '../../../core/incident/limits.js';
import { input, plainText, reader, stateValues, textInput } from './fields.js';
import { replyTarget } from '../ids.js';

export const OPEN_INCIDENT_CALLBACK = 'incident_open';

/** block_id = action_id for every input, so state.values[id][id] reads a field. */
export const FIELDS = {
  title: 'title',
  severity: 'severity',
  impact: 'impact',
  symptoms: 'symptoms',
  actions: 'actions',
  eta: 'eta',
  commander: 'commander',
} as const;

/** What travels in private_metadata: where the command was typed, to answer there. */
export const openIncidentMetadata = z.object({ channelId: replyTarget });
export type OpenIncidentMetadata = z.infer<typeof openIncidentMetadata>;

export function severityOption(s: Severity) {
  return {
    text: plainText(truncate(`${s.level} ${s.name}`, 75)),
    description: plainText(truncate(`${s.meaning} · respond ${formatResponseTime(s.responseSeconds)}`, 75)),
    value: s.level,
  };
}

export function openIncidentView(args: { title?: string; severities: Record<SeverityLevel, Severity>; metadata: OpenIncidentMetadata }) {
  const initialTitle = args.title ? truncate(toPlainLine(args.title), TITLE_MAX) : undefined;
  return {
    type: 'modal',
    callback_id: OPEN_INCIDENT_CALLBACK,
    private_metadata: JSON.stringify(args.metadata),
    title: plainText('Declare an incident'),
    submit: plainText('Declare'),
    close: plainText('Cancel'),
    blocks: [
      input(FIELDS.title, 'Title', textInput('Checkout fails with 500 errors', false, TITLE_MAX, initialTitle)),
      input(FIELDS.severity, 'Severity', {
        type: 'static_select',
        placeholder: plainText('How bad is it?'),
        options: SEVERITY_LEVELS.map((l) => severityOption(args.severities[l])),
      }),
      input(FIELDS.impact, 'Impact', textInput('Who is affected, how many users, which features', true, 2000), { optional: true }),
      input(FIELDS.symptoms, 'Symptoms', textInput('What is observed: errors, latency, alerts', true, 2000), { optional: true }),
      input(FIELDS.actions, 'Actions under way', textInput('What is being done right now', true, 2000), { optional: true }),
      input(FIELDS.eta, 'ETA', textInput('Estimated time to resolution, e.g. 45 min', false, 100), { optional: true }),
      input(FIELDS.commander, 'Incident commander', { type: 'users_select', placeholder: plainText('Who leads the response?') }, {
        optional: true,
        hint: 'Leave empty if nobody leads yet; the first to acknowledge will.',
      }),
    ],
  };
}

/** What the form gives; the rest of a NewIncident (who, when, which workspace) comes from the request. */
export type Declaration = Pick<NewIncident, 'title' | 'severity' | 'impact' | 'symptoms' | 'actions' | 'eta' | 'commanderId'>;

export type SubmissionResult = { ok: true; declaration: Declaration } | { ok: false; errors: Record<string, string> };

export function readOpenIncidentSubmission(values: unknown): SubmissionResult {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) return { ok: false, errors: { [FIELDS.title]: 'The form arrived incomplete; close it and run /incident open again.' } };
  const r = reader(parsed.data);
  const text = r.text;
  const errors: Record<string, string> = {};
  const title = text(FIELDS.title);
  if (!title) errors[FIELDS.title] = 'A title is required: one line saying what is broken.';
  else if (title.length > TITLE_MAX) errors[FIELDS.title] = `The title is ${title.length} characters; keep it to ${TITLE_MAX} or fewer.`;
  const severity = r.option(FIELDS.severity);
  if (!severity) errors[FIELDS.severity] = 'Pick a severity, P0 to P3.';
  else if (!(SEVERITY_LEVELS as readonly string[]).includes(severity)) errors[FIELDS.severity] = `"${severity}" is not a severity; pick P0, P1, P2 or P3.`;
  const commander = r.user(FIELDS.commander);
  if (commander !== null && !/^[UW][A-Z0-9]+$/.test(commander)) errors[FIELDS.commander] = 'Pick a person from the list.';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    declaration: {
      title: toPlainLine(title as string),
      severity: severity as SeverityLevel,
      impact: text(FIELDS.impact),
      symptoms: text(FIELDS.symptoms),
      actions: text(FIELDS.actions),
      eta: text(FIELDS.eta),
      commanderId: commander,
    },
  };
}
