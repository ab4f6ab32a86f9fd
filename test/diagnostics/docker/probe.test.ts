/**
 * /diag docker against the Engine API stand-in: every finding (exited 137 OOMKilled, a restart
 * loop, unhealthy with its last probe output, restarts, high CPU, high memory, a compose service
 * without a container, a watched container missing), the thresholds configurable per target, the
 * scope argument (one container, the project, anything else refused), and that only GETs are sent.
 */
import { describe, expect, it } from 'vitest';
import { dockerProbe } from '../../../src/adapters/targets/docker/probe/index.js';
import { calmContainers, container, shopContainers } from '../../docker/fixtures.js';
import { deadline, having, one, shopTarget, useEngine, writes } from '../../docker/harness.js';

const h = useEngine();
const run = (extra: Parameters<typeof shopTarget>[1] = {}, container?: string) => dockerProbe(shopTarget(h.server, extra), { container }).run(deadline());

describe('the shop project', () => {
  it('reports the OOMKilled exit 137 as critical, proposing docker.start, with the memory advice', async () => {
    const f = one(await run(), 'container state', 'shop-worker-1');
    expect(f.status).toBe('critical');
    expect(f.value).toMatch(/^exited \(exit code 137, OOMKilled\) 4 min ago/);
    expect(f.recommendation).toContain('OOMKilled');
    expect(f.recommendation).toContain('memory limit');
    expect(f.remediation).toEqual({ action: 'docker.start', args: ['shop-worker-1'], label: 'Start shop-worker-1' });
    expect(f.evidence).toContain('restart policy unless-stopped, 0 restarts');
  });

  it('reports the restart loop with its restart count and last exit code, and proposes no restart', async () => {
    const f = one(await run(), 'container state', 'shop-scheduler-1');
    expect(f).toMatchObject({ status: 'critical', value: 'restarting (last exit code 1), 12 restarts' });
    expect(f.recommendation).toContain('restart loop');
    expect(f.remediation).toBeUndefined();
  });

  it('reports the unhealthy container with its failing streak and the last probe output, proposing docker.restart', async () => {
    const f = one(await run(), 'health', 'shop-api-1');
    expect(f).toMatchObject({ status: 'critical', value: 'unhealthy: 4 failed probes in a row' });
    expect(f.evidence).toEqual([
      'last probe: exit 1: curl: (7) Failed to connect to localhost port 8080 after 0 ms: Connection refused',
      'health check: curl -fsS http://localhost:8080/health || exit 1',
    ]);
    expect(f.remediation).toMatchObject({ action: 'docker.restart', args: ['shop-api-1'] });
  });

  it('grades CPU as docker stats shows it (150 % on 4 CPUs is critical) and memory less page cache', async () => {
    const findings = await run();
    expect(one(findings, 'cpu', 'shop-reports-1')).toMatchObject({ status: 'critical', value: '150 % CPU (as docker stats: 100 % is one CPU)', threshold: 'warning at 80 %, critical at 95 %' });
    // 1300 MB used, 100 MB of it inactive page cache: 1200 MB, past 1 GB.
    expect(one(findings, 'memory', 'shop-search-1')).toMatchObject({ status: 'critical', value: '1.17 GB of its 2 GB limit (59 %)' });
    const cpuOk = having(findings, 'cpu').find((f) => f.status === 'ok')!;
    expect(cpuOk).toMatchObject({ component: '6 containers', value: 'under 80 % CPU (top: shop-search-1 30.0 %, shop-api-1 12.0 %, shop-db-1 4.2 %)' });
    const memOk = having(findings, 'memory').find((f) => f.status === 'ok')!;
    expect(memOk.value).toBe('under 500 MB (top: shop-api-1 300 MB, shop-db-1 200 MB, shop-reports-1 85 MB)');
  });

  it('names the compose service without a container, the configured services being what is expected', async () => {
    const f = one(await run(), 'missing service', 'shop/mailer');
    expect(f).toMatchObject({ status: 'critical', value: 'no container for service mailer of compose project shop', evidence: ['expected: listed under services in the configuration'] });
    expect(f.recommendation).toContain('docker compose -p shop up -d mailer');
  });

  it('without configured services, expects those the containers depend on (com.docker.compose.depends_on)', async () => {
    const f = one(await run({ services: undefined }), 'missing service', 'shop/mailer');
    expect(f.evidence).toEqual(['expected: worker depends on it (com.docker.compose.depends_on)']);
    expect(having(await run({ services: undefined }), 'missing service')).toHaveLength(1);
  });

  it("reads the failing containers' logs, and only theirs", async () => {
    const findings = await run();
    expect(having(findings, 'logs').map((f) => f.component).sort()).toEqual(['shop-api-1', 'shop-scheduler-1', 'shop-worker-1']);
    const logRequests = h.server.requests.filter((r) => r.url.includes('/logs?'));
    expect(logRequests).toHaveLength(3);
    expect(logRequests[0]!.url).toMatch(/^\/v1\.44\/containers\/[0-9a-f]{64}\/logs\?stdout=1&stderr=1&tail=200&timestamps=1$/);
  });

  it('leaves the other project alone and watches nginx by name; only GET requests, every path versioned', async () => {
    const findings = await run();
    expect(findings.some((f) => f.component.includes('other-app'))).toBe(false);
    expect(one(findings, 'containers', 'local')).toMatchObject({ status: 'ok', value: '6 of 9 running as they should (3 healthy by their health check)' });
    expect(one(findings, 'reachable', 'local').value).toMatch(/^Docker 27\.3\.1 \(API 1\.47\) at unix:\/\/.*docker\.sock, asked with API 1\.44; watching compose project shop and container nginx$/);
    expect(writes(h.server)).toEqual([]);
    expect(h.server.requests.every((r) => r.url.startsWith('/v1.44/'))).toBe(true);
    expect(h.server.requests.filter((r) => r.url.includes('/stats?')).every((r) => r.url.endsWith('stats?stream=false'))).toBe(true);
  });

  it('puts the worst first', async () => {
    const statuses = (await run()).map((f) => f.status);
    expect(statuses[0]).toBe('critical');
    expect(statuses.at(-1)).toBe('ok');
  });
});

describe('thresholds, per target', () => {
  it('CPU and memory thresholds move the grades', async () => {
    const findings = await run({ thresholds: { cpuWarnPct: 10, cpuCritPct: 200, memoryWarnBytes: 250 * 1024 ** 2, memoryCritBytes: 2 * 1024 ** 3 } });
    expect(one(findings, 'cpu', 'shop-reports-1')).toMatchObject({ status: 'warning', threshold: 'warning at 10 %, critical at 200 %' });
    expect(one(findings, 'cpu', 'shop-search-1').status).toBe('warning');
    expect(one(findings, 'cpu', 'shop-api-1').status).toBe('warning');
    expect(one(findings, 'memory', 'shop-search-1').status).toBe('warning');
    expect(one(findings, 'memory', 'shop-api-1')).toMatchObject({ status: 'warning', value: '300 MB (no memory limit)' });
  });

  it('a container near its own memory limit is a warning (OOM kill ahead), whatever the sizes', async () => {
    h.server.setContainers([container({ name: 'tight', usage: { memoryUsage: 250 * 1024 ** 2, inactiveFile: 10 * 1024 ** 2 }, memoryLimit: 256 * 1024 ** 2 })]);
    const f = one(await dockerProbe(shopTarget(h.server, { project: undefined, services: undefined, containers: ['tight'] })).run(deadline()), 'memory', 'tight');
    expect(f).toMatchObject({ status: 'warning', value: '240 MB of its 256 MB limit (94 %)' });
    expect(f.recommendation).toContain('close to its memory limit');
  });

  it('restarts of a running container are graded from restartsWarn', async () => {
    const findings = await run({ thresholds: { restartsWarn: 1, restartsCritical: 5 } });
    expect(one(findings, 'restarts', 'shop-api-1')).toMatchObject({ status: 'warning', threshold: 'warning from 1, critical from 5' });
    expect(having(await run(), 'restarts')).toEqual([]);
  });

  it('maxContainers bounds what one run reads, and says so', async () => {
    const findings = await run({ thresholds: { maxContainers: 3 } });
    expect(h.server.requests.filter((r) => /\/containers\/[0-9a-f]{64}\/json$/.test(r.url))).toHaveLength(3);
    expect(having(findings, 'containers', 'local').find((f) => f.status === 'unknown')?.value).toBe('9 containers: only the first 3 were read (maxContainers)');
  });
});

describe('scope', () => {
  it('one container: only its findings', async () => {
    const findings = await run({}, 'shop-worker-1');
    expect(new Set(findings.filter((f) => f.check !== 'reachable').map((f) => f.component))).toEqual(new Set(['shop-worker-1']));
    expect(having(findings, 'missing service')).toEqual([]);
  });

  it('the project by its name: every container of the project, not the watched nginx', async () => {
    const findings = await run({}, 'shop');
    expect(one(findings, 'containers', 'local').value).toBe('5 of 8 running as they should (2 healthy by their health check)');
    expect(having(findings, 'missing service')).toHaveLength(1);
  });

  it("anything else is refused with what the target watches, and read no further", async () => {
    const findings = await run({}, 'other-app-1');
    const f = one(findings, 'container', 'local');
    expect(f.status).toBe('unknown');
    expect(f.value).toBe('"other-app-1" is neither the compose project nor a container of local');
    expect(f.recommendation).toContain('compose project shop and container nginx');
    expect(h.server.requests.some((r) => r.url.includes('/json') && r.url.includes(h.server.get('other-app-1').inspect.Id))).toBe(false);
  });

  it('a target without project or names watches every container of the daemon', async () => {
    const findings = await run({ project: undefined, services: undefined, containers: undefined });
    expect(one(findings, 'container state', 'shop-worker-1').status).toBe('critical');
    expect(one(findings, 'cpu', 'other-app-1').status).toBe('critical');
    expect(one(findings, 'reachable', 'local').value).toContain('watching every container of the daemon');
  });
});

describe('what is missing', () => {
  it('a watched container that does not exist', async () => {
    const f = one(await run({ containers: ['nginx', 'cron'] }), 'missing container', 'cron');
    expect(f).toMatchObject({ status: 'critical', value: 'no container named cron on local' });
  });

  it('a project with no container at all', async () => {
    const f = one(await run({ project: 'ghost', services: undefined }), 'project', 'ghost');
    expect(f).toMatchObject({ status: 'critical', value: 'no container of compose project ghost on local' });
  });
});

describe('a healthy project', () => {
  it('is all ok: running, healthy, under the thresholds', async () => {
    h.server.setContainers(calmContainers());
    const findings = await dockerProbe(shopTarget(h.server, { project: 'calm', services: ['db', 'app'], containers: undefined })).run(deadline());
    expect(findings.map((f) => `${f.status} ${f.check}`)).toEqual(['ok reachable', 'ok containers', 'ok cpu', 'ok memory']);
    expect(one(findings, 'containers', 'local').value).toBe('2 of 2 running as they should (2 healthy by their health check)');
    expect(h.server.requests.filter((r) => r.url.includes('/logs'))).toEqual([]);
  });

  it('a container exited with code 0 is a warning; one never started too', async () => {
    h.server.setContainers([container({ name: 'migrate', state: 'exited', exitCode: 0, finishedAgoSeconds: 30 }), container({ name: 'fresh', state: 'created' }), ...shopContainers().slice(0, 1)]);
    const findings = await dockerProbe(shopTarget(h.server, { project: undefined, services: undefined, containers: ['migrate', 'fresh'] })).run(deadline());
    expect(one(findings, 'container state', 'migrate')).toMatchObject({ status: 'warning', value: 'exited (exit code 0) 30 s ago' });
    expect(one(findings, 'container state', 'fresh')).toMatchObject({ status: 'warning', value: 'created, never started', remediation: { action: 'docker.start', args: ['fresh'] } });
  });
});
