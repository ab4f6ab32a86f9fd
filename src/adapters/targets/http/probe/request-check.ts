/**
 * A runbook's custom HTTP check as a probe: one request (method, headers, body) to a path of a
 * configured HTTP target, and findings for the status, the expected JSON fields and, when the step
 * gives thresholds, the latency. It is sent as the `/diag http` probe sends its GET (shared
 * bounded request): bound to the deadline, no proxy, no redirect ever followed (a 3xx is an answer
 * and says where it points), TLS without verification (the `/diag http` probe reports trust).
 *
 * - The URL is the target's origin and the step's path (`new URL(path, target.url)`); a path that
 *   would lead to another host (`//other.example/`) is refused when the probe is built.
 * - The step's headers are sent besides Accept and User-Agent (which the step may override); the
 *   target's configured checks and their headers are not used.
 * - A status outside `expect.status` is critical (value "HTTP 503 …", the body's start in the
 *   evidence); each `expect.json` field (a dotted path, as `/diag http` reads them) that differs is
 *   critical with what was found and what was expected; latency is graded against `warnMs` /
 *   `criticalMs` when either is given; a target that does not answer is "unreachable".
 * - The findings are those of the target's configured checks (./expectations.ts), quoting the body
 *   as runbook steps always have.
 */
import { unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import type { CustomCheck } from '../../../../core/runbook/model.js';
import { excerpt } from '../../shared/bounded-get.js';
import { hasLineBreak, requestUrl } from '../request.js';
import type { HttpTarget } from '../target.js';
import { jsonFindings, latencyFinding, noAnswerFinding, send, statusFinding, type CheckVoice, type FieldExpectation } from './expectations.js';

export { BODY_EVIDENCE_CHARS } from './expectations.js';
export { requestUrl } from '../request.js';

export type HttpCustomCheck = Extract<CustomCheck, { kind: 'http' }>;

/** The probe of one HTTP check on one target, or why it cannot be built. `run` never throws. */
export function httpCheckProbe(target: HttpTarget, check: HttpCustomCheck): Probe | string {
  const where = requestUrl(target, check.http.path);
  if (!where.ok) return where.message;
  const badHeader = Object.entries(check.http.headers).find(([, v]) => hasLineBreak(v));
  if (badHeader) return `The header "${badHeader[0]}" of the HTTP check holds a line break: give it on one line.`;
  const { url } = where;
  const name = excerpt(check.meaning, 200) || 'custom check';
  const fixed = structuredClone(check);
  const voice: CheckVoice = { name, target: target.name, disclosure: 'quote', where: 'the runbook step', recommendation: fixed.recommendation };
  const fields: Record<string, FieldExpectation> = Object.fromEntries(Object.entries(fixed.http.expect.json).map(([path, value]) => [path, { equals: value }]));
  return {
    kind: 'http',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      try {
        const { http } = fixed;
        const answer = await send(url, ctx, { method: http.method, headers: http.headers, body: http.body });
        if (!answer.ok) return [answer.unreachable ? unreachable(target.name, answer.why) : noAnswerFinding(voice, answer)];
        const exchange = { method: http.method, url, answer };
        return [
          statusFinding(voice, exchange, http.expect.status),
          ...latencyFinding(voice, exchange, { warnMs: fixed.warnMs, criticalMs: fixed.criticalMs }),
          ...jsonFindings(voice, exchange, fields),
        ];
      } catch (err) {
        return [{ check: name, component: target.name, status: 'unknown', value: excerpt(`the check failed: ${err instanceof Error ? err.message : String(err)}`, 400) }];
      }
    },
  };
}
