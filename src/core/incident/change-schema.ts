/**
 * What an IncidentChange (ports.ts) may contain, as every Store checks it: the fields `set` may
 * change, and the guards `when` may hold. Unknown keys are refused, so a typo is never a silent no-op.
 */
import { z } from 'zod';
import { INCIDENT_STATUSES } from './incident.js';
import { SEVERITY_LEVELS } from './severity.js';

const status = z.enum(INCIDENT_STATUSES);
const severity = z.enum(SEVERITY_LEVELS);
// z.date() refuses an Invalid Date too.
const validDate = z.date();

export const resolutionSchema = z.object({
  rootCause: z.string().nullable(),
  fixApplied: z.string().nullable(),
  finalImpact: z.string().nullable(),
  postmortemDate: z.string().nullable(),
});

export const checklistSchema = z.array(z.string());

export const incidentPatchSchema = z.strictObject({
  title: z.string(),
  severity,
  status,
  commanderId: z.string().nullable(),
  commsLeadId: z.string().nullable(),
  acknowledgedAt: validDate.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: validDate.nullable(),
  lastUpdateAt: validDate,
  channelId: z.string().nullable(),
  card: z.object({ channel: z.string(), ts: z.string() }).nullable(),
  resolution: resolutionSchema.nullable(),
  checklist: checklistSchema,
  reminderSnoozedUntil: validDate.nullable(),
}).partial();

/** The time guards can only say "is null". */
export const incidentGuardSchema = z.strictObject({
  status: z.union([status, z.array(status)]),
  severity,
  commanderId: z.string().nullable(),
  acknowledgedAt: z.null(),
  resolvedAt: z.null(),
}).partial();
