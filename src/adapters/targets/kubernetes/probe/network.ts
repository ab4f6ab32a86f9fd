/**
 * The way in, pure: Services whose selector has no ready endpoint (from the EndpointSlices),
 * Ingresses routing to a Service that does not exist (or to a port it does not have) or serving TLS
 * from a Secret that does not exist, and cert-manager Certificates not Ready, expired or expiring.
 */
import type { V1EndpointSlice, V1Ingress, V1IngressBackend, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Finding } from '../../../../core/diagnostics/finding.js';
import { formatDuration } from '../../../../core/duration.js';
import type { KubeThresholds } from '../target.js';

const SERVICE_NAME = 'kubernetes.io/service-name';

const selectorText = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',');
const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * A Service with a selector and no ready endpoint gets no traffic through: critical. A Service
 * without a selector (its endpoints are kept by hand or by another controller) and ExternalName
 * ones are not judged.
 */
export function serviceFindings(ns: string, services: readonly V1Service[], slices: readonly V1EndpointSlice[], pods: readonly V1Pod[] | undefined): Finding[] {
  const out: Finding[] = [];
  let judged = 0;
  for (const s of services) {
    const name = s.metadata?.name ?? '?';
    const selector = s.spec?.selector;
    if (!selector || Object.keys(selector).length === 0 || s.spec?.type === 'ExternalName') continue;
    judged++;
    const endpoints = slices.filter((e) => e.metadata?.labels?.[SERVICE_NAME] === name).flatMap((e) => e.endpoints ?? []);
    // A ready endpoint: conditions.ready true, or unset (which consumers read as ready).
    const ready = endpoints.filter((e) => e.conditions?.ready !== false);
    if (ready.length > 0) continue;
    const selected = pods?.filter((p) => selects(selector, p.metadata?.labels) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const podNames = (selected ?? []).map((p) => p.metadata?.name ?? '?');
    const matched =
      selected === undefined
        ? `${endpoints.length} endpoints, none ready`
        : selected.length === 0
          ? 'its selector matches no pod'
          : `its selector matches ${selected.length} pod${selected.length === 1 ? '' : 's'}, none ready`;
    out.push({
      check: 'service without endpoints',
      component: `${ns}/service/${name}`,
      status: 'critical',
      value: `no ready endpoint: ${matched}`,
      threshold: 'at least one ready endpoint',
      recommendation:
        selected !== undefined && selected.length === 0
          ? `No pod carries the labels ${selectorText(selector)}: compare the Service's selector with the pod template's labels (a renamed app label, a deployment scaled to 0 or deleted).`
          : `Its pods are not ready: see their findings (readiness probe, crash, image pull); requests to ${name}.${ns}.svc fail until one is.`,
      evidence: [`selector ${selectorText(selector)}`, ...(podNames.length ? [`pods: ${podNames.slice(0, 5).join(', ')}${podNames.length > 5 ? ` and ${podNames.length - 5} more` : ''}`] : [])],
    });
  }
  if (judged > 0 && out.length === 0) out.push({ check: 'services', component: ns, status: 'ok', value: `${judged} services with a selector, each with a ready endpoint` });
  return out;
}

/** What an Ingress backend points at, for people: "search-v2:80". */
function backendText(b: V1IngressBackend): string {
  const s = b.service;
  if (!s) return b.resource ? `${b.resource.kind} ${b.resource.name}` : '?';
  return `${s.name}:${s.port?.number ?? s.port?.name ?? '?'}`;
}

/** Why a backend cannot be served: no such Service, or no such port on it. */
function backendProblem(b: V1IngressBackend, services: ReadonlyMap<string, V1Service>): string | undefined {
  const ref = b.service;
  if (!ref) return undefined;
  const svc = services.get(ref.name);
  if (!svc) return `Service ${ref.name} does not exist`;
  const ports = svc.spec?.ports ?? [];
  const port = ref.port;
  if (port?.number !== undefined && !ports.some((p) => p.port === port.number)) return `Service ${ref.name} has no port ${port.number} (it has ${ports.map((p) => p.port).join(', ') || 'none'})`;
  if (port?.name !== undefined && !ports.some((p) => p.name === port.name)) return `Service ${ref.name} has no port named ${port.name}`;
  return undefined;
}

/** The names of the Secrets and Certificates of a namespace, when they could be read. */
export interface IngressContext {
  /** The namespace's Secret names; undefined when they could not be listed. */
  secrets?: ReadonlySet<string>;
  /** The namespace's Certificates by the Secret they write; undefined when cert-manager is absent or unreadable. */
  certificates?: ReadonlyMap<string, CertificateLike>;
}

/**
 * Ingresses whose paths lead to a Service that does not exist (the controller answers 503 there),
 * and TLS sections whose Secret does not exist (the controller serves its default certificate,
 * which browsers refuse). A missing Secret that a cert-manager Certificate is about to write is a
 * warning: the Certificate's own finding says how its issuance goes.
 */
export function ingressFindings(ns: string, ingresses: readonly V1Ingress[], services: readonly V1Service[], context: IngressContext): Finding[] {
  const byName = new Map(services.map((s) => [s.metadata?.name ?? '', s]));
  const out: Finding[] = [];
  for (const ing of ingresses) {
    const name = ing.metadata?.name ?? '?';
    const component = `${ns}/ingress/${name}`;
    const routes: Array<{ where: string; backend: V1IngressBackend }> = [
      ...(ing.spec?.defaultBackend ? [{ where: 'default backend', backend: ing.spec.defaultBackend }] : []),
      ...(ing.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => ({ where: `${r.host ?? '*'}${p.path ?? '/'}`, backend: p.backend }))),
    ];
    const broken = routes.flatMap((r) => {
      const problem = backendProblem(r.backend, byName);
      return problem ? [{ ...r, problem }] : [];
    });
    if (broken.length > 0) {
      out.push({
        check: 'ingress backend missing',
        component,
        status: 'critical',
        value: `${broken.length} of ${routes.length} paths lead nowhere: ${broken.map((b) => `${b.where} → ${backendText(b.backend)}`).slice(0, 3).join(', ')}${broken.length > 3 ? ' …' : ''}`,
        threshold: 'every backend Service exists with the port named',
        recommendation: 'The ingress controller answers 503 on those paths: create the Service, or point the path at the Service that serves it (a renamed Service, a typo, a port changed).',
        evidence: broken.slice(0, 5).map((b) => `${b.where}: ${b.problem}`),
      });
    }
    if (context.secrets === undefined) continue;
    for (const tls of ing.spec?.tls ?? []) {
      const secret = tls.secretName;
      if (!secret || context.secrets.has(secret)) continue;
      const cert = context.certificates?.get(secret);
      const hosts = (tls.hosts ?? []).join(', ') || 'its hosts';
      out.push({
        check: 'ingress TLS secret missing',
        component,
        status: cert ? 'warning' : 'critical',
        value: `TLS Secret ${secret} for ${hosts} does not exist${cert ? `; Certificate ${cert.name} is to write it` : ''}`,
        threshold: 'every tls.secretName exists',
        recommendation: cert
          ? `cert-manager has not issued it yet: see the finding on Certificate ${cert.name} (kubectl describe certificate ${cert.name} -n ${ns}). Until then HTTPS gets the controller's default certificate.`
          : `HTTPS on ${hosts} gets the ingress controller's default certificate, which clients refuse: create the TLS Secret ${secret}, or a cert-manager Certificate (or the cert-manager.io/cluster-issuer annotation) that writes it.`,
      });
    }
  }
  if (ingresses.length > 0 && out.length === 0) {
    out.push({ check: 'ingresses', component: ns, status: 'ok', value: `${ingresses.length} ingresses, every backend Service and TLS Secret present` });
  }
  return out;
}

/** The fields of a cert-manager.io/v1 Certificate the checks read (a custom object: no model in client-node). */
export interface CertificateLike {
  name: string;
  secretName?: string;
  dnsNames: string[];
  ready?: { status: string; reason?: string; message?: string };
  notAfter?: number;
  renewalTime?: number;
}

/** A custom object as the API gives it, read defensively into the fields used. */
export function certificateOf(o: unknown): CertificateLike | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const c = o as { metadata?: { name?: unknown }; spec?: { secretName?: unknown; dnsNames?: unknown }; status?: { conditions?: unknown; notAfter?: unknown; renewalTime?: unknown } };
  const name = typeof c.metadata?.name === 'string' ? c.metadata.name : undefined;
  if (!name) return undefined;
  const conditions = Array.isArray(c.status?.conditions) ? (c.status.conditions as Array<Record<string, unknown>>) : [];
  const ready = conditions.find((x) => x['type'] === 'Ready');
  const at = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);
  const notAfter = at(c.status?.notAfter);
  const renewalTime = at(c.status?.renewalTime);
  return {
    name,
    ...(typeof c.spec?.secretName === 'string' ? { secretName: c.spec.secretName } : {}),
    dnsNames: Array.isArray(c.spec?.dnsNames) ? c.spec.dnsNames.filter((d): d is string => typeof d === 'string') : [],
    ...(ready
      ? {
          ready: {
            status: String(ready['status'] ?? 'Unknown'),
            ...(typeof ready['reason'] === 'string' ? { reason: ready['reason'] } : {}),
            ...(typeof ready['message'] === 'string' ? { message: ready['message'] } : {}),
          },
        }
      : {}),
    ...(notAfter !== undefined ? { notAfter } : {}),
    ...(renewalTime !== undefined ? { renewalTime } : {}),
  };
}

const day = (ms: number) => `${Math.floor(ms / 86_400_000)} day${Math.floor(ms / 86_400_000) === 1 ? '' : 's'}`;

/**
 * cert-manager Certificates: expired or not Ready is critical (its Secret is old or missing), one
 * expiring within `certificateExpiryWarnMs` (14 days) a warning: cert-manager renews 30 days
 * before the end by default, so one that close has failed to renew.
 */
export function certificateFindings(ns: string, certificates: readonly CertificateLike[], now: Date, th: KubeThresholds): Finding[] {
  const out: Finding[] = [];
  const t = now.getTime();
  const warnText = `warning within ${formatDuration(th.certificateExpiryWarnMs)} of notAfter, critical when expired or not Ready`;
  for (const c of certificates) {
    const component = `${ns}/certificate/${c.name}`;
    const names = c.dnsNames.slice(0, 3).join(', ') || c.secretName || c.name;
    const describe = `kubectl describe certificate ${c.name} -n ${ns}`;
    const readyText = c.ready ? `Ready=${c.ready.status}${c.ready.reason ? ` (${c.ready.reason})` : ''}` : 'no Ready condition';
    const evidence = [c.ready?.message, c.secretName ? `Secret ${c.secretName}` : undefined, c.notAfter !== undefined ? `notAfter ${new Date(c.notAfter).toISOString().replace(/\.\d{3}Z$/, 'Z')}` : undefined].filter(
      (s): s is string => typeof s === 'string' && s.length > 0,
    );
    if (c.notAfter !== undefined && c.notAfter <= t) {
      out.push({
        check: 'certificate expired',
        component,
        status: 'critical',
        value: `expired ${day(t - c.notAfter)} ago (${names}); ${readyText}`,
        threshold: warnText,
        recommendation: `Clients refuse it: find why cert-manager did not renew it (${describe}, then its CertificateRequest, Order and Challenge); kubectl cert-manager renew forces a new attempt.`,
        evidence,
      });
    } else if (c.ready?.status !== 'True') {
      out.push({
        check: 'certificate not ready',
        component,
        status: 'critical',
        value: `${readyText} (${names})`,
        threshold: warnText,
        recommendation: `cert-manager could not issue it: ${describe} and its latest CertificateRequest say why (issuer not ready, ACME challenge failing: DNS or the ingress path /.well-known/acme-challenge/).`,
        evidence,
      });
    } else if (c.notAfter !== undefined && c.notAfter - t < th.certificateExpiryWarnMs) {
      out.push({
        check: 'certificate expiring',
        component,
        status: 'warning',
        value: `expires in ${day(c.notAfter - t)} (${names})`,
        threshold: warnText,
        recommendation: `It should have been renewed already${c.renewalTime !== undefined ? ` (renewal was due ${new Date(c.renewalTime).toISOString().slice(0, 10)})` : ''}: ${describe} and its CertificateRequests say why not.`,
        evidence,
      });
    }
  }
  if (certificates.length > 0 && out.length === 0) out.push({ check: 'certificates', component: ns, status: 'ok', value: `${certificates.length} certificates ready, none expiring within ${formatDuration(th.certificateExpiryWarnMs)}` });
  return out;
}
