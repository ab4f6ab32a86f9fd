/**
 * The three PATCH formats of the Kubernetes API, for the test server: JSON merge patch (RFC 7386),
 * strategic merge patch (maps merge, null deletes, lists of known kinds merge by their key, the
 * `$patch: replace | delete` directives) and JSON patch (RFC 6902: add, remove, replace, test).
 * A patch that cannot apply throws a PatchError carrying the HTTP status the API would answer.
 */

export class PatchError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

/** RFC 7386: objects merge recursively, null removes, anything else (lists included) replaces. */
export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObj(patch)) return clone(patch as Json);
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The merge keys of the lists a strategic merge patch merges (the rest are replaced). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
};

export function strategicMergePatch(target: unknown, patch: unknown): Json {
  if (!isObj(patch)) return clone(patch as Json);
  if (patch['$patch'] === 'replace') {
    const { $patch: _d, ...rest } = patch;
    return clone(rest);
  }
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // $retainKeys, $setElementOrder/…: ordering hints only
    if (v === null) delete out[k];
    else if (Array.isArray(v) && MERGE_KEYS[k] && Array.isArray(out[k])) out[k] = mergeList(out[k] as Json[], v, MERGE_KEYS[k]);
    else if (isObj(v)) out[k] = strategicMergePatch(out[k], v);
    else out[k] = clone(v);
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string): Json[] {
  const out = clone(current);
  for (const item of patch) {
    if (!isObj(item)) throw new PatchError(400, 'BadRequest', `a list merged by "${key}" holds a non-object`);
    const at = out.findIndex((c) => isObj(c) && c[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMergePatch(out[at], item);
    else out.push(strategicMergePatch({}, item));
  }
  return out;
}

/** RFC 6901 pointer → its unescaped tokens. */
function tokens(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new PatchError(422, 'Invalid', `invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(target: unknown, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError(400, 'BadRequest', 'a JSON patch must be a list of operations');
  const root: Obj = { doc: clone(target as Json) };
  for (const op of ops) {
    if (!isObj(op) || typeof op['path'] !== 'string') throw new PatchError(400, 'BadRequest', 'a JSON patch operation needs an "op" and a "path"');
    const path = tokens(op['path']);
    const last = path.pop() ?? '';
    let parent: Json = root['doc'] ?? null;
    for (const t of path) {
      parent = Array.isArray(parent) ? (parent[Number(t)] ?? null) : isObj(parent) ? (parent[t] ?? null) : null;
      if (parent === null) throw new PatchError(422, 'Invalid', `doc is missing path: ${op['path']}`);
    }
    const holder = parent as Obj | Json[];
    const get = (): Json | undefined => (Array.isArray(holder) ? holder[Number(last)] : holder[last]);
    switch (op['op']) {
      case 'test':
        if (JSON.stringify(get()) !== JSON.stringify(op['value'])) throw new PatchError(422, 'Invalid', `testing value ${op['path']} failed`);
        break;
      case 'remove':
        if (get() === undefined) throw new PatchError(422, 'Invalid', `unable to remove nonexistent key: ${last}: missing value`);
        if (Array.isArray(holder)) holder.splice(Number(last), 1);
        else delete holder[last];
        break;
      case 'replace':
      case 'add': {
        const replace = op['op'] === 'replace';
        if (replace && get() === undefined) throw new PatchError(422, 'Invalid', `replace operation does not apply: doc is missing key: ${op['path']}: missing value`);
        if (Array.isArray(holder)) holder.splice(last === '-' ? holder.length : Number(last), replace ? 1 : 0, clone(op['value'] ?? null));
        else holder[last] = clone(op['value'] ?? null);
        break;
      }
      default:
        throw new PatchError(422, 'Invalid', `unsupported JSON patch operation "${String(op['op'])}"`);
    }
  }
  return root['doc'] ?? null;
}

/** Applies a PATCH body in the format its content type names. */
export function applyPatch(target: unknown, body: unknown, contentType: string): Json {
  switch (contentType.split(';')[0]?.trim()) {
    case PATCH_TYPES.merge:
      return mergePatch(target, body);
    case PATCH_TYPES.strategic:
      return strategicMergePatch(target, body);
    case PATCH_TYPES.json:
      return jsonPatch(target, body);
    default:
      throw new PatchError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(', ')}, application/apply-patch+yaml`,
      );
  }
}
