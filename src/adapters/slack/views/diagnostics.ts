/** The `/diag` form: what to check (kind, target, namespace, deployment), from the configuration. */
import { z } from 'zod';
import type { DiagCatalogue, DiagKind, DiagRequest } from '../../../ports.js';
import { parseDuration } from '../../../core/duration.js';
import { input, plainText, reader, stateValues, textInput } from './fields.js';
import { replyTarget } from '../ids.js';

export const DIAG_CALLBACK = 'diag_form';
export const diagFormMetadata = z.object({ channelId: replyTarget });

const KINDS: Array<{ kind: DiagKind; label: string; targets: (c: DiagCatalogue) => string[] }> = [
  { kind: 'db', label: 'PostgreSQL', targets: (c) => c.postgres },
  { kind: 'redis', label: 'Redis', targets: (c) => c.redis },
  { kind: 'k8s', label: 'Kubernetes', targets: (c) => c.kubernetes.map((k) => k.name) },
  { kind: 'logs', label: 'Deployment logs', targets: (c) => c.kubernetes.map((k) => k.name) },
  { kind: 'http', label: 'HTTP health', targets: (c) => c.http },
  { kind: 'prom', label: 'Prometheus', targets: (c) => c.prometheus },
  { kind: 'host', label: 'Linux hosts', targets: (c) => c.hosts },
  { kind: 'docker', label: 'Docker', targets: (c) => c.docker },
  { kind: 'queue', label: 'RabbitMQ queues', targets: (c) => c.rabbitmq ?? [] },
  { kind: 'all', label: 'Everything', targets: () => [] },
];

const option = (text: string, value: string) => ({ text: plainText(text.slice(0, 75)), value: value.slice(0, 150) });

export type Deployments = Array<{ target: string; namespace: string; name: string }>;

export function diagnosticsView(catalogue: DiagCatalogue, metadata: z.infer<typeof diagFormMetadata>, deployments: Deployments = []) {
  const kinds = KINDS.filter((k) => k.kind === 'all' || k.targets(catalogue).length > 0);
  const groups = kinds
    .filter((k) => k.kind !== 'all' && k.kind !== 'logs')
    .map((k) => ({ label: plainText(k.label), options: k.targets(catalogue).slice(0, 100).map((t) => option(t, `${k.kind}:${t}`)) }));
  const namespaces = [...new Set(catalogue.kubernetes.flatMap((k) => k.namespaces))].slice(0, 100);
  return {
    type: 'modal',
    callback_id: DIAG_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plainText('Run diagnostics'),
    submit: plainText('Run'),
    close: plainText('Cancel'),
    blocks: [
      input('kind', 'What', { type: 'static_select', options: kinds.map((k) => option(k.label, k.kind)), initial_option: option(kinds[0]!.label, kinds[0]!.kind) }),
      ...(groups.length ? [input('target', 'Target', { type: 'static_select', option_groups: groups, placeholder: plainText('The first of its kind') }, { optional: true })] : []),
      ...(namespaces.length ? [input('namespace', 'Namespace', { type: 'static_select', options: namespaces.map((n) => option(n, n)) }, { optional: true, hint: 'Kubernetes and logs only' })] : []),
      deploymentInput(deployments),
      input('since', 'Since', textInput('5m', false, 10), { optional: true, hint: 'Logs only: how far back (default 5m)' }),
    ],
  };
}

/** A list from the cluster when it answered in time; otherwise a name to type. */
function deploymentInput(deployments: Deployments) {
  const hint = { optional: true, hint: 'Logs only: whose pods to read' };
  if (deployments.length === 0) return input('deployment', 'Deployment', textInput('api', false, 63), hint);
  const groups = new Map<string, Array<ReturnType<typeof option>>>();
  for (const d of deployments) {
    const label = `${d.target} · ${d.namespace}`.slice(0, 75);
    const list = groups.get(label) ?? [];
    if (list.length < 100 && !list.some((o) => o.value === d.name)) list.push(option(d.name, d.name));
    groups.set(label, list);
  }
  const option_groups = [...groups].slice(0, 100).map(([label, options]) => ({ label: plainText(label), options }));
  return input('deployment', 'Deployment', { type: 'static_select', option_groups, placeholder: plainText('Pick a deployment') }, hint);
}

export type DiagSubmission = { ok: true; request: DiagRequest } | { ok: false; errors: Record<string, string> };

export function readDiagnosticsSubmission(values: unknown): DiagSubmission {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) return { ok: false, errors: { kind: 'The form arrived incomplete; close it and run /diag again.' } };
  const r = reader(parsed.data);
  const kind = r.option('kind') as DiagKind | null;
  const errors: Record<string, string> = {};
  if (!kind || !KINDS.some((k) => k.kind === kind)) errors.kind = 'Pick what to check.';
  const [targetKind, target] = (r.option('target') ?? ':').split(':');
  if (target && kind && kind !== 'all' && targetKind !== (kind === 'logs' ? 'k8s' : kind)) errors.target = `That target is not a ${kind} target; pick one of its kind or leave it empty.`;
  const deployment = r.option('deployment') ?? r.text('deployment');
  if (kind === 'logs' && !deployment) errors.deployment = 'Name the deployment whose logs to read.';
  if (deployment && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(deployment)) errors.deployment = 'A deployment name: lowercase letters, digits and hyphens.';
  const sinceText = r.text('since');
  const since = sinceText ? parseDuration(sinceText) : null;
  if (sinceText && (since === null || since > 24 * 3_600_000)) errors.since = 'A duration like 5m or 1h, at most 24h.';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    request: { kind: kind as DiagKind, target: target || undefined, namespace: r.option('namespace') ?? undefined, deployment: deployment ?? undefined, sinceSeconds: since === null ? undefined : Math.round(since / 1000) },
  };
}
