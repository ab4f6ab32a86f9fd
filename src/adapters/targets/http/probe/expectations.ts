/**
 * One request of a check and the findings for what its answer must be: the status, the latency,
 * fields of a JSON body, headers. Shared by the runbooks' `http` steps and the targets' configured
 * `checks`, which differ in what they may show of the answer:
 *
 * - `quote`: a runbook step's findings quote the start of the body as evidence when something is
 *   wrong, and the values of the fields they compare (as they always have);
 * - `withhold`: a configured check never shows the body: only its size and type, the value of a
 *   field it compares (unless the field's name says it is a credential: token, password, key,
 *   session…), and never the value of a field it only asks to be `present`. Header values asked for
 *   are shown, unless the header is a credential (Set-Cookie, X-Auth-Token).
 */
import { STATUS_CODES } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { grade, type Finding, type Status } from '../../../../core/diagnostics/finding.js';
import { hideUrlPasswords } from '../../../../core/found-value.js';
import type { ProbeContext } from '../../../../core/diagnostics/probe.js';
import { boundedGet, displayUrl, excerpt, type GetAnswer, type GetFailure } from '../../shared/bounded-get.js';
import { lookupJson, MAX_HTTP_BODY_BYTES, show } from '../answer.js';
import { isCredentialHeader, isSecretField } from '../request.js';

/** How much of a body the evidence of a runbook step shows. */
export const BODY_EVIDENCE_CHARS = 300;
const ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.8';

export type Disclosure = 'quote' | 'withhold';

/** Who the findings speak for, and the words their advice uses for it. */
export interface CheckVoice {
  /** The finding's check: the step's meaning, the check's name. */
  name: string;
  /** The target's name: the finding's component. */
  target: string;
  disclosure: Disclosure;
  /** Where the request is written, for advice: "the runbook step", "the check". */
  where: string;
  /** Given by the check, it replaces every default recommendation. */
  recommendation?: string | undefined;
}

/** One request as sent, and its answer. */
export interface Exchange {
  method: string;
  url: string;
  answer: GetAnswer;
  /** Requests sent before this one, unread (warm-up). */
  warmups?: number;
}

/** An expectation on a JSON field: a value it must equal, or only that it is there (not null, not ""). */
export type FieldExpectation = { equals: unknown } | { present: true };

/** An expectation on a header: a value, a pattern, or only that it is there. */
export type HeaderExpectation = { equals: string } | { matches: RegExp } | { present: true };

/** Sends one request of a check, bound to the probe's deadline (never throws). */
export function send(url: string, ctx: ProbeContext, request: { method: string; headers: Record<string, string>; body?: string | undefined }): Promise<GetAnswer | GetFailure> {
  return boundedGet(url, ctx, { maxBytes: MAX_HTTP_BODY_BYTES, accept: ACCEPT, request });
}

/** What the evidence says of a body: its start (quote), or its size and type only (withhold). */
function bodyEvidence(voice: CheckVoice, answer: GetAnswer): string[] {
  if (voice.disclosure === 'quote') return [`body: ${excerpt(answer.body, BODY_EVIDENCE_CHARS) || '(empty)'}`];
  const bytes = Buffer.byteLength(answer.body);
  return [`content-type: ${excerpt(answer.headers['content-type'] ?? '(none)', 120)}`, `body: ${bytes} byte${bytes === 1 ? '' : 's'} (not shown)`];
}

function requestLine(x: Exchange): string {
  const warm = x.warmups ? ` (after ${x.warmups} warm-up request${x.warmups === 1 ? '' : 's'})` : '';
  return `${x.method} ${displayUrl(x.url)}${warm}`;
}

function statusesText(statuses: readonly number[] | undefined): string {
  if (statuses === undefined) return 'expected 2xx';
  if (statuses.length === 1) return `expected ${statuses[0]}`;
  return `expected ${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1]}`;
}

/** The status against the expected ones (any 2xx when none is given); the value says where a redirect points, and the time. */
export function statusFinding(voice: CheckVoice, x: Exchange, expected: readonly number[] | undefined): Finding {
  const { answer } = x;
  const { status } = answer;
  const good = expected ? expected.includes(status) : status >= 200 && status < 300;
  let value = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  const location = answer.headers['location'];
  if (status >= 300 && status < 400 && location) {
    let to: string;
    try {
      to = displayUrl(new URL(location, x.url).href);
    } catch {
      to = excerpt(location, 120);
    }
    value += `, redirects to ${to} (not followed)`;
  }
  value += ` in ${Math.round(answer.elapsedMs)} ms`;
  const f: Finding = { check: voice.name, component: voice.target, status: good ? 'ok' : 'critical', value, threshold: statusesText(expected) };
  if (!good) {
    f.recommendation =
      voice.recommendation ??
      (status >= 500
        ? 'The service answers with a server error: check its logs and its dependencies (database, cache, upstreams).'
        : status >= 300 && status < 400
          ? `The endpoint redirects, and redirects are never followed: give the final path in ${voice.where}, or expect this status.`
          : (status === 401 || status === 403) && voice.disclosure === 'withhold'
            ? `The endpoint refused the request: check the credentials ${voice.where} sends (its headers and body, and the variables they come from) and that the account still exists.`
            : `Check the path, method, headers and body of ${voice.where}, and whether the endpoint needs authentication.`);
    f.evidence = [requestLine(x), ...bodyEvidence(voice, answer)];
  }
  return f;
}

/** The latency against warn and critical limits, when either is given. */
export function latencyFinding(voice: CheckVoice, x: Exchange, limits: { warnMs?: number | undefined; criticalMs?: number | undefined }): Finding[] {
  if (limits.warnMs === undefined && limits.criticalMs === undefined) return [];
  const ms = Math.round(x.answer.elapsedMs);
  const crit = limits.criticalMs ?? Number.POSITIVE_INFINITY;
  const warn = limits.warnMs ?? crit;
  const status: Status = grade(ms, warn, crit);
  const parts: string[] = [];
  if (limits.warnMs !== undefined) parts.push(`warning at ${limits.warnMs} ms`);
  if (limits.criticalMs !== undefined) parts.push(`critical at ${limits.criticalMs} ms`);
  const f: Finding = { check: voice.name, component: `${voice.target} latency`, status, value: `${ms} ms`, threshold: parts.join(', ') };
  if (status !== 'ok') f.recommendation = voice.recommendation ?? 'Slow answers: check the service’s load, its dependencies (slow queries, saturated pools) and recent deploys.';
  return [f];
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/**
 * A field's value as a finding shows it. Withheld, a mapping or a list is described, not quoted:
 * inside it may be fields nobody asked for (an account's key next to its name); a URL in a text
 * loses its password.
 */
function shownField(voice: CheckVoice, value: unknown): string {
  if (voice.disclosure === 'quote') return show(value);
  if (value === null || typeof value !== 'object') return hideUrlPasswords(show(value));
  if (Array.isArray(value)) return `a list of ${value.length} (not shown)`;
  const n = Object.keys(value).length;
  return `a mapping of ${n} field${n === 1 ? '' : 's'} (not shown)`;
}

/** One finding per expected field of the JSON body; one critical finding when the body is not JSON. */
export function jsonFindings(voice: CheckVoice, x: Exchange, expected: Readonly<Record<string, FieldExpectation>>): Finding[] {
  const paths = Object.keys(expected);
  if (paths.length === 0) return [];
  const { answer } = x;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return [
      {
        check: voice.name,
        component: `${voice.target} json`,
        status: 'critical',
        value: 'the answer is not JSON',
        threshold: excerpt(`expected JSON with ${paths.join(', ')}`, 200),
        recommendation: voice.recommendation ?? `The endpoint did not answer JSON: check the path of ${voice.where} and the service.`,
        evidence: voice.disclosure === 'quote' ? [`content-type: ${answer.headers['content-type'] ?? '(none)'}`, ...bodyEvidence(voice, answer)] : bodyEvidence(voice, answer),
      },
    ];
  }
  return paths.map((path): Finding => {
    const want = expected[path] as FieldExpectation;
    const got = lookupJson(parsed, path);
    const found = got.found ? got.value : undefined;
    const component = excerpt(`${voice.target} ${path}`, 200);
    const name = excerpt(path, 100);
    if ('present' in want) {
      const good = got.found && !isEmpty(found);
      const f: Finding = {
        check: voice.name,
        component,
        status: good ? 'ok' : 'critical',
        // Never the value: a field asked only to be there is often a token.
        value: good ? `${name} present${isSecretField(path) ? ' (value not shown)' : ''}` : got.found ? `${name} is empty` : `${name} missing`,
        threshold: 'expected present',
      };
      if (!good) f.recommendation = voice.recommendation ?? `The answer has no ${name}: check what the endpoint needs to give it (credentials, a dependency) and its logs.`;
      return f;
    }
    const good = got.found && isDeepStrictEqual(found, want.equals);
    const hidden = voice.disclosure === 'withhold' && isSecretField(path);
    const f: Finding = {
      check: voice.name,
      component,
      status: good ? 'ok' : 'critical',
      value: hidden
        ? good
          ? `${name} as expected (value not shown)`
          : got.found
            ? `${name} differs from the expected value (not shown)`
            : `${name} missing`
        : excerpt(good ? `${path} = ${shownField(voice, found)}` : `${path} = ${shownField(voice, found)}, expected ${show(want.equals)}`, 400),
      threshold: hidden ? 'expected the configured value (not shown)' : `expected ${show(want.equals)}`,
    };
    if (!good) {
      f.recommendation = voice.recommendation ?? (hidden ? `The answer's ${name} is not the expected one: check the service and ${voice.where}.` : `The service reports ${excerpt(path, 100)} = ${shownField(voice, found)}: check what that field stands for (a dependency, a feature).`);
      if (!hidden) f.evidence = [`found: ${shownField(voice, found)}`, `expected: ${show(want.equals)}`, ...(voice.disclosure === 'quote' ? bodyEvidence(voice, answer) : [])];
    }
    return f;
  });
}

function describeHeader(e: HeaderExpectation): string {
  if ('present' in e) return 'present';
  if ('matches' in e) return `to match ${String(e.matches)}`;
  return JSON.stringify(e.equals);
}

/** One finding per expected header of the answer. */
export function headerFindings(voice: CheckVoice, x: Exchange, expected: Readonly<Record<string, HeaderExpectation>>): Finding[] {
  return Object.entries(expected).map(([name, want]): Finding => {
    const actual = x.answer.headers[name.toLowerCase()];
    const secret = isCredentialHeader(name);
    const good = actual !== undefined && ('present' in want ? actual !== '' : 'matches' in want ? want.matches.test(actual) : actual.trim() === want.equals.trim());
    const shownValue = actual === undefined ? undefined : secret ? '(value not shown)' : show(excerpt(actual, 120));
    const f: Finding = {
      check: voice.name,
      component: excerpt(`${voice.target} ${name}`, 200),
      status: good ? 'ok' : 'critical',
      value: actual === undefined ? `no ${name} header` : good ? `${name}: ${shownValue}` : `${name}: ${shownValue}, expected ${secret ? 'another value' : describeHeader(want)}`,
      threshold: `expected ${secret && !('present' in want) ? 'the configured value' : describeHeader(want)}`,
    };
    if (!good) {
      f.recommendation = voice.recommendation ?? `The answer's ${name} header is not the expected one: check the service behind it (a cache that does not answer, a proxy in between) and ${voice.where}.`;
      f.evidence = [requestLine(x)];
    }
    return f;
  });
}

/** The finding for a check whose request got no answer. */
export function noAnswerFinding(voice: CheckVoice, failure: GetFailure, during?: string): Finding {
  const why = during ? `${failure.why} (${during})` : failure.why;
  if (failure.unreachable) {
    return { check: voice.name, component: voice.target, status: 'critical', value: `unreachable: ${why}`, recommendation: 'Check that the target is up and reachable from Firebreak (address, port, firewall, credentials).' };
  }
  return { check: voice.name, component: voice.target, status: 'unknown', value: why, recommendation: `Point ${voice.where} at an endpoint with a small answer.` };
}
