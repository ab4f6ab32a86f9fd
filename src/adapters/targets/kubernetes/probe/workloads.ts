/**
 * Deployment and HorizontalPodAutoscaler checks, pure: deployments with unavailable replicas or a
 * stuck rollout (Progressing=False), autoscalers at their maximum or unable to read metrics.
 */
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { Finding } from '../../../../core/diagnostics/finding.js';

export function deploymentFindings(ns: string, deployments: readonly V1Deployment[]): Finding[] {
  const out: Finding[] = [];
  for (const d of deployments) {
    const name = d.metadata?.name ?? '?';
    const ref = `${ns}/${name}`;
    const component = `${ns}/deployment/${name}`;
    const desired = d.spec?.replicas ?? 1;
    if (desired === 0 || d.spec?.paused) continue;
    const s = d.status ?? {};
    const available = s.availableReplicas ?? 0;
    const unavailable = Math.max(s.unavailableReplicas ?? 0, desired - available);
    const counts = `${available} of ${desired} replicas available, ${s.updatedReplicas ?? 0} updated`;
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    const availableCondition = s.conditions?.find((c) => c.type === 'Available');
    if (progressing?.status === 'False') {
      out.push({
        check: 'rollout stuck',
        component,
        status: 'critical',
        value: `Progressing=False: ${progressing.reason ?? 'rollout not progressing'}; ${counts}`,
        threshold: `progressDeadlineSeconds ${d.spec?.progressDeadlineSeconds ?? 600}`,
        recommendation:
          'The new ReplicaSet did not become available in time: look at its pods (image pull, configuration, crash). Undo the rollout if the new version is at fault.',
        evidence: [progressing.message].filter((m): m is string => !!m),
        remediation: { action: 'k8s.rollout-undo', args: [ref], label: `Undo the rollout of deployment ${ref}` },
      });
    } else if (unavailable > 0) {
      out.push({
        check: 'deployment unavailable',
        component,
        status: available === 0 ? 'critical' : 'warning',
        value: `${unavailable} unavailable: ${counts}`,
        threshold: 'all desired replicas available',
        recommendation: 'See the findings on its pods for the reason; restart the deployment once the cause is fixed.',
        evidence: [availableCondition?.message].filter((m): m is string => !!m),
        remediation: { action: 'k8s.rollout-restart', args: [ref], label: `Restart deployment ${ref}` },
      });
    }
  }
  return out;
}

function metricsText(hpa: V2HorizontalPodAutoscaler): string[] {
  const targets = new Map<string, string>();
  for (const m of hpa.spec?.metrics ?? []) {
    const t = m.resource?.target;
    if (m.resource && t) targets.set(m.resource.name, t.averageUtilization !== undefined ? `${t.averageUtilization} %` : (t.averageValue ?? t.value ?? '?'));
  }
  return (hpa.status?.currentMetrics ?? []).flatMap((m) => {
    const r = m.resource;
    if (!r) return [`${m.type} metric`];
    const current = r.current.averageUtilization !== undefined ? `${r.current.averageUtilization} %` : (r.current.averageValue ?? r.current.value ?? '?');
    return [`${r.name}: ${current} (target ${targets.get(r.name) ?? '?'})`];
  });
}

export function hpaFindings(ns: string, hpas: readonly V2HorizontalPodAutoscaler[]): Finding[] {
  const out: Finding[] = [];
  for (const h of hpas) {
    const name = h.metadata?.name ?? '?';
    const component = `${ns}/hpa/${name}`;
    const max = h.spec?.maxReplicas ?? 0;
    const current = h.status?.currentReplicas ?? 0;
    const condition = (type: string) => h.status?.conditions?.find((c) => c.type === type);
    const active = condition('ScalingActive');
    const able = condition('AbleToScale');
    const target = h.spec?.scaleTargetRef ? `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}` : 'its target';
    if (active?.status === 'False') {
      out.push({
        check: 'hpa metrics',
        component,
        status: 'warning',
        value: `ScalingActive=False: ${active.reason ?? 'no metrics'}`,
        recommendation:
          `The autoscaler cannot read its metrics and does not scale ${target}: ` +
          "check metrics-server (or the custom metrics adapter) and the pods' resource requests.",
        evidence: [active.message].filter((m): m is string => !!m),
      });
    }
    if (able?.status === 'False') {
      const evidence = [able.message].filter((m): m is string => !!m);
      out.push({ check: 'hpa cannot scale', component, status: 'warning', value: `AbleToScale=False: ${able.reason ?? '?'}`, evidence });
    }
    if (max > 0 && current >= max) {
      out.push({
        check: 'hpa at max',
        component,
        status: 'warning',
        value: `${current} of at most ${max} replicas (desired ${h.status?.desiredReplicas ?? '?'})`,
        threshold: `maxReplicas ${max}`,
        recommendation: `The autoscaler cannot add replicas to ${target}: raise maxReplicas if the nodes have room, or find why the load is high.`,
        evidence: [...metricsText(h), condition('ScalingLimited')?.message].filter((m): m is string => !!m),
      });
    }
  }
  return out;
}
