/**
 * What one kind of system (PostgreSQL, Redis, Kubernetes, HTTP, Prometheus…) contributes to
 * Firebreak: its configuration schema, the `/diag` words it answers, its remediation actions and
 * the credentials its configuration holds. Each kind's folder exports one; registry.ts lists them.
 */
import type { z } from 'zod';
import type { Probe } from '../../core/diagnostics/probe.js';
import type { ActionDefinition } from '../../core/remediation/action.js';
import type { CustomCheck } from '../../core/runbook/model.js';
import type { DiagKind, DiagRequest } from '../../ports.js';

/** A `/diag` word this kind answers ("db" for PostgreSQL) and how it builds the probe. */
export interface DiagnosticEntry<T> {
  word: Exclude<DiagKind, 'all'>;
  /** The probe for one target, or a message for people when the request cannot be served. */
  probe(target: T, request: DiagRequest): Probe | string;
  /** Whether `/diag all` runs it for every target of the kind. */
  inAll: boolean;
}

/** What a custom check's probe may need besides its target and the check. */
export interface CustomCheckEnvironment {
  /** The diagnostics timeout (`diagnostics.timeout`), in milliseconds. */
  timeoutMs: number;
}

/** The kind of runbook check (`sql`, `promql`, `http`) this kind of target runs, and its probe. */
export interface CustomCheckEntry<T> {
  check: CustomCheck['kind'];
  /**
   * The probe, or a message for people when the check cannot run on that target. Only ever given
   * a check of `check`'s kind (the registry picks the entry by it).
   */
  probe(target: T, check: CustomCheck, env: CustomCheckEnvironment): Probe | string;
}

/** What the actions of a kind may need besides their target. */
export interface ActionEnvironment<T> {
  /** Every configured target of the kind (pg.failover promotes another one). */
  targets: readonly T[];
  /** The most replicas a scale may set (`remediation.maxReplicas`). */
  maxReplicas: number;
}

export interface TargetKind<K extends string, S extends z.ZodType<{ name: string }>> {
  /** Key under `targets` in the configuration, and the kind remediation actions name. */
  key: K;
  /** For people: "PostgreSQL". */
  label: string;
  /** One entry of `targets.<key>`. */
  schema: S;
  diagnostics: ReadonlyArray<DiagnosticEntry<z.output<S>>>;
  /** The target a command names; by default the one with that name. */
  find?(targets: readonly z.output<S>[], name: string): z.output<S> | undefined;
  actions?(env: ActionEnvironment<z.output<S>>): ActionDefinition<z.output<S>, any>[];
  /** The runbooks' custom read-only check this kind runs, if any. */
  custom?: CustomCheckEntry<z.output<S>>;
  /** Passwords and keys inside a target's configuration, so the logger can scrub them. */
  secrets(target: z.output<S>): string[];
}

/** Declares a kind, keeping its schema's precise type (so the configuration's type follows it). */
export const defineTargetKind = <const K extends string, S extends z.ZodType<{ name: string }>>(kind: TargetKind<K, S>): TargetKind<K, S> => kind;

/** The password of a URL with credentials (`scheme://user:password@host`), if any. */
export function urlPassword(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}
