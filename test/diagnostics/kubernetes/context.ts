/** Shared helpers of the Kubernetes diagnostics tests: a probe context and the test target. */
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import type { ProbeContext } from '../../../src/core/diagnostics/probe.js';
import type { KubernetesTarget } from '../../../src/adapters/targets/kubernetes/probe/index.js';
import type { KubeApiServer } from '../../kube/api-server.js';

/** A context whose signal aborts at the deadline, `ms` from now. */
export function probeContext(ms = 5000): ProbeContext {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms).unref();
  return { deadline: Date.now() + ms, signal: controller.signal, now: () => new Date() };
}

export function targetOf(server: KubeApiServer, extra: Partial<KubernetesTarget> = {}): KubernetesTarget {
  return { name: 'prod', kubeconfig: server.kubeconfigPath, context: 'test', namespaces: ['shop', 'payments'], ...extra };
}

export const having = (findings: Finding[], check: string, component?: string): Finding[] =>
  findings.filter((f) => f.check === check && (component === undefined || f.component === component));

/** The one finding of that check on that component; fails the test if there is not exactly one. */
export function one(findings: Finding[], check: string, component: string): Finding {
  const found = having(findings, check, component);
  if (found.length !== 1) {
    const seen = findings.map((f) => `${f.check} @ ${f.component}`).join('\n  ');
    throw new Error(`expected one "${check}" on ${component}, found ${found.length}; findings:\n  ${seen}`);
  }
  return found[0]!;
}
