/**
 * The Docker Engine API over undici: a small pool of connections to the daemon's unix socket, or
 * to its TCP port with TLS client certificates, every path prefixed with the target's pinned API
 * version (/v1.44/...). Each request is bound to the caller's deadline (an AbortSignal fired at
 * the deadline or when the caller aborts, undici's own header and body timeouts, and a race as a
 * last resort), its answer is capped in size, and it never throws: it gives the answer or why
 * there was none. The diagnostics only ever GET; the actions also POST start and restart.
 */
import { readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import type { DockerTarget } from './target.js';

/** What every call needs of its caller: a probe's or an action's context. */
export interface Deadline {
  deadline: number;
  signal: AbortSignal;
}

/** Why a call got no usable answer: no answer at all (network, timeout), or an error status. */
export interface EngineError {
  kind: 'network' | 'timeout' | 'http';
  /** The HTTP status for kind "http". */
  status?: number;
  message: string;
}

export type Answer<T> = { ok: true; status: number; value: T; headers: Record<string, string> } | { ok: false; error: EngineError };

export interface Engine {
  /** The daemon's address, for messages: "unix:///var/run/docker.sock". */
  where: string;
  /** A GET answered with JSON. */
  json<T>(ctx: Deadline, path: string, query?: Record<string, string>): Promise<Answer<T>>;
  /** A GET whose body is kept as bytes (logs), at most `maxBytes`. */
  bytes(ctx: Deadline, path: string, query: Record<string, string>, maxBytes: number): Promise<Answer<Buffer>>;
  /** A POST without a body (start, restart); any 2xx or 304 is an answer. */
  post(ctx: Deadline, path: string, query?: Record<string, string>): Promise<Answer<null>>;
  close(): Promise<void>;
}

/** JSON answers larger than this are refused (a list of 50 containers' inspect is far smaller). */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/**
 * Connections to one daemon at once: stats with stream=false take a second or two each (the daemon
 * waits for a second sample), and a run asks them of every running container together.
 */
const CONNECTIONS = 32;
/** After the deadline, how long a call may take to wind down before it is given up. */
const GIVE_UP_AFTER_MS = 250;

function networkReason(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such socket (is the Docker daemon running on this machine?)';
    case 'EACCES':
      return 'permission denied on the socket (Firebreak needs to be in the docker group, or root)';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    default:
      return /TLS|CERT|SSL|EPROTO/i.test(code) ? 'TLS handshake failed (check the CA, client certificate and key)' : 'network error';
  }
}

function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
  }
  return undefined;
}

function describeFailure(err: unknown, where: string, timedOut: boolean, tls: boolean): EngineError {
  const name = err instanceof Error ? err.name : '';
  const code = codeOf(err);
  if (timedOut || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', message: `no answer from ${where} before the deadline` };
  }
  if (code === 'FIREBREAK_TOO_LARGE') return { kind: 'http', message: (err as Error).message };
  const message = err instanceof Error ? err.message : String(err);
  // A daemon that refuses the client certificate closes the connection during the handshake.
  const hint = tls && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') ? ': the daemon may have refused the client certificate (is it signed by the CA the daemon trusts?)' : '';
  return { kind: 'network', message: code ? `${networkReason(code)}${hint} (${code}, ${where})` : `${message.slice(0, 200)} (${where})` };
}

/** The daemon's own words on an error status: `{"message": "No such container: api"}`. */
function errorMessage(status: number, body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') return `HTTP ${status}: ${(parsed as { message: string }).message.slice(0, 300)}`;
  } catch {
    // Not JSON: the text itself, if any.
  }
  return `HTTP ${status}: ${text.trim().slice(0, 300) || 'no message'}`;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The pool and where it goes, or why the target's configuration cannot be used (a certificate file unreadable). */
function poolFor(target: DockerTarget): { pool: Pool; where: string } | string {
  const where = target.host;
  if (target.host.startsWith('unix://')) {
    return { pool: new Pool('http://docker', { socketPath: target.host.slice('unix://'.length), connections: CONNECTIONS, pipelining: 1 }), where };
  }
  const hostPort = target.host.slice('tcp://'.length);
  if (!target.tls) return { pool: new Pool(`http://${hostPort}`, { connections: CONNECTIONS, pipelining: 1 }), where };
  const read = (what: string, path: string): Buffer | string => {
    try {
      return readFileSync(path);
    } catch (e) {
      return `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
  };
  const cert = read('client certificate', target.tls.cert);
  const key = read('client key', target.tls.key);
  const ca = target.tls.ca === undefined ? undefined : read('CA certificate', target.tls.ca);
  for (const f of [cert, key, ca]) if (typeof f === 'string') return f;
  return {
    pool: new Pool(`https://${hostPort}`, { connections: CONNECTIONS, pipelining: 1, connect: { cert: cert as Buffer, key: key as Buffer, ...(ca ? { ca: ca as Buffer } : {}), rejectUnauthorized: true } }),
    where,
  };
}

/**
 * One signal per caller that follows its own: a run makes many calls at once, each listening for
 * it, more than the default listener limit of an AbortSignal.
 */
const scopes = new WeakMap<AbortSignal, AbortSignal>();
function scopeOf(signal: AbortSignal): AbortSignal {
  let scope = scopes.get(signal);
  if (!scope) {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    if (signal.aborted) c.abort();
    else signal.addEventListener('abort', () => c.abort(), { once: true });
    scope = c.signal;
    scopes.set(signal, scope);
  }
  return scope;
}

/** An Engine API client for the target, or why there cannot be one. Close it when done. */
export function openEngine(target: DockerTarget): Engine | string {
  const made = poolFor(target);
  if (typeof made === 'string') return made;
  const { pool, where } = made;
  const prefix = `/v${target.apiVersion}`;

  async function call(ctx: Deadline, method: 'GET' | 'POST', path: string, query: Record<string, string> | undefined, maxBytes: number): Promise<Answer<Buffer>> {
    const budget = Math.floor(ctx.deadline - Date.now());
    if (budget <= 0 || ctx.signal.aborted) return { ok: false, error: { kind: 'timeout', message: `no time left before the deadline to ask ${where}` } };
    const scope = scopeOf(ctx.signal);
    const controller = new AbortController();
    let timedOut = false;
    const stop = (): void => controller.abort();
    const expire = (): void => {
      timedOut = true;
      controller.abort();
    };
    scope.addEventListener('abort', stop, { once: true });
    const abortTimer = setTimeout(expire, budget);
    let giveUpTimer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<Answer<Buffer>>((resolve) => {
      giveUpTimer = setTimeout(() => resolve({ ok: false, error: { kind: 'timeout', message: `no answer from ${where} before the deadline` } }), budget + GIVE_UP_AFTER_MS);
    });
    const attempt = (async (): Promise<Answer<Buffer>> => {
      try {
        const res = await pool.request({
          method,
          path: `${prefix}${path}`,
          ...(query ? { query } : {}),
          signal: controller.signal,
          headersTimeout: budget,
          bodyTimeout: budget,
          headers: { accept: 'application/json', 'user-agent': 'firebreak' },
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > maxBytes) {
            res.body.destroy();
            throw Object.assign(new Error(`the answer from ${where} to ${path} is larger than ${maxBytes} bytes`), { code: 'FIREBREAK_TOO_LARGE' });
          }
          chunks.push(chunk as Buffer);
        }
        const body = Buffer.concat(chunks);
        const headers = flatHeaders(res.headers);
        if (res.statusCode >= 400) return { ok: false, error: { kind: 'http', status: res.statusCode, message: errorMessage(res.statusCode, body) } };
        return { ok: true, status: res.statusCode, value: body, headers };
      } catch (err) {
        return { ok: false, error: describeFailure(err, where, timedOut, target.tls !== undefined) };
      }
    })();
    try {
      return await Promise.race([attempt, giveUp]);
    } finally {
      clearTimeout(abortTimer);
      clearTimeout(giveUpTimer);
      scope.removeEventListener('abort', stop);
      controller.abort();
    }
  }

  return {
    where,
    async json<T>(ctx: Deadline, path: string, query?: Record<string, string>): Promise<Answer<T>> {
      const r = await call(ctx, 'GET', path, query, MAX_JSON_BYTES);
      if (!r.ok) return r;
      try {
        return { ...r, value: JSON.parse(r.value.toString('utf8')) as T };
      } catch {
        return { ok: false, error: { kind: 'http', status: r.status, message: `${where} answered ${path} with something that is not JSON` } };
      }
    },
    bytes: (ctx, path, query, maxBytes) => call(ctx, 'GET', path, query, maxBytes),
    async post(ctx, path, query) {
      const r = await call(ctx, 'POST', path, query, MAX_JSON_BYTES);
      return r.ok ? { ...r, value: null } : r;
    },
    close: async () => {
      await pool.destroy().catch(() => undefined);
    },
  };
}

/** Runs `fn` with an engine for the target and closes it; `failed` says why there was none. */
export async function withEngine<R>(target: DockerTarget, fn: (engine: Engine) => Promise<R>, failed: (why: string) => R): Promise<R> {
  const engine = openEngine(target);
  if (typeof engine === 'string') return failed(engine);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
