/**
 * deploy/kubernetes: the base and every overlay rendered as `kubectl apply -k` would (kustomize.ts),
 * each resource checked against the Kubernetes API's definitions (kube-schema.ts), and the
 * Deployment checked against the app and the image it runs: the port and the health route
 * Firebreak serves, the user the Dockerfile runs as, the configuration Firebreak loads, the
 * credentials the Secret carries, the ServiceAccount the RBAC binds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { checkRunbooks, runbookWorld } from '../../src/adapters/runbooks/load-runbooks.js';
import { healthRoute, LIVENESS_PATH } from '../../src/adapters/slack/health.js';
import { execForm, instructions, readDockerfile, ROOT } from './dockerfile.js';
import { schemaProblems, unknownFields } from './kube-schema.js';
import { applyOp, build, readKustomization, readManifests, type Manifest } from './kustomize.js';

const KUBE = path.join(ROOT, 'deploy/kubernetes');
const OVERLAYS = readdirSync(path.join(KUBE, 'overlays')).map((o) => `overlays/${o}`);
const RENDERED: Array<[string, Manifest[]]> = ['base', ...OVERLAYS].map((dir) => [dir, build(path.join(KUBE, dir))]);
const SECRET_TEMPLATE = readManifests(path.join(KUBE, 'secret.template.yaml'));
const APP_HEALTH_PATH = healthRoute(async () => ({ code: 200, body: {} as never })).path;

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/* Shapes read from the manifests (only what the checks look at). */
interface Probe {
  httpGet?: { path: string; port: number | string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  ports: Array<{ name?: string; containerPort: number }>;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: Array<{ name: string; configMap?: { name: string }; emptyDir?: Record<string, unknown> }>;
  terminationGracePeriodSeconds?: number;
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  strategy: { type: string; rollingUpdate: { maxUnavailable: number | string; maxSurge: number | string } };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

const one = (ms: Manifest[], kind: string, name?: string): Manifest => {
  const found = ms.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  expect(found.map((m) => `${m.kind}/${m.metadata.name}`), `one ${kind}`).toHaveLength(1);
  return found[0]!;
};
const deploymentOf = (ms: Manifest[]) => one(ms, 'Deployment', 'firebreak').spec as DeploymentSpec;
const containerOf = (ms: Manifest[]) => deploymentOf(ms).template.spec.containers.find((c) => c.name === 'firebreak')!;
const envValue = (c: Container, name: string) => c.env.find((e) => e.name === name)?.value;
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
/** Kubernetes quantities in bytes or cores, enough for Mi/Gi and m. */
const quantity = (q: string) => {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`unread quantity ${q}`);
  return Number(m[1]) * ({ m: 0.001, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] as 'm'] ?? 1);
};

describe('the resolver and the schema checks catch what they are for', () => {
  it('a resource that does not exist, a key the resolver does not read, a patch whose test fails', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-kustomize-'));
    temps.push(dir);
    const write = (text: string) => writeFileSync(path.join(dir, 'kustomization.yaml'), text);
    const head = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
    write(`${head}resources: [missing.yaml]\n`);
    expect(() => build(dir)).toThrow('resource missing.yaml does not exist');
    write(`${head}namespace: firebreak\n`);
    expect(() => readKustomization(dir)).toThrow('does not read namespace');
    expect(() => applyOp({ a: [{ name: 'X' }] }, { op: 'test', path: '/a/0/name', value: 'LOG_LEVEL' })).toThrow('expected "LOG_LEVEL", found "X"');
  });

  it('a field the API does not have, and a value of the wrong type', async () => {
    const deployment = structuredClone(one(RENDERED[0]![1], 'Deployment'));
    (deployment.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0]!.readinesProbe = {};
    (deployment.spec as Record<string, unknown>).replicas = 'two';
    const problems = await schemaProblems(deployment);
    expect(problems).toContain('Deployment firebreak: /spec/template/spec/containers/0/readinesProbe is not a field of apps/v1 Deployment');
    expect(problems.some((p) => p.includes('spec/replicas must be integer'))).toBe(true);
    expect(unknownFields({ metadata: { name: 'x', labelz: {} } }, 'V1Service')).toEqual(['/metadata/labelz']);
  });
});

describe.each(RENDERED)('%s', (dir, manifests) => {
  it('renders every resource, each valid against the Kubernetes API definitions', async () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    const problems = (await Promise.all(manifests.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
  });

  it('keeps Firebreak in its namespace, and the Role and its binding in the namespace it watches', () => {
    for (const m of manifests) {
      if (m.kind === 'Namespace' || m.kind.startsWith('Cluster')) expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBeUndefined();
      else if (m.kind === 'Role' || m.kind === 'RoleBinding') expect(m.metadata.namespace).toBe('shop');
      else expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe('firebreak');
    }
  });

  it('runs two replicas, replaced one at a time with none unavailable, and one always left by a disruption', () => {
    const spec = deploymentOf(manifests);
    expect(spec.replicas).toBe(2);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const pdb = one(manifests, 'PodDisruptionBudget').spec as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    expect(pdb.minAvailable).toBe(1);
    expect(pdb.minAvailable).toBeLessThan(spec.replicas);
    expect(matches(pdb.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
    expect(matches(spec.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
  });

  it('probes the route and the port Firebreak serves, and the Service sends traffic there', () => {
    const c = containerOf(manifests);
    const port = c.ports.find((p) => p.name === 'http')!;
    expect(port.containerPort).toBe(3000);
    // (The port Firebreak listens on from this environment: the ConfigMap's test below.)
    // Readiness and start-up ask /healthz (dependencies included); liveness asks /livez, which a
    // store or Slack outage leaves at 200, so that an outage does not restart every replica.
    expect(c.readinessProbe?.httpGet?.path).toBe(APP_HEALTH_PATH);
    expect(c.startupProbe?.httpGet?.path).toBe(APP_HEALTH_PATH);
    expect(c.livenessProbe?.httpGet?.path).toBe(LIVENESS_PATH);
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect([port.name, port.containerPort]).toContain(probe?.httpGet?.port);
      // /healthz answers within about a second whatever hangs: a timeout above that reads its 503.
      expect(probe!.timeoutSeconds).toBeGreaterThanOrEqual(2);
    }
    // Liveness is lenient all the same (a long garbage collection is not a stuck process);
    // readiness takes the pod out of the Service quickly.
    expect(c.livenessProbe!.periodSeconds! * c.livenessProbe!.failureThreshold!).toBeGreaterThanOrEqual(60);
    expect(c.readinessProbe!.periodSeconds! * c.readinessProbe!.failureThreshold!).toBeLessThanOrEqual(15);
    const service = one(manifests, 'Service').spec as { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string | number }> };
    expect(service.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
    expect(matches(service.selector, deploymentOf(manifests).template.metadata.labels)).toBe(true);
  });

  it('runs as the image’s non-root user, read-only, unprivileged, with no capability and the runtime’s seccomp profile', () => {
    const runtime = readDockerfile().stages.at(-1)!;
    const [uid, gid] = instructions(runtime, 'USER')[0]!.args.split(':').map(Number);
    const pod = deploymentOf(manifests).template.spec;
    const c = containerOf(manifests);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
    expect(c.securityContext.capabilities?.add).toBeUndefined();
    expect(uid).toBeGreaterThan(0);
    // A read-only root: /tmp is the only writable place, and it is bounded.
    const tmp = c.volumeMounts.find((m) => m.mountPath === '/tmp')!;
    expect(pod.volumes.find((v) => v.name === tmp.name)?.emptyDir).toMatchObject({ sizeLimit: expect.any(String) });
    expect(c.volumeMounts.filter((m) => !m.readOnly).map((m) => m.mountPath)).toEqual(['/tmp']);
    // The image's entry point, not an overridden command.
    expect((c as unknown as Record<string, unknown>).command).toBeUndefined();
    expect(execForm(instructions(runtime, 'CMD')[0]!.args)).toEqual(['node', 'dist/main.js']);
  });

  it('asks for resources within its limits, and keeps the V8 heap below the memory limit', () => {
    const c = containerOf(manifests);
    for (const r of ['cpu', 'memory']) {
      expect(c.resources.requests[r], r).toBeDefined();
      expect(quantity(c.resources.requests[r]!)).toBeLessThanOrEqual(quantity(c.resources.limits[r]!));
    }
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(envValue(c, 'NODE_OPTIONS') ?? '')?.[1]);
    expect(heapMb * 1024 ** 2).toBeLessThan(quantity(c.resources.limits.memory!));
    expect(heapMb * 1024 ** 2).toBeGreaterThan(quantity(c.resources.requests.memory!) / 2);
  });

  it('mounts the ConfigMap where FIREBREAK_CONFIG points, and Firebreak loads it with the Secret’s variables', () => {
    const c = containerOf(manifests);
    const pod = deploymentOf(manifests).template.spec;
    const configPath = envValue(c, 'FIREBREAK_CONFIG')!;
    const mount = c.volumeMounts.find((m) => m.mountPath === path.dirname(configPath))!;
    expect(mount.readOnly).toBe(true);
    const volume = pod.volumes.find((v) => v.name === mount.name)!;
    const configMap = one(manifests, 'ConfigMap', volume.configMap!.name);
    const text = (configMap.data as Record<string, string>)[path.basename(configPath)]!;
    expect(text).toContain('incidents:');

    const folder = mkdtempSync(path.join(tmpdir(), 'fb-kconf-'));
    temps.push(folder);
    writeFileSync(path.join(folder, 'firebreak.yml'), text);
    const secret = (SECRET_TEMPLATE[0]!.stringData ?? {}) as Record<string, string>;
    const env = { ...plainEnvOf(c), ...secret, FIREBREAK_CONFIG: path.join(folder, 'firebreak.yml') };
    const loaded = loadConfig(env, folder);
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    if (!loaded.ok) return;
    // Firebreak listens where the container port, the probes and the Service point.
    expect(loaded.config.http.port).toBe(c.ports.find((p) => p.name === 'http')!.containerPort);
    expect(loaded.config.store.databaseUrl).toBe(secret.DATABASE_URL);
    // Start-up also checks the runbooks against the configured targets: they must pass.
    expect(checkRunbooks(loaded.config.runbooks.dir, runbookWorld(loaded.config)).problems).toEqual([]);
    // The namespaces it reads and may act on are those whose Role the RBAC binds.
    const roleNamespaces = manifests.filter((m) => m.kind === 'Role').map((m) => m.metadata.namespace);
    const k8sTargets = (loaded.config.targets as { kubernetes?: Array<{ inCluster?: boolean; namespaces: string[] }> }).kubernetes ?? [];
    expect(k8sTargets.every((t) => t.inCluster)).toBe(true);
    for (const ns of k8sTargets.flatMap((t) => t.namespaces)) expect(roleNamespaces).toContain(ns);
  });

  it('reads its credentials from the Secret the template describes, and runs as the ServiceAccount the RBAC binds', () => {
    const c = containerOf(manifests);
    const refs = c.env.flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []));
    expect(refs.map((r) => r.key).sort()).toEqual(['ALERTMANAGER_TOKEN', 'DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
    expect(new Set(refs.map((r) => r.name))).toEqual(new Set([SECRET_TEMPLATE[0]!.metadata.name]));
    // Slack and the database are required (a pod without them does not start); the hook is optional.
    expect(refs.filter((r) => r.optional).map((r) => r.key)).toEqual(['ALERTMANAGER_TOKEN']);
    for (const e of c.env.filter((e) => e.valueFrom)) expect(e.name).toBe(e.valueFrom!.secretKeyRef!.key);
    expect(envValue(c, 'NODE_ENV')).toBe('production');

    const account = one(manifests, 'ServiceAccount');
    expect(deploymentOf(manifests).template.spec.serviceAccountName).toBe(account.metadata.name);
    for (const binding of manifests.filter((m) => m.kind.endsWith('RoleBinding'))) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
      const ref = binding.roleRef as { kind: string; name: string };
      expect(manifests.some((m) => m.kind === ref.kind && m.metadata.name === ref.name)).toBe(true);
    }
  });
});

describe.each(RENDERED.filter(([dir]) => dir !== 'base'))('%s', (_dir, manifests) => {
  it('sets the image from a registry, never the base’s bare local name', () => {
    expect(containerOf(manifests).image).toMatch(/^[\w.-]+(:\d+)?\/[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
  });
});

describe('deploy/', () => {
  it('has no file git ignores (a clone would lack it: firebreak.yml is ignored anywhere, hence config.yml in the overlays)', () => {
    const ignored = execFileSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', 'deploy'], { cwd: ROOT, encoding: 'utf8' });
    expect(ignored).toBe('');
  });
});

describe('the Secret template', () => {
  it('is one Secret, valid, with placeholders only, and applied by no kustomization', async () => {
    expect(SECRET_TEMPLATE).toHaveLength(1);
    const secret = SECRET_TEMPLATE[0]!;
    expect(await schemaProblems(secret)).toEqual([]);
    expect(secret.data).toBeUndefined();
    for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) expect(value, key).toContain('REPLACE-ME');
    for (const [, manifests] of RENDERED) expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });
});

describe('the staging overlay', () => {
  it('logs at debug, its patch landing on LOG_LEVEL', () => {
    const staging = RENDERED.find(([dir]) => dir === 'overlays/staging')![1];
    expect(envValue(containerOf(staging), 'LOG_LEVEL')).toBe('debug');
    expect(envValue(containerOf(RENDERED[0]![1]), 'LOG_LEVEL')).toBe('info');
  });
});

/** The container's literal variables (those from the Secret aside). */
function plainEnvOf(c: Container): Record<string, string | undefined> {
  return Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
}
