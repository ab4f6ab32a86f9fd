/**
 * What the docker.* actions share: finding the named container among the target's own (anything
 * else is refused), the guard (the container's id and State.StartedAt, re-checked at execution),
 * the POST that changes it, and the verification: polling until the containers run again with a
 * new start time and, when they have a health check, are healthy, within a deadline.
 */
import { z } from 'zod';
import type { ActionContext, ActionResult } from '../../../../core/remediation/action.js';
import { readGuard } from '../../shared/action-support.js';
import { sleep } from '../../shared/sleep.js';
import type { Engine } from '../client.js';
import { findIn, hasHealthCheck, inspect, lastProbeOutput, listContainers, nameOf, shortId, stateLine, type ContainerInspect } from '../containers.js';
import { scopeText, type DockerTarget } from '../target.js';

export interface DockerActionOptions {
  /** How often verify reads the containers. Default 1000 ms. */
  pollMs: number;
  /** How long verify waits for the containers to run (and be healthy). Default 60 s. */
  healthTimeoutMs: number;
  /** What a restart gives a container to stop before it is killed (`docker restart -t`). Default 10 s. */
  stopTimeoutSeconds: number;
}

export const DEFAULT_DOCKER_ACTION_OPTIONS: Readonly<DockerActionOptions> = Object.freeze({ pollMs: 1000, healthTimeoutMs: 60_000, stopTimeoutSeconds: 10 });

export const guardSchema = z.object({ id: z.string().regex(/^[0-9a-f]{12,64}$/), startedAt: z.string() });
export type Guard = z.infer<typeof guardSchema>;
export const readContainerGuard = (guard: Record<string, unknown>): Guard => readGuard(guardSchema, guard);

export const guardOf = (c: ContainerInspect): Guard => ({ id: c.Id, startedAt: c.State.StartedAt });

/**
 * The target's container by the name (or id) typed, inspected; or why not: it is not one of the
 * target's (its project, its watched names), or the daemon could not be asked.
 */
export async function locate(engine: Engine, ctx: ActionContext, target: DockerTarget, ref: string): Promise<ContainerInspect | string> {
  const listed = await listContainers(engine, ctx, target);
  if (!listed.ok) return `cannot list the containers of ${target.name}: ${listed.error.message}`;
  const found = findIn(listed.value.containers, ref);
  if (!found) {
    const names = listed.value.containers.slice(0, 15).map(nameOf);
    const known = names.length ? ` (its containers: ${names.join(', ')}${listed.value.containers.length > 15 ? ', …' : ''})` : '';
    return `container "${ref}" is not one of ${target.name}'s: Firebreak acts only on ${scopeText(target)}${known}`;
  }
  const c = await inspect(engine, ctx, found.Id);
  if (!c.ok) return c.error.status === 404 ? `container ${ref} is gone (removed meanwhile)` : `cannot inspect container ${ref}: ${c.error.message}`;
  return c.value;
}

/** Why the container is not the one previewed, if it is not: recreated (another id) or restarted meanwhile. */
export function changedSince(c: ContainerInspect, g: Guard): string | undefined {
  const name = nameOf(c);
  if (c.Id !== g.id) return `${name} is another container than the one previewed (id ${shortId(c.Id)}, previewed ${shortId(g.id)}: it was recreated)`;
  if (c.State.StartedAt !== g.startedAt) return `${name} was restarted meanwhile (started at ${c.State.StartedAt}, previewed ${g.startedAt})`;
  return undefined;
}

/** The POST that changes a container; a timeout says the change may have happened. */
export async function change(engine: Engine, ctx: ActionContext, c: ContainerInspect, verb: 'restart' | 'start', stopTimeoutSeconds: number): Promise<{ ok: true; status: number } | { ok: false; message: string }> {
  const r = await engine.post(ctx, `/containers/${c.Id}/${verb}`, verb === 'restart' ? { t: String(stopTimeoutSeconds) } : undefined);
  if (r.ok) return { ok: true, status: r.status };
  const name = nameOf(c);
  if (r.error.status === 404) return { ok: false, message: `container ${name} is gone (removed meanwhile)` };
  if (r.error.kind === 'timeout') return { ok: false, message: `${verb} of ${name}: ${r.error.message} (it may or may not have happened: check before retrying)` };
  return { ok: false, message: `${verb} of ${name}: ${r.error.message}` };
}

/** The container's state for an action's before/after: what people look for in the audit. */
export const snapshot = (c: ContainerInspect) => ({
  id: c.Id,
  name: nameOf(c),
  status: c.State.Status,
  startedAt: c.State.StartedAt,
  restartCount: c.RestartCount,
  ...(c.State.Health ? { health: c.State.Health.Status } : {}),
});

/** Is it back: running (not restarting), started since `previous` (when known), healthy if it has a health check? */
export function isBack(c: ContainerInspect, previousStart: string | undefined): boolean {
  if (!c.State.Running || c.State.Restarting || c.State.Paused) return false;
  if (previousStart !== undefined && c.State.StartedAt === previousStart) return false;
  return !hasHealthCheck(c) || c.State.Health?.Status === 'healthy';
}

/** Its restart policy starts it again after it exits: always, unless-stopped, on-failure with a failure. */
function willRestart(c: ContainerInspect): boolean {
  const policy = c.HostConfig?.RestartPolicy?.Name ?? '';
  return policy === 'always' || policy === 'unless-stopped' || (policy === 'on-failure' && c.State.ExitCode !== 0);
}

/** It started after the action, exited since, and nothing will start it again. */
function stoppedForGood(c: ContainerInspect | undefined, previousStart: string | undefined): boolean {
  if (!c || previousStart === undefined || c.State.StartedAt === previousStart) return false;
  return !c.State.Running && !c.State.Restarting && !willRestart(c);
}

function backLine(c: ContainerInspect, now: Date): string {
  const probe = !isBack(c, undefined) && c.State.Health?.Status === 'unhealthy' ? `; last probe ${lastProbeOutput(c) ?? '?'}` : '';
  return `${nameOf(c)} ${stateLine(c, now)}${probe}`;
}

/** A container watched by verify: its id, and its start time before the action (unknown in another process). */
export interface Watched {
  id: string;
  name: string;
  previousStart?: string | undefined;
}

/**
 * Polls the containers until every one is back (see isBack), the health timeout passes or the
 * action's deadline comes; says how each one stands.
 */
export async function awaitBack(engine: Engine, ctx: ActionContext, watched: readonly Watched[], options: DockerActionOptions): Promise<ActionResult> {
  const started = Date.now();
  const until = Math.min(ctx.deadline, started + options.healthTimeoutMs);
  const seen = new Map<string, ContainerInspect>();
  const problems = new Map<string, string>();
  for (;;) {
    const reads = await Promise.all(watched.filter((w) => !(seen.get(w.id) && isBack(seen.get(w.id) as ContainerInspect, w.previousStart))).map(async (w) => ({ w, r: await inspect(engine, ctx, w.id) })));
    for (const { w, r } of reads) {
      if (r.ok) {
        seen.set(w.id, r.value);
        problems.delete(w.id);
      } else problems.set(w.id, r.error.status === 404 ? `${w.name} is gone (removed)` : `${w.name}: ${r.error.message}`);
    }
    // Gone, or started since the action and stopped again with nothing to start it: no use waiting.
    const gone = watched.some((w) => problems.get(w.id)?.endsWith('(removed)') || stoppedForGood(seen.get(w.id), w.previousStart));
    const allBack = watched.every((w) => seen.get(w.id) && isBack(seen.get(w.id) as ContainerInspect, w.previousStart));
    if (allBack || gone || ctx.signal.aborted || Date.now() + options.pollMs >= until) {
      const now = ctx.now();
      const lines = watched.map((w) => problems.get(w.id) ?? backLine(seen.get(w.id) as ContainerInspect, now));
      const after = Object.fromEntries(watched.filter((w) => seen.get(w.id)).map((w) => [w.name, snapshot(seen.get(w.id) as ContainerInspect)]));
      if (allBack) return { ok: true, summary: lines.join('; '), after };
      const waited = Math.round((Date.now() - started) / 1000);
      return { ok: false, summary: `not confirmed${gone ? '' : ` after ${waited} s`}: ${lines.join('; ')}`, after };
    }
    await sleep(options.pollMs, ctx.signal);
  }
}

export const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));
