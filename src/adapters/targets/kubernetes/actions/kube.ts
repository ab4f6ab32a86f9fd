/**
 * What every Kubernetes action shares: the clients of a target (the diagnostics' kubeconfig
 * loading), one request at a time within the action's deadline (the diagnostics' `bounded`, for
 * writes too), the patch content types client-node 1.x needs set per call, the namespace rule,
 * polling until a condition holds, and the shapes of refusals and failures.
 */
import type { AppsV1Api, AutoscalingV2Api, BatchV1Api, ConfigurationOptions, CoreV1Api, NetworkingV1Api, PatchStrategy, PolicyV1Api } from '@kubernetes/client-node';
import { clientNode } from '../lib.js';
import type { ActionContext, ActionResult, Preview } from '../../../../core/remediation/action.js';
import { bounded } from '../client.js';
import { loadKubeConfig, type KubernetesTarget } from '../target.js';

export interface Kube {
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  batch: BatchV1Api;
  networking: NetworkingV1Api;
  policy: PolicyV1Api;
}

/** The target's clients, or why its kubeconfig could not be loaded. */
export function connect(target: KubernetesTarget): Kube | string {
  try {
    const kc = loadKubeConfig(target);
    const { AppsV1Api, AutoscalingV2Api, BatchV1Api, CoreV1Api, NetworkingV1Api, PolicyV1Api } = clientNode();
    return {
      core: kc.makeApiClient(CoreV1Api),
      apps: kc.makeApiClient(AppsV1Api),
      autoscaling: kc.makeApiClient(AutoscalingV2Api),
      batch: kc.makeApiClient(BatchV1Api),
      networking: kc.makeApiClient(NetworkingV1Api),
      policy: kc.makeApiClient(PolicyV1Api),
    };
  } catch (e) {
    return `cannot connect to ${target.name}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export type Step<T> = { ok: true; value: T } | { ok: false; status?: number; timeout?: boolean; message: string };

/** One request within the deadline; on failure a message starting with `what`. */
export async function call<T>(ctx: ActionContext, what: string, fn: (o: ConfigurationOptions) => Promise<T>): Promise<Step<T>> {
  const r = await bounded(ctx, fn);
  if (r.ok) return r;
  const timeout = r.error.kind === 'timeout';
  return { ok: false, timeout, ...(r.error.status !== undefined ? { status: r.error.status } : {}), message: `${what}: ${r.error.message}` };
}

/** A write that got no answer may still have been applied: say so. */
export function writeFailed(step: { timeout?: boolean; message: string }): string {
  return step.timeout ? `${step.message} (the change may or may not have been applied: check before retrying)` : step.message;
}

/** Per-call options sending a PATCH body in the given format (client-node defaults to JSON patch). */
export const patchAs =
  (type: (strategies: typeof PatchStrategy) => PatchStrategy) =>
  (o: ConfigurationOptions): ConfigurationOptions =>
    clientNode().setHeaderOptions('Content-Type', type(clientNode().PatchStrategy), o);
export const SMP = patchAs((s) => s.StrategicMergePatch);
export const MERGE = patchAs((s) => s.MergePatch);
export const JSON_PATCH = patchAs((s) => s.JsonPatch);

export const refuse = (refusal: string, current: string[] = []): Preview => ({ current, change: [], guard: {}, refusal });
export const failed = (summary: string, extra: Partial<ActionResult> = {}): ActionResult => ({ ok: false, summary, ...extra });

/** The refusal for a namespace the target does not allow, if it is one. */
export function namespaceRefusal(target: KubernetesTarget, namespace: string): string | undefined {
  if (target.namespaces.includes(namespace)) return undefined;
  return `namespace "${namespace}" is not one Firebreak may change on ${target.name} (allowed: ${target.namespaces.join(', ') || 'none'})`;
}

/** Connects, checking the namespace first when there is one; the refusal message otherwise. */
export function open(target: KubernetesTarget, namespace?: string): Kube | string {
  const refusal = namespace === undefined ? undefined : namespaceRefusal(target, namespace);
  return refusal ?? connect(target);
}

import { sleep } from '../../shared/sleep.js';

export { sleep };

export interface Check<T> {
  done: boolean;
  value: T;
  /** It can never succeed: stop. */
  final?: boolean;
  /** A read that failed (the deadline cut it…): the last state seen says more. */
  transient?: boolean;
}

/**
 * Checks until `check` says done or the deadline (or abort) comes; returns the last state seen (the
 * last failed read only when nothing was seen).
 */
export async function poll<T>(ctx: ActionContext, everyMs: number, check: () => Promise<Check<T>>): Promise<{ done: boolean; value: T }> {
  let seen: Check<T> | undefined;
  for (;;) {
    const r = await check();
    if (!r.transient) seen = r;
    if (r.done || r.final || ctx.signal.aborted || Date.now() + everyMs >= ctx.deadline) return seen ?? r;
    await sleep(everyMs, ctx.signal);
  }
}

/** The wire form of a client-node model (its Dates as RFC 3339 strings, unset fields gone). */
export const plain = <T>(model: T): T => JSON.parse(JSON.stringify(model)) as T;

/** At most `n` items, then how many more. */
export function listed(items: string[], n = 10): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} and ${items.length - n} more`;
}
