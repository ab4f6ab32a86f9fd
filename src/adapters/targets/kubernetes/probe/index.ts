/** Kubernetes diagnostics: the cluster probe, the logs probe, and their configuration. */
export { kubernetesProbe, type KubernetesProbeOptions } from './probe.js';
export { logsProbe, type LogsProbeOptions } from './logs-probe.js';
export {
  DEFAULT_KUBE_THRESHOLDS,
  kubeThresholdsSchema,
  loadKubeConfig,
  thresholdsOf,
  type KubernetesTarget,
  type KubeThresholds,
} from '../target.js';
export {
  analyseLines,
  classifyLine,
  isErrorLine,
  isFatalLine,
  LOG_CATEGORIES,
  normaliseMessage,
  type LogAnalysis,
  type LogCategory,
  type MessageGroup,
} from '../../shared/log-analysis.js';
export { missingReference } from './pods.js';
export { parseQuantity } from './metrics.js';
export { selectorString } from '../selectors.js';
