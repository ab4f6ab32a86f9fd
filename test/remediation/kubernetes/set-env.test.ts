/** k8s.set-env: one variable on every container, a strategic merge of the env lists by name. */
import { describe, expect, it } from 'vitest';
import type { SetEnvParams } from '../../../src/adapters/targets/kubernetes/actions/set-env.js';
import { find } from './cluster.js';
import { action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const setEnv = action<SetEnvParams>('k8s.set-env');

/** cart gets variables (one from a ConfigMap) and a second container taking others from a ConfigMap. */
function cartWithSidecar(): void {
  const spec = loose(find(h.fixtures.deployments, 'cart')).spec.template.spec;
  spec.containers[0].env = [
    { name: 'PORT', value: '8080' },
    { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'cart-config', key: 'log-level' } } },
    { name: 'DB_PASSWORD', value: 's3cr3t-value' },
  ];
  spec.containers.push({ name: 'envoy', image: 'envoyproxy/envoy:v1.31.2', env: [{ name: 'ENVOY_UID', value: '0' }], envFrom: [{ configMapRef: { name: 'envoy-env' } }] });
}

describe('k8s.set-env', () => {
  it('previews the current value in every container', async () => {
    cartWithSidecar();
    const p = await setEnv.preview(h.target, paramsOf(setEnv, 'shop/cart', 'LOG_LEVEL=debug'), actionContext());
    expect(p.current.slice(2)).toEqual([
      'cart: LOG_LEVEL from ConfigMap cart-config key log-level',
      'envoy: LOG_LEVEL not set (envFrom ConfigMap envoy-env may also set it)',
    ]);
    expect(p.change).toEqual(['set LOG_LEVEL="debug" on containers cart, envoy of shop/cart', 'its 2 pods are replaced by a rollout']);
    const secret = await setEnv.preview(h.target, paramsOf(setEnv, 'shop/cart', 'DB_PASSWORD=other'), actionContext());
    expect(secret.current).toContain('cart: DB_PASSWORD=(hidden, 12 characters)');
    expect(JSON.stringify(secret)).not.toContain('s3cr3t');
  });

  it('sends the variable for each container by name, replacing a valueFrom, and keeps the other variables', async () => {
    cartWithSidecar();
    const { result } = await previewAndRun(setEnv, h, paramsOf(setEnv, 'shop/cart', 'LOG_LEVEL=debug'));
    expect(result).toMatchObject({ ok: true, summary: 'LOG_LEVEL set on 2 containers of shop/cart; rollout started (generation 2)' });
    expect(writes(h.server)).toEqual([
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/shop/deployments/cart',
        contentType: 'application/strategic-merge-patch+json',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'cart', env: [{ name: 'LOG_LEVEL', value: 'debug', valueFrom: null }] },
                  { name: 'envoy', env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
                ],
              },
            },
          },
        },
      },
    ]);
    const containers = loose(find(h.fixtures.deployments, 'cart')).spec.template.spec.containers;
    expect(containers[0].env).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'DB_PASSWORD', value: 's3cr3t-value' },
    ]);
    expect(containers[0].image).toBe('registry.example.com/shop/cart:1.12.0');
    expect(containers[1].env).toEqual([
      { name: 'ENVOY_UID', value: '0' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(await setEnv.verify(h.target, paramsOf(setEnv, 'shop/cart', 'LOG_LEVEL=debug'), actionContext(2000))).toMatchObject({ ok: true });
  });

  it('verify waits for the value on every container as well as the rollout', async () => {
    const v = await setEnv.verify(h.target, paramsOf(setEnv, 'shop/cart', 'LOG_LEVEL=debug'), actionContext(150));
    expect(v).toEqual({ ok: false, summary: 'rollout of shop/cart not complete by the deadline: containers without LOG_LEVEL="debug": cart; 2 of 2 updated, 2 ready, 2 available, 2 running (generation 1 of 1 observed)' });
  });

  it('refuses when every container already has it, and a paused deployment', async () => {
    await previewAndRun(setEnv, h, paramsOf(setEnv, 'shop/api', 'LOG_LEVEL=debug'));
    const again = await setEnv.preview(h.target, paramsOf(setEnv, 'shop/api', 'LOG_LEVEL=debug'), actionContext());
    expect(again.refusal).toBe('every container of shop/api already has LOG_LEVEL="debug"');
    expect(again.current).toContain('api: LOG_LEVEL="debug"');
    loose(find(h.fixtures.deployments, 'api')).spec.paused = true;
    expect((await setEnv.preview(h.target, paramsOf(setEnv, 'shop/api', 'LOG_LEVEL=info'), actionContext())).refusal).toMatch(/^rollouts of shop\/api are paused/);
  });

  it('takes KEY=VALUE with a valid name and a value of at most 1024 characters', () => {
    expect(paramsOf(setEnv, 'shop/api', 'LOG_LEVEL=debug')).toEqual({ namespace: 'shop', name: 'api', env: { key: 'LOG_LEVEL', value: 'debug' } });
    expect(paramsOf(setEnv, 'shop/api', 'NODE_OPTIONS=--max-old-space-size=2048').env).toEqual({ key: 'NODE_OPTIONS', value: '--max-old-space-size=2048' });
    expect(paramsOf(setEnv, 'shop/api', 'EMPTY=').env).toEqual({ key: 'EMPTY', value: '' });
    expect(paramError(setEnv, 'shop/api', 'LOG_LEVEL')).toBe('expected KEY=VALUE, e.g. LOG_LEVEL=debug; got "LOG_LEVEL"');
    expect(paramError(setEnv, 'shop/api', '1LOG=x')).toBe('"1LOG" is not a valid environment variable name (letters, digits, "_", "-" or ".", not starting with a digit)');
    expect(paramError(setEnv, 'shop/api', 'A B=x')).toContain('is not a valid environment variable name');
    expect(paramError(setEnv, 'shop/api', `BIG=${'x'.repeat(1025)}`)).toBe('the value of BIG is 1025 characters long; at most 1024');
    expect(paramsOf(setEnv, 'shop/api', `BIG=${'x'.repeat(1024)}`).env.value).toHaveLength(1024);
    expect(paramError(setEnv, 'shop/api', 'A=line\nbreak')).toBe('the value of A contains control characters');
  });
});
