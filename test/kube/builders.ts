/**
 * Builders of Kubernetes objects as the API server serialises them (RFC 3339 times, status
 * conditions, container states, owner references), for the test fixtures.
 */
import { createHash } from 'node:crypto';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A line of a container's log, written `ageSeconds` before the request. */
export interface LogEntry {
  ageSeconds: number;
  line: string;
}

/** Deterministic UUID from a name. */
export function uid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
const hex = (name: string, n: number) => createHash('sha256').update(name).digest('hex').slice(0, n);

/** A metav1.Time: RFC 3339, whole seconds. */
export const time = (now: number, agoSeconds: number): string => new Date(now - agoSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** A metav1.MicroTime: RFC 3339 with microseconds. */
export const microTime = (now: number, agoSeconds: number): string => new Date(now - agoSeconds * 1000).toISOString().replace(/Z$/, '417Z');

export function meta(now: number, namespace: string | undefined, name: string, labels: Record<string, string>, ageSeconds: number, owner?: KubeObject) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: uid(`${namespace ?? ''}/${name}`),
    resourceVersion: String(100_000 + parseInt(hex(name, 4), 16)),
    generation: 1,
    creationTimestamp: time(now, ageSeconds),
    labels,
    ...(owner
      ? { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }] }
      : {}),
  };
}

export interface AppSpec {
  app: string;
  image: string;
  replicas: number;
  cpu?: [string, string];
  memory?: [string, string];
}

export function containerSpec(a: AppSpec) {
  return {
    name: a.app,
    image: a.image,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    resources: { requests: { cpu: a.cpu?.[0] ?? '100m', memory: a.memory?.[0] ?? '128Mi' }, limits: { cpu: a.cpu?.[1] ?? '500m', memory: a.memory?.[1] ?? '256Mi' } },
    readinessProbe: { httpGet: { path: '/healthz/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/healthz/live', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
}

/** A pod template as a Deployment holds it; a ReplicaSet's adds its pod-template-hash label. */
export function podTemplate(a: AppSpec, extraLabels: Record<string, string> = {}) {
  return { metadata: { labels: { app: a.app, ...extraLabels } }, spec: { containers: [containerSpec(a)], restartPolicy: 'Always' } };
}

export function deployment(now: number, ns: string, a: AppSpec, status: Record<string, unknown>): KubeObject {
  const labels = { app: a.app };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta(now, ns, a.app, labels, 30 * 86_400), annotations: { 'deployment.kubernetes.io/revision': '7' } },
    spec: {
      replicas: a.replicas,
      selector: { matchLabels: labels },
      template: podTemplate(a),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 1, ...status },
  };
}

/** A ReplicaSet owned by `dep`, at deployment revision `revision`. */
export function replicaSet(now: number, dep: KubeObject, hash: string, a: AppSpec, replicas: number, ready: number, revision = 7): KubeObject {
  const labels = { app: a.app, 'pod-template-hash': hash };
  const annotations = {
    'deployment.kubernetes.io/desired-replicas': String(a.replicas),
    'deployment.kubernetes.io/max-replicas': String(a.replicas + Math.ceil(a.replicas / 4)),
    'deployment.kubernetes.io/revision': String(revision),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { ...meta(now, dep.metadata.namespace, `${a.app}-${hash}`, labels, 3 * 86_400, dep), annotations },
    spec: { replicas, selector: { matchLabels: labels }, template: podTemplate(a, { 'pod-template-hash': hash }) },
    status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 },
  };
}

export function condition(now: number, type: string, status: string, reason?: string, message?: string, agoSeconds = 600) {
  return { type, status, lastProbeTime: null, lastTransitionTime: time(now, agoSeconds), ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

export interface PodState {
  phase: 'Running' | 'Pending' | 'Succeeded' | 'Failed';
  scheduled?: { reason: string; message: string };
  /** Container status fields (state, lastState, ready, restartCount); none when not scheduled. */
  container?: { state: object; lastState?: object; ready: boolean; restartCount: number; started?: boolean; imageID?: string };
  node?: string;
}

export function pod(now: number, rs: KubeObject, suffix: string, a: AppSpec, s: PodState, ageSeconds = 3 * 3600): KubeObject {
  const ns = rs.metadata.namespace ?? 'default';
  const name = `${rs.metadata.name}-${suffix}`;
  const ready = s.container?.ready ?? false;
  const unready = ready ? [] : [a.app];
  const node = s.node ?? 'node-a';
  const conditions = s.scheduled
    ? [condition(now, 'PodScheduled', 'False', s.scheduled.reason, s.scheduled.message, 300)]
    : [
        condition(now, 'PodReadyToStartContainers', 'True'),
        condition(now, 'Initialized', 'True'),
        ready ? condition(now, 'Ready', 'True') : condition(now, 'Ready', 'False', 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`),
        ready ? condition(now, 'ContainersReady', 'True') : condition(now, 'ContainersReady', 'False', 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`),
        condition(now, 'PodScheduled', 'True'),
      ];
  const c = s.container;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(now, ns, name, { ...(rs.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels }, ageSeconds, rs),
    spec: {
      containers: [containerSpec(a)],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      ...(s.scheduled ? {} : { nodeName: node }),
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: {
      phase: s.phase,
      conditions,
      qosClass: 'Burstable',
      ...(s.scheduled
        ? {}
        : {
            hostIP: '10.0.1.11',
            hostIPs: [{ ip: '10.0.1.11' }],
            podIP: `10.244.1.${parseInt(hex(name, 2), 16)}`,
            podIPs: [{ ip: `10.244.1.${parseInt(hex(name, 2), 16)}` }],
            startTime: time(now, ageSeconds),
          }),
      ...(c
        ? {
            containerStatuses: [
              {
                name: a.app,
                state: c.state,
                lastState: c.lastState ?? {},
                ready: c.ready,
                restartCount: c.restartCount,
                image: a.image,
                imageID: c.imageID ?? `${a.image.split(':')[0]}@sha256:${hex(a.image, 64)}`,
                ...('running' in c.state || 'terminated' in c.state || c.restartCount > 0 ? { containerID: `containerd://${hex(name + c.restartCount, 64)}` } : {}),
                started: c.started ?? 'running' in c.state,
              },
            ],
          }
        : {}),
    },
  };
}

export function node(now: number, name: string, ip: string, conditions: object[], extra: { taints?: object[] } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(now, undefined, name, { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm5.large' }, 90 * 86_400),
    spec: { podCIDR: `10.244.${ip.split('.').at(-1)}.0/24`, providerID: `aws:///eu-west-3a/i-0${hex(name, 16)}`, ...(extra.taints ? { taints: extra.taints } : {}) },
    status: {
      capacity: { cpu: '2', memory: '7934464Ki', pods: '29', 'ephemeral-storage': '83873772Ki' },
      allocatable: { cpu: '1930m', memory: '7244288Ki', pods: '29', 'ephemeral-storage': '76224326324' },
      conditions,
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        machineID: hex(name, 32),
        systemUUID: uid(name),
        bootID: uid(`${name}-boot`),
        kernelVersion: '6.1.115-126.197.amzn2023.x86_64',
        osImage: 'Amazon Linux 2023.6.20241121',
        containerRuntimeVersion: 'containerd://1.7.23',
        kubeletVersion: 'v1.31.4',
        kubeProxyVersion: 'v1.31.4',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** The four node conditions, with `overrides` by type: [status, reason, message]. */
export function nodeConditions(now: number, overrides: Record<string, [string, string, string]> = {}) {
  const base: Record<string, [string, string, string]> = {
    MemoryPressure: ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    DiskPressure: ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    PIDPressure: ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    Ready: ['True', 'KubeletReady', 'kubelet is posting ready status'],
    ...overrides,
  };
  return Object.entries(base).map(([type, [status, reason, message]]) => ({
    type,
    status,
    lastHeartbeatTime: time(now, status === 'Unknown' ? 420 : 20),
    lastTransitionTime: time(now, 3600),
    reason,
    message,
  }));
}

export interface EventSpec {
  ns: string;
  object: KubeObject;
  reason: string;
  message: string;
  type?: 'Warning' | 'Normal';
  /** Old-style event: count and first/last timestamps (seconds ago). */
  count?: number;
  first?: number;
  last?: number;
  /** New-style event (events.k8s.io): eventTime and a series; no lastTimestamp. */
  series?: { count: number; lastObserved: number; eventTime: number };
  component?: string;
}

export function event(now: number, e: EventSpec): KubeObject {
  const o = e.object;
  const component = e.component ?? 'kubelet';
  const name = `${o.metadata.name}.${hex(`${o.metadata.name}${e.reason}${e.message}${e.last ?? e.series?.eventTime}`, 16)}`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: e.ns, uid: uid(name), resourceVersion: String(200_000 + parseInt(hex(name, 4), 16)), creationTimestamp: time(now, e.first ?? e.series?.eventTime ?? 0) },
    involvedObject: {
      kind: o.kind,
      namespace: e.ns,
      name: o.metadata.name,
      uid: o.metadata.uid,
      apiVersion: o.apiVersion,
      resourceVersion: o.metadata['resourceVersion'],
      ...(o.kind === 'Pod' ? { fieldPath: `spec.containers{${String(o.metadata.labels?.['app'] ?? '')}}` } : {}),
    },
    reason: e.reason,
    message: e.message,
    source: { component, ...(component === 'kubelet' ? { host: 'node-a' } : {}) },
    type: e.type ?? 'Warning',
    reportingComponent: component,
    reportingInstance: component === 'kubelet' ? 'node-a' : '',
    ...(e.series
      ? {
          firstTimestamp: null,
          lastTimestamp: null,
          eventTime: microTime(now, e.series.eventTime),
          series: { count: e.series.count, lastObservedTime: microTime(now, e.series.lastObserved) },
          action: 'Scheduling',
        }
      : { firstTimestamp: time(now, e.first ?? e.last ?? 0), lastTimestamp: time(now, e.last ?? 0), count: e.count ?? 1, eventTime: null }),
  };
}

/** A networking.k8s.io/v1 Ingress of class nginx routing `host` paths to services. */
export function ingress(now: number, ns: string, name: string, host: string, paths: Array<[string, string, number]>, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { ...meta(now, ns, name, { app: name }, 60 * 86_400), annotations },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: [host], secretName: `${name}-tls` }],
      rules: [{ host, http: { paths: paths.map(([path, service, port]) => ({ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: port } } } })) } }],
    },
    status: { loadBalancer: { ingress: [{ hostname: `k8s-${hex(name, 8)}.elb.eu-west-3.amazonaws.com` }] } },
  };
}

/** A policy/v1 PodDisruptionBudget; the server computes its status from the pods when read. */
export function podDisruptionBudget(now: number, ns: string, name: string, selector: Record<string, string>, budget: { minAvailable: number | string } | { maxUnavailable: number | string }): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(now, ns, name, {}, 30 * 86_400),
    spec: { ...budget, selector: { matchLabels: selector } },
  };
}
