/**
 * The API clients of a target and a way to call them within the probe's deadline: every request
 * carries an AbortSignal (through a per-call middleware, the way client-node 1.x lets a call be
 * configured) and is also raced against the deadline, so nothing a cluster does (a hung socket,
 * a slow exec credential plugin) keeps a probe past it. Only reads are ever issued.
 */
import type {
  AppsV1Api,
  AutoscalingV2Api,
  ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  ObservableMiddleware,
} from '@kubernetes/client-node';
import { clientNode } from './lib.js';
import { setMaxListeners } from 'node:events';
import type { ProbeContext } from '../../../core/diagnostics/probe.js';

export interface KubeClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  custom: CustomObjectsApi;
  discovery: DiscoveryV1Api;
  networking: NetworkingV1Api;
  /** The API server's address, for messages. */
  server: string;
}

export function makeClients(kc: KubeConfig): KubeClients {
  const { AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, NetworkingV1Api } = clientNode();
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    server: kc.getCurrentCluster()?.server ?? '(no server)',
  };
}

/**
 * Per-call options that attach the signal to the request. The object-parameter APIs take
 * Observable middleware (not the Promise middleware the `Middleware` type names), appended to the
 * configuration's own so that authentication still applies.
 */
export function withSignal(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (request) => {
      request.setSignal(signal);
      return new (clientNode().Observable)(Promise.resolve(request));
    },
    post: (response) => new (clientNode().Observable)(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/**
 * Per-call options asking the API server for the objects' metadata only (a
 * PartialObjectMetadataList, as `kubectl get secrets` does): what Firebreak lists of Secrets, so
 * their data never crosses the wire. The answer deserialises into the usual list, items without
 * their data.
 */
export const metadataOnly = (o: ConfigurationOptions): ConfigurationOptions =>
  clientNode().setHeaderOptions('Accept', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json;q=0.9', o);

/**
 * Per-call options sending a proxy path with its slashes as they are: the generated client escapes
 * the `{path}` parameter whole ("stats%2Fsummary"), where kubectl sends `…/proxy/stats/summary`.
 */
export const plainProxyPath = (o: ConfigurationOptions): ConfigurationOptions => {
  const middleware: ObservableMiddleware = {
    pre: (request) => {
      request.setUrl(request.getUrl().replace(/\/proxy\/([^?]*)/, (_m, path: string) => `/proxy/${path.replace(/%2F/gi, '/')}`));
      return new (clientNode().Observable)(Promise.resolve(request));
    },
    post: (response) => new (clientNode().Observable)(Promise.resolve(response)),
  };
  return { ...o, middleware: [...(o.middleware ?? []), middleware], middlewareMergeStrategy: 'append' };
};

/** Why a read failed: the cluster did not answer (network, timeout) or answered with an error. */
export interface ReadError {
  kind: 'network' | 'timeout' | 'http';
  /** The HTTP status for kind "http". */
  status?: number;
  message: string;
}

export type Read<T> = { ok: true; value: T } | { ok: false; error: ReadError };

/** The message of a Kubernetes `Status` body, whether it came as text or as an object. */
function statusMessage(body: unknown): string | undefined {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 200) || undefined;
    }
  }
  if (b && typeof b === 'object' && 'message' in b && typeof b.message === 'string') return b.message;
  return undefined;
}

export function describeError(e: unknown): ReadError {
  if (e instanceof clientNode().ApiException) {
    const detail = statusMessage(e.body);
    const code = Number(e.code);
    const hint = code === 401 ? 'unauthorized (check the credentials)' : code === 403 ? 'forbidden (check the RBAC role)' : undefined;
    return { kind: 'http', status: code, message: `HTTP ${code}: ${detail ?? hint ?? 'error'}` };
  }
  if (e instanceof Error) {
    if (e.name === 'AbortError') return { kind: 'timeout', message: 'no answer before the deadline' };
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return { kind: 'network', message: `${networkReason(code)} (${code})` };
    return { kind: 'network', message: e.message.slice(0, 200) };
  }
  return { kind: 'network', message: String(e).slice(0, 200) };
}

function networkReason(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return code.startsWith('ERR_TLS') || code.includes('CERT') ? 'TLS error' : 'network error';
  }
}

/**
 * One signal per probe run that follows the run's own: a run makes many requests at once (one per
 * pod log), each listening for it, more than the default listener limit of an EventTarget.
 */
const scopes = new WeakMap<AbortSignal, AbortSignal>();
function scopeOf(ctx: ProbeContext): AbortSignal {
  let scope = scopes.get(ctx.signal);
  if (!scope) {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    if (ctx.signal.aborted) c.abort();
    else ctx.signal.addEventListener('abort', () => c.abort(), { once: true });
    scope = c.signal;
    scopes.set(ctx.signal, scope);
  }
  return scope;
}

/**
 * Runs one read with a signal that aborts at the deadline (or when the probe is aborted), and
 * gives up at the deadline even if the request ignores the signal.
 */
export async function bounded<T>(ctx: ProbeContext, call: (options: ConfigurationOptions) => Promise<T>): Promise<Read<T>> {
  const scope = scopeOf(ctx);
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  if (scope.aborted) abort();
  else scope.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Read<T>>((resolve) => {
    timer = setTimeout(() => {
      abort();
      resolve({ ok: false, error: { kind: 'timeout', message: 'no answer before the deadline' } });
    }, Math.max(0, ctx.deadline - Date.now()));
  });
  const attempt = (async (): Promise<Read<T>> => {
    try {
      return { ok: true, value: await call(withSignal(controller.signal)) };
    } catch (e) {
      return { ok: false, error: describeError(e) };
    }
  })();
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
    scope.removeEventListener('abort', abort);
    controller.abort();
  }
}

