/**
 * What `/diag k8s` reads beyond pods and deployments, through the real client against the local
 * API server: Services without ready endpoints, Ingresses to missing Services or TLS Secrets,
 * cert-manager Certificates (and their absence), Pending claims, full volumes from the kubelets'
 * stats summaries (and nodes/proxy refused), containers OOMKilled without a limit, and why an image
 * pull fails, from the kubelet's events.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubernetesProbe, kubeThresholdsSchema } from '../../../src/adapters/targets/kubernetes/probe/index.js';
import { classifyPull } from '../../../src/adapters/targets/kubernetes/probe/pods.js';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { startKubeApiServer, type KubeApiServer } from '../../kube/api-server.js';
import { extendedFixtures, PULL_REGISTRY_ANSWER, WORKER_POD } from '../../kube/extras.js';
import { NS, POD } from '../../kube/fixtures.js';
import { having, one, probeContext, targetOf } from './context.js';

let server: KubeApiServer;
beforeAll(async () => {
  server = await startKubeApiServer(extendedFixtures());
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.setFixtures(extendedFixtures());
  server.forbid(null);
  server.requests.length = 0;
});

const run = (extra = {}): Promise<Finding[]> => kubernetesProbe(targetOf(server, extra), { namespace: NS }).run(probeContext(5000));

describe('Services and their endpoints', () => {
  it('reports a Service whose pods are all unready, and one whose selector matches no pod, as critical; skips one without selector', async () => {
    const findings = await run();
    const search = one(findings, 'service without endpoints', `${NS}/service/search`);
    expect(search).toMatchObject({ status: 'critical', value: 'no ready endpoint: its selector matches 2 pods, none ready' });
    expect(search.evidence).toContain('selector app=search');
    const checkout = one(findings, 'service without endpoints', `${NS}/service/checkout`);
    expect(checkout.value).toBe('no ready endpoint: its selector matches no pod');
    expect(checkout.recommendation).toContain('app=checkout');
    const flagged = having(findings, 'service without endpoints').map((f) => f.component).sort();
    expect(flagged).toEqual([`${NS}/service/checkout`, `${NS}/service/search`]); // api, web, cart have ready pods; legacy-db has no selector
  });

  it('says the services are fine when every one has a ready endpoint', async () => {
    const f = extendedFixtures();
    server.setFixtures({ ...f, services: f.services!.filter((s) => ['api', 'web', 'cart', 'legacy-db'].includes(s.metadata.name)) });
    expect(one(await run(), 'services', NS)).toMatchObject({ status: 'ok', value: '3 services with a selector, each with a ready endpoint' });
  });
});

describe('Ingresses', () => {
  it('reports a path to a Service that does not exist', async () => {
    const f = one(await run(), 'ingress backend missing', `${NS}/ingress/storefront`);
    expect(f).toMatchObject({ status: 'critical', value: '1 of 3 paths lead nowhere: shop.example.com/search → search-v2:80' });
    expect(f.evidence).toEqual(['shop.example.com/search: Service search-v2 does not exist']);
  });

  it('reports a missing TLS Secret: critical, a warning while a Certificate is to write it', async () => {
    const findings = await run();
    expect(one(findings, 'ingress TLS secret missing', `${NS}/ingress/docs`)).toMatchObject({ status: 'critical', value: 'TLS Secret docs-tls for docs.shop.example.com does not exist' });
    const admin = one(findings, 'ingress TLS secret missing', `${NS}/ingress/admin`);
    expect(admin.status).toBe('warning');
    expect(admin.value).toContain('Certificate admin-tls is to write it');
    expect(having(findings, 'ingress TLS secret missing', `${NS}/ingress/storefront`)).toHaveLength(0);
  });

  it('reads the Secrets as metadata only, so their data never reaches Firebreak', async () => {
    await run();
    const read = server.requests.find((r) => r.path.startsWith(`/api/v1/namespaces/${NS}/secrets`));
    expect(read?.accept).toMatch(/^application\/json;as=PartialObjectMetadataList;g=meta\.k8s\.io;v=v1/);
  });

  it('says once, without failing, that TLS Secrets are not checked when listing secrets is forbidden', async () => {
    server.forbid(/\/secrets$/);
    const findings = await run();
    expect(one(findings, 'ingress TLS secret', NS)).toMatchObject({ status: 'ok', threshold: 'informational' });
    expect(having(findings, 'ingress TLS secret missing')).toHaveLength(0);
    expect(having(findings, 'ingress backend missing')).toHaveLength(1); // the rest still checked
  });
});

describe('cert-manager Certificates', () => {
  it('grades not Ready and expired as critical, expiring within 14 days as a warning, valid ones not at all', async () => {
    const findings = await run();
    expect(one(findings, 'certificate not ready', `${NS}/certificate/admin-tls`)).toMatchObject({ status: 'critical', value: 'Ready=False (DoesNotExist) (admin.shop.example.com)' });
    expect(one(findings, 'certificate expired', `${NS}/certificate/old-tls`).value).toMatch(/^expired 2 days ago/);
    const expiring = one(findings, 'certificate expiring', `${NS}/certificate/api-tls`);
    expect(expiring.status).toBe('warning');
    expect(expiring.value).toMatch(/^expires in (9|10) days/);
    expect(findings.filter((f) => f.component === `${NS}/certificate/storefront-tls`)).toHaveLength(0);
  });

  it('takes the expiry warning from the thresholds', async () => {
    const thresholds = kubeThresholdsSchema.parse({ certificateExpiryWarnMs: '90d' });
    const findings = await run({ thresholds });
    expect(one(findings, 'certificate expiring', `${NS}/certificate/storefront-tls`).value).toMatch(/^expires in (59|60) days/);
  });

  it('says nothing of Certificates when cert-manager is not installed (404 on its group)', async () => {
    server.setFixtures({ ...extendedFixtures(), certificates: undefined });
    const findings = await run();
    expect(findings.filter((f) => f.check.startsWith('certificate') || f.component.includes('certificates'))).toEqual([]);
    // Without a Certificate to write it, the admin Secret's absence is critical.
    expect(one(findings, 'ingress TLS secret missing', `${NS}/ingress/admin`).status).toBe('critical');
  });
});

describe('claims and volumes', () => {
  it('reports a claim Pending past the grace that a pod waits for as critical, with the provisioner\'s event', async () => {
    const findings = await run();
    const f = one(findings, 'pvc pending', `${NS}/pvc/search-data`);
    expect(f.status).toBe('critical');
    expect(f.value).toMatch(/^Pending for 20 min.*; 1 pod waits for it$/);
    expect(f.evidence?.[0]).toContain('ProvisioningFailed: failed to provision volume');
    expect(one(findings, 'pvc pending', `${NS}/pvc/spare`)).toMatchObject({ status: 'warning' });
    expect(having(findings, 'pvc pending', `${NS}/pvc/uploads`)).toHaveLength(0); // 2 minutes old: within the 5-minute grace
  });

  it('grades bound claims by the usage the kubelets report: 96 % critical, 92 % warning, 40 % nothing', async () => {
    const findings = await run();
    expect(one(findings, 'volume usage', `${NS}/pvc/cart-data`)).toMatchObject({ status: 'critical', value: '96 % used: 19.2 GiB of 20 GiB' });
    expect(one(findings, 'volume usage', `${NS}/pvc/api-cache`)).toMatchObject({ status: 'warning', value: '92 % used: 4.6 GiB of 5 GiB' });
    expect(having(findings, 'volume usage', `${NS}/pvc/web-assets`)).toHaveLength(0);
    const stats = server.requests.filter((r) => r.path.includes('/proxy/')).map((r) => r.path).sort();
    expect(stats).toEqual(['/api/v1/nodes/node-a/proxy/stats/summary', '/api/v1/nodes/node-c/proxy/stats/summary']);
  });

  it('says "volume usage not readable: grant nodes/proxy get" as information when the node proxy is forbidden', async () => {
    server.forbid(/\/proxy\//);
    const findings = await run();
    const f = one(findings, 'volume usage', 'prod');
    expect(f).toMatchObject({ status: 'ok', value: 'volume usage not readable: grant nodes/proxy get' });
    expect(having(findings, 'pvc pending')).toHaveLength(2);
  });

  it('takes the volume thresholds from the configuration, and refuses a warning above the critical one', async () => {
    const thresholds = kubeThresholdsSchema.parse({ volumeUsageWarn: 0.3, volumeUsageCritical: 0.5 });
    expect(one(await run({ thresholds }), 'volume usage', `${NS}/pvc/web-assets`).status).toBe('warning');
    expect(kubeThresholdsSchema.safeParse({ volumeUsageWarn: 0.97 }).error?.issues[0]?.message).toContain('volumeUsageWarn (0.97) must not be above volumeUsageCritical (0.95, its default)');
  });
});

describe('containers without limits', () => {
  it('names the container OOMKilled without a memory limit and offers k8s.set-resources', async () => {
    const findings = await run();
    const f = one(findings, 'OOMKilled without limit', `${NS}/${WORKER_POD}`);
    expect(f.status).toBe('warning');
    expect(f.value).toMatch(/^container worker has no resource limits and was OOMKilled \(exit 137\)/);
    expect(f.remediation).toEqual({ action: 'k8s.set-resources', args: ['shop/worker', 'worker', '--memory', '1Gi'], label: 'Limit worker of shop/worker to 1Gi' });
    // The api container has its limit: the usual OOMKilled finding, offering to double it (seed 003's 1Gi).
    const api = one(findings, 'OOMKilled', `${NS}/${POD.oom}`);
    expect(api.remediation?.args).toEqual(['shop/api', 'api', '--memory', '1Gi']);
    expect(having(findings, 'OOMKilled without limit', `${NS}/${POD.oom}`)).toHaveLength(0);
  });
});

describe('why an image pull fails', () => {
  it("quotes the registry's answer from the kubelet's events, not the back-off that follows it", async () => {
    const findings = await run();
    const f = one(findings, 'image pull', `${NS}/${POD.pullBackOff}`);
    expect(f.value).toBe('ImagePullBackOff: registry.example.com/shop/web:2.5.0 (tag or image not found)');
    expect(f.evidence?.[0]).toBe(`registry: ${PULL_REGISTRY_ANSWER}`);
    expect(f.recommendation).toContain('no such image or tag');
    // The event group keeps the registry's answer first, the "Error: ImagePullBackOff" restatement after.
    const events = having(findings, 'warning events', `${NS}/${POD.pullBackOff}`).find((e) => e.value.startsWith('Failed'));
    expect(events?.evidence?.[0]).toBe(PULL_REGISTRY_ANSWER);
    expect(events?.evidence).toContain('Error: ImagePullBackOff');
  });

  it.each([
    ['Failed to pull image "registry.example.com/shop/web:9.9": rpc error: code = NotFound desc = failed to pull and unpack image: manifest unknown', 'tag or image not found'],
    [
      'Failed to pull image "registry.example.com/private/api:2.4.0": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://registry.example.com/token: 401 Unauthorized',
      'unauthorized',
    ],
    ['Failed to pull image "ghcr.io/acme/api:1": failed to resolve reference: denied: requested access to the resource is denied', 'unauthorized'],
    ['Failed to pull image "docker.io/acme/api:1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed', 'not found or not authorized'],
    ['Failed to pull image "registry.example.com/shop/web:2.5.0": failed to do request: Head "https://registry.example.com/v2/shop/web/manifests/2.5.0": dial tcp 10.0.9.9:443: i/o timeout', 'registry unreachable'],
    ['Failed to pull image "registry.internal/web:1": dial tcp: lookup registry.internal on 10.96.0.10:53: no such host', 'registry unreachable'],
    ['Failed to pull image "registry.example.com/web:1": tls: failed to verify certificate: x509: certificate signed by unknown authority', 'other'],
  ])('classifies %s', (message, expected) => {
    expect(classifyPull(message)).toBe(expected);
  });

  it('says which pull secret the pod has when the registry refuses the credentials', async () => {
    const f = extendedFixtures();
    const unauthorized = 'Failed to pull image "registry.example.com/shop/web:2.5.0": failed to authorize: 401 Unauthorized';
    const ev = f.events.find((e) => e.message === PULL_REGISTRY_ANSWER)!;
    ev['message'] = unauthorized;
    const pod = f.pods.find((p) => p.metadata.name === POD.pullBackOff)!;
    (pod.spec as { imagePullSecrets?: object[] }).imagePullSecrets = [{ name: 'registry-creds' }];
    server.setFixtures(f);
    const found = one(await run(), 'image pull', `${NS}/${POD.pullBackOff}`);
    expect(found.value).toContain('(unauthorized)');
    expect(found.recommendation).toContain('imagePullSecrets registry-creds');
  });
});

describe('what it sends', () => {
  it('only GET requests, in the namespace asked for, to nodes, and to the stats summary of the nodes mounting a claim', async () => {
    await run();
    expect(server.requests.every((r) => r.method === 'GET')).toBe(true);
    for (const r of server.requests) expect(r.path).toMatch(/^\/(?:api\/v1\/nodes(?:\/node-[ac]\/proxy\/stats\/summary)?$|apis?\/[^?]*namespaces\/shop\/)/);
  });
});
