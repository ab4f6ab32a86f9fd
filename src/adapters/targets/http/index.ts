/** HTTP health endpoints: `/diag http` (status, latency, expected fields, certificate, configured checks). */
import { defineTargetKind, urlPassword } from '../kind.js';
import { httpProbe } from './probe.js';
import { httpCheckProbe } from './probe/request-check.js';
import { requestSecrets } from './request.js';
import { httpTargetSchema } from './target.js';

export { httpProbe } from './probe.js';
export { lookupJson, MAX_HTTP_BODY_BYTES } from './answer.js';
export {
  DEFAULT_HTTP_THRESHOLDS,
  httpTargetCheckSchema,
  httpTargetSchema,
  httpThresholdsSchema,
  resolveHttpThresholds,
  type HttpTarget,
  type HttpTargetCheck,
  type HttpThresholds,
} from './target.js';

export const httpKind = defineTargetKind({
  key: 'http',
  label: 'HTTP',
  schema: httpTargetSchema,
  diagnostics: [{ word: 'http', probe: (target) => httpProbe(target), inAll: true }],
  custom: { check: 'http', probe: httpCheckProbe },
  // `/diag http <url>` may name a configured target by its URL; any other URL is refused.
  find: (targets, name) => targets.find((t) => t.url === name) ?? targets.find((t) => t.name === name),
  // The URL's password, and what the checks send as credentials: headers named like one
  // (Authorization, Cookie, X-Api-Key…) and the body's fields named like one (password…).
  secrets: (target) => [...urlPassword(target.url), ...(target.checks ?? []).flatMap((c) => requestSecrets(c))],
});
