/**
 * A runbook's custom HTTP check as a probe: one request (method, headers, body) to a path of a
 * configured HTTP target, and findings for the status, the expected JSON fields and, when the step
 * gives thresholds, the latency. It is sent as the `/diag http` probe sends its GET (shared
 * bounded request): bound to the deadline, no proxy, no redirect ever followed (a 3xx is an answer
 * and says where it points), TLS without verification (the `/diag http` probe reports trust).
 *
 * - The URL is the target's origin and the step's path (`new URL(path, target.url)`); a path that
 *   would lead to another host (`//other.example/`) is refused when the probe is built.
 * - HTTP targets have no headers of their own in the configuration, so the step's headers are the
 *   only ones sent besides Accept and User-Agent (which the step may override).
 * - A status outside `expect.status` is critical (value "HTTP 503 …", the body's start in the
 *   evidence); each `expect.json` field (a dotted path, as `/diag http` reads them) that differs is
 *   critical with what was found and what was expected; latency is graded against `warnMs` /
 *   `criticalMs` when either is given; a target that does not answer is "unreachable".
 */
import { STATUS_CODES } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { grade, unreachable, type Finding, type Status } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import type { CustomCheck } from '../../../../core/runbook/model.js';
import { boundedGet, checkHttpUrl, displayUrl, excerpt, type GetAnswer } from '../../shared/bounded-get.js';
import { lookupJson, MAX_HTTP_BODY_BYTES, show } from '../probe.js';
import type { HttpTarget } from '../target.js';

export type HttpCustomCheck = Extract<CustomCheck, { kind: 'http' }>;

/** How much of a body the evidence shows. */
export const BODY_EVIDENCE_CHARS = 300;
const ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.8';

/** The URL a check requests: the target's origin and the check's path; or why it may not. */
export function requestUrl(target: HttpTarget, path: string): { ok: true; url: string } | { ok: false; message: string } {
  let base: URL;
  try {
    base = new URL(checkHttpUrl(target.url, `HTTP target "${target.name}"`));
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    return { ok: false, message: `The path "${excerpt(path, 120)}" is not a valid URL path.` };
  }
  if (url.origin !== base.origin) {
    return { ok: false, message: `The path "${excerpt(path, 120)}" leads away from the HTTP target "${target.name}" (${base.host}): give a path on that host, like "/health".` };
  }
  return { ok: true, url: url.href };
}

function statusesText(statuses: readonly number[]): string {
  if (statuses.length === 1) return `expected ${statuses[0]}`;
  return `expected ${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1]}`;
}

function statusFinding(name: string, target: HttpTarget, check: HttpCustomCheck, url: string, answer: GetAnswer): Finding {
  const { status } = answer;
  const expected = check.http.expect.status;
  const good = expected.includes(status);
  let value = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  const location = answer.headers['location'];
  if (status >= 300 && status < 400 && location) {
    let to: string;
    try {
      to = displayUrl(new URL(location, url).href);
    } catch {
      to = excerpt(location, 120);
    }
    value += `, redirects to ${to} (not followed)`;
  }
  value += ` in ${Math.round(answer.elapsedMs)} ms`;
  const f: Finding = { check: name, component: target.name, status: good ? 'ok' : 'critical', value, threshold: statusesText(expected) };
  if (!good) {
    f.recommendation =
      check.recommendation ??
      (status >= 500
        ? 'The service answers with a server error: check its logs and its dependencies (database, cache, upstreams).'
        : status >= 300 && status < 400
          ? 'The endpoint redirects, and redirects are never followed: give the final path in the runbook step, or expect this status.'
          : 'Check the step’s path, method, headers and body, and whether the endpoint needs authentication.');
    f.evidence = [`${check.http.method} ${displayUrl(url)}`, `body: ${excerpt(answer.body, BODY_EVIDENCE_CHARS) || '(empty)'}`];
  }
  return f;
}

function latencyFinding(name: string, target: HttpTarget, check: HttpCustomCheck, answer: GetAnswer): Finding[] {
  if (check.warnMs === undefined && check.criticalMs === undefined) return [];
  const ms = Math.round(answer.elapsedMs);
  const crit = check.criticalMs ?? Number.POSITIVE_INFINITY;
  const warn = check.warnMs ?? crit;
  const status: Status = grade(ms, warn, crit);
  const parts: string[] = [];
  if (check.warnMs !== undefined) parts.push(`warning at ${check.warnMs} ms`);
  if (check.criticalMs !== undefined) parts.push(`critical at ${check.criticalMs} ms`);
  const f: Finding = { check: name, component: `${target.name} latency`, status, value: `${ms} ms`, threshold: parts.join(', ') };
  if (status !== 'ok') f.recommendation = check.recommendation ?? 'Slow answers: check the service’s load, its dependencies (slow queries, saturated pools) and recent deploys.';
  return [f];
}

function jsonFindings(name: string, target: HttpTarget, check: HttpCustomCheck, answer: GetAnswer): Finding[] {
  const expected = check.http.expect.json;
  const paths = Object.keys(expected);
  if (paths.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return [
      {
        check: name,
        component: `${target.name} json`,
        status: 'critical',
        value: 'the answer is not JSON',
        threshold: excerpt(`expected JSON with ${paths.join(', ')}`, 200),
        recommendation: check.recommendation ?? 'The endpoint did not answer JSON: check the step’s path and the service.',
        evidence: [`content-type: ${answer.headers['content-type'] ?? '(none)'}`, `body: ${excerpt(answer.body, BODY_EVIDENCE_CHARS) || '(empty)'}`],
      },
    ];
  }
  return paths.map((path): Finding => {
    const want = expected[path];
    const got = lookupJson(parsed, path);
    const found = got.found ? got.value : undefined;
    const good = got.found && isDeepStrictEqual(found, want);
    const f: Finding = {
      check: name,
      component: excerpt(`${target.name} ${path}`, 200),
      status: good ? 'ok' : 'critical',
      value: excerpt(good ? `${path} = ${show(found)}` : `${path} = ${show(found)}, expected ${show(want)}`, 400),
      threshold: `expected ${show(want)}`,
    };
    if (!good) {
      f.recommendation = check.recommendation ?? `The service reports ${excerpt(path, 100)} = ${show(found)}: check what that field stands for (a dependency, a feature).`;
      f.evidence = [`found: ${show(found)}`, `expected: ${show(want)}`, `body: ${excerpt(answer.body, BODY_EVIDENCE_CHARS)}`];
    }
    return f;
  });
}

/** The probe of one HTTP check on one target, or why it cannot be built. `run` never throws. */
export function httpCheckProbe(target: HttpTarget, check: HttpCustomCheck): Probe | string {
  const where = requestUrl(target, check.http.path);
  if (!where.ok) return where.message;
  const badHeader = Object.entries(check.http.headers).find(([, v]) => /[\r\n\0]/.test(v));
  if (badHeader) return `The header "${badHeader[0]}" of the HTTP check holds a line break: give it on one line.`;
  const { url } = where;
  const name = excerpt(check.meaning, 200) || 'custom check';
  const fixed = structuredClone({ target: { ...target }, check });
  return {
    kind: 'http',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      try {
        const { http } = fixed.check;
        const answer = await boundedGet(url, ctx, {
          maxBytes: MAX_HTTP_BODY_BYTES,
          accept: ACCEPT,
          request: { method: http.method, headers: http.headers, body: http.body },
        });
        if (!answer.ok) {
          if (answer.unreachable) return [unreachable(target.name, answer.why)];
          return [{ check: name, component: target.name, status: 'unknown', value: answer.why, recommendation: 'Point the runbook step at an endpoint with a small answer.' }];
        }
        return [statusFinding(name, fixed.target, fixed.check, url, answer), ...latencyFinding(name, fixed.target, fixed.check, answer), ...jsonFindings(name, fixed.target, fixed.check, answer)];
      } catch (err) {
        return [{ check: name, component: target.name, status: 'unknown', value: excerpt(`the check failed: ${err instanceof Error ? err.message : String(err)}`, 400) }];
      }
    },
  };
}
