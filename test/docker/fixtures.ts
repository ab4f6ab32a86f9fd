/**
 * Containers for the Docker Engine API stand-in, built as the daemon describes them: the full
 * inspect object (State with its Health log, Config with labels and health check, HostConfig),
 * the numbers its stats are made from, its log lines, and what happens when it is started. The
 * default set is a compose project "shop" with every failure the probe looks for (an OOMKilled
 * exit 137, a restart loop, an unhealthy container with its health log, high memory, high CPU, a
 * dependency without a container) beside healthy ones, a watched "nginx" and another project.
 */
import { createHash } from 'node:crypto';

/** One line a container wrote, `ageSeconds` before the fixtures were made. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  ageSeconds: number;
  line: string;
}

/** What the container uses; the stand-in builds cgroup-shaped stats from it. */
export interface Usage {
  /** CPU as docker stats shows it (100 is one whole CPU). */
  cpuPercent: number;
  onlineCpus: number;
  /** memory_stats.usage, page cache included. */
  memoryUsage: number;
  /** The inactive page cache docker stats leaves out. */
  inactiveFile: number;
  cgroup: 'v1' | 'v2';
}

/** What the container does once started (by a start or restart request). */
export type AfterStart = 'running' | 'healthy' | 'unhealthy' | 'crash';

export interface FakeContainer {
  /** GET /containers/{id}/json, as the daemon answers it; the stand-in changes it as the container changes. */
  inspect: Record<string, any>;
  created: number;
  usage: Usage;
  logs: LogEntry[];
  afterStart: AfterStart;
  /** The output of a failing health probe, for afterStart "unhealthy". */
  failingProbe?: string;
}

export const idOf = (name: string): string => createHash('sha256').update(`container:${name}`).digest('hex');
const imageId = (image: string): string => `sha256:${createHash('sha256').update(`image:${image}`).digest('hex')}`;

/** RFC 3339 with nanoseconds, as the daemon writes times. */
export const nanoTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, frac: string) => `.${frac}${String(ms % 997).padStart(6, '0')}Z`);
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ContainerSpec {
  name: string;
  image?: string;
  project?: string;
  service?: string;
  /** Compose's depends_on label value, e.g. "db:service_healthy:false". */
  dependsOn?: string;
  state?: 'running' | 'exited' | 'restarting' | 'created' | 'paused' | 'dead';
  exitCode?: number;
  oomKilled?: boolean;
  restartCount?: number;
  /** When it last started (or stopped, for a stopped one), seconds before now. */
  startedAgoSeconds?: number;
  finishedAgoSeconds?: number;
  /** Its health check's state, with the last probes' exit codes and outputs (oldest first). */
  health?: { status: 'healthy' | 'unhealthy' | 'starting'; log?: Array<[number, string]>; failingStreak?: number };
  tty?: boolean;
  memoryLimit?: number;
  restartPolicy?: string;
  usage?: Partial<Usage>;
  logs?: Array<[LogEntry['stream'], string] | LogEntry>;
  afterStart?: AfterStart;
  failingProbe?: string;
}

const MB = 1024 ** 2;

export function container(spec: ContainerSpec, now = Date.now()): FakeContainer {
  const state = spec.state ?? 'running';
  const started = now - (spec.startedAgoSeconds ?? 3600) * 1000;
  const finished = spec.finishedAgoSeconds === undefined ? undefined : now - spec.finishedAgoSeconds * 1000;
  const image = spec.image ?? `${spec.project ?? 'library'}/${spec.service ?? spec.name}:1.4.2`;
  const labels: Record<string, string> = spec.project
    ? {
        'com.docker.compose.project': spec.project,
        'com.docker.compose.service': spec.service ?? spec.name,
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        'com.docker.compose.config-hash': createHash('sha256').update(spec.name).digest('hex'),
        'com.docker.compose.project.working_dir': `/srv/${spec.project}`,
        'com.docker.compose.project.config_files': `/srv/${spec.project}/compose.yaml`,
        'com.docker.compose.version': '2.29.7',
        'com.docker.compose.image': imageId(image),
        'com.docker.compose.depends_on': spec.dependsOn ?? '',
      }
    : { maintainer: 'ops@example.com' };
  const healthcheck = spec.health ? { Test: ['CMD-SHELL', 'curl -fsS http://localhost:8080/health || exit 1'], Interval: 10_000_000_000, Timeout: 3_000_000_000, Retries: 3 } : undefined;
  const health = spec.health
    ? {
        Status: spec.health.status,
        FailingStreak: spec.health.failingStreak ?? (spec.health.status === 'unhealthy' ? 3 : 0),
        Log: (spec.health.log ?? (spec.health.status === 'healthy' ? [[0, 'ok\n']] : [])).map(([code, output], i, all) => ({
          Start: nanoTime(now - (all.length - i) * 10_000),
          End: nanoTime(now - (all.length - i) * 10_000 + 40),
          ExitCode: code,
          Output: output,
        })),
      }
    : undefined;
  const running = state === 'running' || state === 'paused' || state === 'restarting';
  const inspect = {
    Id: idOf(spec.name),
    Created: nanoTime(now - 86_400_000),
    Path: 'docker-entrypoint.sh',
    Args: ['node', 'server.js'],
    State: {
      Status: state,
      Running: running,
      Paused: state === 'paused',
      Restarting: state === 'restarting',
      OOMKilled: spec.oomKilled ?? false,
      Dead: state === 'dead',
      Pid: running ? 4000 + (parseInt(idOf(spec.name).slice(0, 4), 16) % 1000) : 0,
      ExitCode: spec.exitCode ?? 0,
      Error: '',
      StartedAt: state === 'created' ? ZERO_TIME : nanoTime(started),
      FinishedAt: finished !== undefined ? nanoTime(finished) : state === 'restarting' ? nanoTime(started - 2000) : state === 'exited' || state === 'dead' ? nanoTime(started + 60_000) : ZERO_TIME,
      ...(health ? { Health: health } : {}),
    },
    Image: imageId(image),
    ResolvConfPath: `/var/lib/docker/containers/${idOf(spec.name)}/resolv.conf`,
    HostnamePath: `/var/lib/docker/containers/${idOf(spec.name)}/hostname`,
    LogPath: `/var/lib/docker/containers/${idOf(spec.name)}/${idOf(spec.name)}-json.log`,
    Name: `/${spec.name}`,
    RestartCount: spec.restartCount ?? 0,
    Driver: 'overlay2',
    Platform: 'linux',
    HostConfig: {
      NetworkMode: spec.project ? `${spec.project}_default` : 'bridge',
      RestartPolicy: { Name: spec.restartPolicy ?? (spec.project ? 'unless-stopped' : 'no'), MaximumRetryCount: 0 },
      Memory: spec.memoryLimit ?? 0,
      NanoCpus: 0,
      LogConfig: { Type: 'json-file', Config: {} },
    },
    Config: {
      Hostname: idOf(spec.name).slice(0, 12),
      User: '',
      Tty: spec.tty ?? false,
      OpenStdin: false,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_ENV=production'],
      Cmd: ['node', 'server.js'],
      Image: image,
      WorkingDir: '/app',
      Entrypoint: ['docker-entrypoint.sh'],
      Labels: labels,
      ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    },
    NetworkSettings: {
      Networks: { [spec.project ? `${spec.project}_default` : 'bridge']: { IPAddress: running ? '172.18.0.5' : '', Gateway: '172.18.0.1', MacAddress: '02:42:ac:12:00:05' } },
    },
    Mounts: [],
  };
  const entries = (spec.logs ?? []).map((l, i, all): LogEntry => (Array.isArray(l) ? { stream: l[0], line: l[1], ageSeconds: all.length - i } : l));
  return {
    inspect,
    created: now - 86_400_000,
    usage: { cpuPercent: 1, onlineCpus: 4, memoryUsage: 60 * MB, inactiveFile: 10 * MB, cgroup: 'v2', ...spec.usage },
    logs: entries,
    afterStart: spec.afterStart ?? (spec.health ? 'healthy' : 'running'),
    ...(spec.failingProbe ? { failingProbe: spec.failingProbe } : {}),
  };
}

const repeat = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** The services the shop project's compose file has (mailer has no container: it was removed). */
export const SHOP_SERVICES = ['db', 'cache', 'api', 'worker', 'scheduler', 'search', 'reports', 'web', 'mailer'];

/** The compose project "shop" and its neighbours, each failure beside healthy containers. */
export function shopContainers(now = Date.now()): FakeContainer[] {
  const c = (spec: ContainerSpec) => container(spec, now);
  return [
    c({ name: 'shop-db-1', project: 'shop', service: 'db', image: 'postgres:16', health: { status: 'healthy' }, usage: { cpuPercent: 4.2, memoryUsage: 260 * MB, inactiveFile: 60 * MB, cgroup: 'v1' }, logs: [['stdout', 'LOG:  database system is ready to accept connections']] }),
    c({ name: 'shop-cache-1', project: 'shop', service: 'cache', image: 'redis:7', usage: { cpuPercent: 1.5, memoryUsage: 40 * MB, inactiveFile: 2 * MB } }),
    c({
      name: 'shop-api-1',
      project: 'shop',
      service: 'api',
      dependsOn: 'db:service_healthy:false,cache:service_started:false',
      health: { status: 'unhealthy', failingStreak: 4, log: [[0, 'ok\n'], [1, 'curl: (22) The requested URL returned error: 503\n'], [1, 'curl: (7) Failed to connect to localhost port 8080 after 0 ms: Connection refused\n']] },
      restartCount: 1,
      usage: { cpuPercent: 12, memoryUsage: 340 * MB, inactiveFile: 40 * MB },
      logs: [
        ...repeat(20, (i): [LogEntry['stream'], string] => ['stdout', `2025-03-14T09:2${i % 10}:00Z INFO GET /orders/${1000 + i} 200 ${12 + i}ms`]),
        ...repeat(6, (i): [LogEntry['stream'], string] => ['stderr', `2025-03-14T09:30:0${i}Z ERROR could not connect to database at 10.0.0.${5 + i}:5432: connection refused (attempt ${i + 1})`]),
        ['stderr', '2025-03-14T09:30:09Z ERROR request 7f3c9a2e-1b2c-4d5e-8f90-123456789abc timed out after 30000ms'],
      ],
      afterStart: 'healthy',
    }),
    c({
      name: 'shop-worker-1',
      project: 'shop',
      service: 'worker',
      dependsOn: 'db:service_healthy:false,mailer:service_started:false',
      state: 'exited',
      exitCode: 137,
      oomKilled: true,
      finishedAgoSeconds: 240,
      memoryLimit: 512 * MB,
      logs: [
        ['stdout', 'worker started, 4 threads'],
        ['stdout', 'processing batch 1841 (5000 orders)'],
        ['stderr', '<--- Last few GCs --->'],
        ['stderr', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'],
      ],
    }),
    c({
      name: 'shop-scheduler-1',
      project: 'shop',
      service: 'scheduler',
      dependsOn: 'api:service_started:false',
      state: 'restarting',
      exitCode: 1,
      restartCount: 12,
      startedAgoSeconds: 8,
      logs: repeat(12, (i): [LogEntry['stream'], string] => ['stderr', `Error: connect ECONNREFUSED 10.0.0.${5 + (i % 3)}:6379 (try ${i})`]),
    }),
    c({ name: 'shop-search-1', project: 'shop', service: 'search', image: 'opensearch:2', memoryLimit: 2 * 1024 * MB, usage: { cpuPercent: 30, memoryUsage: 1300 * MB, inactiveFile: 100 * MB, cgroup: 'v1' } }),
    c({ name: 'shop-reports-1', project: 'shop', service: 'reports', usage: { cpuPercent: 150, onlineCpus: 4, memoryUsage: 90 * MB, inactiveFile: 5 * MB } }),
    c({
      name: 'shop-web-1',
      project: 'shop',
      service: 'web',
      dependsOn: 'api:service_started:false',
      tty: true,
      health: { status: 'healthy' },
      usage: { cpuPercent: 0.5, memoryUsage: 20 * MB, inactiveFile: 1 * MB },
      logs: [['stdout', 'nginx: ready']],
    }),
    c({ name: 'nginx', image: 'nginx:1.27', health: { status: 'healthy' }, usage: { cpuPercent: 0.3, memoryUsage: 12 * MB, inactiveFile: 1 * MB } }),
    c({ name: 'other-app-1', project: 'other', service: 'app', usage: { cpuPercent: 99, memoryUsage: 900 * MB, inactiveFile: 0 } }),
  ];
}

/** A project where everything is fine: two healthy, quiet containers. */
export function calmContainers(now = Date.now()): FakeContainer[] {
  return [
    container({ name: 'calm-db-1', project: 'calm', service: 'db', health: { status: 'healthy' }, usage: { cpuPercent: 3, memoryUsage: 120 * MB, inactiveFile: 30 * MB } }, now),
    container({ name: 'calm-app-1', project: 'calm', service: 'app', dependsOn: 'db:service_healthy:false', health: { status: 'healthy' }, usage: { cpuPercent: 7, memoryUsage: 200 * MB, inactiveFile: 20 * MB } }, now),
  ];
}
