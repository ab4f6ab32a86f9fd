/** HTTP health endpoints: `/diag http` (status, latency, expected fields, certificate). */
import { defineTargetKind, urlPassword } from '../kind.js';
import { httpProbe } from './probe.js';
import { httpCheckProbe } from './probe/request-check.js';
import { httpTargetSchema } from './target.js';

export { httpProbe, lookupJson, MAX_HTTP_BODY_BYTES } from './probe.js';
export { DEFAULT_HTTP_THRESHOLDS, httpTargetSchema, httpThresholdsSchema, resolveHttpThresholds, type HttpTarget, type HttpThresholds } from './target.js';

export const httpKind = defineTargetKind({
  key: 'http',
  label: 'HTTP',
  schema: httpTargetSchema,
  diagnostics: [{ word: 'http', probe: (target) => httpProbe(target), inAll: true }],
  custom: { check: 'http', probe: httpCheckProbe },
  // `/diag http <url>` may name a configured target by its URL; any other URL is refused.
  find: (targets, name) => targets.find((t) => t.url === name) ?? targets.find((t) => t.name === name),
  secrets: (target) => urlPassword(target.url),
});
