/**
 * The containers of a Docker target as the Engine API describes them (the fields Firebreak reads
 * of GET /containers/json and /containers/{id}/json), how a target's containers are listed (its
 * compose project by label, its watched names, or every container), how a name typed by someone
 * is found among them, the compose labels and the order of a project's dependencies. Both the
 * diagnostics and the actions use these.
 */
import { formatDuration } from '../../../core/duration.js';
import type { Answer, Deadline, Engine } from './client.js';
import type { DockerTarget } from './target.js';

export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const DEPENDS_ON_LABEL = 'com.docker.compose.depends_on';

/** One item of GET /containers/json. */
export interface ContainerSummary {
  Id: string;
  /** With their leading slash: ["/shop-api-1"]. */
  Names: string[];
  Image: string;
  State: string;
  Status: string;
  Labels?: Record<string, string> | null;
}

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** What GET /containers/{id}/json holds that Firebreak reads. */
export interface ContainerInspect {
  Id: string;
  /** With its leading slash: "/shop-api-1". */
  Name: string;
  RestartCount: number;
  State: {
    Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' | string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: 'starting' | 'healthy' | 'unhealthy' | 'none' | string; FailingStreak: number; Log: HealthLogEntry[] | null } | null;
  };
  Config: {
    Image: string;
    Tty: boolean;
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[] | null } | null;
  };
  HostConfig?: { Memory?: number; RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null } | null;
}

/** The name as `docker ps` shows it, without the slash. */
export const nameOf = (c: { Name?: string; Names?: string[]; Id: string }): string =>
  (c.Name ?? c.Names?.[0] ?? '').replace(/^\//, '') || c.Id.slice(0, 12);

export const shortId = (id: string): string => id.slice(0, 12);

export const labelsOf = (c: ContainerInspect): Record<string, string> => c.Config.Labels ?? {};

/** A container with a health check (not disabled with NONE) reports its health in State.Health. */
export function hasHealthCheck(c: ContainerInspect): boolean {
  const test = c.Config.Healthcheck?.Test;
  if (test && test[0] === 'NONE') return false;
  return Boolean(c.State.Health && c.State.Health.Status !== 'none') || Boolean(test && test.length > 0);
}

/** Docker's zero time for a container never started or never finished. */
export const NEVER = '0001-01-01T00:00:00Z';

const filters = (f: Record<string, string[]>) => ({ all: '1', filters: JSON.stringify(f) });
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Listed {
  containers: ContainerSummary[];
  /** Watched names with no container. */
  missing: string[];
}

/**
 * The target's containers, stopped ones included: its compose project (label filter), its watched
 * names (a name filter, then kept only when the name matches exactly), both, or every container.
 */
export async function listContainers(engine: Engine, ctx: Deadline, target: DockerTarget): Promise<Answer<Listed>> {
  const asks: Array<Promise<Answer<ContainerSummary[]>>> = [];
  if (target.project) asks.push(engine.json<ContainerSummary[]>(ctx, '/containers/json', filters({ label: [`${PROJECT_LABEL}=${target.project}`] })));
  if (target.containers?.length) asks.push(engine.json<ContainerSummary[]>(ctx, '/containers/json', filters({ name: target.containers.map((n) => `^/${escapeRegex(n)}$`) })));
  if (asks.length === 0) asks.push(engine.json<ContainerSummary[]>(ctx, '/containers/json', { all: '1' }));
  const answers = await Promise.all(asks);
  const failed = answers.find((a) => !a.ok);
  if (failed && !failed.ok) return failed;
  const byId = new Map<string, ContainerSummary>();
  for (const a of answers) if (a.ok && Array.isArray(a.value)) for (const c of a.value) byId.set(c.Id, c);
  const watched = new Set(target.containers ?? []);
  const containers = [...byId.values()].filter((c) => (target.project && c.Labels?.[PROJECT_LABEL] === target.project) || c.Names.some((n) => watched.has(n.replace(/^\//, ''))) || (!target.project && watched.size === 0));
  const names = new Set(containers.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))));
  const first = answers[0] as Extract<Answer<unknown>, { ok: true }>;
  containers.sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  return { ok: true, status: first.status, headers: first.headers, value: { containers, missing: [...watched].filter((n) => !names.has(n)) } };
}

export async function inspect(engine: Engine, ctx: Deadline, id: string): Promise<Answer<ContainerInspect>> {
  return engine.json<ContainerInspect>(ctx, `/containers/${encodeURIComponent(id)}/json`);
}

/** A name (as `docker ps` shows it) or an id (12 to 64 hex digits) as someone may type it. */
export const CONTAINER_REF = /^(?:[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}|[0-9a-f]{12,64})$/;

/** The target's container by that name or id prefix, if it is one of the target's. */
export function findIn(containers: readonly ContainerSummary[], ref: string): ContainerSummary | undefined {
  const name = ref.replace(/^\//, '');
  return (
    containers.find((c) => c.Names.some((n) => n.replace(/^\//, '') === name)) ??
    (/^[0-9a-f]{12,64}$/.test(ref) ? containers.find((c) => c.Id.startsWith(ref)) : undefined)
  );
}

/** "3 min ago" from an Engine API time; "never" for Docker's zero time. */
export function ago(time: string, now: Date): string {
  const at = Date.parse(time);
  if (!Number.isFinite(at) || time.startsWith('0001-')) return 'never';
  return `${formatDuration(Math.max(0, now.getTime() - at))} ago`;
}

/** The last health probe's output on one line, cut. */
export function lastProbeOutput(c: ContainerInspect): string | undefined {
  const log = c.State.Health?.Log ?? [];
  const last = log[log.length - 1];
  if (!last) return undefined;
  return `exit ${last.ExitCode}: ${last.Output.replace(/\s+/g, ' ').trim().slice(0, 300) || '(no output)'}`;
}

/** The state of a container on one line: "running for 5m, healthy, 2 restarts", "exited (137, OOMKilled) 3m ago". */
export function stateLine(c: ContainerInspect, now: Date): string {
  const s = c.State;
  const restarts = c.RestartCount ? `, ${c.RestartCount} restart${c.RestartCount === 1 ? '' : 's'}` : '';
  const health = s.Health && s.Health.Status !== 'none' ? `, ${s.Health.Status}` : '';
  if (s.Restarting) return `restarting (last exit code ${s.ExitCode}${s.OOMKilled ? ', OOMKilled' : ''})${restarts}`;
  if (s.Running) return `${s.Paused ? 'paused' : 'running'} since ${ago(s.StartedAt, now).replace(/ ago$/, '')}${health}${restarts}`;
  if (s.Status === 'created') return 'created, never started';
  return `${s.Status} (exit code ${s.ExitCode}${s.OOMKilled ? ', OOMKilled' : ''}${s.Error ? `, ${s.Error.slice(0, 120)}` : ''}) ${ago(s.FinishedAt, now)}${restarts}`;
}

/** Services a container depends on, from compose's label: "db:service_healthy:false,cache:service_started:true". */
export function dependsOn(labels: Record<string, string> | null | undefined): string[] {
  const label = labels?.[DEPENDS_ON_LABEL] ?? '';
  return label
    .split(',')
    .map((d) => d.split(':')[0]?.trim() ?? '')
    .filter((d) => d !== '');
}

/**
 * The project's containers, dependencies first: by their compose service and the services each
 * depends on (com.docker.compose.depends_on). Names break ties; a cycle, or a container without a
 * service label, comes after the rest in name order.
 */
export function dependencyOrder<C extends ContainerInspect>(containers: readonly C[]): C[] {
  const byName = [...containers].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const serviceOf = (c: C) => c.Config.Labels?.[SERVICE_LABEL];
  const services = new Set(byName.map(serviceOf).filter((s): s is string => s !== undefined));
  const done = new Set<string>();
  const out: C[] = [];
  let left = byName.filter((c) => serviceOf(c) !== undefined);
  while (left.length) {
    const ready = left.filter((c) => dependsOn(c.Config.Labels).every((d) => done.has(d) || !services.has(d) || d === serviceOf(c)));
    if (ready.length === 0) break;
    // Every container of a service whose dependencies are up, before the next round.
    for (const c of ready) out.push(c);
    for (const c of ready) done.add(serviceOf(c) as string);
    left = left.filter((c) => !ready.includes(c));
  }
  return [...out, ...left, ...byName.filter((c) => serviceOf(c) === undefined)];
}
