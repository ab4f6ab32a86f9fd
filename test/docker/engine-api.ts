/**
 * A local server speaking the part of the Docker Engine API Firebreak uses, from fixtures, in the
 * daemon's shapes: versioned paths (/v1.44/…; a version past the server's or below its minimum
 * is refused with the daemon's message, an unversioned path is the latest), GET /_ping (and HEAD,
 * with the Api-Version header the docker CLI negotiates with), /version, /containers/json (all,
 * and the filters parameter: label, name as a regular expression, id, status), /containers/{id}/json
 * (by id, id prefix or name), /containers/{id}/stats?stream=false (cgroup v1 or v2 memory stats, CPU
 * samples in cpu_stats and precpu_stats, an empty precpu with one-shot), /containers/{id}/logs
 * (stdout, stderr, tail, since, timestamps; the 8-byte-header multiplexed stream without a TTY, the
 * raw stream with one), and POST /containers/{id}/restart and /start, which change the container
 * as the daemon does: running, a new StartedAt and Pid, RestartCount reset (a start asked through
 * the API resets the restart policy's count), the health check starting again, then healthy,
 * unhealthy or crashing as the fixture says. Errors are `{"message": …}` with the daemon's status.
 *
 * It listens on a unix socket in a temporary directory, on TCP (plain http on 127.0.0.1), and,
 * given certificates, on TCP with TLS requiring a client certificate signed by its CA. It records
 * every request and can be made to hang or to answer 500 to everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoTime, ZERO_TIME, type FakeContainer } from './fixtures.js';
import type { TestCertificates } from './certs.js';

export const SERVER_VERSION = '27.3.1';
export const MAX_API = '1.47';
export const MIN_API = '1.24';

export type ServerMode = 'ok' | 'hang' | 'error500';

export interface RecordedRequest {
  method: string;
  /** The path with its query, as received. */
  url: string;
  /** Which listener it came on. */
  via: 'unix' | 'tcp' | 'tls';
}

export interface Simulation {
  /** How long a restart takes to stop the container (the request answers after it has started again). */
  stopMs: number;
  /** After a start, how long until the health check (or the crash) settles. */
  settleMs: number;
}

export interface EngineApiOptions {
  containers?: FakeContainer[];
  /** Also listen with TLS, requiring client certificates signed by these certificates' CA. */
  certs?: TestCertificates;
  simulation?: Partial<Simulation>;
  /** The oldest API version it accepts (the daemon's MinAPIVersion). */
  minApi?: string;
}

export interface EngineApiServer {
  socketPath: string;
  /** `unix:///…/docker.sock`, for a target's host. */
  unixHost: string;
  /** `tcp://127.0.0.1:port`: plain http. */
  tcpHost: string;
  /** `tcp://127.0.0.1:port` with TLS, when started with certificates. */
  tlsHost?: string;
  requests: RecordedRequest[];
  containers: FakeContainer[];
  setContainers(list: FakeContainer[]): void;
  simulate(s: Partial<Simulation>): void;
  mode(m: ServerMode): void;
  /** Called with each request as it arrives, before it is answered (null: no more); to act between two requests. */
  onRequest(fn: ((r: RecordedRequest) => void) | null): void;
  /** Restarts a container as someone else would (docker restart), at once. */
  restartNow(name: string): void;
  /** The container by name, for assertions. */
  get(name: string): FakeContainer;
  close(): Promise<void>;
}

type Answer = { status: number; json?: unknown; body?: Buffer; type?: string; headers?: Record<string, string> };

const error = (status: number, message: string): Answer => ({ status, json: { message } });
const noSuch = (ref: string): Answer => error(404, `No such container: ${ref}`);

const compareVersions = (a: string, b: string): number => {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
};

const nameOf = (c: FakeContainer): string => String(c.inspect.Name).replace(/^\//, '');

function find(list: FakeContainer[], ref: string): FakeContainer | undefined {
  return list.find((c) => nameOf(c) === ref.replace(/^\//, '')) ?? list.find((c) => c.inspect.Id === ref) ?? (ref.length >= 1 && /^[0-9a-f]+$/.test(ref) ? list.find((c) => String(c.inspect.Id).startsWith(ref)) : undefined);
}

const human = (ms: number): string => {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  if (s < 5400) return 'About an hour';
  if (s < 86_400) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86_400)} days`;
};

/** The Status column of `docker ps`: "Up 5 minutes (healthy)", "Exited (137) 4 minutes ago". */
function statusText(c: FakeContainer, now: number): string {
  const s = c.inspect.State;
  const since = (t: string) => now - Date.parse(t);
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${human(since(s.FinishedAt))} ago`;
  if (s.Running) {
    const health = s.Health ? ` (${s.Health.Status === 'starting' ? 'health: starting' : s.Health.Status})` : '';
    return `Up ${human(since(s.StartedAt))}${s.Paused ? ' (Paused)' : health}`;
  }
  if (s.Status === 'created') return 'Created';
  if (s.Status === 'dead') return 'Dead';
  return `Exited (${s.ExitCode}) ${human(since(s.FinishedAt))} ago`;
}

function summary(c: FakeContainer, now: number) {
  const i = c.inspect;
  return {
    Id: i.Id,
    Names: [i.Name],
    Image: i.Config.Image,
    ImageID: i.Image,
    Command: `${i.Path} ${i.Args.join(' ')}`,
    Created: Math.floor(c.created / 1000),
    Ports: [],
    Labels: i.Config.Labels,
    State: i.State.Status,
    Status: statusText(c, now),
    HostConfig: { NetworkMode: i.HostConfig.NetworkMode },
    NetworkSettings: { Networks: i.NetworkSettings.Networks },
    Mounts: [],
  };
}

/** The filters parameter, in its current form ({"label":["a=b"]}) or the old one ({"label":{"a=b":true}}). */
function parseFilters(raw: string | null): Record<string, string[]> | string {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'invalid filter: the filters parameter is not JSON';
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (!['label', 'name', 'id', 'status'].includes(k)) return `invalid filter '${k}'`;
    out[k] = Array.isArray(v) ? v.map(String) : Object.keys(v as object);
  }
  return out;
}

function matches(c: FakeContainer, f: Record<string, string[]>): boolean {
  const labels: Record<string, string> = c.inspect.Config.Labels ?? {};
  const name = String(c.inspect.Name);
  const checks: Array<[string, (v: string) => boolean]> = [
    ['label', (v) => { const at = v.indexOf('='); return at < 0 ? v in labels : labels[v.slice(0, at)] === v.slice(at + 1); }],
    ['name', (v) => new RegExp(v).test(name) || new RegExp(v).test(name.slice(1))],
    ['id', (v) => String(c.inspect.Id).startsWith(v)],
    ['status', (v) => c.inspect.State.Status === v],
  ];
  // Every label given must match; of names, ids and statuses, any one.
  return checks.every(([key, test]) => {
    const values = f[key];
    if (!values?.length) return true;
    return key === 'label' ? values.every(test) : values.some(test);
  });
}

const ns = (ms: number) => Math.round(ms * 1e6);

/** Stats as cgroups report them: cumulative CPU time (ns), the host's, and memory with its page cache. */
function stats(c: FakeContainer, now: number, oneShot: boolean) {
  const i = c.inspect;
  const u = c.usage;
  const running = i.State.Running && !i.State.Restarting;
  if (!running) {
    return { read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {}, blkio_stats: { io_service_bytes_recursive: null }, num_procs: 0, storage_stats: {}, cpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } }, precpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } }, memory_stats: {}, name: i.Name, id: i.Id };
  }
  const uptime = now - Date.parse(i.State.StartedAt);
  // One second between the two samples; the host's time is every CPU's.
  const systemDelta = ns(1000) * u.onlineCpus;
  const cpuDelta = Math.round((u.cpuPercent / 100) * ns(1000));
  const before = { total: ns(Math.max(uptime, 2000)) * 0.2, system: 9_000_000_000_000_000 };
  const sample = (total: number, system: number) => ({
    cpu_usage: { total_usage: Math.round(total), usage_in_kernelmode: Math.round(total * 0.3), usage_in_usermode: Math.round(total * 0.7), ...(u.cgroup === 'v1' ? { percpu_usage: Array.from({ length: u.onlineCpus }, () => Math.round(total / u.onlineCpus)) } : {}) },
    system_cpu_usage: system,
    online_cpus: u.onlineCpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  const memStats =
    u.cgroup === 'v1'
      ? { cache: u.inactiveFile + 1024 ** 2, rss: u.memoryUsage - u.inactiveFile, total_inactive_file: u.inactiveFile, inactive_file: u.inactiveFile, total_active_file: 1024 ** 2, total_rss: u.memoryUsage - u.inactiveFile, hierarchical_memory_limit: i.HostConfig.Memory || 9_223_372_036_854_771_712 }
      : { anon: u.memoryUsage - u.inactiveFile, file: u.inactiveFile + 1024 ** 2, inactive_file: u.inactiveFile, active_file: 1024 ** 2, kernel_stack: 16_384, slab: 200_000, sock: 0, shmem: 0, pgfault: 12_000, pgmajfault: 3 };
  return {
    read: nanoTime(now),
    preread: oneShot ? ZERO_TIME : nanoTime(now - 1000),
    pids_stats: { current: 11, limit: 4915 },
    blkio_stats: { io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'read', value: 1_234_567 }, { major: 8, minor: 0, op: 'write', value: 89_012 }] },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: sample(before.total + cpuDelta, before.system + systemDelta),
    precpu_stats: oneShot ? { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } } : sample(before.total, before.system),
    memory_stats: { usage: u.memoryUsage, stats: memStats, limit: i.HostConfig.Memory || 16 * 1024 ** 3 },
    name: i.Name,
    id: i.Id,
    networks: { eth0: { rx_bytes: 5_012_345, rx_packets: 40_123, rx_errors: 0, rx_dropped: 0, tx_bytes: 2_345_678, tx_packets: 30_456, tx_errors: 0, tx_dropped: 0 } },
  };
}

/** One frame of the multiplexed stream: stream byte, three zero bytes, big-endian length, payload. */
export function frame(stream: 1 | 2, payload: Buffer | string): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function logs(c: FakeContainer, q: URLSearchParams, version: string, madeAt: number): Answer {
  const wantOut = q.get('stdout') === '1' || q.get('stdout') === 'true';
  const wantErr = q.get('stderr') === '1' || q.get('stderr') === 'true';
  if (!wantOut && !wantErr) return error(400, 'Bad parameters: you must choose at least one stream');
  const since = q.has('since') ? Number(q.get('since')) * 1000 : -Infinity;
  let entries = c.logs.filter((e) => (e.stream === 'stdout' ? wantOut : wantErr) && madeAt - e.ageSeconds * 1000 >= since);
  const tail = q.get('tail');
  if (tail !== null && tail !== 'all') entries = Number(tail) > 0 ? entries.slice(-Number(tail)) : [];
  const stamp = q.get('timestamps') === '1' || q.get('timestamps') === 'true';
  const line = (e: (typeof entries)[number]) => `${stamp ? `${nanoTime(madeAt - e.ageSeconds * 1000)} ` : ''}${e.line}\n`;
  const tty = Boolean(c.inspect.Config.Tty);
  const body = tty ? Buffer.from(entries.map((e) => line(e).replace(/\n$/, '\r\n')).join(''), 'utf8') : Buffer.concat(entries.map((e) => frame(e.stream === 'stdout' ? 1 : 2, line(e))));
  // The daemon says which format it sends from API 1.42 on; before, it always said raw-stream.
  const type = !tty && compareVersions(version, '1.42') >= 0 ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  return { status: 200, body, type };
}

export async function startEngineApi(options: EngineApiOptions = {}): Promise<EngineApiServer> {
  let containers = options.containers ?? [];
  let mode: ServerMode = 'ok';
  const sim: Simulation = { stopMs: 20, settleMs: 60, ...options.simulation };
  const minApi = options.minApi ?? MIN_API;
  const requests: RecordedRequest[] = [];
  let hook: ((r: RecordedRequest) => void) | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const madeAt = Date.now();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  /** Starts it as the daemon does, then lets its health check or its crash play out. */
  function start(c: FakeContainer): void {
    const s = c.inspect.State;
    const at = Date.now();
    Object.assign(s, { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, ExitCode: 0, Error: '', StartedAt: nanoTime(at), Pid: 5000 + Math.floor(Math.random() * 30_000) });
    c.inspect.RestartCount = 0;
    const check = c.inspect.Config.Healthcheck;
    if (check) s.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
    const startedAt = s.StartedAt;
    later(sim.settleMs, () => {
      if (c.inspect.State.StartedAt !== startedAt) return; // restarted again meanwhile
      if (c.afterStart === 'crash') {
        Object.assign(c.inspect.State, { Status: 'exited', Running: false, ExitCode: 1, FinishedAt: nanoTime(Date.now()), Pid: 0 });
        if (c.inspect.State.Health) c.inspect.State.Health.Status = 'unhealthy';
        return;
      }
      if (!check || !c.inspect.State.Health) return;
      const ok = c.afterStart !== 'unhealthy';
      const h = c.inspect.State.Health;
      h.Status = ok ? 'healthy' : 'unhealthy';
      h.FailingStreak = ok ? 0 : 3;
      h.Log = [...(h.Log ?? []), { Start: nanoTime(Date.now() - 40), End: nanoTime(Date.now()), ExitCode: ok ? 0 : 1, Output: ok ? 'ok\n' : (c.failingProbe ?? 'curl: (7) Failed to connect to localhost port 8080 after 0 ms: Connection refused\n') }].slice(-5);
    });
  }

  function stop(c: FakeContainer): void {
    Object.assign(c.inspect.State, { Status: 'exited', Running: false, Paused: false, Restarting: false, ExitCode: 0, FinishedAt: nanoTime(Date.now()), Pid: 0 });
  }

  async function answer(method: string, path: string, q: URLSearchParams): Promise<Answer> {
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
    const version = m?.[1] ?? MAX_API;
    const rest = m ? (m[2] as string) : path;
    if (compareVersions(version, MAX_API) > 0) return error(400, `client version ${version} is too new. Maximum supported API version is ${MAX_API}`);
    if (compareVersions(version, minApi) < 0) return error(400, `client version ${version} is too old. Minimum supported API version is ${minApi}, please upgrade your client to a newer version`);
    const now = Date.now();
    if (rest === '/_ping' && (method === 'GET' || method === 'HEAD')) return { status: 200, body: Buffer.from(method === 'HEAD' ? '' : 'OK'), type: 'text/plain; charset=utf-8' };
    if (rest === '/version' && method === 'GET') {
      return {
        status: 200,
        json: {
          Platform: { Name: 'Docker Engine - Community' },
          Components: [{ Name: 'Engine', Version: SERVER_VERSION, Details: { ApiVersion: MAX_API, Arch: 'amd64', GitCommit: '41ca978', GoVersion: 'go1.22.7', KernelVersion: '6.8.0-45-generic', MinAPIVersion: minApi, Os: 'linux' } }],
          Version: SERVER_VERSION,
          ApiVersion: MAX_API,
          MinAPIVersion: minApi,
          GitCommit: '41ca978',
          GoVersion: 'go1.22.7',
          Os: 'linux',
          Arch: 'amd64',
          KernelVersion: '6.8.0-45-generic',
          BuildTime: '2024-09-20T11:41:07.000000000+00:00',
        },
      };
    }
    if (rest === '/containers/json' && method === 'GET') {
      const f = parseFilters(q.get('filters'));
      if (typeof f === 'string') return error(400, f);
      const all = q.get('all') === '1' || q.get('all') === 'true';
      return { status: 200, json: containers.filter((c) => (all || c.inspect.State.Running) && matches(c, f)).map((c) => summary(c, now)) };
    }
    const one = /^\/containers\/([^/]+)\/(json|stats|logs|restart|start)$/.exec(rest);
    if (one) {
      const ref = decodeURIComponent(one[1] as string);
      const verb = one[2] as string;
      const c = find(containers, ref);
      const reading = verb === 'json' || verb === 'stats' || verb === 'logs';
      if (reading !== (method === 'GET')) return error(405, `${method} is not allowed on /containers/{id}/${verb}`);
      if (!c) return noSuch(ref);
      if (verb === 'json') return { status: 200, json: c.inspect };
      if (verb === 'stats') {
        if (q.get('stream') !== '0' && q.get('stream') !== 'false') return error(400, 'this test server answers stats with stream=false only');
        return { status: 200, json: stats(c, now, q.get('one-shot') === '1' || q.get('one-shot') === 'true') };
      }
      if (verb === 'logs') return logs(c, q, version, madeAt);
      if (c.inspect.State.Dead || c.inspect.State.Status === 'removing') return error(409, `cannot ${verb} container ${ref}: container is marked for removal and cannot be started`);
      if (verb === 'start') {
        if (c.inspect.State.Running && !c.inspect.State.Paused) return { status: 304 };
        if (c.inspect.State.Paused) return error(409, `cannot start a paused container, try unpause instead`);
        start(c);
        return { status: 204 };
      }
      const t = q.has('t') ? Number(q.get('t')) : 10;
      if (!Number.isInteger(t)) return error(400, `strconv.Atoi: parsing "${q.get('t')}": invalid syntax`);
      if (c.inspect.State.Running) stop(c);
      await new Promise((r) => setTimeout(r, sim.stopMs));
      start(c);
      return { status: 204 };
    }
    return error(404, 'page not found');
  }

  const handler = (via: RecordedRequest['via']) => (req: IncomingMessage, res: ServerResponse) => {
    const record: RecordedRequest = { method: req.method ?? '?', url: req.url ?? '', via };
    requests.push(record);
    hook?.(record);
    if (mode === 'hang') return; // never answers; close() ends the socket
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const common = { 'api-version': MAX_API, 'docker-experimental': 'false', ostype: 'linux', server: `Docker/${SERVER_VERSION} (linux)` };
      const done = (a: Answer) => {
        const body = a.json !== undefined ? Buffer.from(`${JSON.stringify(a.json)}\n`) : (a.body ?? Buffer.alloc(0));
        const type = a.json !== undefined ? 'application/json' : a.type;
        res.writeHead(a.status, { ...common, ...(type && a.status !== 204 && a.status !== 304 ? { 'content-type': type } : {}), ...(url.pathname.endsWith('/_ping') ? { 'cache-control': 'no-cache, no-store, must-revalidate', pragma: 'no-cache', 'builder-version': '2', swarm: 'inactive' } : {}), ...a.headers });
        res.end(a.status === 204 || a.status === 304 ? undefined : body);
      };
      if (mode === 'error500') return done(error(500, 'Internal Server Error: the daemon is in trouble'));
      answer(req.method ?? 'GET', url.pathname, url.searchParams).then(done, (e: unknown) => done(error(500, String(e))));
    });
  };

  const dir = mkdtempSync(join(tmpdir(), 'firebreak-docker-'));
  const socketPath = join(dir, 'docker.sock');
  const servers: Server[] = [];
  const listen = (s: Server, ...args: unknown[]) => new Promise<void>((resolve) => (s.listen as (...a: unknown[]) => void)(...args, resolve));
  const unix = createHttpServer(handler('unix'));
  await listen(unix, socketPath);
  servers.push(unix);
  const tcp = createHttpServer(handler('tcp'));
  await listen(tcp, 0, '127.0.0.1');
  servers.push(tcp);
  let tlsHost: string | undefined;
  if (options.certs) {
    const tls = createHttpsServer({ key: options.certs.serverKey, cert: options.certs.serverCert, ca: options.certs.caCert, requestCert: true, rejectUnauthorized: true }, handler('tls'));
    await listen(tls, 0, '127.0.0.1');
    servers.push(tls);
    tlsHost = `tcp://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  }

  return {
    socketPath,
    unixHost: `unix://${socketPath}`,
    tcpHost: `tcp://127.0.0.1:${(tcp.address() as AddressInfo).port}`,
    ...(tlsHost ? { tlsHost } : {}),
    requests,
    get containers() {
      return containers;
    },
    setContainers(list) {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      hook = null;
      containers = list;
    },
    simulate: (s) => void Object.assign(sim, s),
    mode: (m) => void (mode = m),
    onRequest: (fn) => void (hook = fn),
    restartNow(name) {
      const c = find(containers, name);
      if (!c) throw new Error(`no container ${name}`);
      if (c.inspect.State.Running) stop(c);
      // A start time at least a millisecond later than the one before, whatever the clock.
      const before = Date.parse(c.inspect.State.StartedAt);
      start(c);
      if (Date.parse(c.inspect.State.StartedAt) <= before) c.inspect.State.StartedAt = nanoTime(before + 1);
    },
    get(name) {
      const c = find(containers, name);
      if (!c) throw new Error(`no container ${name}`);
      return c;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
