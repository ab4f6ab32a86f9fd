/**
 * Every kind of system Firebreak can reach, registered once. From this list come the `targets`
 * section of the configuration, the Diagnostics port (`/diag` and the CLI), the remediation
 * catalogue and the secrets the logger scrubs. Adding a kind: one folder, one line below.
 */
import { z } from 'zod';
import type { Probe } from '../../core/diagnostics/probe.js';
import type { ActionDefinition, ActionTargetKind } from '../../core/remediation/action.js';
import { escapeMrkdwn } from '../../core/render/text.js';
import type { DiagCatalogue, DiagKind, DiagRequest, Diagnostics, RemediationCatalogue } from '../../ports.js';
import type { DiagnosticEntry, TargetKind } from './kind.js';
import { dockerKind } from './docker/index.js';
import { hostKind } from './host/index.js';
import { httpKind } from './http/index.js';
import { kubernetesKind } from './kubernetes/index.js';
import { listDeployments } from './kubernetes/probe/deployments.js';
import { postgresKind } from './postgres/index.js';
import { prometheusKind } from './prometheus/index.js';
import { rabbitmqKind } from './rabbitmq/index.js';
import { redisKind } from './redis/index.js';
import { targetList } from './shared/schema.js';

/** In the order `/diag all` reports them. */
export const TARGET_KINDS = [postgresKind, redisKind, kubernetesKind, httpKind, prometheusKind, dockerKind, hostKind, rabbitmqKind] as const;

type Kind = (typeof TARGET_KINDS)[number];
type AnyKind = TargetKind<string, z.ZodType<{ name: string }>>;
type TargetsShape = { [K in Kind as K['key']]: z.ZodDefault<z.ZodArray<K['schema']>> };

/** The `targets` section of the configuration: one list per kind. */
export const targetsSchema = z
  .object(Object.fromEntries(TARGET_KINDS.map((k) => [k.key, targetList(k.schema)])) as unknown as TargetsShape)
  .strict();

export type TargetsConfig = z.output<typeof targetsSchema>;

const kinds = TARGET_KINDS as unknown as readonly AnyKind[];
const listOf = (targets: TargetsConfig, kind: AnyKind): ReadonlyArray<{ name: string }> => (targets as Record<string, ReadonlyArray<{ name: string }>>)[kind.key] ?? [];

/** Every `/diag` word the kinds answer, plus "all". */
export const DIAG_WORDS: readonly DiagKind[] = [...kinds.flatMap((k) => k.diagnostics.map((d) => d.word)), 'all'];

export function diagnosticsFor(config: { targets: TargetsConfig; diagnostics: { timeout: number } }): Diagnostics {
  const { targets } = config;
  const entries = kinds.flatMap((kind) => kind.diagnostics.map((entry) => ({ kind, entry: entry as DiagnosticEntry<{ name: string }> })));

  function one(request: DiagRequest): Probe | string {
    const found = entries.find((e) => e.entry.word === request.kind);
    if (!found) return `There is no diagnostic "${request.kind}".`;
    const { kind, entry } = found;
    const list = listOf(targets, kind);
    if (list.length === 0) return `No ${kind.label} target is configured: add one under targets.${kind.key} in the configuration.`;
    const target = request.target === undefined ? list[0] : (kind.find ?? ((l, name) => l.find((t) => t.name === name)))(list, request.target);
    if (!target) return `There is no ${kind.label} target "${escapeMrkdwn(String(request.target))}". Configured: ${list.map((t) => t.name).join(', ')}.`;
    return entry.probe(target, request);
  }

  return {
    timeoutMs: config.diagnostics.timeout,
    probes(request) {
      if (request.kind === 'all') {
        const probes = entries.filter((e) => e.entry.inAll).flatMap(({ kind, entry }) =>
          listOf(targets, kind).flatMap((t) => {
            const probe = entry.probe(t, { kind: entry.word });
            return typeof probe === 'string' ? [] : [probe];
          }),
        );
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
    custom(check) {
      // The kind that runs this kind of check (sql → postgres, promql → prometheus, http → http).
      const kind = kinds.find((k) => k.custom?.check === check.kind);
      if (!kind?.custom) return { ok: false, message: `Firebreak cannot run a "${escapeMrkdwn(String(check.kind))}" check.` };
      const list = listOf(targets, kind);
      if (list.length === 0) return { ok: false, message: `No ${kind.label} target is configured: add one under targets.${kind.key} in the configuration.` };
      const named = check.target === undefined || check.target === '' ? undefined : check.target;
      const target = named === undefined ? list[0] : (kind.find ?? ((l, name) => l.find((t) => t.name === name)))(list, named);
      if (!target) return { ok: false, message: `There is no ${kind.label} target "${escapeMrkdwn(named ?? '')}". Configured: ${list.map((t) => t.name).join(', ')}.` };
      try {
        const probe = kind.custom.probe(target, check, { timeoutMs: config.diagnostics.timeout });
        return typeof probe === 'string' ? { ok: false, message: probe } : { ok: true, probe };
      } catch (err) {
        return { ok: false, message: `The ${kind.label} target "${escapeMrkdwn(target.name)}" cannot run this check: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    catalogue(): DiagCatalogue {
      return {
        postgres: targets.postgres.map((t) => t.name),
        redis: targets.redis.map((t) => t.name),
        kubernetes: targets.kubernetes.map((t) => ({ name: t.name, namespaces: [...t.namespaces] })),
        http: targets.http.map((t) => t.name),
        prometheus: targets.prometheus.map((t) => t.name),
        docker: targets.docker.map((t) => t.name),
        hosts: targets.hosts.map((t) => t.name),
        rabbitmq: targets.rabbitmq.map((t) => t.name),
      };
    },
  };
}

/** The remediation actions of every kind, and the configured targets they act on. */
export function remediationCatalogueFor(
  config: { targets: TargetsConfig; remediation: { maxReplicas: number } },
  extra: ActionDefinition<any, any>[] = [],
): RemediationCatalogue {
  const all: ActionDefinition<any, any>[] = [
    ...kinds.flatMap((kind) => kind.actions?.({ targets: listOf(config.targets, kind), maxReplicas: config.remediation.maxReplicas }) ?? []),
    ...extra,
  ];
  return {
    actions: new Map(all.map((a) => [a.id, a])),
    target(kindKey: ActionTargetKind, name) {
      const kind = kinds.find((k) => k.key === kindKey);
      const list = kind ? listOf(config.targets, kind) : [];
      if (list.length === 0) return { ok: false, message: `No ${kindKey} target is configured (targets.${kindKey}).` };
      const target = name === undefined ? list[0] : list.find((t) => t.name === name);
      if (!target) return { ok: false, message: `There is no ${kindKey} target "${name}". Configured: ${list.map((t) => t.name).join(', ')}.` };
      return { ok: true, name: target.name, target };
    },
  };
}

/** Every password and key inside the configured targets, for the logger's redaction. */
export function targetSecrets(targets: TargetsConfig): string[] {
  return kinds.flatMap((kind) => listOf(targets, kind).flatMap((t) => kind.secrets(t)));
}
