/**
 * A stand-in for Prometheus' HTTP API (`/api/v1/query`) and Alertmanager's v2 API (`/api/v2/alerts`),
 * answering the shapes the real servers send. Answers per query are set by the test.
 */
import type http from 'node:http';
import { json, startHttp, type Running } from '../http/servers.js';

export type Sample = [number, string];

export const now = (): number => Date.now() / 1000;

export function vector(series: Array<{ metric: Record<string, string>; value: string }>): unknown {
  return { status: 'success', data: { resultType: 'vector', result: series.map((s) => ({ metric: s.metric, value: [now(), s.value] as Sample })) } };
}

export function scalar(value: string): unknown {
  return { status: 'success', data: { resultType: 'scalar', result: [now(), value] as Sample } };
}

export function promError(errorType: string, error: string): unknown {
  return { status: 'error', errorType, error };
}

export interface AmAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  state?: 'active' | 'suppressed' | 'unprocessed';
}

/** An alert as Alertmanager's GET /api/v2/alerts returns it (gettableAlert). */
function gettable(a: AmAlert): unknown {
  const startsAt = a.startsAt ?? new Date(Date.now() - 10 * 60_000).toISOString();
  return {
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt,
    endsAt: new Date(Date.now() + 4 * 60_000).toISOString(),
    updatedAt: new Date().toISOString(),
    fingerprint: Buffer.from(JSON.stringify(a.labels)).toString('hex').slice(0, 16),
    receivers: [{ name: 'slack' }],
    status: { state: a.state ?? 'active', silencedBy: [], inhibitedBy: [], mutedBy: [] },
    generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(a.labels['alertname'] ?? '')}`,
  };
}

export interface StandIn extends Running {
  /** What `/api/v1/query` answers for a query: [HTTP status, body]; unknown queries get a parse error. */
  answers: Map<string, { status: number; body: unknown; delayMs?: number }>;
  alerts: AmAlert[];
  /** Query strings seen, by path. */
  seen: Array<{ path: string; params: URLSearchParams }>;
  /** The most queries that were waiting for their answer at the same time. */
  maxInFlight(): number;
}

export async function startStandIn(prefix = ''): Promise<StandIn> {
  const answers = new Map<string, { status: number; body: unknown; delayMs?: number }>();
  const alerts: AmAlert[] = [];
  const seen: Array<{ path: string; params: URLSearchParams }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handler: http.RequestListener = (req, res) => {
    const u = new URL(req.url ?? '/', 'http://stand-in');
    seen.push({ path: u.pathname, params: u.searchParams });
    if (u.pathname === `${prefix}/api/v1/query`) {
      const q = u.searchParams.get('query') ?? '';
      const a = answers.get(q);
      if (!a) return json(res, 400, promError('bad_data', `invalid parameter "query": 1:1: parse error: unknown query ${JSON.stringify(q)}`));
      if (a.delayMs) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          json(res, a.status, a.body);
        }, a.delayMs);
        return;
      }
      return json(res, a.status, a.body);
    }
    if (u.pathname === `${prefix}/api/v2/alerts`) {
      // Alertmanager applies these filters itself; the stand-in does too, so the probe must ask for them.
      const active = u.searchParams.get('active') !== 'false';
      const silenced = u.searchParams.get('silenced') !== 'false';
      const inhibited = u.searchParams.get('inhibited') !== 'false';
      const shown = alerts.filter((a) => {
        const state = a.state ?? 'active';
        if (state === 'active') return active;
        if (state === 'suppressed') return silenced || inhibited;
        return true;
      });
      return json(res, 200, shown.map(gettable));
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  };
  const running = await startHttp(handler);
  return { ...running, url: `${running.url}${prefix}`, answers, alerts, seen, maxInFlight: () => maxInFlight };
}
