/**
 * The default cluster of the Kubernetes tests: namespace `shop` with a pod in each failure state
 * of the troubleshooting guide (CrashLoopBackOff, image pull, missing ConfigMap, OOMKilled,
 * unschedulable, readiness failing) next to healthy ones; deployments, autoscalers, Warning
 * events (recent and old), three nodes (one NotReady, one under memory pressure), pod metrics, and
 * the logs of the `api` deployment with errors of every category.
 */
import {
  condition,
  deployment,
  event,
  node,
  nodeConditions,
  pod,
  replicaSet,
  time,
  uid,
  type AppSpec,
  type KubeObject,
  type LogEntry,
} from './builders.js';

export type { KubeObject, LogEntry } from './builders.js';
import type { VolumeUsage } from './objects.js';

export interface KubeFixtures {
  pods: KubeObject[];
  deployments: KubeObject[];
  replicasets: KubeObject[];
  hpas: KubeObject[];
  /** core/v1 events (also served as events.k8s.io/v1). */
  events: KubeObject[];
  nodes: KubeObject[];
  /** PodMetrics; null when metrics-server is absent (404). */
  podMetrics: KubeObject[] | null;
  /** Key "ns/pod/container", with "#previous" for the previous container. */
  logs: Record<string, LogEntry[]>;
  /** networking.k8s.io/v1 Ingresses; without them the group answers 404. */
  ingresses?: KubeObject[];
  /** policy/v1 PodDisruptionBudgets (status computed from the pods); without them the group answers 404. */
  pdbs?: KubeObject[];
  /** core/v1 Services (none when absent); their EndpointSlices are derived from the pods unless `endpointSlices` is set. */
  services?: KubeObject[];
  endpointSlices?: KubeObject[];
  /** core/v1 Secrets with their data; a metadata-only list (as=PartialObjectMetadataList) gets none of it. */
  secrets?: KubeObject[];
  /** cert-manager.io/v1 Certificates; without them the CRD is not installed (404). */
  certificates?: KubeObject[];
  /** core/v1 PersistentVolumeClaims (none when absent). */
  pvcs?: KubeObject[];
  /** The used and total bytes of claims' volumes, keyed "ns/claim", as the kubelets' stats summaries report them. */
  volumeUsage?: Record<string, VolumeUsage>;
  /** batch/v1 Jobs (none when absent); deleting one with propagationPolicy Background deletes its pods too. */
  jobs?: KubeObject[];
}

export const NS = 'shop';
export const POD = {
  crash: 'api-7d9f8c6b5d-k2x9p',
  oom: 'api-7d9f8c6b5d-m4q7t',
  apiOk: 'api-7d9f8c6b5d-w8z5n',
  pullBackOff: 'web-5c4b9f7d8-p6r2x',
  errPull: 'web-5c4b9f7d8-t9v4c',
  config: 'notifier-58d6f9c7b-q3w7e',
  pending: 'search-6b7c8d9f5-h4k8m',
  unready: 'search-6b7c8d9f5-r2t6y',
  job: 'db-migrate-28931045-x7k2p',
} as const;
export const SCHEDULER_MESSAGE = '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

const apps = {
  api: { app: 'api', image: 'registry.example.com/shop/api:2.4.0', replicas: 3, cpu: ['250m', '1'], memory: ['256Mi', '512Mi'] },
  web: { app: 'web', image: 'registry.example.com/shop/web:2.5.0', replicas: 4 },
  webOld: { app: 'web', image: 'registry.example.com/shop/web:2.4.3', replicas: 4 },
  notifier: { app: 'notifier', image: 'registry.example.com/shop/notifier:1.9.2', replicas: 1 },
  search: { app: 'search', image: 'registry.example.com/shop/search:3.1.0', replicas: 2, memory: ['6Gi', '6Gi'] },
  cart: { app: 'cart', image: 'registry.example.com/shop/cart:1.12.0', replicas: 2 },
} satisfies Record<string, AppSpec>;

const running = (now: number, ago = 3 * 3600) => ({ running: { startedAt: time(now, ago) } });
const healthy = (now: number) => ({ phase: 'Running' as const, container: { state: running(now), ready: true, restartCount: 0 } });

function deploymentStatus(replicas: number, updated: number, ready: number, conditions: object[]) {
  return {
    replicas,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
    conditions,
  };
}
const availableTrue = (now: number) => condition(now, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.');
const availableFalse = (now: number) => condition(now, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', 900);
const progressed = (now: number, rs: string) => condition(now, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`, 86_400);

export function defaultFixtures(now = Date.now()): KubeFixtures {
  const { api, web, webOld, notifier, search, cart } = apps;
  const dApi = deployment(now, NS, api, deploymentStatus(3, 3, 2, [availableFalse(now), progressed(now, 'api-7d9f8c6b5d')]));
  const dWeb = deployment(now, NS, web, {
    ...deploymentStatus(5, 2, 3, [availableTrue(now), condition(now, 'Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-5c4b9f7d8" has timed out progressing.', 1200)]),
  });
  (dWeb.spec as { strategy: object }).strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } };
  const notifierProgressing = condition(now, 'Progressing', 'True', 'ReplicaSetUpdated', 'ReplicaSet "notifier-58d6f9c7b" is progressing.', 240);
  const dNotifier = deployment(now, NS, notifier, deploymentStatus(1, 1, 0, [availableFalse(now), notifierProgressing]));
  const dSearch = deployment(now, NS, search, deploymentStatus(2, 2, 0, [availableFalse(now), progressed(now, 'search-6b7c8d9f5')]));
  const dCart = deployment(now, NS, cart, deploymentStatus(2, 2, 2, [availableTrue(now), progressed(now, 'cart-84f6d5c7b9')]));

  const rsApi = replicaSet(now, dApi, '7d9f8c6b5d', api, 3, 2);
  const rsWeb = replicaSet(now, dWeb, '5c4b9f7d8', web, 2, 0);
  const rsWebOld = replicaSet(now, dWeb, '6f8d7c9b4', webOld, 3, 3, 6);
  const rsNotifier = replicaSet(now, dNotifier, '58d6f9c7b', notifier, 1, 0);
  const rsSearch = replicaSet(now, dSearch, '6b7c8d9f5', search, 2, 0);
  const rsCart = replicaSet(now, dCart, '84f6d5c7b9', cart, 2, 2);

  const pCrash = pod(now, rsApi, 'k2x9p', api, {
    phase: 'Running',
    container: {
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=api pod=${POD.crash}_shop(${uid(`${NS}/${POD.crash}`)})` } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: time(now, 75), finishedAt: time(now, 62), containerID: 'containerd://5e1f0c9a3b7d' } },
      ready: false,
      restartCount: 12,
      started: false,
    },
  });
  const pOom = pod(now, rsApi, 'm4q7t', api, {
    phase: 'Running',
    container: {
      state: running(now, 1200),
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: time(now, 9000), finishedAt: time(now, 1201), containerID: 'containerd://9c2d4e6f8a0b' } },
      ready: true,
      restartCount: 3,
    },
  });
  const pApiOk = pod(now, rsApi, 'w8z5n', api, healthy(now));
  const pPull = pod(now, rsWeb, 'p6r2x', web, {
    phase: 'Pending',
    container: { state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${web.image}"` } }, ready: false, restartCount: 0, imageID: '' },
  }, 1500);
  const pErrPull = pod(now, rsWeb, 't9v4c', web, {
    phase: 'Pending',
    container: {
      state: { waiting: { reason: 'ErrImagePull', message: `failed to pull and unpack image "${web.image}": failed to resolve reference "${web.image}": ${web.image}: not found` } },
      ready: false,
      restartCount: 0,
      imageID: '',
    },
    node: 'node-c',
  }, 1500);
  const webOlds = ['b7n3k', 'd2h8s', 'f5j6l'].map((s) => pod(now, rsWebOld, s, webOld, healthy(now)));
  const pConfig = pod(now, rsNotifier, 'q3w7e', notifier, {
    phase: 'Pending',
    container: { state: { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "api-config" not found' } }, ready: false, restartCount: 0 },
  }, 600);
  const pPending = pod(now, rsSearch, 'h4k8m', search, { phase: 'Pending', scheduled: { reason: 'Unschedulable', message: SCHEDULER_MESSAGE } }, 900);
  const pUnready = pod(now, rsSearch, 'r2t6y', search, { phase: 'Running', container: { state: running(now, 1800), ready: false, restartCount: 0 } });
  const carts = ['g5l2v', 'z7x4c'].map((s) => pod(now, rsCart, s, cart, healthy(now)));
  // A completed Job pod: never reported.
  const jobOwner: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'db-migrate-28931045', namespace: NS, uid: uid(`${NS}/db-migrate-28931045`) },
    spec: { selector: { matchLabels: { 'job-name': 'db-migrate-28931045' } } },
  };
  const migrate = { app: 'db-migrate', image: 'registry.example.com/shop/api:2.4.0', replicas: 1 };
  const completed = { terminated: { exitCode: 0, reason: 'Completed', startedAt: time(now, 7200), finishedAt: time(now, 7100) } };
  const job = pod(now, jobOwner, 'x7k2p', migrate, { phase: 'Succeeded', container: { state: completed, ready: false, restartCount: 0 } }, 7300);

  const hpa = (target: string, min: number, max: number, current: number, conditions: object[], metric: object): KubeObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target, namespace: NS, uid: `hpa-${target}`, resourceVersion: '4242', creationTimestamp: time(now, 30 * 86_400), labels: { app: target } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: min,
      maxReplicas: max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
    status: {
      currentReplicas: current,
      desiredReplicas: current,
      lastScaleTime: time(now, 1800),
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: metric } }],
      conditions,
    },
  });
  const hpas = [
    hpa('api', 2, 3, 3, [
      condition(now, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size'),
      condition(now, 'ScalingActive', 'True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)'),
      condition(now, 'ScalingLimited', 'True', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'),
    ], { averageUtilization: 92, averageValue: '230m' }),
    hpa('search', 2, 6, 2, [
      condition(now, 'AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale'),
      condition(
        now,
        'ScalingActive',
        'False',
        'FailedGetResourceMetric',
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      ),
    ], {}),
    hpa('cart', 2, 10, 2, [
      condition(now, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size'),
      condition(now, 'ScalingActive', 'True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)'),
      condition(now, 'ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range'),
    ], { averageUtilization: 35, averageValue: '35m' }),
  ];

  const events = [
    event(now, { ns: NS, object: pCrash, reason: 'BackOff', message: `Back-off restarting failed container api in pod ${POD.crash}_shop`, count: 14, first: 3000, last: 60 }),
    event(now, { ns: NS, object: pCrash, reason: 'BackOff', message: `Back-off restarting failed container api in pod ${POD.crash}_shop(2)`, count: 3, first: 1500, last: 480 }),
    event(now, { ns: NS, object: pPending, reason: 'FailedScheduling', message: SCHEDULER_MESSAGE, series: { count: 6, eventTime: 850, lastObserved: 120 }, component: 'default-scheduler' }),
    event(now, { ns: NS, object: pUnready, reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', count: 42, first: 1700, last: 30 }),
    event(now, { ns: NS, object: pConfig, reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "tls" : secret "notifier-tls" not found', count: 5, first: 590, last: 240 }),
    event(now, { ns: NS, object: pErrPull, reason: 'Failed', message: `Failed to pull image "${web.image}": not found`, count: 4, first: 1400, last: 150 }),
    // Old: outside the 15 minutes.
    event(now, { ns: NS, object: carts[0]!, reason: 'BackOff', message: 'Back-off restarting failed container cart', count: 9, first: 9000, last: 7200 }),
    event(now, { ns: NS, object: carts[1]!, reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "cache" : timed out', count: 2, first: 3000, last: 2700 }),
    event(now, {
      ns: NS,
      object: webOlds[0]!,
      reason: 'FailedScheduling',
      message: '0/3 nodes are available: 1 node(s) had untolerated taint',
      series: { count: 3, eventTime: 3600, lastObserved: 2400 },
      component: 'default-scheduler',
    }),
    // Normal: never reported.
    event(now, { ns: NS, object: pApiOk, reason: 'Pulled', message: `Container image "${api.image}" already present on machine`, type: 'Normal', count: 1, last: 100 }),
    event(now, { ns: NS, object: pOom, reason: 'Started', message: 'Started container api', type: 'Normal', count: 3, last: 200 }),
  ];

  const nodes = [
    node(now, 'node-a', '10.0.1.11', nodeConditions(now)),
    node(now, 'node-b', '10.0.1.12', nodeConditions(now, {
      MemoryPressure: ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      DiskPressure: ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      PIDPressure: ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      Ready: ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
    }), {
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: time(now, 400) },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: time(now, 390) },
      ],
    }),
    node(now, 'node-c', '10.0.1.13', nodeConditions(now, { MemoryPressure: ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'] })),
  ];

  const metric = (p: KubeObject, cpu: string, memory: string): KubeObject => ({
    metadata: { name: p.metadata.name, namespace: NS, labels: p.metadata.labels ?? {} },
    window: '15.022s',
    containers: [{ name: String(p.metadata.labels?.['app']), usage: { cpu, memory } }],
  });
  const podMetrics = [
    metric(pApiOk, '850123456n', '419840Ki'),
    metric(pOom, '120456789n', '497664Ki'),
    metric(pUnready, '5123456n', '81920Ki'),
    ...webOlds.map((p, i) => metric(p, `${210 + i}345678n`, `${150 + i}000Ki`)),
    ...carts.map((p, i) => metric(p, `${15 - i}234567n`, `${64 - i * 4}000Ki`)),
  ];

  return {
    pods: [pCrash, pOom, pApiOk, pPull, pErrPull, ...webOlds, pConfig, pPending, pUnready, ...carts, job],
    deployments: [dApi, dWeb, dNotifier, dSearch, dCart],
    replicasets: [rsApi, rsWeb, rsWebOld, rsNotifier, rsSearch, rsCart],
    hpas,
    events,
    nodes,
    podMetrics,
    logs: apiLogs(now),
  };
}

/** Deterministic pseudo-random numbers (a linear congruential generator). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

/** Lines of the api pods per kind, within the last 5 minutes unless said otherwise. */
export const API_LOG_PLAN = {
  [POD.apiOk]: { info: 120, database: 12, timeout: 8, connection: 6, other: 4, memory: 0, fatalMemory: 0, old: 30, oldErrors: 5 },
  [POD.oom]: { info: 80, database: 5, timeout: 3, connection: 0, other: 0, memory: 2, fatalMemory: 1, old: 10, oldErrors: 0 },
} as const;
/** The crash-looping pod's current and previous containers each log this startup. */
export const CRASH_ATTEMPTS = 5;
/** What the logs probe must find over the last 5 minutes (current + previous of the crash-looping pod). */
export const API_LOG_EXPECTED = {
  database: 12 + 5 + 2 * (CRASH_ATTEMPTS + 1),
  timeout: 11,
  memory: 3,
  connection: 6,
  other: 4,
  fatal: 3,
};

function apiLogs(now: number): Record<string, LogEntry[]> {
  const rnd = random(42);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const hexs = (n: number) => Array.from({ length: n }, () => int(0, 15).toString(16)).join('');
  const uuid = () => `${hexs(8)}-${hexs(4)}-4${hexs(3)}-a${hexs(3)}-${hexs(12)}`;
  const at = (age: number) => new Date(now - age * 1000).toISOString();
  const templates = {
    info: (age: number) => `${at(age)} INFO  [http] GET /api/orders/${int(1000, 99999)} 200 ${int(2, 80)}ms req=${uuid()}`,
    database: (age: number) => `${at(age)} ERROR [db] query failed after ${int(5000, 5100)}ms: canceling statement due to statement timeout (order ${int(1000, 99999)}, req ${uuid()})`,
    timeout: (age: number) => `${at(age)} ERROR [inventory] upstream request to http://10.0.4.${int(2, 250)}:8080/v1/stock/${int(100, 999)} timed out after 3000ms`,
    connection: (age: number) => `${at(age)} ERROR [cache] redis connect ECONNREFUSED 10.0.5.9:6379 (attempt ${int(1, 5)}/5, trace 0x${hexs(12)})`,
    other: (age: number) => `${at(age)} ERROR [http] unhandled exception in POST /api/checkout/${int(1000, 99999)}: TypeError: Cannot read properties of undefined (reading 'total')`,
    memory: (age: number) => `${at(age)} ERROR [worker] allocation failed: JavaScript heap usage ${int(400, 500)}MB exceeds ${int(90, 99)}% of limit`,
    fatalMemory: (age: number) => `${at(age)} FATAL [worker] out of memory: reached heap limit (rss ${int(500, 512)}MB), process exiting`,
    oldErrors: (age: number) => `${at(age)} ERROR [batch] nightly export job ${int(1, 99)} failed: disk quota exceeded`,
  };
  const logs: Record<string, LogEntry[]> = {};
  for (const [pod, plan] of Object.entries(API_LOG_PLAN)) {
    const entries: LogEntry[] = [];
    for (const [kind, n] of Object.entries(plan) as Array<[keyof typeof plan, number]>) {
      for (let i = 0; i < n; i++) {
        const old = kind === 'old' || kind === 'oldErrors';
        const age = old ? int(400, 900) : int(1, 290);
        entries.push({ ageSeconds: age, line: (kind === 'old' ? templates.info : templates[kind])(age) });
      }
    }
    logs[`${NS}/${pod}/api`] = entries.sort((a, b) => b.ageSeconds - a.ageSeconds);
  }
  // The OOMKilled container's previous life (20 minutes ago: not read by default).
  logs[`${NS}/${POD.oom}/api#previous`] = [{ ageSeconds: 1205, line: templates.fatalMemory(1205) }];
  const startup = (base: number): LogEntry[] => [
    { ageSeconds: base + 12, line: `${at(base + 12)} INFO  starting api v2.4.0 (pid 1)` },
    { ageSeconds: base + 11, line: `${at(base + 11)} INFO  loading configuration from /etc/api/config.yaml` },
    { ageSeconds: base + 10, line: `${at(base + 10)} INFO  connecting to database postgres://api@10.0.3.17:5432/shop` },
    ...Array.from({ length: CRASH_ATTEMPTS }, (_, i) => ({
      ageSeconds: base + 9 - 2 * i,
      line: `${at(base + 9 - 2 * i)} ERROR [db] connection to database at 10.0.3.17:5432 failed: connection refused (attempt ${i + 1}/${CRASH_ATTEMPTS})`,
    })),
    { ageSeconds: base, line: `${at(base)} FATAL [db] could not connect to database after ${CRASH_ATTEMPTS} attempts: connection refused, exiting` },
  ];
  logs[`${NS}/${POD.crash}/api`] = startup(62);
  logs[`${NS}/${POD.crash}/api#previous`] = startup(400);
  return logs;
}

/** A namespace of `n` crash-looping pods (one deployment), for volume. */
export function manyFailingPods(n: number, now = Date.now()): KubeFixtures {
  const a: AppSpec = { app: 'batch', image: 'registry.example.com/shop/batch:1.0.0', replicas: n };
  const d = deployment(now, NS, a, deploymentStatus(n, n, 0, [availableFalse(now), progressed(now, 'batch-6c5d4f3b2a')]));
  const rs = replicaSet(now, d, '6c5d4f3b2a', a, n, 0);
  const pods = Array.from({ length: n }, (_, i) =>
    pod(now, rs, `p${String(i).padStart(4, '0')}`, a, {
      phase: 'Running',
      container: {
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=batch' } },
        lastState: { terminated: { exitCode: 2, reason: 'Error', startedAt: time(now, 40), finishedAt: time(now, 30) } },
        ready: false,
        restartCount: 7 + (i % 30),
        started: false,
      },
    }),
  );
  return { pods, deployments: [d], replicasets: [rs], hpas: [], events: [], nodes: [], podMetrics: [], logs: {} };
}
