/**
 * The Kubernetes action steps of the shipped runbooks, filled with their params' defaults, are
 * arguments their action accepts (k8s.set-resources's quantities, k8s.delete-completed's
 * namespace…): a step would otherwise be refused only when someone presses its button.
 */
import { describe, expect, it } from 'vitest';
import { loadRunbooks, runbookWorld } from '../../src/adapters/runbooks/load-runbooks.js';
import { kubernetesActions } from '../../src/adapters/targets/kubernetes/actions/index.js';
import { loadConfig } from '../../src/config.js';
import { bindParams, fillStep } from '../../src/core/runbook/params.js';

const EXAMPLE = new URL('../../firebreak.example.yml', import.meta.url).pathname;
const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-example', SLACK_SIGNING_SECRET: 'example-secret', FIREBREAK_CONFIG: EXAMPLE }, '/');
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const shipped = loadRunbooks(undefined, runbookWorld(loaded.config));
const actions = new Map(kubernetesActions().map((a) => [a.id, a]));

describe('shipped runbooks, Kubernetes action steps', () => {
  const steps = shipped.flatMap((r) => r.steps.filter((s) => s.kind === 'action' && s.action.startsWith('k8s.')).map((s) => ({ runbook: r, step: s })));

  it('include the limits raise and the cleanup', () => {
    const ids = steps.map(({ runbook, step }) => `${runbook.id}/${step.kind === 'action' ? step.action : ''}`);
    expect(ids).toContain('k8s-crashloopbackoff/k8s.set-resources');
    expect(ids).toContain('k8s-emergency-recovery/k8s.delete-completed');
  });

  it('parse with their defaults', () => {
    for (const { runbook, step } of steps) {
      const bound = bindParams(runbook, {});
      if (!bound.ok) continue;
      const filled = fillStep(step, bound.values);
      if (filled.kind !== 'action') continue;
      const parsed = actions.get(filled.action)?.params.safeParse(filled.args);
      expect(parsed?.success ? '' : parsed?.error.issues.map((i) => i.message).join('; '), `${runbook.id}/${step.id}`).toBe('');
    }
  });
});
