/** The remediation actions Firebreak offers, and the configured targets they act on. */
import type { RemediationCatalogue } from '../../app/remediation/flow.js';
import type { Config } from '../../config.js';
import type { ActionDefinition, ActionTargetKind } from '../../core/remediation/action.js';
import { postgresActions } from './postgres/actions/index.js';
import { REDIS_ACTIONS } from './redis/actions/index.js';
import { kubernetesActions } from './kubernetes/actions/index.js';

const CONFIG_KEYS: Record<ActionTargetKind, 'postgres' | 'redis' | 'kubernetes'> = { postgres: 'postgres', redis: 'redis', kubernetes: 'kubernetes' };

export function remediationCatalogue(config: Pick<Config, 'targets' | 'remediation'>, extra: ActionDefinition<any, any>[] = []): RemediationCatalogue {
  const pg = (name: string) => config.targets.postgres.find((t) => t.name === name);
  const all: ActionDefinition<any, any>[] = [
    ...postgresActions(pg),
    ...REDIS_ACTIONS,
    ...kubernetesActions({ maxReplicas: config.remediation.maxReplicas }),
    ...extra,
  ];
  return {
    actions: new Map(all.map((a) => [a.id, a])),
    target(kind, name) {
      const list: ReadonlyArray<{ name: string }> = config.targets[CONFIG_KEYS[kind]];
      if (list.length === 0) return { ok: false, message: `No ${kind} target is configured (targets.${CONFIG_KEYS[kind]}).` };
      const target = name === undefined ? list[0] : list.find((t) => t.name === name);
      if (!target) return { ok: false, message: `There is no ${kind} target "${name}". Configured: ${list.map((t) => t.name).join(', ')}.` };
      return { ok: true, name: target.name, target };
    },
  };
}
