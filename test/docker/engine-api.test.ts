/**
 * The Engine API stand-in answers as the daemon does: versioned paths and their refusals, lists
 * with filters, inspect by name, id or prefix, stats samples, the multiplexed log format, and
 * restarts and starts that change the container. When the docker command is installed, the real
 * client reads it too, and its `docker stats` figures are the ones Firebreak computes.
 */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuPercent, memoryInUse, type ContainerStats } from '../../src/adapters/targets/docker/probe/index.js';
import { makeCertificates, type TestCertificates } from './certs.js';
import { MAX_API, startEngineApi, type EngineApiServer } from './engine-api.js';
import { idOf, shopContainers } from './fixtures.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request over the unix socket (or TCP), as plain as a client can be. */
function ask(server: EngineApiServer, method: string, path: string, via: 'unix' | 'tcp' = 'unix'): Promise<Reply> {
  const where = via === 'unix' ? { socketPath: server.socketPath } : { host: '127.0.0.1', port: Number(server.tcpHost.split(':').at(-1)) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ ...where, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const json = (r: Reply): any => JSON.parse(r.body.toString('utf8'));
const filters = (f: object) => `filters=${encodeURIComponent(JSON.stringify(f))}`;

let server: EngineApiServer;
let certs: TestCertificates | undefined;
beforeAll(async () => {
  certs = makeCertificates();
  server = await startEngineApi({ containers: shopContainers(), ...(certs ? { certs } : {}) });
});
afterAll(async () => {
  await server?.close();
  certs?.remove();
});

describe('versioned paths', () => {
  it('answers /_ping at any accepted version, with the headers a client negotiates with', async () => {
    const r = await ask(server, 'GET', '/v1.44/_ping');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('OK');
    expect(r.headers['api-version']).toBe(MAX_API);
    expect(r.headers['ostype']).toBe('linux');
    expect((await ask(server, 'HEAD', '/_ping')).status).toBe(200);
  });

  it("refuses versions past its own and below its minimum with the daemon's message", async () => {
    const tooNew = await ask(server, 'GET', '/v1.99/containers/json');
    expect(tooNew.status).toBe(400);
    expect(json(tooNew).message).toBe(`client version 1.99 is too new. Maximum supported API version is ${MAX_API}`);
    const tooOld = await ask(server, 'GET', '/v1.12/version');
    expect(json(tooOld).message).toMatch(/^client version 1\.12 is too old\. Minimum supported API version is 1\.24/);
    expect(json(await ask(server, 'GET', '/v1.44/version'))).toMatchObject({ Version: '27.3.1', ApiVersion: MAX_API, Os: 'linux' });
  });

  it('answers unknown paths 404 with a message', async () => {
    const r = await ask(server, 'GET', '/v1.44/images/json');
    expect(r.status).toBe(404);
    expect(json(r)).toEqual({ message: 'page not found' });
  });
});

describe('GET /containers/json', () => {
  it('lists running containers only, unless all=1', async () => {
    const running = json(await ask(server, 'GET', '/v1.44/containers/json')) as Array<{ Names: string[]; State: string }>;
    const all = json(await ask(server, 'GET', '/v1.44/containers/json?all=1')) as Array<{ Names: string[]; State: string; Status: string }>;
    expect(all).toHaveLength(10);
    expect(running.map((c) => c.Names[0])).not.toContain('/shop-worker-1');
    expect(all.find((c) => c.Names[0] === '/shop-worker-1')).toMatchObject({ State: 'exited', Status: expect.stringMatching(/^Exited \(137\) \d+ minutes ago$/) });
    expect(all.find((c) => c.Names[0] === '/shop-api-1')!.Status).toMatch(/\(unhealthy\)$/);
  });

  it('filters by label, by name as a regular expression, in the current and the old filter format', async () => {
    const byLabel = json(await ask(server, 'GET', `/v1.44/containers/json?all=1&${filters({ label: ['com.docker.compose.project=shop'] })}`)) as Array<{ Names: string[]; Labels: Record<string, string> }>;
    expect(byLabel).toHaveLength(8);
    expect(byLabel.every((c) => c.Labels['com.docker.compose.project'] === 'shop')).toBe(true);
    const byName = json(await ask(server, 'GET', `/v1.44/containers/json?all=1&${filters({ name: ['^/nginx$'] })}`)) as Array<{ Names: string[] }>;
    expect(byName.map((c) => c.Names[0])).toEqual(['/nginx']);
    const partial = json(await ask(server, 'GET', `/v1.44/containers/json?all=1&${filters({ name: { api: true } })}`)) as Array<{ Names: string[] }>;
    expect(partial.map((c) => c.Names[0])).toEqual(['/shop-api-1']);
    const bad = await ask(server, 'GET', `/v1.44/containers/json?${filters({ colour: ['red'] })}`);
    expect(bad.status).toBe(400);
  });
});

describe('one container', () => {
  it('is inspected by name, full id or id prefix; an unknown one is 404', async () => {
    const id = idOf('shop-api-1');
    for (const ref of ['shop-api-1', id, id.slice(0, 12)]) {
      const r = json(await ask(server, 'GET', `/v1.44/containers/${ref}/json`));
      expect(r).toMatchObject({ Id: id, Name: '/shop-api-1', State: { Status: 'running', Health: { Status: 'unhealthy', FailingStreak: 4 } } });
    }
    const missing = await ask(server, 'GET', '/v1.44/containers/nope/json');
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ message: 'No such container: nope' });
  });

  it('gives stats with two CPU samples (one with one-shot) and cgroup v1 or v2 memory figures', async () => {
    const v1 = json(await ask(server, 'GET', '/v1.44/containers/shop-search-1/stats?stream=false')) as Record<string, any>;
    expect(v1.precpu_stats.system_cpu_usage).toBeLessThan(v1.cpu_stats.system_cpu_usage);
    expect(v1.memory_stats.stats.total_inactive_file).toBe(100 * 1024 ** 2);
    expect(v1.memory_stats.limit).toBe(2 * 1024 ** 3);
    const v2 = json(await ask(server, 'GET', '/v1.44/containers/shop-reports-1/stats?stream=false')) as Record<string, any>;
    expect(v2.memory_stats.stats.inactive_file).toBe(5 * 1024 ** 2);
    expect(v2.memory_stats.stats.total_inactive_file).toBeUndefined();
    const oneShot = json(await ask(server, 'GET', '/v1.44/containers/shop-reports-1/stats?stream=false&one-shot=true')) as Record<string, any>;
    expect(oneShot.precpu_stats.system_cpu_usage).toBeUndefined();
    expect(oneShot.preread).toBe('0001-01-01T00:00:00Z');
  });

  it('sends logs multiplexed in 8-byte-header frames without a TTY, raw with one, and says which', async () => {
    const r = await ask(server, 'GET', '/v1.44/containers/shop-worker-1/logs?stdout=1&stderr=1&tail=2&timestamps=1');
    expect(r.headers['content-type']).toBe('application/vnd.docker.multiplexed-stream');
    const frames: Array<[number, string]> = [];
    for (let at = 0; at < r.body.length; ) {
      expect([r.body[at + 1], r.body[at + 2], r.body[at + 3]]).toEqual([0, 0, 0]);
      const size = r.body.readUInt32BE(at + 4);
      frames.push([r.body[at]!, r.body.subarray(at + 8, at + 8 + size).toString()]);
      at += 8 + size;
    }
    expect(frames.map(([s]) => s)).toEqual([2, 2]);
    expect(frames[1]![1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z FATAL ERROR: Reached heap limit/);
    const onlyOut = await ask(server, 'GET', '/v1.44/containers/shop-worker-1/logs?stdout=1&tail=all');
    expect(onlyOut.body[0]).toBe(1);
    const tty = await ask(server, 'GET', '/v1.44/containers/shop-web-1/logs?stdout=1&stderr=1');
    expect(tty.headers['content-type']).toBe('application/vnd.docker.raw-stream');
    expect(tty.body.toString()).toBe('nginx: ready\r\n');
    const old = await ask(server, 'GET', '/v1.41/containers/shop-worker-1/logs?stdout=1&stderr=1&tail=1');
    expect(old.headers['content-type']).toBe('application/vnd.docker.raw-stream');
    expect(old.body[0]).toBe(2); // still multiplexed: before 1.42 the daemon said raw-stream whatever it sent
    const none = await ask(server, 'GET', '/v1.44/containers/shop-worker-1/logs');
    expect(json(none)).toEqual({ message: 'Bad parameters: you must choose at least one stream' });
  });
});

describe('POST restart and start', () => {
  it('restart gives a new StartedAt and Pid, resets RestartCount, and the health check starts over', async () => {
    server.setContainers(shopContainers());
    const before = json(await ask(server, 'GET', '/v1.44/containers/shop-api-1/json'));
    const r = await ask(server, 'POST', '/v1.44/containers/shop-api-1/restart?t=5');
    expect(r.status).toBe(204);
    const after = json(await ask(server, 'GET', '/v1.44/containers/shop-api-1/json'));
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
    expect(after.State.Pid).not.toBe(before.State.Pid);
    expect(before.RestartCount).toBe(1);
    expect(after.RestartCount).toBe(0);
    expect(after.State.Health.Status).toBe('starting');
    await expect.poll(async () => json(await ask(server, 'GET', '/v1.44/containers/shop-api-1/json')).State.Health.Status).toBe('healthy');
  });

  it('start starts a stopped container, answers 304 to a running one, 404 to an unknown one, 405 to a GET', async () => {
    server.setContainers(shopContainers());
    expect((await ask(server, 'POST', '/v1.44/containers/shop-worker-1/start')).status).toBe(204);
    expect(json(await ask(server, 'GET', '/v1.44/containers/shop-worker-1/json')).State).toMatchObject({ Status: 'running', Running: true, OOMKilled: false, ExitCode: 0 });
    expect((await ask(server, 'POST', '/v1.44/containers/shop-worker-1/start')).status).toBe(304);
    expect((await ask(server, 'POST', '/v1.44/containers/ghost/start')).status).toBe(404);
    expect((await ask(server, 'GET', '/v1.44/containers/shop-worker-1/start')).status).toBe(405);
  });
});

describe('listeners', () => {
  it('answers on the unix socket and on TCP, and records which', async () => {
    server.requests.length = 0;
    expect((await ask(server, 'GET', '/v1.44/_ping', 'unix')).status).toBe(200);
    expect((await ask(server, 'GET', '/v1.44/_ping', 'tcp')).status).toBe(200);
    expect(server.requests.map((r) => r.via)).toEqual(['unix', 'tcp']);
  });

  it('with TLS: a client certificate of its CA is served, one of another CA is refused', async (ctx) => {
    if (!certs || !server.tlsHost) return ctx.skip('openssl is not installed: no certificates to test TLS with');
    const port = Number(server.tlsHost.split(':').at(-1));
    const tlsAsk = (cert: string, key: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path: '/v1.44/_ping', ca: certs!.caCert, cert: readFileSync(cert), key: readFileSync(key) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await tlsAsk(certs.certPath, certs.keyPath)).toBe(200);
    await expect(tlsAsk(certs.strangerCertPath, certs.strangerKeyPath)).rejects.toThrow();
  });
});

/** The docker command, if this machine has it: the real client reading the stand-in. */
const dockerCli = await promisify(execFile)('docker', ['--version']).then(() => true, () => false);

describe.skipIf(!dockerCli)('the docker command against the stand-in (skipped when docker is not installed)', () => {
  const docker = (...args: string[]) => promisify(execFile)('docker', args, { env: { ...process.env, DOCKER_HOST: server.unixHost, DOCKER_CONTEXT: '' }, timeout: 20_000 }).then((r) => r.stdout);

  it('docker ps -a lists every container with the Status the daemon writes', async () => {
    server.setContainers(shopContainers());
    const out = await docker('ps', '-a', '--format', '{{.Names}}|{{.Status}}');
    const rows = Object.fromEntries(out.trim().split('\n').map((l) => l.split('|')));
    expect(Object.keys(rows)).toHaveLength(10);
    expect(rows['shop-worker-1']).toMatch(/^Exited \(137\)/);
    expect(rows['shop-scheduler-1']).toMatch(/^Restarting \(1\)/);
  });

  it("docker stats shows the CPU % and memory Firebreak computes from the same answer", async () => {
    server.setContainers(shopContainers());
    const out = await docker('stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}', 'shop-search-1', 'shop-reports-1', 'shop-db-1');
    for (const line of out.trim().split('\n')) {
      const [name, cpu, mem] = line.split('|') as [string, string, string];
      const stats = json(await ask(server, 'GET', `/v1.44/containers/${name}/stats?stream=false`)) as ContainerStats;
      expect(Number(cpu.replace('%', ''))).toBeCloseTo(cpuPercent(stats)!, 1);
      const [value, unit] = /^([\d.]+)(MiB|GiB)/.exec(mem)!.slice(1) as [string, string];
      expect(Number(value) * (unit === 'GiB' ? 1024 ** 3 : 1024 ** 2)).toBeCloseTo(memoryInUse(stats)!, -7);
    }
  });

  it('docker logs reads the multiplexed stream; docker restart restarts', async () => {
    server.setContainers(shopContainers());
    const logs = await promisify(execFile)('docker', ['logs', '--tail', '1', 'shop-worker-1'], { env: { ...process.env, DOCKER_HOST: server.unixHost } });
    expect(logs.stderr.trim()).toBe('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
    const before = server.get('shop-worker-1').inspect.State.StartedAt;
    await docker('restart', 'shop-worker-1');
    expect(server.get('shop-worker-1').inspect.State).toMatchObject({ Running: true });
    expect(server.get('shop-worker-1').inspect.State.StartedAt).not.toBe(before);
  });
});
