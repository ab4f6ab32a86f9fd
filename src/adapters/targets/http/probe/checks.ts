/**
 * The configured `checks` of an HTTP target, run by `/diag http` after its own GET: each one
 * request (method, headers, body) to a path of the target's host, after `warmup` identical
 * requests whose answers are not graded (a cache filled by the first, `X-Cache: HIT` on the next).
 *
 * - Sent as every diagnostic request is (shared bounded request): no redirect followed, no proxy,
 *   and every request of every check bound to the probe's one deadline, so a check that hangs, or a
 *   warm-up that does, is "unreachable" by then and the report still comes in time.
 * - Findings, each named by the check: the status (one or a list; any 2xx by default: critical
 *   otherwise), the latency (the check's `latencyMs`, else the target's thresholds: warning,
 *   critical), each expected JSON field and header (critical when missing or different).
 * - The body of an answer is never shown nor logged: only its size and type, the fields asked
 *   for (a field named like a credential, or asked only to be `present`, never by its value: a
 *   login check says that a token came back, not what it is) and the headers asked for.
 */
import type { Finding } from '../../../../core/diagnostics/finding.js';
import type { ProbeContext } from '../../../../core/diagnostics/probe.js';
import { excerpt } from '../../shared/bounded-get.js';
import { encodeBody, requestUrl } from '../request.js';
import { headerPattern, PRESENT, type HttpTarget, type HttpTargetCheck, type HttpThresholds } from '../target.js';
import {
  headerFindings,
  jsonFindings,
  latencyFinding,
  noAnswerFinding,
  send,
  statusFinding,
  type CheckVoice,
  type FieldExpectation,
  type HeaderExpectation,
} from './expectations.js';

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

/** A configured check, ready to send: its URL fixed and its expectations read. */
export interface PreparedCheck {
  voice: CheckVoice;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  warmup: number;
  status: readonly number[] | undefined;
  fields: Record<string, FieldExpectation>;
  answerHeaders: Record<string, HeaderExpectation>;
  latency: { warnMs: number; criticalMs: number };
}

/**
 * Reads one configured check against its target. Throws (a configuration error) when its path
 * leaves the target's host: the configuration refuses that already, and this holds whatever the
 * object was given.
 */
export function prepareCheck(target: HttpTarget, check: HttpTargetCheck, thresholds: HttpThresholds): PreparedCheck {
  const where = requestUrl(target, check.path);
  if (!where.ok) throw new TypeError(`check "${check.name}" of HTTP target "${target.name}": ${where.message}`);
  const { body, headers } = encodeBody(check.body, check.headers);
  const fields = Object.fromEntries(
    Object.entries(check.expect.json).map(([path, value]): [string, FieldExpectation] => [path, value === PRESENT ? { present: true } : { equals: value }]),
  );
  const answerHeaders = Object.fromEntries(
    Object.entries(check.expect.headers).map(([name, value]): [string, HeaderExpectation] => {
      if (value === PRESENT) return [name, { present: true }];
      const pattern = headerPattern(value);
      return [name, pattern ? { matches: pattern } : { equals: value }];
    }),
  );
  // The check's own limits, else the target's (kept in order with the one the check gives).
  const given = check.expect.latencyMs;
  const warnMs = given?.warn ?? Math.min(thresholds.latencyWarnMs, given?.critical ?? Number.POSITIVE_INFINITY);
  const criticalMs = given?.critical ?? Math.max(thresholds.latencyCritMs, warnMs);
  const prepared: PreparedCheck = {
    voice: { name: excerpt(check.name, 60), target: target.name, disclosure: 'withhold', where: `the check "${excerpt(check.name, 60)}"` },
    url: where.url,
    method: check.method,
    headers,
    warmup: check.warmup,
    status: check.expect.status,
    fields,
    answerHeaders,
    latency: { warnMs, criticalMs },
  };
  if (body !== undefined) prepared.body = body;
  return prepared;
}

/** Runs one prepared check: the warm-up requests, then the graded one. Never throws. */
export async function runCheck(check: PreparedCheck, ctx: ProbeContext): Promise<Finding[]> {
  const { voice } = check;
  try {
    const request = { method: check.method, headers: check.headers, body: check.body };
    for (let i = 1; i <= check.warmup; i += 1) {
      const warm = await send(check.url, ctx, request);
      if (!warm.ok) return [noAnswerFinding(voice, warm, `warm-up request ${i} of ${check.warmup}`)];
    }
    const answer = await send(check.url, ctx, request);
    if (!answer.ok) return [noAnswerFinding(voice, answer, check.warmup ? `the ${ordinal(check.warmup + 1)} request, after the warm-up` : undefined)];
    const exchange = { method: check.method, url: check.url, answer, warmups: check.warmup };
    return [
      statusFinding(voice, exchange, check.status),
      ...latencyFinding(voice, exchange, check.latency),
      ...jsonFindings(voice, exchange, check.fields),
      ...headerFindings(voice, exchange, check.answerHeaders),
    ];
  } catch (err) {
    // Never the error's whole text: it could hold what the request carried.
    return [{ check: voice.name, component: voice.target, status: 'unknown', value: `the check failed: ${err instanceof Error ? err.name : 'error'}` }];
  }
}
