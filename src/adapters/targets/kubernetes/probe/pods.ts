/**
 * Pod checks, pure: pods not running or not ready with their reason (CrashLoopBackOff, image pull,
 * missing ConfigMap/Secret, OOMKilled, unschedulable, readiness failing) and restart counts.
 */
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { grade, type Finding } from '../../../../core/diagnostics/finding.js';
import type { KubeThresholds } from '../target.js';

const IMAGE_PULL = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const START_FAILURE = new Set(['CreateContainerError', 'RunContainerError', 'ContainerCannotRun', 'StartError']);
/** Waiting reasons that are a normal step of starting a container. */
const TRANSIENT = new Set(['ContainerCreating', 'PodInitializing']);

/** The ConfigMap or Secret a CreateContainerConfigError message names, if any. */
export function missingReference(message: string | undefined): { kind: 'ConfigMap' | 'Secret'; name: string } | undefined {
  if (!message) return undefined;
  const quoted = /\b(configmap|secret)s? "([^"]+)" not found/i.exec(message);
  const keyed = /\bin (ConfigMap|Secret) (?:[\w.-]+\/)?([\w.-]+)/i.exec(message);
  const m = quoted ?? keyed;
  if (!m) return undefined;
  return { kind: m[1]?.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap', name: m[2] ?? '' };
}

function resources(container: V1Container | undefined): string {
  const r = container?.resources;
  const part = (what: string, q: Record<string, string> | undefined): string | undefined =>
    q && Object.keys(q).length ? `${what} ${Object.entries(q).map(([k, v]) => `${k} ${v}`).join(', ')}` : undefined;
  return [part('requests', r?.requests), part('limits', r?.limits)].filter(Boolean).join('; ') || 'no requests or limits';
}

export function podFindings(namespace: string, pods: readonly V1Pod[], th: KubeThresholds): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) findings.push(...onePod(namespace, pod, th));
  return findings;
}

function onePod(ns: string, pod: V1Pod, th: KubeThresholds): Finding[] {
  const name = pod.metadata?.name ?? '?';
  const component = `${ns}/${name}`;
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase === 'Succeeded' || pod.metadata?.deletionTimestamp) return [];
  const controlled = (pod.metadata?.ownerReferences ?? []).some((o) => o.controller);
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const statuses: V1ContainerStatus[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const out: Finding[] = [];

  for (const cs of statuses) {
    const spec = specs.find((c) => c.name === cs.name);
    const waiting = cs.state?.waiting;
    const last = cs.lastState?.terminated;
    const lastExit = last ? `${last.reason ?? 'exited'} (code ${last.exitCode})` : undefined;
    const reason = waiting?.reason;
    if (reason === 'CrashLoopBackOff') {
      const oom = last?.reason === 'OOMKilled';
      out.push({
        check: 'crash loop',
        component,
        status: 'critical',
        value: `CrashLoopBackOff: container ${cs.name}, ${cs.restartCount} restarts${lastExit ? `, last exit ${lastExit}` : ''}`,
        recommendation: oom
          ? `The container is killed for memory (OOMKilled): raise its memory limit (${resources(spec)}) or find the leak.`
          : `Read the crashed container's logs (kubectl logs -n ${ns} ${name} -c ${cs.name} --previous) for the cause: configuration, a dependency down, a bad release.`,
        evidence: [waiting?.message, last?.message, last?.finishedAt ? `last exit at ${iso(last.finishedAt)}` : undefined].filter(isText),
        ...(controlled ? { remediation: { action: 'k8s.delete-pod', args: [`${ns}/${name}`], label: `Delete pod ${ns}/${name}` } } : {}),
      });
    } else if (reason && IMAGE_PULL.has(reason)) {
      out.push({
        check: 'image pull',
        component,
        status: 'critical',
        value: `${reason}: ${cs.image || spec?.image || 'image'}`,
        recommendation: 'Check the image name and tag, that it exists in the registry, and the pull secret (imagePullSecrets).',
        evidence: [waiting?.message].filter(isText),
      });
    } else if (reason === 'CreateContainerConfigError') {
      const missing = missingReference(waiting?.message);
      out.push({
        check: 'container config',
        component,
        status: 'critical',
        value: `CreateContainerConfigError: ${waiting?.message ?? `container ${cs.name}`}`,
        recommendation: missing
          ? `Create the ${missing.kind} "${missing.name}" in namespace ${ns} ` +
            `(kubectl get ${missing.kind.toLowerCase()} ${missing.name} -n ${ns}) or fix the reference to it in the pod spec.`
          : 'A ConfigMap, Secret or key the container refers to is missing: compare the pod spec with what exists in the namespace.',
        evidence: [`container ${cs.name}`],
      });
    } else if (reason && START_FAILURE.has(reason)) {
      out.push({
        check: 'container start',
        component,
        status: 'critical',
        value: `${reason}: container ${cs.name}`,
        evidence: [waiting?.message].filter(isText),
        recommendation: 'The runtime could not start the container: check its command, volumes and security context.',
      });
    } else if (reason && !TRANSIENT.has(reason)) {
      out.push({
        check: 'container waiting',
        component,
        status: 'warning',
        value: `${reason}: container ${cs.name}`,
        evidence: [waiting?.message].filter(isText),
        recommendation: `kubectl describe pod -n ${ns} ${name}`,
      });
    } else if (last?.reason === 'OOMKilled') {
      out.push({
        check: 'OOMKilled',
        component,
        status: 'warning',
        value: `container ${cs.name} was OOMKilled (exit ${last.exitCode})${last.finishedAt ? ` at ${iso(last.finishedAt)}` : ''}, ${cs.restartCount} restarts`,
        threshold: resources(spec),
        recommendation: 'The container used more memory than its limit: raise the limit or find the leak (kubectl top pod, heap profile).',
      });
    }
    if (cs.restartCount >= th.restartsWarn) {
      out.push({
        check: 'restarts',
        component,
        status: grade(cs.restartCount, th.restartsWarn, th.restartsCritical),
        value: `${cs.restartCount} restarts of container ${cs.name}${lastExit ? `, last exit ${lastExit}` : ''}`,
        threshold: `warning at ${th.restartsWarn}, critical at ${th.restartsCritical}`,
        recommendation: 'Look at why the container stops: its previous logs and its last termination reason.',
      });
    }
  }

  const containerProblem = out.some((f) => f.check !== 'restarts' && f.check !== 'OOMKilled');
  const condition = (type: string) => pod.status?.conditions?.find((c) => c.type === type);
  const scheduled = condition('PodScheduled');
  if (phase === 'Pending' && scheduled?.status === 'False') {
    out.push({
      check: 'unschedulable',
      component,
      status: 'critical',
      value: `Pending: ${scheduled.reason ?? 'not scheduled'}`,
      threshold: resources(pod.spec?.containers[0]),
      recommendation: 'No node can take the pod: free or add capacity, lower its requests, or check taints, affinity and node selectors.',
      evidence: [scheduled.message].filter(isText),
    });
  } else if (phase === 'Failed' || phase === 'Unknown') {
    out.push({
      check: 'pod not running',
      component,
      status: phase === 'Unknown' ? 'critical' : 'warning',
      value: `${phase}${pod.status?.reason ? `: ${pod.status.reason}` : ''}`,
      evidence: [pod.status?.message].filter(isText),
      recommendation: phase === 'Unknown' ? 'The node stopped reporting this pod: check the node.' : `kubectl describe pod -n ${ns} ${name}`,
    });
  } else if (!containerProblem && condition('Ready')?.status !== 'True') {
    const ready = condition('Ready');
    const unready = (pod.status?.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
    const probes = (pod.spec?.containers ?? []).filter((c) => unready.includes(c.name) && c.readinessProbe).map((c) => `${c.name}: readiness ${probeText(c)}`);
    out.push({
      check: 'pod not ready',
      component,
      status: 'warning',
      value: `${phase}, not ready${unready.length ? ` (containers ${unready.join(', ')})` : ''}`,
      recommendation: probes.length
        ? 'The readiness probe fails: the pod gets no traffic. See its Unhealthy events and whether its dependencies answer.'
        : `kubectl describe pod -n ${ns} ${name}`,
      evidence: [ready?.message, ...probes].filter(isText),
    });
  }
  return out;
}

function probeText(c: V1Container): string {
  const p = c.readinessProbe;
  if (p?.httpGet) return `GET ${p.httpGet.path ?? '/'} on port ${String(p.httpGet.port)}`;
  if (p?.tcpSocket) return `TCP port ${String(p.tcpSocket.port)}`;
  if (p?.exec) return `exec ${(p.exec.command ?? []).join(' ')}`;
  return 'probe';
}

const isText = (s: string | undefined): s is string => typeof s === 'string' && s.length > 0;

export function iso(d: Date | string): string {
  const t = d instanceof Date ? d : new Date(d);
  return Number.isNaN(t.getTime()) ? String(d) : t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
