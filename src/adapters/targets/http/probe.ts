/**
 * HTTP health-check probe: one GET of the configured URL, then findings for the status, the
 * latency, the expected JSON fields or text, and, over https, the certificate (days left and trust).
 * No redirects followed, nothing but the configured URL is ever requested, and besides it only the
 * target's configured `checks` (./probe/checks.ts), on its host, at the same time, by the same
 * deadline.
 */
import { STATUS_CODES } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { grade, unreachable, type Finding, type Status } from '../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../core/diagnostics/probe.js';
import { resolveHttpThresholds, type HttpTarget, type HttpThresholds } from './target.js';
import { boundedGet, checkHttpUrl, displayUrl, excerpt, type GetAnswer, type PeerCertificateInfo } from '../shared/bounded-get.js';
import { lookupJson, MAX_HTTP_BODY_BYTES, show } from './answer.js';
import { prepareCheck, runCheck } from './probe/checks.js';

export { lookupJson, MAX_HTTP_BODY_BYTES, show } from './answer.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function statusFinding(target: HttpTarget, answer: GetAnswer): Finding {
  const expected = target.expect?.status;
  const { status } = answer;
  const good = expected !== undefined ? status === expected : status >= 200 && status < 300;
  const location = answer.headers['location'];
  let value = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  if (status >= 300 && status < 400 && location) {
    let to: string;
    try {
      to = displayUrl(new URL(location, target.url).href);
    } catch {
      to = excerpt(location, 120);
    }
    value += `, redirects to ${to} (not followed)`;
  }
  const finding: Finding = {
    check: 'status',
    component: target.name,
    status: good ? 'ok' : 'critical',
    value,
    threshold: expected !== undefined ? `expected ${expected}` : 'expected 2xx',
  };
  if (!good) {
    finding.recommendation =
      status >= 500
        ? 'The service answers with a server error: check its logs and its dependencies (database, cache, upstreams).'
        : status >= 300 && status < 400
          ? 'The endpoint redirects, and redirects are never followed: configure the final URL, or expect this status.'
          : status >= 400
            ? 'Check the configured path, and whether the endpoint needs authentication or a different host.'
            : `The endpoint answered ${status}, not the expected status: check the configuration or the service.`;
    if (answer.body) finding.evidence = [`body: ${excerpt(answer.body)}`];
  }
  return finding;
}

function latencyFinding(target: HttpTarget, answer: GetAnswer, t: HttpThresholds): Finding {
  const ms = Math.round(answer.elapsedMs);
  const status = grade(ms, t.latencyWarnMs, t.latencyCritMs);
  const finding: Finding = {
    check: 'latency',
    component: target.name,
    status,
    value: `${ms} ms`,
    threshold: `warning at ${t.latencyWarnMs} ms, critical at ${t.latencyCritMs} ms`,
  };
  if (status !== 'ok') finding.recommendation = 'Slow answers: check the service load, its dependencies (slow queries, saturated pools) and recent deploys.';
  return finding;
}

function jsonFindings(target: HttpTarget, answer: GetAnswer): Finding[] {
  const expected = target.expect?.json;
  if (!expected || Object.keys(expected).length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return [
      {
        check: 'json body',
        component: target.name,
        status: 'critical',
        value: 'the answer is not JSON',
        threshold: `expected JSON with ${Object.keys(expected).join(', ')}`,
        recommendation: 'The endpoint did not answer JSON: check that the URL is the health endpoint and that the service is the one expected.',
        evidence: [`content-type: ${answer.headers['content-type'] ?? '(none)'}`, `body: ${excerpt(answer.body) || '(empty)'}`],
      },
    ];
  }
  return Object.entries(expected).map(([path, want]): Finding => {
    const got = lookupJson(parsed, path);
    const actual = got.found ? got.value : undefined;
    const good = got.found && isDeepStrictEqual(actual, want);
    const finding: Finding = {
      check: 'json field',
      component: `${target.name} ${path}`,
      status: good ? 'ok' : 'critical',
      value: good ? `${path} = ${show(actual)}` : `${path} = ${show(actual)}, expected ${show(want)}`,
      threshold: `expected ${show(want)}`,
    };
    if (!good) {
      finding.recommendation = `The service reports ${path} = ${show(actual)}: check that dependency (connection, credentials, whether it is up).`;
      finding.evidence = [`expected: ${show(want)}`, `actual: ${show(actual)}`, `body: ${excerpt(answer.body)}`];
    }
    return finding;
  });
}

function bodyFinding(target: HttpTarget, answer: GetAnswer): Finding[] {
  const wanted = target.expect?.bodyContains;
  if (wanted === undefined) return [];
  const good = answer.body.includes(wanted);
  const finding: Finding = {
    check: 'body',
    component: target.name,
    status: good ? 'ok' : 'critical',
    value: good ? `contains ${show(wanted)}` : `does not contain ${show(wanted)}`,
    threshold: `must contain ${show(wanted)}`,
  };
  if (!good) {
    finding.recommendation = 'The answer is not the expected one: check the service and the configured URL.';
    finding.evidence = [`body: ${excerpt(answer.body) || '(empty)'}`];
  }
  return [finding];
}

function formatDays(days: number): string {
  const abs = Math.abs(days);
  return abs < 10 ? abs.toFixed(1) : String(Math.floor(abs));
}

function certificateFindings(target: HttpTarget, peer: PeerCertificateInfo | undefined, t: HttpThresholds, now: Date): Finding[] {
  if (!peer) {
    return [{ check: 'certificate expiry', component: target.name, status: 'unknown', value: 'the certificate could not be read from the TLS connection' }];
  }
  const evidence = [`subject: ${peer.subject}`, `issuer: ${peer.issuer}`];
  if (peer.subjectAltName) evidence.push(`names: ${peer.subjectAltName}`);
  evidence.push(`valid from ${peer.validFrom.toISOString()} to ${peer.validTo.toISOString()}`);

  const daysLeft = (peer.validTo.getTime() - now.getTime()) / DAY_MS;
  let status: Status;
  let value: string;
  if (!Number.isFinite(daysLeft)) {
    status = 'unknown';
    value = 'unreadable expiry date';
  } else if (daysLeft <= 0) {
    status = 'critical';
    value = `expired ${formatDays(daysLeft)} days ago (${peer.validTo.toISOString()})`;
  } else {
    status = grade(daysLeft, t.certWarnDays, t.certCritDays, true);
    value = `${formatDays(daysLeft)} days left (expires ${peer.validTo.toISOString()})`;
  }
  if (peer.validFrom.getTime() > now.getTime()) {
    status = 'critical';
    value = `not valid before ${peer.validFrom.toISOString()}`;
  }
  const expiry: Finding = {
    check: 'certificate expiry',
    component: target.name,
    status,
    value,
    threshold: `warning at ${t.certWarnDays} days or fewer, critical at ${t.certCritDays} days or fewer`,
    evidence,
  };
  if (status !== 'ok') expiry.recommendation = 'Renew the certificate (check the issuer or cert-manager renewal, and that the new one is deployed on this endpoint).';

  const trust: Finding = peer.authorized
    ? { check: 'certificate trust', component: target.name, status: 'ok', value: 'trusted, and valid for the host name' }
    : {
        check: 'certificate trust',
        component: target.name,
        status: 'warning',
        value: `not trusted: ${peer.authorizationError ?? 'unknown reason'}`,
        recommendation: 'Clients that verify certificates will refuse this endpoint: serve a certificate from a trusted CA that covers the host name.',
        evidence,
      };
  return [expiry, trust];
}

async function check(target: HttpTarget, url: string, t: HttpThresholds, ctx: ProbeContext): Promise<Finding[]> {
  const answer = await boundedGet(url, ctx, { maxBytes: MAX_HTTP_BODY_BYTES, accept: 'application/json, text/plain;q=0.9, */*;q=0.8' });
  if (!answer.ok) {
    if (answer.unreachable) return [unreachable(target.name, answer.why)];
    return [{ check: 'response', component: target.name, status: 'unknown', value: answer.why, recommendation: 'Point the check at a small health endpoint.' }];
  }
  const findings = [statusFinding(target, answer), latencyFinding(target, answer, t), ...jsonFindings(target, answer), ...bodyFinding(target, answer)];
  if (url.startsWith('https:')) findings.push(...certificateFindings(target, answer.peer, t, ctx.now()));
  return findings;
}

/**
 * The probe for one configured HTTP target. Throws at once (configuration error) when the URL is
 * not http(s); once built, `run` never throws.
 */
export function httpProbe(target: HttpTarget): Probe {
  const url = checkHttpUrl(target.url, `HTTP target "${target.name}"`);
  const thresholds = resolveHttpThresholds(target.thresholds);
  // A private copy: the URL is fixed when the probe is built, whatever happens to the config object.
  const fixed: HttpTarget = structuredClone({ ...target, url });
  const checks = (fixed.checks ?? []).map((c) => prepareCheck(fixed, c, thresholds));
  return {
    kind: 'http',
    target: target.name,
    async run(ctx) {
      const own = (async (): Promise<Finding[]> => {
        try {
          return await check(fixed, url, thresholds, ctx);
        } catch (err) {
          return [{ check: 'probe', component: target.name, status: 'unknown', value: `the check failed: ${err instanceof Error ? err.message : String(err)}` }];
        }
      })();
      const results = await Promise.all([own, ...checks.map((c) => runCheck(c, ctx))]);
      return results.flat();
    },
  };
}
