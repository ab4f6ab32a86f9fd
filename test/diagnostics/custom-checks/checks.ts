/** Shared helpers of the custom-check tests: a runbook step's check as the Diagnostics port receives it. */
import { httpCheckSchema, promqlCheckSchema, sqlCheckSchema, type CustomCheck } from '../../../src/core/runbook/model.js';

type Of<K extends CustomCheck['kind']> = Extract<CustomCheck, { kind: K }>;

/** A SQL check as a runbook block would give it (zod defaults applied), without its id. */
export function sqlCheck(spec: Record<string, unknown>): Of<'sql'> {
  const { id: _id, when: _when, ...rest } = sqlCheckSchema.parse({ id: 'step', meaning: 'A number from the database', ...spec });
  return { kind: 'sql', ...rest };
}

export function promqlCheck(spec: Record<string, unknown>): Of<'promql'> {
  const { id: _id, when: _when, ...rest } = promqlCheckSchema.parse({ id: 'step', meaning: 'A number from Prometheus', ...spec });
  return { kind: 'promql', ...rest };
}

export function httpCheck(spec: Record<string, unknown>): Of<'http'> {
  const { id: _id, when: _when, ...rest } = httpCheckSchema.parse({ id: 'step', meaning: 'The endpoint answers', ...spec });
  return { kind: 'http', ...rest };
}
