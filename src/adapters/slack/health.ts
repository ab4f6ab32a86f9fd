/**
 * GET /healthz: 200 when Firebreak can serve, 503 when a dependency it needs cannot be reached (the
 * store, Slack, in Socket Mode the WebSocket) or during shutdown. It answers within about a second
 * whatever hangs, so probes with the usual 1 s timeout read a 503 rather than time out: the store
 * gets a bounded ping (one at a time: a hung ping is waited on again, not doubled), Slack and the
 * socket are read from what their own checks last saw.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeCause } from '../../core/errors.js';
import type { Store } from '../../ports.js';
import type { SlackReach } from './slack-auth.js';

export type SocketState = 'connected' | 'connecting' | 'disconnected';

export interface HealthBody {
  status: 'ok' | 'unavailable' | 'stopping';
  store: 'ok' | 'unreachable';
  slack: 'ok' | 'unreachable' | 'refused';
  /** Socket Mode only: the WebSocket Slack sends requests over. */
  socket?: SocketState;
  backend: Store['kind'];
  version: string;
  /** The directory the embedded database owns (its lock is held), when the backend is PGlite. */
  dataDir?: string;
  /** What is wrong, dependency by dependency. */
  error?: string;
}

export interface Health {
  code: number;
  body: HealthBody;
}

export interface HealthSources {
  store: Store;
  version: string;
  stopping: () => boolean;
  slack: () => SlackReach;
  socket?: () => SocketState | undefined;
  dataDir?: string;
  /** A store ping that has not answered by then counts as unreachable. */
  storeTimeoutMs?: number;
}

export function healthCheck(sources: HealthSources): () => Promise<Health> {
  const timeoutMs = sources.storeTimeoutMs ?? 800;
  let ping: Promise<string | null> | undefined;
  const pingStore = () => {
    ping ??= sources.store.ping().then(
      () => null,
      (err: unknown) => describeCause(err),
    );
    const current = ping;
    void current.then(() => ping === current && (ping = undefined));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
    });
    return Promise.race([current, late]).finally(() => clearTimeout(timer));
  };

  return async () => {
    const storeError = await pingStore();
    const slack = sources.slack();
    const socket = sources.socket?.();
    const problems = [
      storeError && `store: ${storeError}`,
      slack.state !== 'ok' && `slack: ${slack.error}`,
      socket && socket !== 'connected' && `socket: ${socket}`,
    ].filter((p): p is string => typeof p === 'string');
    const stopping = sources.stopping();
    const body: HealthBody = {
      status: stopping ? 'stopping' : problems.length > 0 ? 'unavailable' : 'ok',
      store: storeError ? 'unreachable' : 'ok',
      slack: slack.state,
      ...(socket ? { socket } : {}),
      backend: sources.store.kind,
      version: sources.version,
      ...(sources.store.kind === 'pglite' && sources.dataDir ? { dataDir: sources.dataDir } : {}),
      ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    };
    return { code: body.status === 'ok' ? 200 : 503, body };
  };
}

function answer(res: ServerResponse, getHealth: () => Promise<Health>): void {
  getHealth()
    .catch((err: unknown): Health => ({ code: 503, body: { status: 'unavailable', error: describeCause(err) } as HealthBody }))
    .then(({ code, body }) => {
      res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    })
    .catch(() => res.destroy());
}

export function healthRoute(getHealth: () => Promise<Health>) {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: ServerResponse) => answer(res, getHealth),
  };
}

/**
 * GET /livez: 200 whenever the process answers at all, whatever its dependencies say. It is what a
 * liveness probe should ask: a store or Slack outage makes /healthz 503 (the pod leaves the
 * Service), but restarting every replica during an outage would only add start-ups to it; a process
 * whose event loop is stuck does not answer /livez and is restarted.
 */
export const LIVENESS_PATH = '/livez';

export function livenessRoute(): ExtraRoute {
  const startedAt = Date.now();
  return {
    path: LIVENESS_PATH,
    method: ['GET'],
    handler: (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: 'alive', uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000) }));
    },
  };
}

/** A route besides /healthz (the Alertmanager hook), as Bolt's custom routes take it. */
export interface ExtraRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** In Socket Mode nothing else listens on PORT: a server of its own for /healthz and the extra routes. Rejects when the port is taken. */
export async function serveHealth(port: number, getHealth: () => Promise<Health>, routes: readonly ExtraRoute[] = [], host?: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return answer(res, getHealth);
    const route = routes.find((r) => r.path === path && r.method.includes(req.method ?? ''));
    if (route) return route.handler(req, res);
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' });
    const paths = ['/healthz', ...routes.map((r) => r.path)];
    const listed = paths.length > 1 ? `${paths.slice(0, -1).join(', ')} and ${paths.at(-1)}` : paths[0];
    res.end(`Not found: Firebreak serves only ${listed} on this port (Slack requests arrive over Socket Mode).\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (host) server.listen(port, host, listening);
    else server.listen(port, listening);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
