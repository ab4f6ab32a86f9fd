/**
 * docker.restart <container> and docker.start <container>: restart one of the target's
 * containers (POST /containers/{id}/restart, which starts a stopped one too), or start a stopped
 * one (POST /containers/{id}/start). The preview shows its state; execution re-checks that it is
 * the same container (id) started at the same time (State.StartedAt) as previewed, so a
 * container recreated or restarted meanwhile is left alone; verify waits until it runs with a
 * new start time and, when it has a health check, is healthy.
 */
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import { positional, recall, remember } from '../../shared/action-support.js';
import { withEngine, type Engine } from '../client.js';
import { CONTAINER_REF, hasHealthCheck, lastProbeOutput, nameOf, SERVICE_LABEL, shortId, stateLine, type ContainerInspect } from '../containers.js';
import type { DockerTarget } from '../target.js';
import { awaitBack, change, changedSince, describeError, guardOf, locate, readContainerGuard, snapshot, type DockerActionOptions } from './support.js';

export interface ContainerParams {
  container: string;
}

export const containerParams = positional<ContainerParams>('<container>', 1, 1, ([ref]) =>
  CONTAINER_REF.test(ref ?? '') ? { container: (ref as string).replace(/^\//, '') } : `"${String(ref).slice(0, 80)}" is not a container name or id (letters, digits, "_", "." and "-")`,
);

type Verb = 'restart' | 'start';

function current(c: ContainerInspect, now: Date): string[] {
  const service = c.Config.Labels?.[SERVICE_LABEL];
  const probe = c.State.Health?.Status === 'unhealthy' ? lastProbeOutput(c) : undefined;
  return [
    `${nameOf(c)} (${shortId(c.Id)}): ${stateLine(c, now)}`,
    `image ${c.Config.Image}${service ? `, compose service ${service}` : ''}, started at ${c.State.StartedAt}`,
    ...(probe ? [`last health probe: ${probe}`] : []),
  ];
}

/** Why this verb cannot be done to the container as it is, if it cannot. */
function refusalFor(verb: Verb, c: ContainerInspect): string | undefined {
  const name = nameOf(c);
  const s = c.State;
  if (s.Status === 'removing' || s.Dead) return `${name} is ${s.Status}: it cannot be ${verb}ed`;
  if (verb === 'restart') return undefined;
  if (s.Restarting) return `${name} is restarting by its restart policy: nothing to start (docker.restart restarts it)`;
  if (s.Paused) return `${name} is paused: \`docker unpause ${name}\` rather than start it`;
  if (s.Running) return `${name} is already running (since ${s.StartedAt}): nothing to start; docker.restart restarts it`;
  return undefined;
}

const memoKey = (t: DockerTarget, verb: Verb, container: string) => `${t.host}|${t.name}|docker.${verb}|${container}`;

function containerAction(verb: Verb, options: DockerActionOptions): ActionDefinition<DockerTarget, ContainerParams> {
  const failed = (summary: string): ActionResult => ({ ok: false, summary });
  return {
    id: `docker.${verb}`,
    title: verb === 'restart' ? 'Restart a container' : 'Start a stopped container',
    risk: 'high',
    targetKind: 'docker',
    usage: '<container>',
    params: containerParams,

    preview(target, { container }, ctx): Promise<Preview> {
      const refused = (refusal: string, cur: string[] = []): Preview => ({ current: cur, change: [], guard: {}, refusal });
      return withEngine(target, async (engine) => {
        const c = await locate(engine, ctx, target, container);
        if (typeof c === 'string') return refused(c);
        const now = ctx.now();
        const refusal = refusalFor(verb, c);
        if (refusal) return refused(refusal, current(c, now));
        const health = hasHealthCheck(c) ? ', and healthy (its health check)' : '';
        return {
          current: current(c, now),
          change: [
            verb === 'restart'
              ? `restart container ${nameOf(c)}: it gets ${options.stopTimeoutSeconds} s to stop (SIGTERM) before it is killed, then starts again`
              : `start container ${nameOf(c)} (stopped: ${stateLine(c, now)})`,
            `then wait up to ${Math.round(options.healthTimeoutMs / 1000)} s for it to be running with a new start time${health}`,
          ],
          guard: guardOf(c),
        };
      }, (why) => refused(why));
    },

    async execute(target, { container }, guard, ctx): Promise<ActionResult> {
      try {
        const g = readContainerGuard(guard);
        return await withEngine(target, async (engine) => {
          const c = await locate(engine, ctx, target, container);
          if (typeof c === 'string') return failed(`${c}; nothing done`);
          const changed = changedSince(c, g);
          if (changed) return failed(`${changed}; nothing done`);
          const refusal = refusalFor(verb, c);
          if (refusal) return failed(`${refusal}; nothing done`);
          const before = snapshot(c);
          const done = await change(engine, ctx, c, verb, options.stopTimeoutSeconds);
          if (!done.ok) return { ok: false, summary: done.message, before };
          if (done.status === 304) return { ok: false, summary: `${nameOf(c)} was already started (by someone else, just now); nothing done`, before };
          remember(memoKey(target, verb, container), { id: c.Id, previousStart: c.State.StartedAt });
          return { ok: true, summary: `${nameOf(c)} ${verb}ed (it was ${c.State.Status}, started at ${c.State.StartedAt})`, before };
        }, (why) => failed(`${why}; nothing done`));
      } catch (err) {
        return failed(`${describeError(err)}; nothing done`);
      }
    },

    verify(target, { container }, ctx): Promise<ActionResult> {
      return withEngine(target, async (engine: Engine) => {
        // In another process (no memory of execute), the container found by its name, running and healthy.
        const known = recall<{ id: string; previousStart: string }>(memoKey(target, verb, container));
        const c = known ? undefined : await locate(engine, ctx, target, container);
        if (typeof c === 'string') return failed(c);
        const watched = known ? { id: known.id, name: container, previousStart: known.previousStart } : { id: (c as ContainerInspect).Id, name: container };
        return awaitBack(engine, ctx, [watched], options);
      }, failed);
    },
  };
}

export const restartAction = (options: DockerActionOptions) => containerAction('restart', options);
export const startAction = (options: DockerActionOptions) => containerAction('start', options);
