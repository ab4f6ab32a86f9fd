/**
 * What `kubectl apply -k` would send, for the part of kustomize the manifests use (there is no
 * kustomize binary here): resources (files and other kustomizations), images, JSON 6902 patches
 * with a target, and ConfigMap generators without a hash suffix. A kustomization using anything
 * else is refused rather than half-read, so a green test never hides a field nobody resolved.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
};

const KNOWN_KEYS = new Set(['apiVersion', 'kind', 'resources', 'images', 'patches', 'configMapGenerator']);

interface Image {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}
interface Patch {
  target?: { kind?: string; name?: string; namespace?: string };
  patch?: string;
  path?: string;
}
interface Generator {
  name: string;
  namespace?: string;
  behavior?: 'create' | 'replace' | 'merge';
  files?: string[];
  literals?: string[];
  options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string> };
}
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  images?: Image[];
  patches?: Patch[];
  configMapGenerator?: Generator[];
}
type Op = { op: 'add' | 'replace' | 'remove' | 'test'; path: string; value?: unknown };

/** Every YAML document of a file (empty ones skipped); a YAML error throws. */
export function readManifests(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs.flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as Manifest | null;
    return value === null ? [] : [value];
  });
}

export function readKustomization(dir: string): Kustomization {
  const file = path.join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const k = readManifests(file)[0] as unknown as Kustomization;
  const unknown = Object.keys(k).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length) throw new Error(`${file}: this resolver does not read ${unknown.join(', ')}`);
  if (k.kind !== 'Kustomization' || k.apiVersion !== 'kustomize.config.k8s.io/v1beta1') throw new Error(`${file}: not a kustomize.config.k8s.io/v1beta1 Kustomization`);
  return k;
}

const sameObject = (m: Manifest, kind: string, name: string, namespace?: string) =>
  m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace);

/** The resources a kustomization folder renders to, in kustomize's order (resources, generators, then images and patches). */
export function build(dir: string): Manifest[] {
  const k = readKustomization(dir);
  const out: Manifest[] = [];
  for (const entry of k.resources ?? []) {
    const target = path.resolve(dir, entry);
    if (!existsSync(target)) throw new Error(`${dir}/kustomization.yaml: resource ${entry} does not exist`);
    out.push(...(statSync(target).isDirectory() ? build(target) : readManifests(target)));
  }
  for (const g of k.configMapGenerator ?? []) generate(dir, g, out);
  for (const image of k.images ?? []) setImage(out, image);
  for (const p of k.patches ?? []) applyPatch(dir, p, out);
  const seen = new Set<string>();
  for (const m of out) {
    const id = `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
    if (seen.has(id)) throw new Error(`${dir}: ${id} appears twice`);
    seen.add(id);
  }
  return out;
}

function generate(dir: string, g: Generator, out: Manifest[]): void {
  if (g.options?.disableNameSuffixHash !== true) throw new Error(`${dir}: configMapGenerator ${g.name} needs disableNameSuffixHash (this resolver renames nothing)`);
  const data: Record<string, string> = {};
  for (const spec of g.files ?? []) {
    const [key, file] = spec.includes('=') ? (spec.split('=', 2) as [string, string]) : [path.basename(spec), spec];
    const from = path.resolve(dir, file);
    if (!existsSync(from)) throw new Error(`${dir}: configMapGenerator ${g.name}: file ${file} does not exist`);
    data[key] = readFileSync(from, 'utf8');
  }
  for (const literal of g.literals ?? []) {
    const at = literal.indexOf('=');
    data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  const behavior = g.behavior ?? 'create';
  const existing = out.find((m) => sameObject(m, 'ConfigMap', g.name, g.namespace));
  if (behavior === 'create') {
    if (existing) throw new Error(`${dir}: configMapGenerator ${g.name} creates a ConfigMap that exists`);
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name, ...(g.namespace ? { namespace: g.namespace } : {}), ...(g.options?.labels ? { labels: g.options.labels } : {}) }, data });
    return;
  }
  if (!existing) throw new Error(`${dir}: configMapGenerator ${g.name} (${behavior}) finds no ConfigMap ${g.namespace ?? ''}/${g.name} to ${behavior}`);
  existing.data = behavior === 'replace' ? data : { ...(existing.data as Record<string, string>), ...data };
  if (g.options?.labels) existing.metadata.labels = { ...existing.metadata.labels, ...g.options.labels };
}

/** The containers of every pod template (Deployment, StatefulSet, DaemonSet, Job) and of Pods. */
export function containersOf(m: Manifest): Array<{ name: string; image: string }> {
  const spec = m.kind === 'Pod' ? (m.spec as Record<string, unknown>) : ((m.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec);
  if (!spec) return [];
  return [...((spec.initContainers as []) ?? []), ...((spec.containers as []) ?? [])];
}

function setImage(out: Manifest[], image: Image): void {
  let matched = 0;
  for (const c of out.flatMap(containersOf)) {
    const m = /^([^@:]+(?::\d+\/[^@:]+)?)(?::([^@]+))?(?:@(.+))?$/.exec(c.image);
    if (!m || m[1] !== image.name) continue;
    matched += 1;
    const name = image.newName ?? m[1];
    c.image = image.digest ? `${name}@${image.digest}` : `${name}:${image.newTag ?? m[2] ?? 'latest'}`;
  }
  if (matched === 0) throw new Error(`images: no container uses the image ${image.name}`);
}

function applyPatch(dir: string, p: Patch, out: Manifest[]): void {
  const text = p.patch ?? (p.path ? readFileSync(path.resolve(dir, p.path), 'utf8') : undefined);
  if (text === undefined) throw new Error(`${dir}: a patch with neither patch nor path`);
  if (!p.target?.kind || !p.target.name) throw new Error(`${dir}: this resolver applies JSON 6902 patches with a target kind and name only`);
  const ops = readOpsFrom(text);
  const targets = out.filter((m) => sameObject(m, p.target!.kind!, p.target!.name!, p.target!.namespace));
  if (targets.length !== 1) throw new Error(`${dir}: patch target ${p.target.kind}/${p.target.name} matches ${targets.length} resources`);
  for (const op of ops) applyOp(targets[0]!, op);
}

function readOpsFrom(text: string): Op[] {
  const docs = parseAllDocuments(text);
  const ops = docs[0]?.toJS() as unknown;
  if (!Array.isArray(ops)) throw new Error('only JSON 6902 patches (a list of operations) are resolved here');
  return ops as Op[];
}

/** One JSON Patch (RFC 6902) operation: add, replace, remove, test. */
export function applyOp(doc: unknown, op: Op): void {
  const parts = op.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop();
  if (last === undefined) throw new Error(`${op.op} ${op.path}: cannot patch the whole document`);
  let parent = doc as Record<string, unknown> | unknown[];
  for (const part of parts) {
    const next = Array.isArray(parent) ? parent[Number(part)] : parent[part];
    if (next === null || typeof next !== 'object') throw new Error(`${op.op} ${op.path}: ${part} does not exist`);
    parent = next as Record<string, unknown> | unknown[];
  }
  const has = Array.isArray(parent) ? (last === '-' || Number(last) <= parent.length) : true;
  const current = Array.isArray(parent) ? parent[Number(last)] : parent[last];
  switch (op.op) {
    case 'test':
      if (JSON.stringify(current) !== JSON.stringify(op.value)) throw new Error(`test ${op.path}: expected ${JSON.stringify(op.value)}, found ${JSON.stringify(current)}`);
      return;
    case 'replace':
    case 'remove':
      if (current === undefined) throw new Error(`${op.op} ${op.path}: nothing there`);
      if (op.op === 'replace') {
        if (Array.isArray(parent)) parent[Number(last)] = op.value;
        else parent[last] = op.value;
      } else if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      return;
    case 'add':
      if (!has) throw new Error(`add ${op.path}: index out of range`);
      if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
      else parent[last] = op.value;
      return;
    default:
      throw new Error(`unsupported patch operation ${(op as { op: string }).op}`);
  }
}
