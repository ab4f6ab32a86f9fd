/**
 * What the state of a target's containers says: containers not running (exited, dead, created,
 * paused) or restarting, with their exit code, OOMKilled and restart count; health checks failing
 * with the last probe's output; restarts piling up; and what is missing: a watched container that
 * does not exist, a compose service without a container. Pure: it reads inspect answers.
 */
import type { Finding } from '../../../../core/diagnostics/finding.js';
import { ago, dependsOn, hasHealthCheck, lastProbeOutput, nameOf, SERVICE_LABEL, shortId, stateLine, type ContainerInspect, type ContainerSummary } from '../containers.js';
import type { DockerTarget, DockerThresholds } from '../target.js';

/** Is it failing: not running, restarting, or unhealthy? Its logs are then read. */
export function isFailing(c: ContainerInspect): boolean {
  const s = c.State;
  return !s.Running || s.Restarting || s.Paused || s.Health?.Status === 'unhealthy';
}

function details(c: ContainerInspect): string[] {
  const policy = c.HostConfig?.RestartPolicy?.Name;
  const service = c.Config.Labels?.[SERVICE_LABEL];
  return [
    `image ${c.Config.Image}, id ${shortId(c.Id)}${service ? `, compose service ${service}` : ''}`,
    `restart policy ${policy || 'no'}${c.HostConfig?.RestartPolicy?.MaximumRetryCount ? ` (at most ${c.HostConfig.RestartPolicy.MaximumRetryCount})` : ''}, ${c.RestartCount} restart${c.RestartCount === 1 ? '' : 's'}`,
  ];
}

/** The state finding of a container that is not running as it should, if it is not. */
export function stateFinding(c: ContainerInspect, now: Date): Finding | undefined {
  const s = c.State;
  const name = nameOf(c);
  const base = { check: 'container state', component: name, value: stateLine(c, now), evidence: details(c) };
  const oom = s.OOMKilled
    ? ' It was killed for using too much memory (OOMKilled): raise its memory limit or find the leak (`docker stats`, its last logs) before starting it again.'
    : '';
  if (s.Restarting) {
    return {
      ...base,
      status: 'critical',
      recommendation: `It keeps crashing and its restart policy keeps starting it again (a restart loop).${oom} Its last log lines say why; a restart will not help until that is fixed.`,
    };
  }
  if (s.Running && s.Paused) {
    return { ...base, status: 'warning', recommendation: `It is paused: nothing in it runs. \`docker unpause ${name}\` once it should go on.` };
  }
  if (s.Running) return undefined;
  const start = { action: 'docker.start', args: [name], label: `Start ${name}`.slice(0, 75) };
  if (s.Status === 'created') {
    return { ...base, status: 'warning', recommendation: 'It was created and never started.', remediation: start };
  }
  if (s.Status === 'removing') return { ...base, status: 'warning', recommendation: 'It is being removed.' };
  const clean = s.ExitCode === 0 && !s.OOMKilled && s.Status === 'exited';
  return {
    ...base,
    status: clean ? 'warning' : 'critical',
    recommendation: clean
      ? `It exited normally (code 0) ${ago(s.FinishedAt, now)}: a one-off task is done, a service should not stop; start it if it should run.`
      : `It stopped with exit code ${s.ExitCode}${s.ExitCode === 137 && !s.OOMKilled ? ' (killed: SIGKILL, by docker kill, a stop timeout or the kernel)' : s.ExitCode === 143 ? ' (SIGTERM: asked to stop)' : ''}.${oom || ' Its last log lines say why; start it again once the cause is understood.'}`,
    ...(s.Status === 'dead' ? {} : { remediation: start }),
  };
}

/** A running container whose health check fails (with the last probe's output), or is still starting. */
export function healthFinding(c: ContainerInspect): Finding | undefined {
  const h = c.State.Health;
  if (!c.State.Running || c.State.Restarting || !h || !hasHealthCheck(c)) return undefined;
  const name = nameOf(c);
  const output = lastProbeOutput(c);
  const test = (c.Config.Healthcheck?.Test ?? []).slice(1).join(' ').slice(0, 200);
  if (h.Status === 'unhealthy') {
    return {
      check: 'health',
      component: name,
      status: 'critical',
      value: `unhealthy: ${h.FailingStreak} failed probe${h.FailingStreak === 1 ? '' : 's'} in a row`,
      recommendation: 'Its health check fails: the last probe output (below) says what it saw. Fix what it depends on, or restart it if it is stuck.',
      evidence: [...(output ? [`last probe: ${output}`] : []), ...(test ? [`health check: ${test}`] : [])],
      remediation: { action: 'docker.restart', args: [name], label: `Restart ${name}`.slice(0, 75) },
    };
  }
  if (h.Status === 'starting') {
    return {
      check: 'health',
      component: name,
      status: 'warning',
      value: 'health check starting: no passing probe yet',
      recommendation: 'It has just started, or its probes have not passed yet: check again in a minute.',
      ...(output ? { evidence: [`last probe: ${output}`] } : {}),
    };
  }
  return undefined;
}

/** A running container that has been restarted by its restart policy many times. */
export function restartsFinding(c: ContainerInspect, th: DockerThresholds): Finding | undefined {
  if (!c.State.Running || c.State.Restarting || c.RestartCount < th.restartsWarn) return undefined;
  return {
    check: 'restarts',
    component: nameOf(c),
    status: c.RestartCount >= th.restartsCritical ? 'critical' : 'warning',
    value: `${c.RestartCount} restarts by its restart policy (running now, since ${c.State.StartedAt.slice(0, 19)}Z)`,
    threshold: `warning from ${th.restartsWarn}, critical from ${th.restartsCritical}`,
    recommendation: 'It crashed and was started again that many times: its logs around the restarts say why (`docker logs --since 1h`).',
  };
}

/**
 * The compose services expected but without a container. Expected: the target's `services` when
 * configured; otherwise the services the project's own containers depend on (compose records
 * them in com.docker.compose.depends_on), since the daemon knows nothing of the compose file.
 */
export function missingServices(target: DockerTarget, project: readonly ContainerSummary[]): Finding[] {
  if (!target.project) return [];
  const present = new Set(project.map((c) => c.Labels?.[SERVICE_LABEL]).filter((s): s is string => s !== undefined));
  const dependants = new Map<string, string[]>();
  for (const c of project) for (const d of dependsOn(c.Labels)) dependants.set(d, [...(dependants.get(d) ?? []), c.Labels?.[SERVICE_LABEL] ?? nameOf(c)]);
  const expected = target.services ?? [...dependants.keys()];
  const why = (s: string): string => {
    if (target.services) return 'expected: listed under services in the configuration';
    const by = [...new Set(dependants.get(s))];
    return `expected: ${by.join(', ')} depend${by.length === 1 ? 's' : ''} on it (com.docker.compose.depends_on)`;
  };
  return expected
    .filter((s) => !present.has(s))
    .map((s) => ({
      check: 'missing service',
      component: `${target.project}/${s}`,
      status: 'critical' as const,
      value: `no container for service ${s} of compose project ${target.project}`,
      recommendation: `Create it again from the compose file: \`docker compose -p ${target.project} up -d ${s}\`.`,
      evidence: [why(s)],
    }));
}
