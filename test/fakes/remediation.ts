/**
 * Remediation test doubles: a catalogue of configured targets, and actions that act on a small
 * in-memory "system" with the same shape as the real ones (preview records a guard, execute
 * re-checks it before changing anything, verify confirms), each step recorded for assertions.
 */
import { z } from 'zod';
import type { AppContext } from '../../src/app/context.js';
import type { ActionDefinition, ActionResult, ActionTargetKind, Preview, Risk } from '../../src/core/remediation/action.js';

/** What a fake action acts on: a version that every change bumps, and the changes made. */
export interface FakeSystem {
  version: number;
  changes: string[];
}

export const fakeSystem = (version = 1): FakeSystem => ({ version, changes: [] });

/** One step an action was asked to run. */
export interface ActionStep {
  step: 'preview' | 'execute' | 'verify';
  /** The system itself (not a copy), so a test can tell which target was acted on. */
  target: FakeSystem;
  params: string[];
  guard?: Record<string, unknown>;
  /** The action context's clock at that moment. */
  at: Date;
}

type Step<R> = (target: FakeSystem, params: string[], guard: Record<string, unknown>) => R | Promise<R>;

export interface FakeActionOptions {
  id?: string;
  risk?: Risk;
  targetKind?: ActionTargetKind;
  namespaced?: boolean;
  usage?: string;
  params?: z.ZodType<string[], string[]>;
  preview?: Step<Preview>;
  execute?: Step<ActionResult>;
  verify?: Step<ActionResult>;
}

export interface FakeAction extends ActionDefinition<FakeSystem, string[]> {
  /** Every step run, in order. */
  readonly steps: ActionStep[];
}

/** One argument, a lower-case name (the message is what the user is shown). */
const oneName = z.array(z.string()).length(1, 'expected exactly one argument').refine(
  (args) => /^[a-z0-9/-]+$/.test(args[0] ?? ''),
  'expected a name like "payments/api"',
);

const defaultPreview: Step<Preview> = (target, [name]) => ({
  current: [`${name} at version ${target.version}`],
  change: [`restart ${name}`],
  guard: { version: target.version },
});

/** Refuses when the system changed since the preview, as real actions re-check their guard. */
const defaultExecute: Step<ActionResult> = (target, [name], guard) => {
  if (guard.version !== target.version) {
    return { ok: false, summary: `${name} changed since the preview (version ${String(guard.version)} → ${target.version}); nothing was done` };
  }
  const before = { version: target.version };
  target.version += 1;
  target.changes.push(`restart ${name}`);
  return { ok: true, summary: `${name} restarted`, before, after: { version: target.version } };
};

const defaultVerify: Step<ActionResult> = (target, [name]) => ({ ok: true, summary: `${name} healthy at version ${target.version}`, after: { version: target.version, healthy: true } });

/** An action on a FakeSystem; every part can be replaced to script a case. */
export function fakeAction(options: FakeActionOptions = {}): FakeAction {
  const steps: ActionStep[] = [];
  const run = <R>(step: ActionStep['step'], fn: Step<R>) => async (target: FakeSystem, params: string[], guard: Record<string, unknown>, at: Date) => {
    steps.push({ step, target, params: [...params], ...(step === 'execute' ? { guard: structuredClone(guard) } : {}), at });
    return fn(target, params, guard);
  };
  const preview = run('preview', options.preview ?? defaultPreview);
  const execute = run('execute', options.execute ?? defaultExecute);
  const verify = run('verify', options.verify ?? defaultVerify);
  return {
    id: options.id ?? 'fake.restart',
    title: 'Restart (fake)',
    risk: options.risk ?? 'high',
    targetKind: options.targetKind ?? 'postgres',
    usage: options.usage ?? '<name>',
    ...(options.namespaced !== undefined ? { namespaced: options.namespaced } : {}),
    params: options.params ?? oneName,
    steps,
    preview: (target, params, ctx) => preview(target, params, {}, ctx.now()),
    execute: (target, params, guard, ctx) => execute(target, params, guard, ctx.now()),
    verify: (target, params, ctx) => verify(target, params, {}, ctx.now()),
  };
}

/**
 * A catalogue of `actions` over configured `targets` (kind → name → what actions get), answering
 * like the real one: the first target of a kind when no name is given, a reason when there is none.
 */
export function fakeCatalogue(
  actions: ReadonlyArray<ActionDefinition<FakeSystem, string[]>> = [],
  targets: Partial<Record<ActionTargetKind, Record<string, FakeSystem>>> = {},
): AppContext['remediation'] {
  return {
    actions: new Map(actions.map((a) => [a.id, a as unknown as ActionDefinition<unknown, unknown>])),
    target(kind, name) {
      const configured = Object.entries(targets[kind] ?? {});
      if (configured.length === 0) return { ok: false, message: `No ${kind} target is configured (targets.${kind}).` };
      const found = name === undefined ? configured[0] : configured.find(([n]) => n === name);
      if (!found) return { ok: false, message: `There is no ${kind} target "${name}". Configured: ${configured.map(([n]) => n).join(', ')}.` };
      return { ok: true, name: found[0], target: found[1] };
    },
  };
}
