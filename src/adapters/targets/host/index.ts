/** Linux hosts over SSH: read-only diagnostics (`/diag host`) and the host.* remediation actions. */
import { defineTargetKind } from '../kind.js';
import { HOST_ACTIONS } from './actions/index.js';
import { hostProbe } from './probe/index.js';
import { hostTargetSchema } from './target.js';

export { DEFAULT_HOST_THRESHOLDS, hostThresholdsSchema, resolveHostThresholds, type HostThresholds } from './thresholds.js';
export { hostTargetSchema, type HostTarget, type HostUnit } from './target.js';

export const hostKind = defineTargetKind({
  key: 'hosts',
  label: 'Linux host',
  schema: hostTargetSchema,
  diagnostics: [{ word: 'host', probe: (target) => hostProbe(target), inAll: true }],
  actions: () => HOST_ACTIONS,
  // The private key stays in its file; only its passphrase is in the configuration.
  secrets: (target) => (target.passphrase ? [target.passphrase] : []),
});
