import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import {
  DEFAULT_HTTP_THRESHOLDS,
  httpProbe,
  httpTargetSchema,
  httpThresholdsSchema,
  lookupJson,
  resolveHttpThresholds,
  type HttpTarget,
} from '../../../src/adapters/targets/http/index.js';
import { closedPort, context, hasOpenssl, json, selfSignedCertificate, startHanging, startHttp, startHttps, type Running } from './servers.js';

let web: Running;

beforeAll(async () => {
  web = await startHttp((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    switch (path) {
      case '/health':
        return json(res, 200, { status: 'ok', database: 'connected', checks: { redis: 'up', workers: 3 } });
      case '/disconnected':
        return json(res, 200, { status: 'degraded', database: 'disconnected', padding: 'x'.repeat(2000) });
      case '/down':
        return json(res, 503, { status: 'error', database: 'disconnected' });
      case '/slow':
        setTimeout(() => json(res, 200, { status: 'ok' }), 300);
        return;
      case '/text':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('OK all good');
      case '/redirect':
        res.writeHead(302, { location: '/health' });
        return res.end();
      default:
        return json(res, 404, { error: 'not found' });
    }
  });
});
afterAll(async () => {
  await web.close();
});

async function run(target: HttpTarget, ms = 3000): Promise<Finding[]> {
  const ctx = context(ms);
  try {
    return await httpProbe(target).run(ctx);
  } finally {
    ctx.dispose();
  }
}

const by = (findings: Finding[], check: string): Finding => {
  const f = findings.find((x) => x.check === check);
  if (!f) throw new Error(`no "${check}" finding in ${JSON.stringify(findings)}`);
  return f;
};

describe('httpProbe against real servers', () => {
  it('finds a healthy JSON endpoint ok on every count', async () => {
    const findings = await run({
      name: 'api',
      url: `${web.url}/health`,
      expect: { status: 200, json: { database: 'connected', 'checks.redis': 'up', 'checks.workers': 3 } },
    });
    expect(findings.every((f) => f.status === 'ok')).toBe(true);
    expect(by(findings, 'status')).toMatchObject({ component: 'api', value: '200 OK', threshold: 'expected 200' });
    expect(by(findings, 'latency').value).toMatch(/^\d+ ms$/);
    expect(findings.filter((f) => f.check === 'json field').map((f) => f.component)).toEqual(['api database', 'api checks.redis', 'api checks.workers']);
    expect(findings.some((f) => f.check.startsWith('certificate'))).toBe(false); // plain http
    const probe = httpProbe({ name: 'api', url: `${web.url}/health` });
    expect(probe).toMatchObject({ kind: 'http', target: 'api' });
  });

  it('accepts any 2xx when no status is expected, and checks text bodies', async () => {
    const findings = await run({ name: 'web', url: `${web.url}/text`, expect: { bodyContains: 'all good' } });
    expect(by(findings, 'status')).toMatchObject({ status: 'ok', threshold: 'expected 2xx' });
    expect(by(findings, 'body')).toMatchObject({ status: 'ok' });
    const missing = await run({ name: 'web', url: `${web.url}/text`, expect: { bodyContains: 'READY' } });
    expect(by(missing, 'body')).toMatchObject({ status: 'critical', value: 'does not contain "READY"' });
    expect(by(missing, 'body').evidence).toEqual(['body: OK all good']);
  });

  it('reports a wrong status as critical, with the body as evidence', async () => {
    const findings = await run({ name: 'api', url: `${web.url}/down`, expect: { status: 200 } });
    const status = by(findings, 'status');
    expect(status).toMatchObject({ status: 'critical', value: '503 Service Unavailable', threshold: 'expected 200' });
    expect(status.recommendation).toMatch(/server error/);
    expect(status.evidence?.[0]).toContain('"database":"disconnected"');
  });

  it('reports each mismatching JSON field as critical, with expected and actual, body cut', async () => {
    const findings = await run({ name: 'api', url: `${web.url}/disconnected`, expect: { json: { database: 'connected', status: 'degraded', 'checks.redis': 'up' } } });
    const database = findings.find((f) => f.component === 'api database');
    expect(database).toMatchObject({ check: 'json field', status: 'critical', value: 'database = "disconnected", expected "connected"', threshold: 'expected "connected"' });
    expect(database?.evidence?.slice(0, 2)).toEqual(['expected: "connected"', 'actual: "disconnected"']);
    const body = database?.evidence?.[2] ?? '';
    expect(body.startsWith('body: {"status":"degraded"')).toBe(true);
    expect(body.length).toBeLessThan(320);
    expect(body.endsWith('…')).toBe(true);
    expect(findings.find((f) => f.component === 'api status')?.status).toBe('ok');
    expect(findings.find((f) => f.component === 'api checks.redis')).toMatchObject({ status: 'critical', value: 'checks.redis = (missing), expected "up"' });
    expect(by(findings, 'status').status).toBe('ok'); // 200: only the fields are wrong
  });

  it('says so when JSON is expected and the body is not JSON', async () => {
    const findings = await run({ name: 'web', url: `${web.url}/text`, expect: { json: { database: 'connected' } } });
    expect(by(findings, 'json body')).toMatchObject({ status: 'critical', value: 'the answer is not JSON' });
  });

  it('grades latency: a slow answer above a lowered warning threshold is a warning', async () => {
    const findings = await run({ name: 'api', url: `${web.url}/slow`, thresholds: { latencyWarnMs: 100, latencyCritMs: 5000 } });
    const latency = by(findings, 'latency');
    expect(latency).toMatchObject({ status: 'warning', threshold: 'warning at 100 ms, critical at 5000 ms' });
    expect(Number(latency.value.replace(' ms', ''))).toBeGreaterThanOrEqual(290);
    const crit = await run({ name: 'api', url: `${web.url}/slow`, thresholds: { latencyWarnMs: 50, latencyCritMs: 200 } });
    expect(by(crit, 'latency').status).toBe('critical');
  });

  it('never follows a redirect: only the configured URL is requested', async () => {
    const before = web.requests.length;
    const findings = await run({ name: 'api', url: `${web.url}/redirect` });
    expect(by(findings, 'status')).toMatchObject({ status: 'critical', value: `302 Found, redirects to ${web.url}/health (not followed)` });
    expect(web.requests.slice(before)).toEqual(['/redirect']);
    const expected = await run({ name: 'api', url: `${web.url}/redirect`, expect: { status: 302 } });
    expect(by(expected, 'status').status).toBe('ok');
  });

  it('gives one critical unreachable finding, fast, for a closed port', async () => {
    const port = await closedPort();
    const started = Date.now();
    const findings = await run({ name: 'api', url: `http://127.0.0.1:${port}/health` }, 5000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(findings).toEqual([
      expect.objectContaining({ check: 'reachable', component: 'api', status: 'critical', value: `unreachable: connection refused (127.0.0.1:${port})` }),
    ]);
  });

  it('gives one critical unreachable finding within the deadline + 1 s for a server that accepts and hangs', async () => {
    const hang = await startHanging();
    try {
      const started = Date.now();
      const findings = await run({ name: 'api', url: `${hang.url}/health` }, 1500);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(2500);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'reachable', status: 'critical' });
      expect(findings[0]?.value).toMatch(/^unreachable: no answer from 127\.0\.0\.1:\d+ within 1\d{3} ms$/);
    } finally {
      await hang.close();
    }
  });

  it('gives up at once when the deadline has already passed', async () => {
    const findings = await httpProbe({ name: 'api', url: `${web.url}/health` }).run({ deadline: Date.now() - 1, signal: AbortSignal.abort(), now: () => new Date() });
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
  });

  it('reports an unresolvable host name as unreachable', async () => {
    const findings = await run({ name: 'api', url: 'http://firebreak-no-such-host.invalid/health' }, 4000);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'reachable', status: 'critical' });
    expect(findings[0]?.value).toMatch(/DNS|no answer/);
  });

  it('refuses a URL that is not http(s) when the probe is built', () => {
    expect(() => httpProbe({ name: 'x', url: 'file:///etc/passwd' })).toThrow(/only http and https/);
    expect(() => httpProbe({ name: 'x', url: 'not a url' })).toThrow(/not a valid URL/);
  });
});

describe.skipIf(!hasOpenssl())('httpProbe over https with self-signed certificates (openssl CLI)', () => {
  let week: Running;
  let twoDays: Running;
  let year: Running;
  beforeAll(async () => {
    const ok = (_req: unknown, res: import('node:http').ServerResponse) => json(res, 200, { database: 'connected' });
    week = await startHttps(selfSignedCertificate(7), ok);
    twoDays = await startHttps(selfSignedCertificate(2), ok);
    year = await startHttps(selfSignedCertificate(365), ok);
  });
  afterAll(async () => {
    await Promise.all([week.close(), twoDays.close(), year.close()]);
  });

  it('warns about a certificate expiring in 7 days, with the days left, and still checks the endpoint', async () => {
    const findings = await run({ name: 'secure', url: `${week.url}/health`, expect: { json: { database: 'connected' } } });
    expect(by(findings, 'status').status).toBe('ok');
    expect(by(findings, 'json field').status).toBe('ok');
    const expiry = by(findings, 'certificate expiry');
    expect(expiry.status).toBe('warning');
    expect(expiry.value).toMatch(/^(6\.9|7\.0) days left \(expires \d{4}-\d\d-\d\dT/);
    expect(expiry.threshold).toBe('warning at 14 days or fewer, critical at 3 days or fewer');
    expect(expiry.evidence).toEqual(expect.arrayContaining(['subject: CN=localhost', 'names: DNS:localhost, IP Address:127.0.0.1']));
    const trust = by(findings, 'certificate trust');
    expect(trust).toMatchObject({ status: 'warning', value: 'not trusted: DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('is critical under certCritDays', async () => {
    const findings = await run({ name: 'secure', url: `${twoDays.url}/health` });
    expect(by(findings, 'certificate expiry')).toMatchObject({ status: 'critical' });
    expect(by(findings, 'certificate expiry').value).toMatch(/^(1\.9|2\.0) days left/);
  });

  it('is ok with plenty of days left (trust is a separate warning)', async () => {
    const findings = await run({ name: 'secure', url: `${year.url}/health` });
    expect(by(findings, 'certificate expiry')).toMatchObject({ status: 'ok' });
    expect(by(findings, 'certificate expiry').value).toMatch(/^36[45] days left/);
    expect(by(findings, 'certificate trust').status).toBe('warning');
    const lowered = await run({ name: 'secure', url: `${year.url}/health`, thresholds: { certWarnDays: 400, certCritDays: 30 } });
    expect(by(lowered, 'certificate expiry').status).toBe('warning');
  });
});

describe('HTTP target configuration', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_HTTP_THRESHOLDS).toEqual({ latencyWarnMs: 1000, latencyCritMs: 2000, certWarnDays: 14, certCritDays: 3 });
    expect(resolveHttpThresholds({ latencyWarnMs: 250, certCritDays: undefined })).toEqual({ ...DEFAULT_HTTP_THRESHOLDS, latencyWarnMs: 250 });
  });

  it('validates thresholds strictly, all optional', () => {
    expect(httpThresholdsSchema.safeParse({}).success).toBe(true);
    expect(httpThresholdsSchema.safeParse({ latencyWarnMs: 500 }).success).toBe(true);
    expect(httpThresholdsSchema.safeParse({ latencyWarnMs: 500, typo: 1 }).success).toBe(false);
    expect(httpThresholdsSchema.safeParse({ latencyWarnMs: -1 }).success).toBe(false);
    expect(httpThresholdsSchema.safeParse({ latencyWarnMs: 3000, latencyCritMs: 2000 }).success).toBe(false);
    expect(httpThresholdsSchema.safeParse({ certWarnDays: 2, certCritDays: 3 }).success).toBe(false);
  });

  it('validates targets', () => {
    expect(httpTargetSchema.safeParse({ name: 'api', url: 'https://api.example.com/health', expect: { status: 200, json: { database: 'connected' } } }).success).toBe(true);
    expect(httpTargetSchema.safeParse({ name: 'api', url: 'ftp://api.example.com/' }).success).toBe(false);
    expect(httpTargetSchema.safeParse({ name: 'api', url: 'https://api.example.com/', expect: { status: 42 } }).success).toBe(false);
  });

  it('looks up top-level keys first, then dotted paths and array indexes', () => {
    const body = { 'a.b': 1, a: { b: 2 }, items: [{ state: 'up' }] };
    expect(lookupJson(body, 'a.b')).toEqual({ found: true, value: 1 });
    expect(lookupJson({ a: { b: 2 } }, 'a.b')).toEqual({ found: true, value: 2 });
    expect(lookupJson(body, 'items.0.state')).toEqual({ found: true, value: 'up' });
    expect(lookupJson(body, 'items.1.state')).toEqual({ found: false });
    expect(lookupJson(body, 'nope')).toEqual({ found: false });
  });
});
