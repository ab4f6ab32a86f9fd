/**
 * docker.compose-restart <project>: restart every container of the target's compose project, one
 * after another, dependencies first. The order comes from the containers' labels: each one's
 * compose service (com.docker.compose.service) and the services it depends on
 * (com.docker.compose.depends_on, which compose writes from the file's depends_on); containers
 * without those labels come last, in name order. Each restart returns once that container has
 * started again, before the next one. Critical: the whole project goes down in turn. The guard is
 * every container's id and start time: a container added, removed, recreated or restarted since
 * the preview stops it. Verify waits for all of them to run with a new start time and to be
 * healthy where they have a health check.
 */
import { z } from 'zod';
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import { positional, readGuard, recall, remember } from '../../shared/action-support.js';
import { withEngine, type Engine } from '../client.js';
import { dependencyOrder, inspect, listContainers, nameOf, PROJECT_LABEL, SERVICE_LABEL, stateLine, type ContainerInspect } from '../containers.js';
import type { DockerTarget } from '../target.js';
import { awaitBack, change, changedSince, describeError, guardSchema, snapshot, type DockerActionOptions, type Watched } from './support.js';

export interface ProjectParams {
  project: string;
}

export const projectParams = positional<ProjectParams>('<project>', 1, 1, ([p]) =>
  /^[a-z0-9][a-z0-9_-]{0,62}$/.test(p ?? '') ? { project: p as string } : `"${String(p).slice(0, 80)}" is not a compose project name (lowercase letters, digits, "-" and "_")`,
);

const projectGuard = z.object({ project: z.string(), containers: z.array(guardSchema).min(1) });

/** Why the project may not be named on this target, if it may not. */
function projectRefusal(target: DockerTarget, project: string): string | undefined {
  if (!target.project) return `${target.name} watches no compose project: docker.compose-restart acts only on the project configured for a target (targets.docker[].project)`;
  if (project !== target.project) return `project "${project}" is not ${target.name}'s: Firebreak acts only on its compose project ${target.project}`;
  return undefined;
}

/** The project's containers, inspected, dependencies first; or why they cannot be read. */
async function projectContainers(engine: Engine, ctx: Parameters<typeof inspect>[1], target: DockerTarget): Promise<ContainerInspect[] | string> {
  const listed = await listContainers(engine, ctx, { ...target, containers: undefined });
  if (!listed.ok) return `cannot list the containers of project ${target.project}: ${listed.error.message}`;
  const own = listed.value.containers.filter((c) => c.Labels?.[PROJECT_LABEL] === target.project);
  if (own.length === 0) return `compose project ${target.project} has no container on ${target.name}`;
  const inspected = await Promise.all(own.map((c) => inspect(engine, ctx, c.Id)));
  const failed = inspected.find((r) => !r.ok);
  if (failed && !failed.ok) return `cannot inspect the containers of project ${target.project}: ${failed.error.message}`;
  return dependencyOrder(inspected.map((r) => (r as Extract<typeof r, { ok: true }>).value));
}

const label = (c: ContainerInspect) => c.Config.Labels?.[SERVICE_LABEL] ?? nameOf(c);
const memoKey = (t: DockerTarget) => `${t.host}|${t.name}|docker.compose-restart|${t.project}`;

export function composeRestartAction(options: DockerActionOptions): ActionDefinition<DockerTarget, ProjectParams> {
  const failed = (summary: string, extra: Partial<ActionResult> = {}): ActionResult => ({ ok: false, summary, ...extra });
  return {
    id: 'docker.compose-restart',
    title: 'Restart every container of a compose project, dependencies first',
    risk: 'critical',
    targetKind: 'docker',
    usage: '<project>',
    params: projectParams,

    preview(target, { project }, ctx): Promise<Preview> {
      const refused = (refusal: string, current: string[] = []): Preview => ({ current, change: [], guard: {}, refusal });
      const refusal = projectRefusal(target, project);
      if (refusal) return Promise.resolve(refused(refusal));
      return withEngine(target, async (engine) => {
        const ordered = await projectContainers(engine, ctx, target);
        if (typeof ordered === 'string') return refused(ordered);
        const now = ctx.now();
        const dead = ordered.find((c) => c.State.Dead || c.State.Status === 'removing');
        const current = ordered.slice(0, 20).map((c) => `${label(c)}: ${nameOf(c)} ${stateLine(c, now)}`);
        if (ordered.length > 20) current.push(`and ${ordered.length - 20} more`);
        if (dead) return refused(`${nameOf(dead)} is ${dead.State.Status}: it cannot be restarted`, current);
        return {
          current,
          change: [
            `restart the ${ordered.length} container${ordered.length === 1 ? '' : 's'} of project ${project} one after another, dependencies first: ${ordered.map(nameOf).join(' → ').slice(0, 600)}`,
            `each gets ${options.stopTimeoutSeconds} s to stop before it is killed; the project is degraded until the last one is back`,
            `then wait up to ${Math.round(options.healthTimeoutMs / 1000)} s for all of them to run with a new start time, healthy where they have a health check`,
          ],
          guard: { project, containers: ordered.map((c) => ({ id: c.Id, startedAt: c.State.StartedAt })) },
        };
      }, (why) => refused(why));
    },

    async execute(target, { project }, guard, ctx): Promise<ActionResult> {
      try {
        const refusal = projectRefusal(target, project);
        if (refusal) return failed(`${refusal}; nothing done`);
        const g = readGuard(projectGuard, guard);
        if (g.project !== project) return failed(`the approved preview was for project ${g.project}, not ${project}; nothing done`);
        return await withEngine(target, async (engine) => {
          const ordered = await projectContainers(engine, ctx, target);
          if (typeof ordered === 'string') return failed(`${ordered}; nothing done`);
          const previewed = new Map(g.containers.map((c) => [c.id, c]));
          const added = ordered.filter((c) => !previewed.has(c.Id)).map(nameOf);
          const removed = g.containers.filter((p) => !ordered.some((c) => c.Id === p.id)).length;
          if (added.length || removed) {
            return failed(`the project changed since the preview (${[added.length ? `new: ${added.join(', ')}` : '', removed ? `${removed} previewed container${removed === 1 ? '' : 's'} gone or recreated` : ''].filter(Boolean).join('; ')}); nothing done`);
          }
          const moved = ordered.map((c) => changedSince(c, previewed.get(c.Id) as { id: string; startedAt: string })).filter((m): m is string => m !== undefined);
          if (moved.length) return failed(`${moved.join('; ')}; nothing done`);
          const before = Object.fromEntries(ordered.map((c) => [nameOf(c), snapshot(c)]));
          remember(memoKey(target), ordered.map((c): Watched => ({ id: c.Id, name: nameOf(c), previousStart: c.State.StartedAt })));
          const restarted: string[] = [];
          for (const c of ordered) {
            const done = await change(engine, ctx, c, 'restart', options.stopTimeoutSeconds);
            if (!done.ok) {
              const left = ordered.slice(restarted.length + 1).map(nameOf);
              return failed(`${done.message}; restarted before it: ${restarted.join(', ') || 'none'}; not restarted: ${left.join(', ') || 'none'}`, { before });
            }
            restarted.push(nameOf(c));
          }
          return { ok: true, summary: `restarted ${restarted.length} container${restarted.length === 1 ? '' : 's'} of project ${project} in order: ${restarted.join(' → ')}`, before };
        }, (why) => failed(`${why}; nothing done`));
      } catch (err) {
        return failed(`${describeError(err)}; nothing done`);
      }
    },

    verify(target, { project }, ctx): Promise<ActionResult> {
      const refusal = projectRefusal(target, project);
      if (refusal) return Promise.resolve(failed(refusal));
      return withEngine(target, async (engine) => {
        const known = recall<Watched[]>(memoKey(target));
        if (known) return awaitBack(engine, ctx, known, options);
        // In another process: the project's containers as they are now, running and healthy.
        const ordered = await projectContainers(engine, ctx, target);
        if (typeof ordered === 'string') return failed(ordered);
        return awaitBack(engine, ctx, ordered.map((c) => ({ id: c.Id, name: nameOf(c) })), options);
      }, failed);
    },
  };
}
