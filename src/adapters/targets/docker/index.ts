/** Docker targets: container diagnostics (`/diag docker`) and the docker.* actions, over the Engine API. */
import { defineTargetKind } from '../kind.js';
import { DOCKER_ACTIONS } from './actions/index.js';
import { dockerProbe } from './probe/index.js';
import { dockerTargetSchema } from './target.js';

export const dockerKind = defineTargetKind({
  key: 'docker',
  label: 'Docker',
  schema: dockerTargetSchema,
  diagnostics: [{ word: 'docker', probe: (target, request) => dockerProbe(target, { container: request.container }), inAll: true }],
  actions: () => [...DOCKER_ACTIONS],
  // The TLS key lives in a file named by the configuration, never in the configuration itself.
  secrets: () => [],
});
