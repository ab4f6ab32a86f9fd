/** k8s.maintenance: the playbook's two ingress-nginx annotations, set and removed by merge patch. */
import { describe, expect, it } from 'vitest';
import type { MaintenanceParams } from '../../../src/adapters/targets/kubernetes/actions/maintenance.js';
import { find } from './cluster.js';
import { action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const maintenance = action<MaintenanceParams>('k8s.maintenance');
const annotations = () => loose(find(h.fixtures.ingresses!, 'storefront')).metadata.annotations;
const ON = { 'nginx.ingress.kubernetes.io/custom-http-errors': '503', 'nginx.ingress.kubernetes.io/default-backend': 'maintenance-page' };

describe('k8s.maintenance', () => {
  it('previews the ingress, its annotations and what maintenance does', async () => {
    const p = await maintenance.preview(h.target, paramsOf(maintenance, 'shop/storefront', 'on'), actionContext());
    expect(p.current).toEqual([
      'ingress shop/storefront (class nginx) serves shop.example.com',
      'nginx.ingress.kubernetes.io/custom-http-errors: not set',
      'nginx.ingress.kubernetes.io/default-backend: not set',
    ]);
    expect(p.change).toEqual([
      'set nginx.ingress.kubernetes.io/custom-http-errors: "503"',
      'set nginx.ingress.kubernetes.io/default-backend: "maintenance-page"',
      '503 answers of shop.example.com (and requests while no backend pod is ready) are served by the Service maintenance-page of shop',
    ]);
  });

  it('on: merge-patches the two annotations and keeps the others; off: removes them with nulls', async () => {
    const { result } = await previewAndRun(maintenance, h, paramsOf(maintenance, 'shop/storefront', 'on'));
    expect(result).toMatchObject({ ok: true, summary: 'maintenance on on ingress shop/storefront (shop.example.com)', after: ON });
    expect(annotations()).toEqual({ 'nginx.ingress.kubernetes.io/proxy-body-size': '8m', ...ON });
    expect(await maintenance.verify(h.target, paramsOf(maintenance, 'shop/storefront', 'on'), actionContext())).toEqual({ ok: true, summary: 'maintenance is on on ingress shop/storefront' });
    expect((await maintenance.preview(h.target, paramsOf(maintenance, 'shop/storefront', 'on'), actionContext())).refusal).toBe('maintenance is already on on ingress shop/storefront');

    const off = await maintenance.preview(h.target, paramsOf(maintenance, 'shop/storefront', 'off'), actionContext());
    expect(off.change).toEqual(['remove nginx.ingress.kubernetes.io/custom-http-errors', 'remove nginx.ingress.kubernetes.io/default-backend', 'shop.example.com is served by its backends again']);
    await maintenance.execute(h.target, paramsOf(maintenance, 'shop/storefront', 'off'), off.guard, actionContext());
    expect(writes(h.server)).toEqual([
      { method: 'PATCH', path: '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/storefront', contentType: 'application/merge-patch+json', body: { metadata: { annotations: ON } } },
      {
        method: 'PATCH',
        path: '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/storefront',
        contentType: 'application/merge-patch+json',
        body: { metadata: { annotations: { 'nginx.ingress.kubernetes.io/custom-http-errors': null, 'nginx.ingress.kubernetes.io/default-backend': null } } },
      },
    ]);
    expect(annotations()).toEqual({ 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' });
    expect(await maintenance.verify(h.target, paramsOf(maintenance, 'shop/storefront', 'off'), actionContext())).toMatchObject({ ok: true });
  });

  it('turns on a half-set maintenance, and refuses off when it is already off', async () => {
    annotations()['nginx.ingress.kubernetes.io/custom-http-errors'] = '404,503';
    const p = await maintenance.preview(h.target, paramsOf(maintenance, 'shop/storefront', 'on'), actionContext());
    expect(p.current).toContain('nginx.ingress.kubernetes.io/custom-http-errors: "404,503"');
    expect(p.refusal).toBeUndefined();
    delete annotations()['nginx.ingress.kubernetes.io/custom-http-errors'];
    expect((await maintenance.preview(h.target, paramsOf(maintenance, 'shop/storefront', 'off'), actionContext())).refusal).toBe('maintenance is already off on ingress shop/storefront');
  });

  it('does nothing when the annotations changed since the preview', async () => {
    const params = paramsOf(maintenance, 'shop/storefront', 'on');
    const p = await maintenance.preview(h.target, params, actionContext());
    annotations()['nginx.ingress.kubernetes.io/default-backend'] = 'other';
    expect(await maintenance.execute(h.target, params, p.guard, actionContext())).toEqual({ ok: false, summary: 'ingress shop/storefront changed since the preview: preview again' });
    expect(writes(h.server)).toEqual([]);
  });

  it('refuses an unknown ingress and a namespace outside the target; takes on|off only', async () => {
    expect((await maintenance.preview(h.target, paramsOf(maintenance, 'shop/nope', 'on'), actionContext())).refusal).toBe('ingress shop/nope not found');
    expect((await maintenance.preview(h.target, paramsOf(maintenance, 'ingress-nginx/storefront', 'on'), actionContext())).refusal).toMatch(/^namespace "ingress-nginx" is not one/);
    expect(paramError(maintenance, 'shop/storefront', 'enable')).toBe('expected on or off, got "enable"');
    expect(paramError(maintenance, 'shop/storefront')).toBe('expected <ns>/<ingress> on|off, got 1 argument');
  });
});
