/**
 * The "Declare an incident" modal: building it, and reading a submission back into a declaration
 * or into per-field errors (shown by Slack under each field via response_action: errors).
 */
import { z } from 'zod';
import { DETECTION_LOOKBACK_MS, type NewIncident } from '../../../core/incident/incident.js';
import { SEVERITY_LEVELS, formatResponseTime, type Severity, type SeverityLevel } from '../../../core/incident/severity.js';
import { formatDuration, parseDuration } from '../../../core/duration.js';
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
  detected: 'detected',
} as const;

/** How far back a detection time may be told. */
const DETECTED_MAX_MS = DETECTION_LOOKBACK_MS;

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
      input(FIELDS.detected, 'First noticed', textInput('How long ago, e.g. 20m or 1h30m', false, 20), {
        optional: true,
        hint: 'When the problem was first seen (an alert, a customer), for the time-to-detect figure (MTTD). Empty: just now.',
      }),
    ],
  };
}

/** What the form gives; the rest of a NewIncident (who, when, which workspace) comes from the request. */
export type Declaration = Pick<NewIncident, 'title' | 'severity' | 'impact' | 'symptoms' | 'actions' | 'eta' | 'commanderId'> & {
  /** How long before the declaration it was first noticed, as told; null when not told. */
  detectedAgoMs: number | null;
};

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
  const detected = text(FIELDS.detected);
  const detectedAgoMs = detected === null ? null : parseDuration(detected.replace(/\s+/g, '').toLowerCase(), { allowZero: true });
  if (detected !== null && detectedAgoMs === null) errors[FIELDS.detected] = `"${truncate(detected, 20)}" is not a duration: write how long ago, like 20m, 2h or 1h30m (or leave it empty).`;
  else if (detectedAgoMs !== null && detectedAgoMs > DETECTED_MAX_MS) errors[FIELDS.detected] = `${formatDuration(detectedAgoMs)} ago is more than a week: declare it with the time it was noticed in the impact, and leave this empty.`;
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
      detectedAgoMs,
    },
  };
}
