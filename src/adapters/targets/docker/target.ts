/**
 * A configured Docker target: which daemon (its local socket, or a remote one over TCP with TLS
 * client certificates), which containers are its own (a compose project, names to watch, or
 * every container of the daemon), and the thresholds its checks grade against. The daemon's
 * address and certificates come from configuration only, never from user input.
 */
import { z } from 'zod';
import { formatSize } from '../../../core/size.js';
import { asNumber, atLeast, checkOrder, everyProblem, fraction, sizeThreshold, targetName, wholeNumber, type ShowThreshold } from '../shared/schema.js';

export interface DockerThresholds {
  /** CPU as `docker stats` shows it (100 % is one whole CPU): warning from this. */
  cpuWarnPct: number;
  /** Same: critical from this. */
  cpuCritPct: number;
  /** Memory in use, page cache left out as `docker stats` does: warning from this many bytes. */
  memoryWarnBytes: number;
  /** Same: critical from this many bytes. */
  memoryCritBytes: number;
  /** Memory in use as a fraction of the container's own limit (when it has one): warning, OOM kill ahead. */
  memoryLimitWarn: number;
  /** Restarts of a running container (its restart policy's count): warning from this many. */
  restartsWarn: number;
  /** Same: critical from this many. */
  restartsCritical: number;
  /** The most containers of a target one run reads (inspect, stats, logs). */
  maxContainers: number;
  /** The last lines read from a failing container's log. */
  logTailLines: number;
  /** Error lines as a fraction of all lines read from which a container's logs are critical. */
  logErrorRateCritical: number;
  /** Error lines from which a container's logs are critical. */
  logErrorsCritical: number;
}

/** Seed 002 (AKIG) keeps a service under 80 % CPU and 500 MB of memory; critical is where it cannot go on. */
export const DEFAULT_DOCKER_THRESHOLDS: Readonly<DockerThresholds> = Object.freeze({
  cpuWarnPct: 80,
  cpuCritPct: 95,
  memoryWarnBytes: 500 * 1024 ** 2,
  memoryCritBytes: 1024 ** 3,
  memoryLimitWarn: 0.9,
  restartsWarn: 3,
  restartsCritical: 10,
  maxContainers: 50,
  logTailLines: 200,
  logErrorRateCritical: 0.2,
  logErrorsCritical: 50,
});

const asBytes: ShowThreshold = (n) => formatSize(n);

/** Thresholds as written in configuration: every key optional, unknown keys refused, warn ≤ crit. */
export const dockerThresholdsSchema = z
  .strictObject({
    // docker stats goes past 100 % on several CPUs (up to 100 per CPU), so no upper bound.
    cpuWarnPct: atLeast(1).optional(),
    cpuCritPct: atLeast(1).optional(),
    memoryWarnBytes: sizeThreshold().optional(),
    memoryCritBytes: sizeThreshold().optional(),
    memoryLimitWarn: fraction().optional(),
    restartsWarn: wholeNumber(1).optional(),
    restartsCritical: wholeNumber(1).optional(),
    maxContainers: wholeNumber(1, 200).optional(),
    logTailLines: wholeNumber(1, 5000).optional(),
    logErrorRateCritical: fraction().optional(),
    logErrorsCritical: wholeNumber(1).optional(),
  })
  .superRefine((t, ctx) => {
    const resolved = resolveDockerThresholds(t);
    checkOrder(ctx, t, resolved, ['cpuWarnPct', 'cpuCritPct', asNumber]);
    checkOrder(ctx, t, resolved, ['memoryWarnBytes', 'memoryCritBytes', asBytes]);
    checkOrder(ctx, t, resolved, ['restartsWarn', 'restartsCritical', asNumber]);
  }, everyProblem);

/** The defaults with the target's own values over them (keys left undefined keep the default). */
export function resolveDockerThresholds(overrides: Partial<DockerThresholds> = {}): DockerThresholds {
  const set = Object.entries(overrides).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  return { ...DEFAULT_DOCKER_THRESHOLDS, ...(Object.fromEntries(set) as Partial<DockerThresholds>) };
}

export interface DockerTls {
  /** The CA that signed the daemon's certificate (PEM file); without it, the system's CAs. */
  ca?: string | undefined;
  /** Firebreak's client certificate and its key (PEM files), as `docker --tlsverify` uses them. */
  cert: string;
  key: string;
}

export interface DockerTarget {
  /** The target's name in config ("local", "prod-host"). */
  name: string;
  /** `unix:///var/run/docker.sock` (the default) or `tcp://host:2376`. */
  host: string;
  tls?: DockerTls | undefined;
  /** The Engine API version in every path ("1.44"): what Firebreak was written against. */
  apiVersion: string;
  /** A compose project: its containers carry the label com.docker.compose.project=<project>. */
  project?: string | undefined;
  /** The services the project must have a container for (com.docker.compose.service). */
  services?: string[] | undefined;
  /** Containers watched by name (beside the project's, or alone). */
  containers?: string[] | undefined;
  thresholds?: Partial<DockerThresholds> | undefined;
}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** Docker 25 and later; Docker 29 accepts nothing older. */
export const DEFAULT_API_VERSION = '1.44';

/** Compose's rule for project names (and service names): lowercase letters, digits, "-" and "_". */
const COMPOSE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Docker's rule for container names. */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const HOST = /^(?:unix:\/\/(\/\S+)|tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5}))$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const pemPath = (what: string) =>
  z.string({ error: (i) => (i.input === undefined ? `required: the path of ${what} (a PEM file)` : `expected the path of ${what} (a PEM file)`) }).min(1, `expected the path of ${what} (a PEM file)`);

const composeName = (what: string) =>
  z.string({ error: `expected a compose ${what} name` }).regex(COMPOSE_NAME, { message: `expected a compose ${what} name: lowercase letters, digits, "-" and "_"` });

/** One entry of `targets.docker` in the configuration. */
export const dockerTargetSchema = z
  .strictObject({
    name: targetName,
    host: z
      .string({ error: 'expected unix:///path/to/docker.sock or tcp://host:port' })
      .regex(HOST, { message: 'expected unix:///path/to/docker.sock or tcp://host:port' })
      .default(DEFAULT_DOCKER_HOST),
    tls: z
      .strictObject({ ca: pemPath('the CA certificate').optional(), cert: pemPath('the client certificate'), key: pemPath("the client certificate's key") }, { error: 'expected { ca, cert, key }: paths of PEM files' })
      .optional(),
    apiVersion: z
      .string({ error: 'expected an Engine API version like "1.44"' })
      .regex(/^1\.(?:2[4-9]|[3-9]\d)$/, { message: 'expected an Engine API version from 1.24, like "1.44"' })
      .default(DEFAULT_API_VERSION),
    project: composeName('project').optional(),
    services: z.array(composeName('service'), { error: 'expected a list of compose service names, like [api, worker]' }).min(1, 'list at least one service, or leave services out').max(100, 'at most 100 services').optional(),
    containers: z
      .array(z.string({ error: 'expected a container name' }).regex(CONTAINER_NAME, { message: 'expected a container name: letters, digits, "_", "." and "-"' }), { error: 'expected a list of container names, like [nginx]' })
      .min(1, 'list at least one container, or leave containers out')
      .max(100, 'at most 100 containers')
      .optional(),
    thresholds: dockerThresholdsSchema.optional(),
  })
  .superRefine((t, ctx) => {
    const m = HOST.exec(t.host);
    const tcpHost = m?.[2];
    if (m?.[1] !== undefined && t.tls) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls is for tcp:// hosts; a unix socket needs none' });
    if (tcpHost !== undefined && !t.tls && !LOOPBACK.has(tcpHost.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: `a remote daemon (${t.host}) is reached with TLS client certificates: add tls: { ca, cert, key }` });
    }
    if (m?.[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) ctx.addIssue({ code: 'custom', path: ['host'], message: 'expected a port from 1 to 65535' });
    if (t.services && !t.project) ctx.addIssue({ code: 'custom', path: ['services'], message: 'services are those of a compose project: set project too' });
  });

export const thresholdsOf = (target: DockerTarget): DockerThresholds => resolveDockerThresholds(target.thresholds);

/** What the target watches, for people: "project shop", "containers nginx, cron", "every container". */
export function scopeText(target: DockerTarget): string {
  const parts = [
    ...(target.project ? [`compose project ${target.project}`] : []),
    ...(target.containers?.length ? [`container${target.containers.length === 1 ? '' : 's'} ${target.containers.join(', ')}`] : []),
  ];
  return parts.length ? parts.join(' and ') : 'every container of the daemon';
}
