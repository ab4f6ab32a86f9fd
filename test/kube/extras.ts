/**
 * The default cluster plus what the networking, storage, resources and cleanup checks look at, in
 * namespace `shop`:
 * - Services: api, web and cart with ready pods; search whose two pods are not ready; checkout
 *   selecting no pod at all; legacy-db without a selector (endpoints kept by hand, skipped).
 * - Ingresses: storefront (web, api and a path to search-v2, a Service that does not exist; TLS
 *   from storefront-tls, present), admin (TLS secret admin-tls not there yet, its Certificate being
 *   issued) and docs (TLS secret docs-tls missing, no Certificate).
 * - Secrets storefront-tls and api-secrets (with data, which a metadata-only read never gets).
 * - Certificates: storefront-tls valid 60 days, api-tls expiring in 10 days, admin-tls not Ready
 *   (issuing), old-tls expired 2 days ago.
 * - Claims: search-data Pending for 20 minutes (mounted by the Pending search pod, a
 *   ProvisioningFailed event), uploads Pending for 2 minutes (within the grace), spare Pending for
 *   an hour with no pod using it, cart-data Bound at 96 %, api-cache Bound at 92 %, web-assets
 *   Bound at 40 % (on node-c).
 * - Deployment worker: its container has no limits and was OOMKilled.
 * - The image-pull pod's kubelet events: the registry's answer, then "Error: ImagePullBackOff".
 * - Jobs: db-migrate (Complete, owns the Succeeded pod), report (Failed, with a Failed pod), sync
 *   (still running, with its running pod).
 */
import { condition, deployment, event, pod, replicaSet, time, type AppSpec, type KubeObject } from './builders.js';
import { defaultFixtures, NS, POD, type KubeFixtures } from './fixtures.js';
import { certificate, job, mountClaim, pvc, secret, service } from './objects.js';
import { ingress } from './builders.js';

export const WORKER_POD = 'worker-5b7d9c8f6-n4m2k';
export const PULL_REGISTRY_ANSWER =
  'Failed to pull image "registry.example.com/shop/web:2.5.0": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/web:2.5.0": failed to resolve reference "registry.example.com/shop/web:2.5.0": registry.example.com/shop/web:2.5.0: not found';
export const GiB = 2 ** 30;

const find = (list: KubeObject[], name: string): KubeObject => {
  const o = list.find((x) => x.metadata.name === name);
  if (!o) throw new Error(`no ${name} in the fixtures`);
  return o;
};

export function extendedFixtures(now = Date.now()): KubeFixtures {
  const f = defaultFixtures(now);

  // A worker without limits, OOMKilled by the node (nothing bounded its memory).
  const worker: AppSpec = { app: 'worker', image: 'registry.example.com/shop/worker:1.3.0', replicas: 1 };
  const dWorker = deployment(now, NS, worker, {
    replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1,
    conditions: [condition(now, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')],
  });
  const rsWorker = replicaSet(now, dWorker, '5b7d9c8f6', worker, 1, 1);
  const strip = (o: KubeObject) => {
    const spec = (o.spec as { template?: { spec: { containers: Array<Record<string, unknown>> } }; containers?: Array<Record<string, unknown>> });
    for (const c of spec.template?.spec.containers ?? spec.containers ?? []) delete c['resources'];
    return o;
  };
  strip(dWorker);
  strip(rsWorker);
  const pWorker = strip(pod(now, rsWorker, 'n4m2k', worker, {
    phase: 'Running',
    container: {
      state: { running: { startedAt: time(now, 600) } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: time(now, 4000), finishedAt: time(now, 601), containerID: 'containerd://3f1e2d4c5b6a' } },
      ready: true,
      restartCount: 2,
    },
  }));
  (pWorker.status as { qosClass: string }).qosClass = 'BestEffort';

  const pods = [...f.pods, pWorker];
  const podNamed = (name: string) => find(pods, name);
  mountClaim(podNamed(POD.pending), 'search-data');
  mountClaim(podNamed('cart-84f6d5c7b9-g5l2v'), 'cart-data');
  mountClaim(podNamed(POD.apiOk), 'api-cache', 'cache');
  const webOnC = podNamed('web-6f8d7c9b4-d2h8s');
  (webOnC.spec as { nodeName: string }).nodeName = 'node-c';
  mountClaim(webOnC, 'web-assets', 'assets');
  // A pod of the uploads claim, still waiting for it.
  mountClaim(podNamed(POD.config), 'uploads');

  const services = [
    service(now, NS, 'api', { app: 'api' }, [[8080, 8080]]),
    service(now, NS, 'web', { app: 'web' }, [[80, 8080]]),
    service(now, NS, 'cart', { app: 'cart' }, [[80, 8080]]),
    service(now, NS, 'search', { app: 'search' }, [[80, 8080]]),
    service(now, NS, 'checkout', { app: 'checkout' }, [[80, 8080]]),
    service(now, NS, 'legacy-db', undefined, [[5432, 5432]]),
  ];

  const storefront = ingress(now, NS, 'storefront', 'shop.example.com', [['/', 'web', 80], ['/api', 'api', 8080], ['/search', 'search-v2', 80]], { 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
  const admin = ingress(now, NS, 'admin', 'admin.shop.example.com', [['/', 'cart', 80]]);
  const docs = ingress(now, NS, 'docs', 'docs.shop.example.com', [['/', 'web', 80]]);

  const secrets = [
    secret(now, NS, 'storefront-tls', 'kubernetes.io/tls', { 'tls.crt': '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n', 'tls.key': '-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n' }),
    secret(now, NS, 'api-secrets', 'Opaque', { SECRET_KEY: 'do-not-leak-this-value', JWT_SECRET_KEY: 'nor-this-one' }),
  ];

  const day = 86_400;
  const certificates = [
    certificate(now, NS, 'storefront-tls', 'storefront-tls', ['shop.example.com'], { ready: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', notAfterIn: 60 * day }),
    certificate(now, NS, 'api-tls', 'api-tls', ['api.shop.example.com'], { ready: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', notAfterIn: 10 * day }),
    certificate(now, NS, 'admin-tls', 'admin-tls', ['admin.shop.example.com'], {
      ready: 'False',
      reason: 'DoesNotExist',
      message: 'Issuing certificate as Secret does not exist',
    }),
    certificate(now, NS, 'old-tls', 'old-tls', ['old.shop.example.com'], { ready: 'False', reason: 'Expired', message: 'Certificate has expired', notAfterIn: -2 * day }),
  ];

  const pvcs = [
    pvc(now, NS, 'search-data', '50Gi', 'Pending', 20 * 60),
    pvc(now, NS, 'uploads', '10Gi', 'Pending', 120),
    pvc(now, NS, 'spare', '10Gi', 'Pending', 3600, 'gp3-wait'),
    pvc(now, NS, 'cart-data', '20Gi', 'Bound', 30 * day),
    pvc(now, NS, 'api-cache', '5Gi', 'Bound', 30 * day),
    pvc(now, NS, 'web-assets', '10Gi', 'Bound', 30 * day),
  ];
  const volumeUsage = {
    [`${NS}/cart-data`]: { usedBytes: Math.round(20 * GiB * 0.96), capacityBytes: 20 * GiB },
    [`${NS}/api-cache`]: { usedBytes: Math.round(5 * GiB * 0.92), capacityBytes: 5 * GiB },
    [`${NS}/web-assets`]: { usedBytes: Math.round(10 * GiB * 0.4), capacityBytes: 10 * GiB },
  };

  const pullPod = podNamed(POD.pullBackOff);
  const searchPod = podNamed(POD.pending);
  const claimOf = (name: string): KubeObject => find(pvcs, name);
  const events = [
    ...f.events,
    event(now, { ns: NS, object: pullPod, reason: 'Failed', message: PULL_REGISTRY_ANSWER, count: 3, first: 1400, last: 400 }),
    event(now, { ns: NS, object: pullPod, reason: 'Failed', message: 'Error: ErrImagePull', count: 3, first: 1400, last: 400 }),
    event(now, { ns: NS, object: pullPod, reason: 'BackOff', message: 'Back-off pulling image "registry.example.com/shop/web:2.5.0"', count: 40, first: 1390, last: 20 }),
    event(now, { ns: NS, object: pullPod, reason: 'Failed', message: 'Error: ImagePullBackOff', count: 40, first: 1390, last: 20 }),
    event(now, {
      ns: NS,
      object: claimOf('search-data'),
      reason: 'ProvisioningFailed',
      message: 'failed to provision volume with StorageClass "gp3": rpc error: code = ResourceExhausted desc = Could not create volume: VolumeLimitExceeded: maximum number of volumes reached',
      count: 8,
      first: 1190,
      last: 90,
      component: 'ebs.csi.aws.com_ebs-csi-controller-7c9d8f6b5-x2x4k_0f1e2d3c',
    }),
    event(now, { ns: NS, object: searchPod, reason: 'FailedScheduling', message: '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.', count: 5, first: 1180, last: 100, component: 'default-scheduler' }),
  ];

  // Jobs: the completed db-migrate owns the Succeeded pod of the default fixtures.
  const migrate = job(now, NS, 'db-migrate-28931045', 'Complete', 7100);
  const jobPod = podNamed(POD.job);
  (jobPod.metadata['ownerReferences'] as Array<Record<string, unknown>>)[0]!['uid'] = migrate.metadata.uid;
  const report = job(now, NS, 'report-28931100', 'Failed', 1800);
  const sync = job(now, NS, 'sync-28931160', 'Active', 0);
  const spec = { app: 'report', image: 'registry.example.com/shop/api:2.4.0', replicas: 1 };
  const reportPod = pod(now, report, 'r5t8w', spec, {
    phase: 'Failed',
    container: { state: { terminated: { exitCode: 1, reason: 'Error', startedAt: time(now, 1900), finishedAt: time(now, 1800) } }, ready: false, restartCount: 0 },
  }, 2000);
  const syncPod = pod(now, sync, 'k9j3h', { ...spec, app: 'sync' }, { phase: 'Running', container: { state: { running: { startedAt: time(now, 60) } }, ready: true, restartCount: 0 } }, 90);

  return {
    ...f,
    pods: [...pods, reportPod, syncPod],
    deployments: [...f.deployments, dWorker],
    replicasets: [...f.replicasets, rsWorker],
    events,
    services,
    ingresses: [storefront, admin, docs],
    secrets,
    certificates,
    pvcs,
    volumeUsage,
    jobs: [migrate, report, sync],
  };
}
