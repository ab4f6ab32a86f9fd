/** The deployments of a target's namespaces, for the /diag form: a bounded read, empty on any failure. */
import { bounded } from '../client.js';
import { connect } from './probe.js';
import type { KubernetesTarget } from '../target.js';

export async function listDeployments(target: KubernetesTarget, timeoutMs: number): Promise<Array<{ namespace: string; name: string }>> {
  const clients = connect(target);
  if (!('core' in clients)) return [];
  const controller = new AbortController();
  const ctx = { deadline: Date.now() + timeoutMs, signal: controller.signal, now: () => new Date() };
  try {
    const lists = await Promise.all(
      target.namespaces.map(async (namespace) => {
        const read = await bounded(ctx, (o) => clients.apps.listNamespacedDeployment({ namespace }, o));
        return read.ok ? (read.value.items ?? []).map((d) => ({ namespace, name: d.metadata?.name ?? '' })).filter((d) => d.name) : [];
      }),
    );
    return lists.flat();
  } finally {
    controller.abort();
  }
}
