/**
 * Builders of the objects the networking, storage and cleanup checks read, as the API server and
 * the kubelet serialise them: Services, the EndpointSlices the endpointslice controller derives
 * from them and the pods, Secrets (and their metadata-only view), cert-manager Certificates,
 * PersistentVolumeClaims, Jobs, and the kubelet's stats summary with its volume usage.
 */
import { meta, time, uid, type KubeObject } from './builders.js';

/** A ClusterIP Service; without `selector` it has no pods (endpoints are managed by hand). */
export function service(now: number, ns: string, name: string, selector: Record<string, string> | undefined, ports: Array<[number, number | string]> = [[80, 8080]]): KubeObject {
  const ip = `10.96.${(name.length * 7) % 250}.${(name.charCodeAt(0) * 3) % 250}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(now, ns, name, { app: name }, 45 * 86_400),
    spec: {
      type: 'ClusterIP',
      ...(selector ? { selector } : {}),
      clusterIP: ip,
      clusterIPs: [ip],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: ports.map(([port, targetPort]) => ({ name: `p${port}`, protocol: 'TCP', port, targetPort })),
    },
    status: { loadBalancer: {} },
  };
}

type PodLike = { metadata: KubeObject['metadata']; spec?: unknown; status?: unknown };
const podStatus = (p: PodLike) => (p.status ?? {}) as { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }> };
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * The EndpointSlices of the Services with a selector, as the endpointslice controller writes them:
 * one slice per Service, an endpoint per selected pod that has an IP, ready when the pod is Ready
 * and not terminating. Services without a selector get none (their slices are someone else's).
 */
export function endpointSlicesOf(services: readonly KubeObject[], pods: readonly PodLike[]): KubeObject[] {
  return services.flatMap((s) => {
    const selector = (s.spec as { selector?: Record<string, string> }).selector;
    if (!selector) return [];
    const ns = s.metadata.namespace;
    const selected = pods.filter((p) => p.metadata.namespace === ns && matches(selector, p.metadata.labels) && podStatus(p).podIP);
    const name = `${s.metadata.name}-${uid(s.metadata.name).slice(0, 5)}`;
    const ports = ((s.spec as { ports?: Array<{ name?: string; protocol?: string; targetPort?: number | string }> }).ports ?? []).map((p) => ({
      name: p.name ?? '',
      protocol: p.protocol ?? 'TCP',
      port: typeof p.targetPort === 'number' ? p.targetPort : 8080,
    }));
    return [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name,
          namespace: ns,
          uid: uid(`${ns}/${name}`),
          resourceVersion: '310000',
          generation: 1,
          creationTimestamp: String(s.metadata['creationTimestamp']),
          labels: { 'kubernetes.io/service-name': s.metadata.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
          annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': String(s.metadata['creationTimestamp']) },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: s.metadata.name, uid: s.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        addressType: 'IPv4',
        endpoints: selected.map((p) => {
          const st = podStatus(p);
          const terminating = Boolean(p.metadata['deletionTimestamp']);
          const ready = st.phase === 'Running' && (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
          return {
            addresses: [st.podIP],
            conditions: { ready: ready && !terminating, serving: ready, terminating },
            targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
            nodeName: (p.spec as { nodeName?: string } | undefined)?.nodeName,
          };
        }),
        ports,
      } as KubeObject,
    ];
  });
}

/** A Secret with its data (base64), as `kubectl get secret -o yaml` shows it. */
export function secret(now: number, ns: string, name: string, type: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...meta(now, ns, name, {}, 20 * 86_400), annotations: type === 'kubernetes.io/tls' ? { 'cert-manager.io/certificate-name': name } : {} },
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** The metadata-only view of an object (`as=PartialObjectMetadata`): no data, no spec. */
export function partialMetadata(o: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = o.metadata;
  return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata };
}

export interface CertificateState {
  ready: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** Seconds from now to notAfter (negative: expired); none while never issued. */
  notAfterIn?: number;
}

/** A cert-manager.io/v1 Certificate of `dnsNames`, issued by a ClusterIssuer into `secretName`. */
export function certificate(now: number, ns: string, name: string, secretName: string, dnsNames: string[], s: CertificateState): KubeObject {
  const notAfter = s.notAfterIn === undefined ? undefined : new Date(now + s.notAfterIn * 1000);
  const notBefore = notAfter ? new Date(notAfter.getTime() - 90 * 86_400_000) : undefined;
  const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { ...meta(now, ns, name, {}, 200 * 86_400), generation: 2 },
    spec: { secretName, dnsNames, issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' }, privateKey: { rotationPolicy: 'Always' } },
    status: {
      conditions: [{ type: 'Ready', status: s.ready, reason: s.reason, message: s.message, observedGeneration: 2, lastTransitionTime: time(now, 3600) }],
      ...(notAfter && notBefore
        ? { notAfter: stamp(notAfter), notBefore: stamp(notBefore), renewalTime: stamp(new Date(notAfter.getTime() - 30 * 86_400_000)), revision: 4 }
        : {}),
    },
  };
}

/** A PersistentVolumeClaim, Bound to a volume of `size` or Pending. */
export function pvc(now: number, ns: string, name: string, size: string, phase: 'Bound' | 'Pending', ageSeconds: number, storageClassName = 'gp3'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...meta(now, ns, name, {}, ageSeconds),
      annotations: phase === 'Bound' ? { 'pv.kubernetes.io/bind-completed': 'yes', 'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com' } : { 'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com' },
      finalizers: ['kubernetes.io/pvc-protection'],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      storageClassName,
      volumeMode: 'Filesystem',
      ...(phase === 'Bound' ? { volumeName: `pvc-${uid(`${ns}/${name}`)}` } : {}),
    },
    status: phase === 'Bound' ? { phase, accessModes: ['ReadWriteOnce'], capacity: { storage: size } } : { phase },
  };
}

/** Mounts claim `claim` into the pod at /data (volume "data"). */
export function mountClaim(pod: KubeObject, claim: string, volume = 'data'): KubeObject {
  const spec = pod.spec as { volumes?: object[]; containers: Array<{ volumeMounts?: object[] }> };
  spec.volumes = [...(spec.volumes ?? []), { name: volume, persistentVolumeClaim: { claimName: claim } }];
  const c = spec.containers[0];
  if (c) c.volumeMounts = [...(c.volumeMounts ?? []), { name: volume, mountPath: `/${volume}` }];
  return pod;
}

export type JobState = 'Complete' | 'Failed' | 'Active';

/** A batch/v1 Job that completed, failed (backoff limit) or is still running. */
export function job(now: number, ns: string, name: string, state: JobState, finishedAgoSeconds = 3600): KubeObject {
  const labels = { 'job-name': name, 'batch.kubernetes.io/job-name': name };
  const started = time(now, finishedAgoSeconds + 120);
  const finished = time(now, finishedAgoSeconds);
  const conditions =
    state === 'Complete'
      ? [
          { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: finished, lastTransitionTime: finished },
          { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: finished, lastTransitionTime: finished },
        ]
      : state === 'Failed'
        ? [
            { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: finished, lastTransitionTime: finished },
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: finished, lastTransitionTime: finished },
          ]
        : [];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...meta(now, ns, name, labels, finishedAgoSeconds + 130), uid: uid(`${ns}/${name}`) },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 2,
      completionMode: 'NonIndexed',
      suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid(`${ns}/${name}`) } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'registry.example.com/shop/api:2.4.0' }] } },
    },
    status: {
      startTime: started,
      ...(state === 'Active' ? { active: 1, ready: 1 } : {}),
      ...(state === 'Complete' ? { succeeded: 1, completionTime: finished } : {}),
      ...(state === 'Failed' ? { failed: 3 } : {}),
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions,
    },
  };
}

/** How full a claim's volume is, keyed "ns/claim" in the fixtures. */
export interface VolumeUsage {
  usedBytes: number;
  capacityBytes: number;
}

/**
 * The kubelet's `/stats/summary` for one node: every pod scheduled there, with the volumes it
 * mounts (a claim's with its pvcRef and the usage the fixtures give; the service-account token's
 * projected volume without one).
 */
export function statsSummary(node: string, pods: readonly PodLike[], usage: Record<string, VolumeUsage>, now = Date.now()): object {
  const at = new Date(now - 7000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const onNode = pods.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === node && podStatus(p).phase === 'Running');
  return {
    node: {
      nodeName: node,
      startTime: time(now, 90 * 86_400),
      cpu: { time: at, usageNanoCores: 412_000_000, usageCoreNanoSeconds: 9_876_543_210_000 },
      memory: { time: at, availableBytes: 3_221_225_472, usageBytes: 4_831_838_208, workingSetBytes: 4_294_967_296 },
      fs: { time: at, availableBytes: 60_000_000_000, capacityBytes: 85_886_742_528, usedBytes: 25_886_742_528 },
    },
    pods: onNode.map((p) => {
      const ns = p.metadata.namespace ?? 'default';
      const claims = ((p.spec as { volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }> }).volumes ?? []).filter((v) => v.persistentVolumeClaim);
      const volume = [
        { time: at, availableBytes: 7_864_320_000, capacityBytes: 7_864_336_384, usedBytes: 12_288, inodesFree: 1_919_989, inodes: 1_919_998, inodesUsed: 9, name: 'kube-api-access-x7k2p' },
        ...claims.flatMap((v) => {
          const u = usage[`${ns}/${v.persistentVolumeClaim!.claimName}`];
          if (!u) return [];
          return [
            {
              time: at,
              availableBytes: u.capacityBytes - u.usedBytes,
              capacityBytes: u.capacityBytes,
              usedBytes: u.usedBytes,
              inodesFree: 6_000_000,
              inodes: 6_553_600,
              inodesUsed: 553_600,
              name: v.name,
              pvcRef: { name: v.persistentVolumeClaim!.claimName, namespace: ns },
            },
          ];
        }),
      ];
      return { podRef: { name: p.metadata.name, namespace: ns, uid: p.metadata.uid }, startTime: time(now, 3 * 3600), containers: [], volume };
    }),
  };
}
