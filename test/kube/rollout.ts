/**
 * A small deployment controller for the test server. When a deployment's spec changes it picks
 * the ReplicaSet of the new pod template (an owned one whose template matches, as on a rollback, or
 * a new one with a pod-template-hash), gives it the next revision, and after `rolloutMs` brings
 * the status up to date: complete (observedGeneration, updated, ready and available replicas all
 * caught up, old ReplicaSets scaled to 0) or stuck (observedGeneration caught up, the new pods
 * never ready).
 */
import { createHash } from 'node:crypto';
import { meta, time, type KubeObject } from './builders.js';
import type { KubeFixtures } from './fixtures.js';

export interface Simulation {
  /** How long after a spec change the status catches up. */
  rolloutMs: number;
  rollout: 'complete' | 'stuck';
  /** How long a deleted pod stays (with a deletionTimestamp) before it disappears; 0: at once. */
  terminationMs: number;
}

export interface Cluster {
  fixtures: KubeFixtures;
  sim: Simulation;
  /** Runs `fn` after `ms` unless the server closes first. */
  later(ms: number, fn: () => void): void;
}

let resourceVersion = 500_000;
export function bump(o: KubeObject): void {
  o.metadata['resourceVersion'] = String(++resourceVersion);
}

const REVISION = 'deployment.kubernetes.io/revision';
type Template = { metadata?: { labels?: Record<string, string> }; [k: string]: unknown };
type Spec = { replicas?: number; template: Template; paused?: boolean };

const annotations = (o: KubeObject) => ((o.metadata['annotations'] ??= {}) as Record<string, string>);
const revisionOf = (o: KubeObject) => Number(annotations(o)[REVISION] ?? 0);

/** JSON with its keys sorted. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The template without its pod-template-hash label, as text, to compare templates. */
export function templateKey(t: Template | undefined): string {
  const copy = JSON.parse(JSON.stringify(t ?? {})) as Template;
  delete copy.metadata?.labels?.['pod-template-hash'];
  return canonical(copy);
}

/** The pod-template-hash of a template: ten characters of the alphabet Kubernetes uses. */
function podTemplateHash(t: Template): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = createHash('sha256').update(templateKey(t)).digest();
  return Array.from(bytes.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
}

export const ownedBy = (owner: KubeObject) => (o: KubeObject) =>
  ((o.metadata['ownerReferences'] ?? []) as Array<{ uid?: string; controller?: boolean }>).some((r) => r.controller && r.uid === owner.metadata.uid);

/** The ReplicaSet of the deployment's current template, made if there is none, at the latest revision. */
function replicaSetFor(c: Cluster, d: KubeObject): KubeObject {
  const spec = d.spec as Spec;
  const owned = c.fixtures.replicasets.filter(ownedBy(d));
  const latest = Math.max(0, ...owned.map(revisionOf));
  let rs = owned.find((r) => templateKey((r.spec as Spec).template) === templateKey(spec.template));
  if (!rs) {
    const hash = podTemplateHash(spec.template);
    const template = JSON.parse(JSON.stringify(spec.template)) as Template;
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, 'pod-template-hash': hash } };
    const labels = template.metadata.labels ?? {};
    rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { ...meta(Date.now(), d.metadata.namespace, `${d.metadata.name}-${hash}`, labels, 0, d), annotations: {} },
      spec: { replicas: 0, selector: { matchLabels: labels }, template },
      status: { replicas: 0, observedGeneration: 1 },
    };
    c.fixtures.replicasets.push(rs);
  }
  if (revisionOf(rs) !== latest || latest === 0) {
    const old = annotations(rs)[REVISION];
    annotations(rs)[REVISION] = String(latest + 1);
    if (old) annotations(rs)['deployment.kubernetes.io/revision-history'] = old;
  }
  annotations(d)[REVISION] = annotations(rs)[REVISION] ?? '1';
  return rs;
}

function condition(type: string, status: string, reason: string, message: string) {
  const now = time(Date.now(), 0);
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** Call after a deployment's spec changed (its generation already bumped). */
export function afterSpecChange(c: Cluster, d: KubeObject): void {
  const spec = d.spec as Spec;
  if (spec.paused) return;
  const rs = replicaSetFor(c, d);
  const uid = d.metadata.uid;
  const fixtures = c.fixtures;
  c.later(c.sim.rolloutMs, () => {
    const live = fixtures.deployments.find((o) => o.metadata.uid === uid);
    if (!live) return;
    const want = (live.spec as Spec).replicas ?? 1;
    const s = (live.status ?? {}) as Record<string, unknown>;
    const name = rs.metadata.name;
    s['observedGeneration'] = live.metadata['generation'];
    if (c.sim.rollout === 'complete') {
      Object.assign(s, { replicas: want, updatedReplicas: want, readyReplicas: want, availableReplicas: want });
      delete s['unavailableReplicas'];
      s['conditions'] = [
        condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${name}" has successfully progressed.`),
      ];
      for (const r of fixtures.replicasets.filter(ownedBy(live))) {
        const n = r === rs ? want : 0;
        r.spec = { ...(r.spec as object), replicas: n };
        r.status = { ...(r.status as object), replicas: n, readyReplicas: n, availableReplicas: n, fullyLabeledReplicas: n };
        bump(r);
      }
    } else {
      const ready = Math.max(0, Math.min(Number(s['readyReplicas'] ?? 0), want - 1));
      Object.assign(s, { updatedReplicas: Math.min(1, want), readyReplicas: ready, availableReplicas: ready, unavailableReplicas: want - ready });
      s['replicas'] = Math.max(Number(s['replicas'] ?? 0), want);
      s['conditions'] = [
        condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
        condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${name}" is progressing.`),
      ];
    }
    live.status = s;
    bump(live);
  });
}
