/**
 * docker.restart <container> against the Engine API stand-in: the preview shows the container as
 * it is and changes nothing; execute re-checks the id and State.StartedAt (a container restarted
 * or recreated meanwhile is left alone), restarts it once, and verify waits for it to run with a
 * new start time and a passing health check. Containers outside the target are refused.
 */
import { describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../src/core/remediation/action.js';
import { dockerActions } from '../../src/adapters/targets/docker/actions/index.js';
import type { ContainerParams } from '../../src/adapters/targets/docker/actions/index.js';
import type { DockerTarget } from '../../src/adapters/targets/docker/target.js';
import { container, idOf, nanoTime, shopContainers } from '../docker/fixtures.js';
import { deadline, useEngine, writes } from '../docker/harness.js';

const h = useEngine();
const restart = dockerActions({ pollMs: 10, healthTimeoutMs: 1500, stopTimeoutSeconds: 1 }).find((a) => a.id === 'docker.restart') as ActionDefinition<DockerTarget, ContainerParams>;
const params = (name: string) => restart.params.parse([name]);

describe('preview', () => {
  it('shows the container with its health and last probe, says what will happen, and changes nothing', async () => {
    const p = await restart.preview(h.target, params('shop-api-1'), deadline());
    expect(p.refusal).toBeUndefined();
    expect(p.current[0]).toMatch(/^shop-api-1 \([0-9a-f]{12}\): running since 1 h, unhealthy, 1 restart$/);
    expect(p.current).toContain('last health probe: exit 1: curl: (7) Failed to connect to localhost port 8080 after 0 ms: Connection refused');
    expect(p.change).toEqual([
      'restart container shop-api-1: it gets 1 s to stop (SIGTERM) before it is killed, then starts again',
      'then wait up to 2 s for it to be running with a new start time, and healthy (its health check)',
    ]);
    expect(p.guard).toEqual({ id: idOf('shop-api-1'), startedAt: h.server.get('shop-api-1').inspect.State.StartedAt });
    expect(writes(h.server)).toEqual([]);
  });

  it('refuses a container that is not one of the target\'s, naming what it acts on', async () => {
    const p = await restart.preview(h.target, params('other-app-1'), deadline());
    expect(p.refusal).toMatch(/^container "other-app-1" is not one of local's: Firebreak acts only on compose project shop and container nginx \(its containers: nginx, shop-api-1, /);
    expect((await restart.preview(h.target, params('ghost'), deadline())).refusal).toMatch(/^container "ghost" is not one of local's/);
    expect(writes(h.server)).toEqual([]);
  });

  it('finds the container by id prefix too, and accepts a watched name outside the project', async () => {
    expect((await restart.preview(h.target, params(idOf('shop-db-1').slice(0, 12)), deadline())).current[0]).toMatch(/^shop-db-1 /);
    expect((await restart.preview(h.target, params('nginx'), deadline())).refusal).toBeUndefined();
  });

  it('refuses a dead container and bad names', async () => {
    h.server.setContainers([container({ name: 'nginx', state: 'dead', exitCode: 137 })]);
    expect((await restart.preview(h.target, params('nginx'), deadline())).refusal).toBe('nginx is dead: it cannot be restarted');
    expect(restart.params.safeParse(['../etc']).error?.issues[0]?.message).toBe('"../etc" is not a container name or id (letters, digits, "_", "." and "-")');
    expect(restart.params.safeParse(['a', 'b']).error?.issues[0]?.message).toBe('usage: <container>');
  });
});

describe('execute and verify', () => {
  it('restarts it once, then confirms it runs again with a new start time and is healthy', async () => {
    const p = await restart.preview(h.target, params('shop-api-1'), deadline());
    const before = h.server.get('shop-api-1').inspect.State.StartedAt;
    const ran = await restart.execute(h.target, params('shop-api-1'), p.guard, deadline());
    expect(ran.ok).toBe(true);
    expect(ran.summary).toBe(`shop-api-1 restarted (it was running, started at ${before})`);
    expect(ran.before).toMatchObject({ id: idOf('shop-api-1'), status: 'running', startedAt: before, restartCount: 1, health: 'unhealthy' });
    expect(writes(h.server).map((r) => r.url)).toEqual([`/v1.44/containers/${idOf('shop-api-1')}/restart?t=1`]);
    const verified = await restart.verify(h.target, params('shop-api-1'), deadline());
    expect(verified.ok).toBe(true);
    expect(verified.summary).toMatch(/^shop-api-1 running since \d+ s, healthy$/);
    expect(verified.after).toMatchObject({ 'shop-api-1': { status: 'running', health: 'healthy', restartCount: 0 } });
    expect((verified.after as Record<string, { startedAt: string }>)['shop-api-1']!.startedAt).not.toBe(before);
  });

  it('a container restarted meanwhile (another StartedAt) is refused, and nothing is sent', async () => {
    const p = await restart.preview(h.target, params('shop-api-1'), deadline());
    h.server.restartNow('shop-api-1');
    h.server.requests.length = 0;
    const ran = await restart.execute(h.target, params('shop-api-1'), p.guard, deadline());
    expect(ran.ok).toBe(false);
    expect(ran.summary).toMatch(/^shop-api-1 was restarted meanwhile \(started at .*, previewed .*\); nothing done$/);
    expect(writes(h.server)).toEqual([]);
  });

  it('a container recreated under the same name (another id) is refused', async () => {
    const p = await restart.preview(h.target, params('shop-api-1'), deadline());
    const recreated = shopContainers().map((c) => (c.inspect.Name === '/shop-api-1' ? { ...c, inspect: { ...c.inspect, Id: idOf('shop-api-1-new') } } : c));
    h.server.setContainers(recreated);
    const ran = await restart.execute(h.target, params('shop-api-1'), p.guard, deadline());
    expect(ran.summary).toMatch(/^shop-api-1 is another container than the one previewed \(id [0-9a-f]{12}, previewed [0-9a-f]{12}: it was recreated\); nothing done$/);
    expect(writes(h.server)).toEqual([]);
  });

  it('execute refuses a container outside the target even with a stored guard, and an unusable guard', async () => {
    const other = h.server.get('other-app-1').inspect;
    const ran = await restart.execute(h.target, params('other-app-1'), { id: other.Id, startedAt: other.State.StartedAt }, deadline());
    expect(ran.ok).toBe(false);
    expect(ran.summary).toMatch(/^container "other-app-1" is not one of local's.*; nothing done$/);
    expect((await restart.execute(h.target, params('shop-api-1'), { id: 'x' }, deadline())).summary).toBe('the stored preview is not usable (preview the action again); nothing done');
    expect(writes(h.server)).toEqual([]);
  });

  it('verify fails, with the last probe, when it comes back unhealthy within the deadline', async () => {
    h.server.get('shop-api-1').afterStart = 'unhealthy';
    const p = await restart.preview(h.target, params('shop-api-1'), deadline());
    expect((await restart.execute(h.target, params('shop-api-1'), p.guard, deadline())).ok).toBe(true);
    const started = Date.now();
    const verified = await restart.verify(h.target, params('shop-api-1'), deadline());
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(verified.ok).toBe(false);
    expect(verified.summary).toMatch(/^not confirmed after [12] s: shop-api-1 running since [\d.]+ s, unhealthy; last probe exit 1: curl: \(7\) Failed to connect/);
  });

  it('verify fails when it exits again after the restart, at once when its restart policy will not start it', async () => {
    h.server.setContainers([...shopContainers().filter((c) => c.inspect.Name !== '/nginx'), container({ name: 'nginx', restartPolicy: 'no', afterStart: 'crash' })]);
    const p = await restart.preview(h.target, params('nginx'), deadline());
    expect((await restart.execute(h.target, params('nginx'), p.guard, deadline())).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // it crashes 60 ms after starting
    const started = Date.now();
    const verified = await restart.verify(h.target, params('nginx'), deadline());
    expect(Date.now() - started).toBeLessThan(500);
    expect(verified).toMatchObject({ ok: false, summary: expect.stringMatching(/^not confirmed: nginx exited \(exit code 1\) 0 s ago$/) });
  });

  it('a container whose restart policy starts it again is watched until the deadline', async () => {
    h.server.get('shop-cache-1').afterStart = 'crash';
    const p = await restart.preview(h.target, params('shop-cache-1'), deadline());
    expect((await restart.execute(h.target, params('shop-cache-1'), p.guard, deadline())).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // it crashes 60 ms after starting
    const verified = await restart.verify(h.target, params('shop-cache-1'), deadline());
    expect(verified.ok).toBe(false);
    expect(verified.summary).toMatch(/shop-cache-1 exited \(exit code 1\)/);
  });

  it('a container without a health check is confirmed once it runs with a new start time; a stopped one is started', async () => {
    const p = await restart.preview(h.target, params('shop-worker-1'), deadline());
    expect(p.change[1]).toBe('then wait up to 2 s for it to be running with a new start time');
    expect((await restart.execute(h.target, params('shop-worker-1'), p.guard, deadline())).summary).toMatch(/^shop-worker-1 restarted \(it was exited, started at /);
    const verified = await restart.verify(h.target, params('shop-worker-1'), deadline());
    expect(verified).toMatchObject({ ok: true });
    expect(h.server.get('shop-worker-1').inspect.State).toMatchObject({ Running: true, OOMKilled: false });
  });

  it('verify in another process (nothing remembered) checks the container as it is: running and healthy', async () => {
    const elsewhere: DockerTarget = { ...h.target, name: 'local-elsewhere' };
    h.server.get('shop-db-1').inspect.State.StartedAt = nanoTime(Date.now() - 5000);
    expect((await restart.verify(elsewhere, params('shop-db-1'), deadline())).ok).toBe(true);
    expect((await restart.verify(elsewhere, params('shop-api-1'), deadline(300))).ok).toBe(false);
  });

  it('a daemon that does not answer the restart: the change may or may not have happened', async () => {
    const p = await restart.preview(h.target, params('shop-api-1'), deadline());
    h.server.simulate({ stopMs: 2000 });
    const ran = await restart.execute(h.target, params('shop-api-1'), p.guard, deadline(500));
    expect(ran.ok).toBe(false);
    expect(ran.summary).toMatch(/^restart of shop-api-1: no answer from .* before the deadline \(it may or may not have happened: check before retrying\)$/);
  });
});
