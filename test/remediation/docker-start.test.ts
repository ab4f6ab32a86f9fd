/**
 * docker.start <container> against the Engine API stand-in: it starts a stopped container of the
 * target (the OOMKilled worker), refuses one that runs, is paused or restarting, and one started
 * by someone else since the preview; verify waits for it to run.
 */
import { describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../src/core/remediation/action.js';
import { dockerActions, type ContainerParams } from '../../src/adapters/targets/docker/actions/index.js';
import type { DockerTarget } from '../../src/adapters/targets/docker/target.js';
import { container, idOf, shopContainers } from '../docker/fixtures.js';
import { deadline, useEngine, writes } from '../docker/harness.js';

const h = useEngine();
const start = dockerActions({ pollMs: 10, healthTimeoutMs: 1000, stopTimeoutSeconds: 1 }).find((a) => a.id === 'docker.start') as ActionDefinition<DockerTarget, ContainerParams>;
const params = (name: string) => start.params.parse([name]);

describe('docker.start', () => {
  it('previews the stopped container with its exit, starts it once, and confirms it runs', async () => {
    const p = await start.preview(h.target, params('shop-worker-1'), deadline());
    expect(p.refusal).toBeUndefined();
    expect(p.current[0]).toMatch(/^shop-worker-1 \([0-9a-f]{12}\): exited \(exit code 137, OOMKilled\) 4 min ago$/);
    expect(p.change[0]).toBe('start container shop-worker-1 (stopped: exited (exit code 137, OOMKilled) 4 min ago)');
    expect(writes(h.server)).toEqual([]);
    const ran = await start.execute(h.target, params('shop-worker-1'), p.guard, deadline());
    expect(ran).toMatchObject({ ok: true, before: { status: 'exited', restartCount: 0 } });
    expect(ran.summary).toMatch(/^shop-worker-1 started \(it was exited, started at /);
    expect(writes(h.server).map((r) => `${r.method} ${r.url}`)).toEqual([`POST /v1.44/containers/${idOf('shop-worker-1')}/start`]);
    const verified = await start.verify(h.target, params('shop-worker-1'), deadline());
    expect(verified.ok).toBe(true);
    expect(verified.summary).toMatch(/^shop-worker-1 running since \d+ s$/);
  });

  it('refuses a container that already runs, one that is restarting, and one that is paused', async () => {
    expect((await start.preview(h.target, params('shop-db-1'), deadline())).refusal).toMatch(/^shop-db-1 is already running \(since .*\): nothing to start; docker.restart restarts it$/);
    expect((await start.preview(h.target, params('shop-scheduler-1'), deadline())).refusal).toBe('shop-scheduler-1 is restarting by its restart policy: nothing to start (docker.restart restarts it)');
    h.server.setContainers([container({ name: 'nginx', state: 'paused' })]);
    expect((await start.preview(h.target, params('nginx'), deadline())).refusal).toBe('nginx is paused: `docker unpause nginx` rather than start it');
    expect(writes(h.server)).toEqual([]);
  });

  it('a container started by someone else since the preview is refused, and not started twice', async () => {
    const p = await start.preview(h.target, params('shop-worker-1'), deadline());
    h.server.restartNow('shop-worker-1');
    h.server.requests.length = 0;
    const ran = await start.execute(h.target, params('shop-worker-1'), p.guard, deadline());
    expect(ran.ok).toBe(false);
    expect(ran.summary).toMatch(/^shop-worker-1 was restarted meanwhile \(started at .*\); nothing done$/);
    expect(writes(h.server)).toEqual([]);
  });

  it('a container of another project is refused, in preview and at execution', async () => {
    h.server.setContainers(shopContainers().map((c) => (c.inspect.Name === '/other-app-1' ? container({ name: 'other-app-1', project: 'other', service: 'app', state: 'exited', exitCode: 1 }) : c)));
    expect((await start.preview(h.target, params('other-app-1'), deadline())).refusal).toMatch(/^container "other-app-1" is not one of local's: Firebreak acts only on compose project shop and container nginx/);
    const other = h.server.get('other-app-1').inspect;
    expect((await start.execute(h.target, params('other-app-1'), { id: other.Id, startedAt: other.State.StartedAt }, deadline())).ok).toBe(false);
    expect(h.server.get('other-app-1').inspect.State.Running).toBe(false);
    expect(writes(h.server)).toEqual([]);
  });
});
