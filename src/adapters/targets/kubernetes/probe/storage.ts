/**
 * Storage, pure: claims Pending past a grace, and bound claims' volumes nearly full, from the
 * kubelets' stats summaries (`GET /api/v1/nodes/<node>/proxy/stats/summary`, `pods[].volume[]`
 * with a `pvcRef`), which is where Kubernetes reports a mounted volume's usage without Prometheus.
 */
import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { grade, type Finding } from '../../../../core/diagnostics/finding.js';
import { formatDuration } from '../../../../core/duration.js';
import { humanBytes } from '../quantity.js';
import type { KubeThresholds } from '../target.js';
import { lastSeen } from './events.js';

const claimsOf = (p: V1Pod): string[] => (p.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
const time = (d: Date | string | undefined): number | undefined => (d === undefined ? undefined : new Date(d).getTime());

/**
 * Pending claims. Within `pvcPendingGraceMs` (5 min) of creation a Pending claim is normal
 * (provisioning a disk takes a while); after it, one a pod waits for is critical, and one no pod
 * uses a warning: with a StorageClass that binds on first use (WaitForFirstConsumer) it stays
 * Pending until a pod needs it, by design.
 */
export function pvcFindings(ns: string, claims: readonly V1PersistentVolumeClaim[], pods: readonly V1Pod[] | undefined, events: readonly CoreV1Event[], now: Date, th: KubeThresholds): Finding[] {
  const out: Finding[] = [];
  const grace = formatDuration(th.pvcPendingGraceMs);
  for (const c of claims) {
    if (c.status?.phase !== 'Pending' || c.metadata?.deletionTimestamp) continue;
    const name = c.metadata?.name ?? '?';
    const created = time(c.metadata?.creationTimestamp);
    const age = created === undefined ? Number.POSITIVE_INFINITY : now.getTime() - created;
    if (age < th.pvcPendingGraceMs) continue;
    const users = (pods ?? []).filter((p) => claimsOf(p).includes(name) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').map((p) => p.metadata?.name ?? '?');
    const said = events
      .filter((e) => e.involvedObject.kind === 'PersistentVolumeClaim' && e.involvedObject.name === name)
      .sort((a, b) => (lastSeen(b) ?? 0) - (lastSeen(a) ?? 0))
      .map((e) => `${e.reason ?? 'event'}: ${(e.message ?? '').slice(0, 300)}`);
    const size = c.spec?.resources?.requests?.['storage'] ?? '?';
    const cls = c.spec?.storageClassName ?? '(default class)';
    const waited = Number.isFinite(age) ? formatDuration(age) : 'an unknown time';
    out.push({
      check: 'pvc pending',
      component: `${ns}/pvc/${name}`,
      status: users.length > 0 || pods === undefined ? 'critical' : 'warning',
      value: `Pending for ${waited} (${size}, StorageClass ${cls})${users.length ? `; ${users.length === 1 ? '1 pod waits' : `${users.length} pods wait`} for it` : '; no pod uses it'}`,
      threshold: `Pending is normal for ${grace} after creation; then critical when a pod needs it`,
      recommendation:
        users.length > 0 || pods === undefined
          ? `No volume could be provisioned or bound: check the StorageClass ${cls} exists and its provisioner runs (kubectl describe pvc ${name} -n ${ns}), the cloud quota, and the zone of the nodes.`
          : `No pod uses it: with a StorageClass that binds on first use (WaitForFirstConsumer) it stays Pending until one does; otherwise see kubectl describe pvc ${name} -n ${ns}.`,
      evidence: [...said.slice(0, 2), ...(users.length ? [`used by ${users.slice(0, 5).join(', ')}`] : [])],
    });
  }
  return out;
}

/** One volume of a stats summary that belongs to a claim. */
export interface ClaimUsage {
  namespace: string;
  claim: string;
  node: string;
  pod: string;
  usedBytes: number;
  capacityBytes: number;
}

/** The claims' volumes of the namespace in a kubelet's stats summary (checked field by field: it is not a typed API). */
export function claimUsage(ns: string, node: string, summary: unknown): ClaimUsage[] {
  const pods = (summary as { pods?: unknown } | null)?.pods;
  if (!Array.isArray(pods)) return [];
  const out: ClaimUsage[] = [];
  for (const p of pods as Array<{ podRef?: { name?: unknown }; volume?: unknown }>) {
    if (!Array.isArray(p?.volume)) continue;
    for (const v of p.volume as Array<{ pvcRef?: { name?: unknown; namespace?: unknown }; usedBytes?: unknown; capacityBytes?: unknown }>) {
      const ref = v?.pvcRef;
      if (!ref || ref.namespace !== ns || typeof ref.name !== 'string') continue;
      if (typeof v.usedBytes !== 'number' || typeof v.capacityBytes !== 'number' || v.capacityBytes <= 0) continue;
      out.push({ namespace: ns, claim: ref.name, node, pod: typeof p.podRef?.name === 'string' ? p.podRef.name : '?', usedBytes: v.usedBytes, capacityBytes: v.capacityBytes });
    }
  }
  return out;
}

/** Bound claims at `volumeUsageWarn` (90 %) or `volumeUsageCritical` (95 %) of their volume; one finding per claim (the fullest view of it). */
export function volumeUsageFindings(ns: string, usage: readonly ClaimUsage[], th: KubeThresholds): Finding[] {
  const fullest = new Map<string, ClaimUsage>();
  for (const u of usage) {
    const seen = fullest.get(u.claim);
    if (!seen || u.usedBytes / u.capacityBytes > seen.usedBytes / seen.capacityBytes) fullest.set(u.claim, u);
  }
  const threshold = `warning at ${Math.round(th.volumeUsageWarn * 100)} %, critical at ${Math.round(th.volumeUsageCritical * 100)} % used`;
  const out: Finding[] = [];
  for (const u of fullest.values()) {
    const share = u.usedBytes / u.capacityBytes;
    const status = grade(share, th.volumeUsageWarn, th.volumeUsageCritical);
    if (status === 'ok') continue;
    out.push({
      check: 'volume usage',
      component: `${ns}/pvc/${u.claim}`,
      status,
      value: `${Number((share * 100).toFixed(1))} % used: ${humanBytes(u.usedBytes)} of ${humanBytes(u.capacityBytes)}`,
      threshold,
      recommendation:
        `Free space on the volume (old logs, WAL, dumps) or expand the claim if its StorageClass allows it ` +
        `(kubectl patch pvc ${u.claim} -n ${ns} -p '{"spec":{"resources":{"requests":{"storage":"<larger>"}}}}'); a full volume stops writes.`,
      evidence: [`mounted by ${u.pod} on ${u.node}`],
    });
  }
  if (fullest.size > 0 && out.length === 0) out.push({ check: 'volume usage', component: ns, status: 'ok', value: `${fullest.size} mounted claims below ${Math.round(th.volumeUsageWarn * 100)} % used` });
  return out;
}

/** The nodes to ask for volume usage: those running a pod of the namespace that mounts a bound claim. */
export function nodesWithClaims(pods: readonly V1Pod[], claims: readonly V1PersistentVolumeClaim[]): string[] {
  const bound = new Set(claims.filter((c) => c.status?.phase === 'Bound').map((c) => c.metadata?.name ?? ''));
  const nodes = pods.filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName && claimsOf(p).some((c) => bound.has(c))).map((p) => p.spec?.nodeName as string);
  return [...new Set(nodes)].sort();
}
