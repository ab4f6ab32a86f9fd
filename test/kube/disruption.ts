/**
 * PodDisruptionBudgets as the API server's eviction subresource applies them: a budget's status is
 * computed from the pods it selects (expected, healthy, desired healthy, disruptions allowed), and
 * an eviction that would take a budget below its desired healthy count is answered 429
 * TooManyRequests. An unhealthy pod may go while the budget is met (IfHealthyBudget, the default).
 */
import type { KubeFixtures, KubeObject } from './fixtures.js';

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = e.key in labels;
      if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key] ?? '');
      if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key] ?? '');
      return e.operator === 'Exists' ? has : !has;
    })
  );
}

const phase = (p: KubeObject) => (p.status as { phase?: string } | undefined)?.phase;
export const isTerminal = (p: KubeObject) => phase(p) === 'Succeeded' || phase(p) === 'Failed';
const isReady = (p: KubeObject) =>
  phase(p) === 'Running' && ((p.status as { conditions?: Array<{ type: string; status: string }> }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** An int or a percentage of `of` (rounded up), as an IntOrString of a budget. */
function amount(v: number | string, of: number): number {
  return typeof v === 'number' ? v : Math.ceil((Number.parseInt(v, 10) / 100) * of);
}

export interface BudgetStatus {
  observedGeneration: number;
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  conditions: object[];
}

export function budgetStatus(pdb: KubeObject, pods: KubeObject[]): BudgetStatus {
  const spec = pdb.spec as Selector & { selector?: Selector; minAvailable?: number | string; maxUnavailable?: number | string };
  const ns = pdb.metadata.namespace;
  const covered = pods.filter((p) => p.metadata.namespace === ns && !isTerminal(p) && !p.metadata['deletionTimestamp'] && selects(spec.selector, p.metadata.labels ?? {}));
  const expected = covered.length;
  const healthy = covered.filter(isReady).length;
  const desired = spec.minAvailable !== undefined ? amount(spec.minAvailable, expected) : Math.max(0, expected - amount(spec.maxUnavailable ?? 0, expected));
  const allowed = Math.max(0, healthy - desired);
  return {
    observedGeneration: 1,
    expectedPods: expected,
    currentHealthy: healthy,
    desiredHealthy: desired,
    disruptionsAllowed: allowed,
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: allowed > 0 ? 'True' : 'False',
        reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: 1,
        lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    ],
  };
}

export const withStatus = (f: KubeFixtures) => (f.pdbs ?? []).map((b) => ({ ...b, status: budgetStatus(b, f.pods) }));

/** Why evicting this pod now is refused: [HTTP status, message, cause] or undefined when it may go. */
export function evictionRefusal(pod: KubeObject, f: KubeFixtures): [number, string, string?] | undefined {
  if (isTerminal(pod)) return undefined;
  const budgets = (f.pdbs ?? []).filter(
    (b) => b.metadata.namespace === pod.metadata.namespace && selects((b.spec as { selector?: Selector }).selector, pod.metadata.labels ?? {}),
  );
  if (budgets.length > 1) return [500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'];
  const budget = budgets[0];
  if (!budget) return undefined;
  const s = budgetStatus(budget, f.pods);
  const blocked = isReady(pod) ? s.disruptionsAllowed < 1 : s.currentHealthy < s.desiredHealthy;
  if (!blocked) return undefined;
  return [
    429,
    "Cannot evict pod as it would violate the pod's disruption budget.",
    `The disruption budget ${budget.metadata.name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`,
  ];
}
