/**
 * A remediation action: something that changes a system (restart, scale, terminate, flush…). Each
 * one says exactly what it will change (preview), does it only after approval (execute, which
 * first re-checks that the target is still what was previewed), then confirms the effect (verify).
 */
import type { z } from 'zod';

export type Risk = 'high' | 'critical';
export type ActionTargetKind = 'kubernetes' | 'postgres' | 'redis' | 'docker' | 'hosts' | 'rabbitmq';

export interface ActionContext {
  /** Everything must be done (or given up) by then. */
  deadline: number;
  signal: AbortSignal;
  now(): Date;
}

export interface Preview {
  /** The target as it is now, for people ("pid 4242 (app) running ALTER TABLE… for 3 min"). */
  current: string[];
  /** Exactly what will change ("terminate backend 4242"). */
  change: string[];
  /**
   * What execute must find unchanged before acting (a pid with its backend_start, a deployment's
   * generation…). Stored with the request; never shown as is.
   */
  guard: Record<string, unknown>;
  /** Set when the action cannot run as things stand (the pid is gone, the deployment is paused). */
  refusal?: string;
  /**
   * Raises the action's risk for this target and these arguments (a unit configured as critical):
   * the request is then critical. Never lowers it.
   */
  risk?: Risk;
}

export interface ActionResult {
  ok: boolean;
  /** One line for people ("backend 4242 terminated", "3/3 pods ready after the restart"). */
  summary: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export interface ActionDefinition<T, P> {
  /** Stable id, as typed: "pg.terminate", "k8s.rollout-restart". */
  id: string;
  title: string;
  risk: Risk;
  targetKind: ActionTargetKind;
  /** Arguments as typed after the id, e.g. "<pid>" or "<ns>/<deployment> <replicas>". */
  usage: string;
  /**
   * The first argument names a namespace (`<ns>` or `<ns>/<name>`), which the configuration's
   * allow-list (`remediation.allow.kubernetes.namespaces`) must contain.
   */
  namespaced?: boolean;
  /** Parses the positional arguments; its messages are shown to the user as they are. */
  params: z.ZodType<P, string[]>;
  preview(target: T, params: P, ctx: ActionContext): Promise<Preview>;
  /** Re-checks `guard` against the target first, and refuses (ok: false) when it changed. */
  execute(target: T, params: P, guard: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult>;
  /** Confirms the effect (rollout complete, backend gone…), within the deadline. */
  verify(target: T, params: P, ctx: ActionContext): Promise<ActionResult>;
}
