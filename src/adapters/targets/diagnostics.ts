/** The Diagnostics port over the configured targets: which probes a request asks for. */
import type { Config } from '../../config.js';
import type { Probe } from '../../core/diagnostics/probe.js';
import type { DiagCatalogue, DiagRequest, Diagnostics } from '../../ports.js';
import { httpProbe } from './http/probe.js';
import { kubernetesProbe, logsProbe } from './kubernetes/probe/index.js';
import { listDeployments } from './kubernetes/probe/deployments.js';
import { postgresProbe } from './postgres/probe/index.js';
import { prometheusProbe } from './prometheus/probe/prometheus-probe.js';
import { redisProbe } from './redis/probe/index.js';

type Targets = Config['targets'];

const KIND_NAMES = { db: 'PostgreSQL', redis: 'Redis', k8s: 'Kubernetes', logs: 'Kubernetes', http: 'HTTP', prom: 'Prometheus' } as const;
const CONFIG_KEYS = { db: 'postgres', redis: 'redis', k8s: 'kubernetes', logs: 'kubernetes', http: 'http', prom: 'prometheus' } as const;

export function diagnosticsFromConfig(config: Pick<Config, 'targets' | 'diagnostics'>): Diagnostics {
  const targets: Targets = config.targets;

  function pick<T extends { name: string }>(kind: keyof typeof KIND_NAMES, list: readonly T[], name: string | undefined): T | string {
    if (list.length === 0) return `No ${KIND_NAMES[kind]} target is configured: add one under targets.${CONFIG_KEYS[kind]} in the configuration.`;
    if (name === undefined) return list[0] as T;
    return list.find((t) => t.name === name) ?? `There is no ${KIND_NAMES[kind]} target "${name}". Configured: ${list.map((t) => t.name).join(', ')}.`;
  }

  function one(request: DiagRequest): Probe | string {
    switch (request.kind) {
      case 'db': {
        const t = pick('db', targets.postgres, request.target);
        return typeof t === 'string' ? t : postgresProbe(t);
      }
      case 'redis': {
        const t = pick('redis', targets.redis, request.target);
        return typeof t === 'string' ? t : redisProbe(t);
      }
      case 'http': {
        // `/diag http <url>` may name a configured target by its URL; any other URL is refused.
        const byUrl = targets.http.find((t) => t.url === request.target);
        const t = byUrl ?? pick('http', targets.http, request.target);
        return typeof t === 'string' ? t : httpProbe(t);
      }
      case 'prom': {
        const t = pick('prom', targets.prometheus, request.target);
        return typeof t === 'string' ? t : prometheusProbe(t);
      }
      case 'k8s': {
        const t = pick('k8s', targets.kubernetes, request.target);
        return typeof t === 'string' ? t : kubernetesProbe(t, request.namespace ? { namespace: request.namespace } : {});
      }
      case 'logs': {
        const t = pick('logs', targets.kubernetes, request.target);
        if (typeof t === 'string') return t;
        if (!request.deployment) return 'Name the deployment whose logs to read: `/diag logs <deployment> [namespace] [since]`.';
        return logsProbe(t, { deployment: request.deployment, ...(request.namespace ? { namespace: request.namespace } : {}), ...(request.sinceSeconds ? { sinceSeconds: request.sinceSeconds } : {}) });
      }
      case 'all':
        return 'internal: "all" is expanded before';
    }
  }

  return {
    timeoutMs: config.diagnostics.timeout,
    probes(request) {
      if (request.kind === 'all') {
        const probes: Probe[] = [
          ...targets.postgres.map((t) => postgresProbe(t)),
          ...targets.redis.map((t) => redisProbe(t)),
          ...targets.kubernetes.map((t) => kubernetesProbe(t)),
          ...targets.http.map((t) => httpProbe(t)),
          ...targets.prometheus.map((t) => prometheusProbe(t)),
        ];
        return probes.length ? { ok: true, probes } : { ok: false, message: 'No diagnostic target is configured: add some under `targets` in the configuration (see firebreak.example.yml).' };
      }
      const probe = one(request);
      return typeof probe === 'string' ? { ok: false, message: probe } : { ok: true, probes: [probe] };
    },
    async deployments(timeoutMs) {
      const lists = await Promise.all(
        targets.kubernetes.map(async (t) => (await listDeployments(t, timeoutMs)).map((d) => ({ target: t.name, ...d }))),
      );
      return lists.flat();
    },
    catalogue(): DiagCatalogue {
      return {
        postgres: targets.postgres.map((t) => t.name),
        redis: targets.redis.map((t) => t.name),
        kubernetes: targets.kubernetes.map((t) => ({ name: t.name, namespaces: [...t.namespaces] })),
        http: targets.http.map((t) => t.name),
        prometheus: targets.prometheus.map((t) => t.name),
      };
    },
  };
}
