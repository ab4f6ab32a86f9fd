/**
 * docker.compose-restart <project> against the Engine API stand-in: only the target's project,
 * every one of its containers restarted one after another with dependencies first (from the
 * com.docker.compose.depends_on labels), refused when any container changed since the preview,
 * stopped at the first failure saying what was and was not restarted, and verified once all run
 * again, healthy where they have a health check. The order itself is tested on its own too.
 */
import { describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../src/core/remediation/action.js';
import { dockerActions, type ProjectParams } from '../../src/adapters/targets/docker/actions/index.js';
import { dependencyOrder, nameOf, type ContainerInspect } from '../../src/adapters/targets/docker/containers.js';
import type { DockerTarget } from '../../src/adapters/targets/docker/target.js';
import { container, idOf } from '../docker/fixtures.js';
import { deadline, useEngine, writes } from '../docker/harness.js';

const h = useEngine();
const action = dockerActions({ pollMs: 10, healthTimeoutMs: 2000, stopTimeoutSeconds: 1 }).find((a) => a.id === 'docker.compose-restart') as ActionDefinition<DockerTarget, ProjectParams>;
const shop = action.params.parse(['shop']);
/** Dependencies first: db and cache, then api (db, cache) and worker (db), then what needs api. */
const ORDER = ['shop-cache-1', 'shop-db-1', 'shop-reports-1', 'shop-search-1', 'shop-api-1', 'shop-worker-1', 'shop-scheduler-1', 'shop-web-1'];

describe('dependencyOrder', () => {
  const c = (name: string, service: string | undefined, dependsOn = '') => container({ name, ...(service ? { project: 'p', service, dependsOn } : {}) }).inspect as unknown as ContainerInspect;

  it('puts each service after those it depends on, names breaking ties, a service scaled to several containers together', () => {
    const order = dependencyOrder([c('p-web-1', 'web', 'api:service_started:false'), c('p-api-2', 'api', 'db:service_healthy:false'), c('p-db-1', 'db'), c('p-api-1', 'api', 'db:service_healthy:true')]);
    expect(order.map(nameOf)).toEqual(['p-db-1', 'p-api-1', 'p-api-2', 'p-web-1']);
  });

  it('ignores dependencies on services with no container; a cycle and unlabelled containers go last, in name order', () => {
    const order = dependencyOrder([c('loose', undefined), c('p-b-1', 'b', 'a:service_started:false'), c('p-a-1', 'a', 'b:service_started:false'), c('p-c-1', 'c', 'gone:service_started:false')]);
    expect(order.map(nameOf)).toEqual(['p-c-1', 'p-a-1', 'p-b-1', 'loose']);
  });
});

describe('docker.compose-restart', () => {
  it('is critical, previews the project and the order, and changes nothing', async () => {
    expect(action.risk).toBe('critical');
    const p = await action.preview(h.target, shop, deadline());
    expect(p.refusal).toBeUndefined();
    expect(p.current).toHaveLength(8);
    expect(p.current[0]).toMatch(/^cache: shop-cache-1 running since 1 h$/);
    expect(p.change[0]).toBe(`restart the 8 containers of project shop one after another, dependencies first: ${ORDER.join(' → ')}`);
    expect(p.guard).toEqual({ project: 'shop', containers: ORDER.map((n) => ({ id: idOf(n), startedAt: h.server.get(n).inspect.State.StartedAt })) });
    expect(writes(h.server)).toEqual([]);
  });

  it('restarts every container in that order, then confirms all run again and the health checks pass', async () => {
    const p = await action.preview(h.target, shop, deadline());
    const ran = await action.execute(h.target, shop, p.guard, deadline(10_000));
    expect(ran.ok).toBe(true);
    expect(ran.summary).toBe(`restarted 8 containers of project shop in order: ${ORDER.join(' → ')}`);
    expect(writes(h.server).map((r) => r.url)).toEqual(ORDER.map((n) => `/v1.44/containers/${idOf(n)}/restart?t=1`));
    const verified = await action.verify(h.target, shop, deadline(10_000));
    expect(verified.ok).toBe(true);
    expect(verified.summary.split('; ')).toHaveLength(8);
    expect(verified.after).toMatchObject({ 'shop-api-1': { health: 'healthy' }, 'shop-worker-1': { status: 'running' }, 'shop-scheduler-1': { status: 'running' } });
  });

  it('leaves the watched container outside the project alone', async () => {
    const nginxStart = h.server.get('nginx').inspect.State.StartedAt;
    const p = await action.preview(h.target, shop, deadline());
    await action.execute(h.target, shop, p.guard, deadline(10_000));
    expect(h.server.get('nginx').inspect.State.StartedAt).toBe(nginxStart);
    expect(writes(h.server).some((r) => r.url.includes(idOf('nginx')))).toBe(false);
  });

  it('refuses another project, and a target without one', async () => {
    expect((await action.preview(h.target, action.params.parse(['other']), deadline())).refusal).toBe('project "other" is not local\'s: Firebreak acts only on its compose project shop');
    const noProject: DockerTarget = { ...h.target, project: undefined, services: undefined };
    expect((await action.preview(noProject, shop, deadline())).refusal).toMatch(/^local watches no compose project/);
    expect((await action.execute(h.target, action.params.parse(['other']), { project: 'other', containers: [{ id: idOf('other-app-1'), startedAt: 'x' }] }, deadline())).ok).toBe(false);
    expect(writes(h.server)).toEqual([]);
  });

  it('a container restarted since the preview stops it before anything is restarted', async () => {
    const p = await action.preview(h.target, shop, deadline());
    h.server.restartNow('shop-search-1');
    h.server.requests.length = 0;
    const ran = await action.execute(h.target, shop, p.guard, deadline());
    expect(ran).toMatchObject({ ok: false, summary: expect.stringMatching(/^shop-search-1 was restarted meanwhile \(started at .*\); nothing done$/) });
    expect(writes(h.server)).toEqual([]);
  });

  it('a container added to the project since the preview stops it too', async () => {
    const p = await action.preview(h.target, shop, deadline());
    h.server.setContainers([...h.server.containers, container({ name: 'shop-api-2', project: 'shop', service: 'api' })]);
    const ran = await action.execute(h.target, shop, p.guard, deadline());
    expect(ran.summary).toBe('the project changed since the preview (new: shop-api-2); nothing done');
    expect(writes(h.server)).toEqual([]);
  });

  it('stops at the first failure, saying what was restarted and what was not', async () => {
    const p = await action.preview(h.target, shop, deadline());
    // As the first restart arrives, shop-api-1 is removed (docker rm -f).
    h.server.onRequest((r) => {
      if (r.method !== 'POST') return;
      h.server.containers.splice(h.server.containers.indexOf(h.server.get('shop-api-1')), 1);
      h.server.onRequest(null);
    });
    const ran = await action.execute(h.target, shop, p.guard, deadline(10_000));
    expect(ran.ok).toBe(false);
    expect(ran.summary).toBe('container shop-api-1 is gone (removed meanwhile); restarted before it: shop-cache-1, shop-db-1, shop-reports-1, shop-search-1; not restarted: shop-worker-1, shop-scheduler-1, shop-web-1');
  });

  it('verify fails when one of them stays unhealthy', async () => {
    h.server.get('shop-db-1').afterStart = 'unhealthy';
    const p = await action.preview(h.target, shop, deadline());
    expect((await action.execute(h.target, shop, p.guard, deadline(10_000))).ok).toBe(true);
    const verified = await action.verify(h.target, shop, deadline(10_000));
    expect(verified.ok).toBe(false);
    expect(verified.summary).toMatch(/^not confirmed after 2 s: .*shop-db-1 running since \d+ s, unhealthy; last probe exit 1/);
  });
});
