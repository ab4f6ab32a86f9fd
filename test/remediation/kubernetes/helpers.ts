/**
 * Shared setup of the Kubernetes action tests: the test API server with writes and a fast
 * simulated rollout, fresh fixtures per test, the target, an action context, the actions with
 * short timings, and what the server received.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ActionContext, ActionDefinition, Preview } from '../../../src/core/remediation/action.js';
import type { KubernetesTarget } from '../../../src/adapters/targets/kubernetes/target.js';
import { kubernetesActions, type KubernetesAction } from '../../../src/adapters/targets/kubernetes/actions/index.js';
import { startKubeApiServer, type KubeApiServer, type RecordedRequest } from '../../kube/api-server.js';
import type { KubeFixtures } from '../../kube/fixtures.js';
import { remediationFixtures } from './cluster.js';

export const NOW = new Date('2025-03-14T09:26:53.589Z');

/** An action context whose deadline is `ms` away and whose clock says NOW. */
export function actionContext(ms = 3000): ActionContext {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms).unref();
  return { deadline: Date.now() + ms, signal: controller.signal, now: () => NOW };
}

export interface Harness {
  server: KubeApiServer;
  fixtures: KubeFixtures;
  target: KubernetesTarget;
}

/** Starts the server for the file and gives every test fresh fixtures and a clean request log. */
export function useCluster(): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.server = await startKubeApiServer(remediationFixtures(NOW.getTime()), { writes: true });
    h.target = { name: 'prod', kubeconfig: h.server.kubeconfigPath, context: 'test', namespaces: ['shop', 'payments'] };
  });
  beforeEach(() => {
    h.fixtures = remediationFixtures(NOW.getTime());
    h.server.setFixtures(h.fixtures);
    h.server.simulate({ rolloutMs: 30, rollout: 'complete', terminationMs: 0 });
    h.server.requests.length = 0;
  });
  afterAll(async () => {
    await h.server?.close();
  });
  return h;
}

export const ACTIONS = kubernetesActions({ pollMs: 10, evictionRetryMs: 20 });

export function action<P>(id: string, actions: readonly KubernetesAction[] = ACTIONS): ActionDefinition<KubernetesTarget, P> {
  const a = actions.find((x) => x.id === id);
  if (!a) throw new Error(`no action ${id}`);
  return a as ActionDefinition<KubernetesTarget, P>;
}

/** The requests that were not reads. */
export const writes = (server: KubeApiServer): RecordedRequest[] => server.requests.filter((r) => r.method !== 'GET');

/** The parameters as the action parses them; throws with zod's message when invalid. */
export function paramsOf<P>(a: ActionDefinition<KubernetesTarget, P>, ...args: string[]): P {
  return a.params.parse(args);
}

/** The message a parse fails with. */
export function paramError(a: ActionDefinition<KubernetesTarget, unknown>, ...args: string[]): string {
  const r = a.params.safeParse(args);
  if (r.success) throw new Error(`${args.join(' ')} parsed`);
  return r.error.issues.map((i) => i.message).join('; ');
}

/** Preview then execute with the preview's guard. */
export async function previewAndRun<P>(a: ActionDefinition<KubernetesTarget, P>, h: Harness, params: P, ms = 3000) {
  const preview: Preview = await a.preview(h.target, params, actionContext(ms));
  if (preview.refusal) throw new Error(`refused: ${preview.refusal}`);
  const result = await a.execute(h.target, params, preview.guard, actionContext(ms));
  return { preview, result };
}

/** A shortcut to a stored object's fields, loosely typed: the tests check the wire shape itself. */
export const loose = (o: unknown): any => o;
