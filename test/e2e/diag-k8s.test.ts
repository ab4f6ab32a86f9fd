/**
 * `/diag k8s` and `/diag logs` through Slack against the local Kubernetes API server: real-shaped
 * failing objects, a report that fits Slack's limits with the rest attached, and log analysis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../kube/api-server.js';
import { defaultFixtures, manyFailingPods } from '../kube/fixtures.js';
import { extendedFixtures } from '../kube/extras.js';
import { messageProblems, SLACK_LIMITS } from '../../src/adapters/local-slack/block-kit-rules.js';
import { startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { visible } from './flows.js';

let kube: KubeApiServer;
let t: AppUnderTest;
beforeAll(async () => {
  kube = await startKubeApiServer(defaultFixtures(), { writes: true });
  t = await startAppUnderTest({
    yaml: [
      'incidents:', '  channel: C0INCIDENTS',
      'targets:', '  kubernetes:', `    - { name: prod, kubeconfig: "${kube.kubeconfigPath}", context: test, namespaces: [shop] }`,
      'diagnostics:', '  timeout: 3s',
      'approvals:', '  approvers: [U0BOB]',
      'remediation:', '  allow: { kubernetes: { namespaces: [shop] } }',
    ].join('\n'),
  });
});
afterAll(async () => {
  await t?.stop();
  await kube?.close();
});

async function diag(text: string) {
  const since = t.standIn.calls.length;
  await t.driver.command({ command: '/diag', text, channelId: 'C0OPS' });
  return t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Diagnostics'), 15_000);
}

describe('/diag k8s', () => {
  it('reports the failing pods with their reasons, worst first', async () => {
    kube.setFixtures(defaultFixtures());
    const report = await diag('k8s prod shop');
    const body = visible(report);
    expect(body).toMatch(/^Diagnostics k8s: CRITICAL/);
    expect(body).toContain('CrashLoopBackOff');
    expect(body).toContain('api-config'); // the missing ConfigMap of seed 003
    expect(body).toContain('Unschedulable');
  });

  it('keeps 200 failing pods within Slack limits, says how many are not shown, and attaches the full report', async () => {
    kube.setFixtures(manyFailingPods(200));
    const report = await diag('k8s');
    const blocks = report.args.blocks as Array<Record<string, any>>;
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(messageProblems(blocks, report.args.text)).toBeNull();
    expect(JSON.stringify(blocks.at(-1))).toMatch(/\+\d+ more findings not shown: the full report is attached\./);
    const upload = await t.standIn.waitFor('files.completeUploadExternal', (c) => c.args.thread_ts === (report.args.ts as string), 10_000);
    const content = t.standIn.uploadedFile((upload.args.files as Array<{ id: string }>)[0]!.id)!.toString('utf8');
    expect(content.split('\n').filter((l) => l.startsWith('- [critical]')).length).toBeGreaterThanOrEqual(200);
  });

  it('reports the way in and the storage: a Service without ready endpoints, a missing Ingress backend, a full volume, a container without limits', async () => {
    kube.setFixtures(extendedFixtures());
    const report = await diag('k8s prod shop');
    const body = visible(report);
    expect(body).toContain('service without endpoints');
    expect(body).toContain('search-v2');
    expect(body).toContain('96 % used');
    expect(body).toContain('has no resource limits and was OOMKilled');
    expect(kube.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('refuses a namespace outside the configured ones', async () => {
    kube.setFixtures(defaultFixtures());
    const body = visible(await diag('k8s prod kube-system'));
    expect(body).toContain('shop');
    expect(kube.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

describe('the /diag form', () => {
  it("lists the cluster's deployments to pick from", async () => {
    kube.setFixtures(defaultFixtures());
    const cmd = await t.driver.command({ command: '/diag', text: '', channelId: 'C0OPS' });
    const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
    const deployment = (open.args.view as { blocks: Array<Record<string, any>> }).blocks.find((b) => b.block_id === 'deployment')!;
    expect(deployment.element.type).toBe('static_select');
    const groups = deployment.element.option_groups.map((g: any) => [g.label.text, g.options.map((o: any) => o.value)]);
    expect(groups[0][0]).toBe('prod · shop');
    expect(groups[0][1]).toContain('api');
  });
});

describe('/remediate on Kubernetes', () => {
  it('restarts a deployment once approved, as kubectl does, and refuses a namespace outside the allow-list', async () => {
    kube.setFixtures(defaultFixtures());
    kube.simulate({ rolloutMs: 50, rollout: 'complete' });
    const refusedReply = t.standIn.responses.length;
    await t.driver.command({ command: '/remediate', text: 'k8s.rollout-restart kube-system/coredns', channelId: 'C0OPS', userId: 'U0DAVE' });
    await expect.poll(() => JSON.stringify(t.standIn.responses.slice(refusedReply))).toContain('is not in remediation.allow.kubernetes.namespaces');

    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/remediate', text: 'k8s.rollout-restart shop/api', channelId: 'C0OPS', userId: 'U0DAVE' });
    const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Remediation k8s.rollout-restart shop/api'), 10_000);
    expect(kube.requests.some((r) => r.method !== 'GET')).toBe(false); // the preview only read
    const approve = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
    const replies = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: approve.action_id, value: approve.value, userId: 'U0BOB', channelId: 'C0OPS', message: { ts: (message.result as { ts: string }).ts } });
    await expect.poll(() => JSON.stringify(t.standIn.responses.slice(replies)), { timeout: 20_000 }).toMatch(/Done|failed/);
    const patch = kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/api'));
    expect(JSON.stringify(patch?.body)).toContain('kubectl.kubernetes.io/restartedAt');
    expect(JSON.stringify(t.standIn.responses.slice(replies))).toContain('Done');
  });
});

describe('/remediate k8s.set-resources', () => {
  it('raises a memory limit once approved, showing current → new, and verifies the rollout', async () => {
    kube.setFixtures(defaultFixtures());
    kube.simulate({ rolloutMs: 50, rollout: 'complete' });
    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/remediate', text: 'k8s.set-resources shop/api api --memory 1Gi', channelId: 'C0OPS', userId: 'U0DAVE' });
    const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Remediation k8s.set-resources'), 10_000);
    expect(JSON.stringify(message.args.blocks)).toContain('512Mi → 1Gi');
    const approve = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
    const replies = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: approve.action_id, value: approve.value, userId: 'U0BOB', channelId: 'C0OPS', message: { ts: (message.result as { ts: string }).ts } });
    await expect.poll(() => JSON.stringify(t.standIn.responses.slice(replies)), { timeout: 20_000 }).toMatch(/Done|failed/);
    expect(JSON.stringify(t.standIn.responses.slice(replies))).toContain('Done');
    const patch = kube.requests.findLast((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/api'));
    expect(patch?.body).toEqual({ spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '1Gi' } } }] } } } });
  });
});

describe('/diag logs', () => {
  it("classifies a deployment's error lines and groups the repeated ones", async () => {
    kube.setFixtures(defaultFixtures());
    const body = visible(await diag('logs api shop 10m'));
    expect(body).toMatch(/^Diagnostics logs: (CRITICAL|WARNING)/);
    expect(body).toMatch(/database|timeout|connection|memory/);
  });
});
