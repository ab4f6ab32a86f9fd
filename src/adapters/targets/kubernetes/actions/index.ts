/**
 * The Kubernetes remediation actions. `kubernetesActions(options)` makes them with their bounds
 * and timings; KUBERNETES_ACTIONS are the defaults (at most 20 replicas, checks every second, a
 * refused eviction retried every 5 seconds as kubectl drain does).
 */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { deleteCompletedAction } from './delete-completed.js';
import { deleteFailedPodsAction } from './delete-failed-pods.js';
import { deletePodAction } from './delete-pod.js';
import { drainAction } from './drain.js';
import { maintenanceAction } from './maintenance.js';
import { CORDON_ACTIONS } from './nodes.js';
import { rolloutRestartAction } from './rollout-restart.js';
import { rolloutUndoAction } from './rollout-undo.js';
import { scaleAction } from './scale.js';
import { setEnvAction } from './set-env.js';
import { setResourcesAction } from './set-resources.js';

export interface KubernetesActionOptions {
  /** The most replicas k8s.scale sets. Default 20. */
  maxReplicas?: number;
  /** How often verify reads the cluster. Default 1000 ms. */
  pollMs?: number;
  /** How long drain waits before retrying an eviction a PodDisruptionBudget refused. Default 5000 ms. */
  evictionRetryMs?: number;
}

export const DEFAULT_KUBERNETES_ACTION_OPTIONS: Readonly<Required<KubernetesActionOptions>> = Object.freeze({ maxReplicas: 20, pollMs: 1000, evictionRetryMs: 5000 });

/** Any Kubernetes action, whatever its parameters. */
export type KubernetesAction = ActionDefinition<KubernetesTarget, unknown>;

export function kubernetesActions(options: KubernetesActionOptions = {}): KubernetesAction[] {
  const o = { ...DEFAULT_KUBERNETES_ACTION_OPTIONS, ...options };
  if (!Number.isInteger(o.maxReplicas) || o.maxReplicas < 1) throw new Error(`maxReplicas must be a whole number ≥ 1, got ${o.maxReplicas}`);
  return [
    rolloutRestartAction(o),
    rolloutUndoAction(o),
    scaleAction(o),
    deletePodAction(o),
    deleteFailedPodsAction(o),
    deleteCompletedAction(o),
    setEnvAction(o),
    setResourcesAction(o),
    ...CORDON_ACTIONS,
    drainAction(o),
    maintenanceAction(),
  ];
}

export const KUBERNETES_ACTIONS: readonly KubernetesAction[] = Object.freeze(kubernetesActions());

export { MAINTENANCE_ANNOTATIONS } from './maintenance.js';
export { RESTARTED_AT } from './rollout-restart.js';
