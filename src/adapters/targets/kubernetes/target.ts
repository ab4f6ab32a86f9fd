/**
 * A configured Kubernetes target: which cluster (a kubeconfig file and context, or the service
 * account of the pod Firebreak runs in), which namespaces may be read, and the thresholds the
 * checks grade against. The kubeconfig comes from configuration only, never from user input.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientNode } from './lib.js';
import { z } from 'zod';
import type { Finding } from '../../../core/diagnostics/finding.js';
import { FirebreakError } from '../../../core/errors.js';
import { parseCpu, parseMemory } from './quantity.js';
import { asNumber, checkOrder, durationThreshold, fraction, targetName, wholeNumber, everyProblem } from '../shared/schema.js';

export interface KubeThresholds {
  /** Container restarts: warning from this count. */
  restartsWarn: number;
  /** Container restarts: critical from this count. */
  restartsCritical: number;
  /** Warning events older than this are ignored. */
  eventWindowMs: number;
  /** How many pods the "top" findings list. */
  topPods: number;
  /** Memory use as a fraction of the pod's limit from which it is a warning (OOMKill ahead). */
  memoryLimitWarn: number;
  /** The most lines read from one container's log. */
  logTailLines: number;
  /** The most pods of one deployment whose logs are read. */
  logMaxPods: number;
  /** Error lines as a fraction of all lines from which the logs are critical. */
  logErrorRateCritical: number;
  /** Error lines in the window from which the logs are critical. */
  logErrorsCritical: number;
  /**
   * How long a claim may stay Pending before it is critical. Provisioning a cloud disk takes
   * seconds to a minute or two, and a claim whose StorageClass binds on first use
   * (WaitForFirstConsumer) is Pending until its pod is scheduled: a young Pending claim is normal.
   */
  pvcPendingGraceMs: number;
  /** A bound claim's volume use (fraction of its capacity) from which it is a warning. */
  volumeUsageWarn: number;
  /** … and critical. */
  volumeUsageCritical: number;
  /** A cert-manager Certificate expiring within this is a warning (expired is critical). */
  certificateExpiryWarnMs: number;
}

export const DEFAULT_KUBE_THRESHOLDS: Readonly<KubeThresholds> = Object.freeze({
  restartsWarn: 5,
  restartsCritical: 20,
  eventWindowMs: 15 * 60_000,
  topPods: 5,
  memoryLimitWarn: 0.9,
  logTailLines: 500,
  logMaxPods: 20,
  logErrorRateCritical: 0.2,
  logErrorsCritical: 100,
  pvcPendingGraceMs: 5 * 60_000,
  volumeUsageWarn: 0.9,
  volumeUsageCritical: 0.95,
  certificateExpiryWarnMs: 14 * 86_400_000,
});

const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const count = (max?: number) => wholeNumber(1, max).optional();

/** The thresholds as they may be written in config: every key optional, no unknown key. */
export const kubeThresholdsSchema = z
  .object({
    restartsWarn: count(),
    restartsCritical: count(),
    eventWindowMs: durationThreshold('ms', { whole: true }).optional(),
    topPods: count(50),
    memoryLimitWarn: fraction().optional(),
    logTailLines: count(10_000),
    logMaxPods: count(200),
    logErrorRateCritical: fraction().optional(),
    logErrorsCritical: count(),
    pvcPendingGraceMs: durationThreshold('ms', { whole: true }).optional(),
    volumeUsageWarn: fraction().optional(),
    volumeUsageCritical: fraction().optional(),
    certificateExpiryWarnMs: durationThreshold('ms', { whole: true }).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const resolved = { ...DEFAULT_KUBE_THRESHOLDS, ...defined(t) };
    checkOrder(ctx, t, resolved, ['restartsWarn', 'restartsCritical', asNumber]);
    checkOrder(ctx, t, resolved, ['volumeUsageWarn', 'volumeUsageCritical', asNumber]);
  }, everyProblem);

/**
 * The most CPU and memory k8s.set-resources may give one container on this cluster. The defaults
 * are the largest limits the seeds' playbooks set by hand: 4000m and 8Gi (seed 004 raising its
 * application's limits; seed 003's are 1000m and 1Gi). Past what a node can hold, a limit only
 * makes pods unschedulable; lower them for small nodes.
 */
export interface KubeRemediationBounds {
  /** Millicores. */
  maxCpu: number;
  /** Bytes. */
  maxMemory: number;
}

export const DEFAULT_KUBE_REMEDIATION_BOUNDS: Readonly<KubeRemediationBounds> = Object.freeze({ maxCpu: 4000, maxMemory: 8 * 2 ** 30 });

const quantityOf = (parse: typeof parseCpu, like: string) =>
  z.union([z.string(), z.number()], { error: `expected a quantity like ${like}` }).transform((v, ctx): number => {
    const r = parse(String(v));
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  });

export const kubeRemediationSchema = z
  .object({
    maxCpu: quantityOf(parseCpu, '"4" or "4000m"').optional(),
    maxMemory: quantityOf(parseMemory, '"8Gi"').optional(),
  })
  .strict();

export function remediationBoundsOf(target: KubernetesTarget): KubeRemediationBounds {
  return { ...DEFAULT_KUBE_REMEDIATION_BOUNDS, ...defined(target.remediation ?? {}) };
}

export interface KubernetesTarget {
  /** The target's name in config ("prod"). */
  name: string;
  /** A kubeconfig file; a leading "~" is the home directory. Default ~/.kube/config. */
  kubeconfig?: string;
  /** A context of that file; default its current-context. */
  context?: string;
  /** Use the pod's service account instead of a kubeconfig file. */
  inCluster?: boolean;
  /** The only namespaces the probes read. */
  namespaces: string[];
  thresholds?: Partial<KubeThresholds>;
  /** Bounds of the remediation actions on this cluster. */
  remediation?: Partial<KubeRemediationBounds>;
}

/** One entry of `targets.kubernetes` in the configuration. */
export const kubernetesTargetSchema = z
  .object({
    name: targetName,
    kubeconfig: z.string({ error: 'expected the path of a kubeconfig file' }).min(1, 'expected the path of a kubeconfig file').optional(),
    context: z.string({ error: 'expected the name of a context in the kubeconfig' }).min(1, 'expected the name of a context in the kubeconfig').optional(),
    inCluster: z.boolean({ error: 'expected true or false' }).optional(),
    namespaces: z
      .array(z.string({ error: 'expected a Kubernetes namespace name' }).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'expected a Kubernetes namespace name: lowercase letters, digits and "-"' }), {
        error: (i) => (i.input === undefined ? 'required: the namespaces Firebreak may read, like [shop]' : 'expected a list of namespaces, like [shop]'),
      })
      .min(1, 'list at least one namespace')
      .max(50, 'at most 50 namespaces'),
    thresholds: kubeThresholdsSchema.optional(),
    remediation: kubeRemediationSchema.optional(),
  })
  .strict()
  .superRefine((k, ctx) => {
    if (Boolean(k.kubeconfig) === Boolean(k.inCluster)) {
      ctx.addIssue({ code: 'custom', message: `give either kubeconfig (a file) or inCluster: true, got ${k.kubeconfig ? 'both' : 'neither'}` });
    }
  });

export function thresholdsOf(target: KubernetesTarget): KubeThresholds {
  const set = Object.fromEntries(Object.entries(target.thresholds ?? {}).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_KUBE_THRESHOLDS, ...set };
}

export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

/** Loads the target's kubeconfig; throws a CONFIG_INVALID FirebreakError saying what is wrong with it. */
export function loadKubeConfig(target: KubernetesTarget): KubeConfig {
  const kc = new (clientNode().KubeConfig)();
  if (target.inCluster) {
    kc.loadFromCluster();
  } else {
    const file = expandHome(target.kubeconfig ?? '~/.kube/config');
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new FirebreakError('CONFIG_INVALID', `cannot read kubeconfig ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (target.context !== undefined) {
      if (!kc.getContextObject(target.context)) {
        const known = kc.getContexts().map((c) => c.name);
        throw new FirebreakError('CONFIG_INVALID', `context "${target.context}" is not in ${file} (it has: ${known.join(', ') || 'none'})`);
      }
      kc.setCurrentContext(target.context);
    }
  }
  if (!kc.getCurrentCluster()) throw new FirebreakError('CONFIG_INVALID', 'the kubeconfig has no current cluster');
  return kc;
}

/**
 * The namespaces a run reads: all configured ones, or the one asked for if it is configured.
 * Otherwise one "unknown" finding saying which namespaces may be read.
 */
export function chooseNamespaces(target: KubernetesTarget, asked: string | undefined): string[] | Finding {
  if (asked === undefined) return [...target.namespaces];
  if (target.namespaces.includes(asked)) return [asked];
  return {
    check: 'namespace',
    component: target.name,
    status: 'unknown',
    value: `namespace "${asked.slice(0, 63)}" is not allowed`,
    recommendation: `Firebreak reads only the namespaces configured for ${target.name}: ${target.namespaces.join(', ') || '(none)'}.`,
  };
}
