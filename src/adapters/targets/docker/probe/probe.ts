/**
 * The Docker probe (`/diag docker [target] [container|project]`): one read-only pass over the
 * target's containers, bounded by the deadline. It lists them (the compose project by label, the
 * watched names), inspects each, reads the stats of the running ones and the last log lines of
 * the failing ones, all in parallel, and reports: containers not running or restarting,
 * unhealthy ones with their last probe output, restarts, CPU and memory against the thresholds,
 * compose services without a container, and what the failing containers' logs say. Only GET
 * requests; the remediations it suggests are data and never run here.
 */
import { sortFindings, unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { formatSize } from '../../../../core/size.js';
import { withEngine, type Answer, type Engine } from '../client.js';
import { findIn, inspect, listContainers, nameOf, PROJECT_LABEL, type ContainerInspect, type ContainerSummary } from '../containers.js';
import { scopeText, thresholdsOf, type DockerTarget, type DockerThresholds } from '../target.js';
import { logFinding, readLogs } from './logs.js';
import { healthFinding, isFailing, missingServices, restartsFinding, stateFinding } from './state.js';
import { cpuFinding, cpuPercent, memoryFinding, memoryInUse, type ContainerStats } from './usage.js';

export interface DockerProbeOptions {
  /** Only this container of the target, or the target's compose project by its name. */
  container?: string | undefined;
}

/** The most failing containers whose logs one run reads. */
const MAX_LOGS = 10;

const RECOMMEND_REACH =
  'Check that the Docker daemon is running and that Firebreak can reach it: the socket path and its permissions (the docker group), or the TCP address, port and TLS certificates.';

interface Version {
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  Os?: string;
}

/** Which of the listed containers the run looks at, or the finding saying the choice is not the target's. */
function choose(target: DockerTarget, listed: ContainerSummary[], asked: string | undefined): ContainerSummary[] | Finding {
  if (asked === undefined) return listed;
  if (target.project && asked === target.project) return listed.filter((c) => c.Labels?.[PROJECT_LABEL] === target.project);
  const found = findIn(listed, asked);
  if (found) return [found];
  return {
    check: 'container',
    component: target.name,
    status: 'unknown',
    value: `"${asked.slice(0, 80)}" is neither the compose project nor a container of ${target.name}`,
    recommendation: `Firebreak reads only what ${target.name} watches: ${scopeText(target)}${listed.length ? ` (containers: ${listed.slice(0, 20).map(nameOf).join(', ')}${listed.length > 20 ? ', …' : ''})` : ''}.`,
  };
}

function usageFindings(inspected: ContainerInspect[], stats: Array<Answer<ContainerStats> | undefined>, th: DockerThresholds): Finding[] {
  const out: Finding[] = [];
  const cpuOk: Array<[string, number]> = [];
  const memOk: Array<[string, number]> = [];
  const failed: string[] = [];
  let why = '';
  inspected.forEach((c, i) => {
    const s = stats[i];
    if (!s) return;
    const name = nameOf(c);
    if (!s.ok) {
      failed.push(name);
      why ||= s.error.message;
      return;
    }
    const cpu = cpuPercent(s.value);
    const mem = memoryInUse(s.value);
    if (cpu !== undefined) {
      const f = cpuFinding(name, cpu, th);
      if (f.status === 'ok') cpuOk.push([name, cpu]);
      else out.push(f);
    }
    if (mem !== undefined) {
      const limit = c.HostConfig?.Memory ? c.HostConfig.Memory : undefined;
      const f = memoryFinding(name, mem, limit, th);
      if (f.status === 'ok') memOk.push([name, mem]);
      else out.push(f);
    }
  });
  const top = <T>(list: Array<[string, T]>, show: (v: T) => string) =>
    [...list].sort((a, b) => Number(b[1]) - Number(a[1])).slice(0, 3).map(([n, v]) => `${n} ${show(v)}`).join(', ');
  if (cpuOk.length) {
    out.push({ check: 'cpu', component: `${cpuOk.length} container${cpuOk.length === 1 ? '' : 's'}`, status: 'ok', value: `under ${th.cpuWarnPct} % CPU (top: ${top(cpuOk, (v) => `${v.toFixed(1)} %`)})`, threshold: `warning at ${th.cpuWarnPct} %, critical at ${th.cpuCritPct} %` });
  }
  if (memOk.length) {
    out.push({ check: 'memory', component: `${memOk.length} container${memOk.length === 1 ? '' : 's'}`, status: 'ok', value: `under ${formatSize(th.memoryWarnBytes)} (top: ${top(memOk, formatSize)})`, threshold: `warning at ${formatSize(th.memoryWarnBytes)}, critical at ${formatSize(th.memoryCritBytes)}` });
  }
  if (failed.length) {
    out.push({ check: 'stats', component: failed.join(', ').slice(0, 200), status: 'unknown', value: `could not read CPU and memory: ${why}` });
  }
  return out;
}

async function run(target: DockerTarget, options: DockerProbeOptions, engine: Engine, ctx: ProbeContext): Promise<Finding[]> {
  const th = thresholdsOf(target);
  const [listed, version] = await Promise.all([listContainers(engine, ctx, target), engine.json<Version>(ctx, '/version')]);
  if (!listed.ok) {
    if (listed.error.kind !== 'http') return [unreachable(target.name, listed.error.message, RECOMMEND_REACH)];
    const tooOld = /too old|too new|minimum supported|maximum supported/i.test(listed.error.message);
    return [{
      check: 'containers',
      component: target.name,
      status: 'unknown',
      value: `could not list the containers: ${listed.error.message}`,
      recommendation: tooOld ? `The daemon does not accept API version ${target.apiVersion}: set apiVersion for this target to one it supports.` : RECOMMEND_REACH,
    }];
  }
  const now = ctx.now();
  const findings: Finding[] = [];
  const v = version.ok ? version.value : undefined;
  findings.push({
    check: 'reachable',
    component: target.name,
    status: 'ok',
    value: `Docker ${v?.Version ?? '?'} (API ${v?.ApiVersion ?? '?'}) at ${engine.where}, asked with API ${target.apiVersion}; watching ${scopeText(target)}`,
  });

  const chosen = choose(target, listed.value.containers, options.container);
  if (!Array.isArray(chosen)) return [chosen, ...findings];
  const whole = options.container === undefined || options.container === target.project;
  if (whole) {
    for (const name of listed.value.missing) {
      findings.push({ check: 'missing container', component: name, status: 'critical', value: `no container named ${name} on ${target.name}`, recommendation: 'It is watched but does not exist: it was removed, or recreated under another name. Create it again (docker compose up, docker run).' });
    }
    if (target.project && !chosen.some((c) => c.Labels?.[PROJECT_LABEL] === target.project)) {
      findings.push({ check: 'project', component: target.project, status: 'critical', value: `no container of compose project ${target.project} on ${target.name}`, recommendation: `Start the project: \`docker compose -p ${target.project} up -d\` from its compose file.` });
    }
  }
  if (chosen.length === 0) return sortFindings(findings);

  const read = chosen.slice(0, th.maxContainers);
  const inspects = await Promise.all(read.map((c) => inspect(engine, ctx, c.Id)));
  const inspected: ContainerInspect[] = [];
  inspects.forEach((r, i) => {
    if (r.ok) inspected.push(r.value);
    else findings.push({ check: 'read', component: nameOf(read[i] as ContainerSummary), status: 'unknown', value: `could not inspect it: ${r.error.message}` });
  });
  if (chosen.length > read.length) {
    findings.push({ check: 'containers', component: target.name, status: 'unknown', value: `${chosen.length} containers: only the first ${read.length} were read (maxContainers)`, recommendation: 'Narrow the target (a compose project, watched names) or raise thresholds.maxContainers.' });
  }

  const running = (c: ContainerInspect) => c.State.Running && !c.State.Paused && !c.State.Restarting;
  const failing = inspected.filter(isFailing).slice(0, MAX_LOGS);
  const [stats, logs] = await Promise.all([
    Promise.all(inspected.map((c) => (running(c) ? engine.json<ContainerStats>(ctx, `/containers/${encodeURIComponent(c.Id)}/stats`, { stream: 'false' }) : Promise.resolve(undefined)))),
    Promise.all(failing.map((c) => readLogs(engine, ctx, c.Id, c.Config.Tty, th.logTailLines))),
  ]);

  let fine = 0;
  for (const c of inspected) {
    const own = [stateFinding(c, now), healthFinding(c), restartsFinding(c, th)].filter((f): f is Finding => f !== undefined);
    if (own.length === 0) fine += 1;
    findings.push(...own);
  }
  if (fine > 0) {
    const healthy = inspected.filter((c) => c.State.Health?.Status === 'healthy').length;
    findings.push({ check: 'containers', component: target.name, status: 'ok', value: `${fine} of ${inspected.length} running as they should${healthy ? ` (${healthy} healthy by their health check)` : ''}` });
  }
  failing.forEach((c, i) => findings.push(logFinding(nameOf(c), logs[i] as Awaited<ReturnType<typeof readLogs>>, th)));
  findings.push(...usageFindings(inspected, stats, th));
  if (whole) findings.push(...missingServices(target, listed.value.containers.filter((c) => c.Labels?.[PROJECT_LABEL] === target.project)));
  return sortFindings(findings);
}

export function dockerProbe(target: DockerTarget, options: DockerProbeOptions = {}): Probe {
  return {
    kind: 'docker',
    target: target.name,
    run: (ctx) => withEngine(target, (engine) => run(target, options, engine, ctx), (why) => [unreachable(target.name, why, RECOMMEND_REACH)]),
  };
}
