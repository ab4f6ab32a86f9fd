/**
 * Pod checks, pure: pods not running or not ready with their reason (CrashLoopBackOff, image pull
 * with why the registry refused it, missing ConfigMap/Secret, OOMKilled, unschedulable, readiness
 * failing), containers OOMKilled without a memory limit, and restart counts.
 */
import type { CoreV1Event, V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { grade, type Finding } from '../../../../core/diagnostics/finding.js';
import { formatMemory } from '../quantity.js';
import type { KubeThresholds } from '../target.js';
import { lastSeen, restatesState } from './events.js';
import { parseQuantity } from './metrics.js';

/** Why an image pull fails, from the registry's (or the network's) answer. */
export type PullFailure = 'tag or image not found' | 'not found or not authorized' | 'unauthorized' | 'registry unreachable' | 'other';

/**
 * Classifies the message of a failed pull ("Failed to pull image …: …", or the waiting message of
 * ErrImagePull). Docker Hub answers "pull access denied … repository does not exist or may require
 * authorization" both for an image that does not exist and for one the credentials cannot read:
 * that one stays ambiguous rather than guessed.
 */
export function classifyPull(message: string): PullFailure {
  if (/pull access denied|repository does not exist or may require/i.test(message)) return 'not found or not authorized';
  if (/\b401\b|\b403\b|unauthorized|authentication required|no basic auth credentials|access denied|denied:|forbidden|insufficient_scope/i.test(message)) return 'unauthorized';
  if (/i\/o timeout|dial tcp|connection refused|no such host|network is unreachable|no route to host|TLS handshake timeout|context deadline exceeded|connection reset|server misbehaving|\b50[234]\b/i.test(message)) {
    return 'registry unreachable';
  }
  if (/not found|manifest unknown|name unknown|code = NotFound/i.test(message)) return 'tag or image not found';
  return 'other';
}

/** The registry's answer for a pod's pull: its latest "Failed to pull image" event, else the waiting message if it says more than a back-off. */
function pullAnswer(pod: V1Pod, waitingMessage: string | undefined, events: readonly CoreV1Event[]): string | undefined {
  const name = pod.metadata?.name;
  const pulls = events
    .filter((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === name && /^Failed to pull image/i.test(e.message ?? ''))
    .sort((a, b) => (lastSeen(b) ?? 0) - (lastSeen(a) ?? 0));
  const fromEvent = pulls[0]?.message;
  if (fromEvent) return fromEvent;
  if (waitingMessage && !/^Back-off pulling image/i.test(waitingMessage) && !restatesState(waitingMessage)) return waitingMessage;
  return undefined;
}

function pullAdvice(failure: PullFailure | undefined, pod: V1Pod, node: string): string {
  const secrets = (pod.spec?.imagePullSecrets ?? []).map((s) => s.name).filter(Boolean);
  const pullSecrets = secrets.length
    ? `the pod pulls with imagePullSecrets ${secrets.join(', ')}: check that they exist and hold valid credentials for this registry`
    : `the pod has no imagePullSecrets (nor does it get any from its ServiceAccount ${pod.spec?.serviceAccountName ?? 'default'} unless that one lists some): add one for this registry`;
  switch (failure) {
    case 'tag or image not found':
      return 'The registry has no such image or tag: check the name and tag in the pod template (a typo, a tag not pushed yet, a deleted tag), or undo the rollout that brought it.';
    case 'unauthorized':
      return `The registry refused the credentials: ${pullSecrets}.`;
    case 'not found or not authorized':
      return `The registry does not say whether the image is missing or the credentials cannot read it: check the name and tag, and ${pullSecrets.replace(/^the pod/, 'that the pod')}.`;
    case 'registry unreachable':
      return `Node ${node} cannot reach the registry (network, DNS, proxy, firewall, or the registry is down): try pulling from that node, and check the registry's status.`;
    case 'other':
      return 'Read the registry\'s answer below; check the image name, the registry and the pull secret (imagePullSecrets).';
    default:
      return 'The registry\'s answer is not in the recent events: kubectl describe pod shows it. Check the image name and tag, that it exists in the registry, and the pull secret (imagePullSecrets).';
  }
}

/** What the pod checks may use besides the pods: the namespace's Warning events and deployments. */
export interface PodContext {
  events?: readonly CoreV1Event[];
  /** Names of the namespace's deployments, to name the one a pod belongs to. */
  deployments?: ReadonlySet<string>;
}

/** The deployment a pod belongs to (its ReplicaSet's name less the pod-template-hash), if it is one of `deployments`. */
export function deploymentOf(pod: V1Pod, deployments: ReadonlySet<string> | undefined): string | undefined {
  const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.controller && o.kind === 'ReplicaSet');
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (!owner || !hash || !owner.name.endsWith(`-${hash}`)) return undefined;
  const name = owner.name.slice(0, -hash.length - 1);
  return deployments?.has(name) ? name : undefined;
}

/** Seed 003's memory limit, the least a container killed for memory without one is offered. */
const SUGGESTED_MEMORY_FLOOR = 2 ** 30;

/** A limit to offer a container OOMKilled without one: twice its request, at least 1Gi, in whole MiB. */
export function suggestedMemoryLimit(container: V1Container | undefined): string {
  const request = parseQuantity(container?.resources?.requests?.['memory']);
  const want = Math.max(SUGGESTED_MEMORY_FLOOR, Number.isFinite(request) ? 2 * request : 0);
  return formatMemory(Math.ceil(want / 2 ** 20) * 2 ** 20);
}

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

export function podFindings(namespace: string, pods: readonly V1Pod[], th: KubeThresholds, context: PodContext = {}): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) findings.push(...onePod(namespace, pod, th, context));
  return findings;
}

/**
 * A container killed for memory that has no memory limit: the node ran out of memory and its
 * kernel chose it (a container without a limit is bounded by nothing else). Only OOMKilled is
 * detected, not CPU throttling: throttling is the CFS quota of a CPU limit at work, so a container
 * without a limit is never throttled, and measuring it needs the kubelet's cAdvisor metrics
 * (container_cpu_cfs_throttled_periods_total), which neither the pod status nor the stats summary
 * carries.
 */
function unlimitedOom(ns: string, pod: V1Pod, cs: V1ContainerStatus, spec: V1Container | undefined, context: PodContext): Finding | undefined {
  const killed = [cs.lastState?.terminated, cs.state?.terminated].find((t) => t?.reason === 'OOMKilled');
  if (!killed || spec?.resources?.limits?.['memory'] !== undefined) return undefined;
  const name = pod.metadata?.name ?? '?';
  const deployment = deploymentOf(pod, context.deployments);
  const memory = suggestedMemoryLimit(spec);
  const cpu = spec?.resources?.limits?.['cpu'];
  const missing = cpu === undefined ? 'no resource limits' : `no memory limit (cpu limit ${cpu})`;
  return {
    check: 'OOMKilled without limit',
    component: `${ns}/${name}`,
    status: 'warning',
    value: `container ${cs.name} has ${missing} and was OOMKilled (exit ${killed.exitCode})${killed.finishedAt ? ` at ${iso(killed.finishedAt)}` : ''}, ${cs.restartCount} restarts`,
    threshold: resources(spec),
    recommendation:
      `Without a memory limit the container is stopped only when node ${pod.spec?.nodeName ?? '?'} runs out of memory, taking other pods' memory first: ` +
      `give container ${cs.name} a memory limit (${memory} offered: seed 003's 1Gi, or twice the request when that is more) and a request it really needs.` +
      (deployment ? '' : ' Set it in the spec of the pod\'s owner.'),
    ...(deployment
      ? { remediation: { action: 'k8s.set-resources', args: [`${ns}/${deployment}`, cs.name, '--memory', memory], label: `Limit ${cs.name} of ${ns}/${deployment} to ${memory}` } }
      : {}),
  };
}

/** For a container OOMKilled at its limit: k8s.set-resources doubling it (512Mi → 1Gi, seed 003's raise). */
function raiseLimit(ns: string, pod: V1Pod, container: string, spec: V1Container | undefined, context: PodContext): Pick<Finding, 'remediation'> {
  const deployment = deploymentOf(pod, context.deployments);
  const limit = parseQuantity(spec?.resources?.limits?.['memory']);
  if (!deployment || !Number.isFinite(limit) || limit <= 0) return {};
  const memory = formatMemory(Math.ceil((2 * limit) / 2 ** 20) * 2 ** 20);
  return { remediation: { action: 'k8s.set-resources', args: [`${ns}/${deployment}`, container, '--memory', memory], label: `Raise ${container} of ${ns}/${deployment} to ${memory}` } };
}

function onePod(ns: string, pod: V1Pod, th: KubeThresholds, context: PodContext): Finding[] {
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
      const answer = reason === 'InvalidImageName' || reason === 'ErrImageNeverPull' ? undefined : pullAnswer(pod, waiting?.message, context.events ?? []);
      const failure = answer === undefined ? undefined : classifyPull(answer);
      out.push({
        check: 'image pull',
        component,
        status: 'critical',
        value: `${reason}: ${cs.image || spec?.image || 'image'}${failure ? ` (${failure})` : ''}`,
        recommendation:
          reason === 'InvalidImageName'
            ? 'The image reference is not valid: fix it in the pod template.'
            : reason === 'ErrImageNeverPull'
              ? 'imagePullPolicy is Never and the image is not on the node: pull it there or change the policy.'
              : pullAdvice(failure, pod, pod.spec?.nodeName ?? '?'),
        evidence: [answer ? `registry: ${answer.slice(0, 400)}${answer.length > 400 ? '…' : ''}` : undefined, waiting?.message !== answer ? waiting?.message : undefined].filter(isText),
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
    }
    const unlimited = unlimitedOom(ns, pod, cs, spec, context);
    if (unlimited) out.push(unlimited);
    else if ((!reason || TRANSIENT.has(reason)) && last?.reason === 'OOMKilled') {
      out.push({
        check: 'OOMKilled',
        component,
        status: 'warning',
        value: `container ${cs.name} was OOMKilled (exit ${last.exitCode})${last.finishedAt ? ` at ${iso(last.finishedAt)}` : ''}, ${cs.restartCount} restarts`,
        threshold: resources(spec),
        recommendation: 'The container used more memory than its limit: raise the limit or find the leak (kubectl top pod, heap profile).',
        ...raiseLimit(ns, pod, cs.name, spec, context),
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

  const containerProblem = out.some((f) => f.check !== 'restarts' && f.check !== 'OOMKilled' && f.check !== 'OOMKilled without limit');
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
