/** GET /healthz: 200 when the app can serve, 503 while the store is unreachable or during shutdown. */
import type { ServerResponse } from 'node:http';
import { describeCause } from '../../core/errors.js';
import type { Store } from '../../ports.js';

export interface HealthBody {
  status: 'ok' | 'unavailable' | 'stopping';
  store: 'ok' | 'unreachable';
  backend: Store['kind'];
  version: string;
  /** The directory the embedded database owns (its lock is held), when the backend is PGlite. */
  dataDir?: string;
  error?: string;
}

export async function checkHealth(store: Store, version: string, stopping: boolean, dataDir?: string): Promise<{ code: number; body: HealthBody }> {
  const owned = store.kind === 'pglite' && dataDir ? { dataDir } : {};
  try {
    await store.ping();
    const body: HealthBody = { status: stopping ? 'stopping' : 'ok', store: 'ok', backend: store.kind, version, ...owned };
    return { code: stopping ? 503 : 200, body };
  } catch (err) {
    return { code: 503, body: { status: 'unavailable', store: 'unreachable', backend: store.kind, version, ...owned, error: describeCause(err) } };
  }
}

export function healthRoute(getHealth: () => Promise<{ code: number; body: HealthBody }>) {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: ServerResponse) => {
      void getHealth().then(({ code, body }) => {
        res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      });
    },
  };
}
