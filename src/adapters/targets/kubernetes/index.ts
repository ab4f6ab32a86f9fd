/** Kubernetes targets: cluster and logs diagnostics (`/diag k8s`, `/diag logs`) and the k8s.* actions. */
import { defineTargetKind } from '../kind.js';
import { kubernetesActions } from './actions/index.js';
import { kubernetesProbe, logsProbe } from './probe/index.js';
import { kubernetesTargetSchema } from './target.js';

export const kubernetesKind = defineTargetKind({
  key: 'kubernetes',
  label: 'Kubernetes',
  schema: kubernetesTargetSchema,
  diagnostics: [
    { word: 'k8s', probe: (target, request) => kubernetesProbe(target, request.namespace ? { namespace: request.namespace } : {}), inAll: true },
    {
      word: 'logs',
      inAll: false,
      probe(target, request) {
        if (!request.deployment) return 'Name the deployment whose logs to read: `/diag logs <deployment> [namespace] [since]`.';
        return logsProbe(target, { deployment: request.deployment, ...(request.namespace ? { namespace: request.namespace } : {}), ...(request.sinceSeconds ? { sinceSeconds: request.sinceSeconds } : {}) });
      },
    },
  ],
  actions: ({ maxReplicas }) => kubernetesActions({ maxReplicas }),
  // Credentials live in the kubeconfig file or the service account, never in Firebreak's configuration.
  secrets: () => [],
});
