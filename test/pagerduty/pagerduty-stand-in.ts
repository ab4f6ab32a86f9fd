/**
 * A local stand-in for PagerDuty's Events API v2 (`POST /v2/enqueue`), recording every event it
 * receives. Modes: 'ok' validates the event as PagerDuty does (202, or 400 `invalid event`);
 * 'error500' answers 500; 'hang' accepts and never answers; 'invalid' answers 400 whatever the
 * body; 'trickle' sends 202 headers and then dribbles the body forever (beats a socket-idle timeout).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export type StandInMode = 'ok' | 'error500' | 'hang' | 'invalid' | 'trickle';
export interface ReceivedEvent {
  at: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

export interface PagerDutyStandIn {
  url: string;
  events: ReceivedEvent[];
  waitFor(pred: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  mode(m: StandInMode): void;
  close(): Promise<void>;
}

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The complaints PagerDuty would list in `errors`; empty when the event is acceptable. */
export function eventErrors(body: unknown): string[] {
  if (!isObject(body)) return ['Event object is not a JSON object'];
  const errors: string[] = [];
  const { routing_key, event_action, dedup_key, payload, links } = body;
  if (typeof routing_key !== 'string' || routing_key.length !== 32) {
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  }
  if (typeof event_action !== 'string' || !ACTIONS.includes(event_action)) {
    errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  }
  if (dedup_key !== undefined && (typeof dedup_key !== 'string' || dedup_key.length > 255)) {
    errors.push("'dedup_key' must be a string of at most 255 characters");
  }
  if (event_action !== 'trigger') {
    if (typeof dedup_key !== 'string' || dedup_key === '') errors.push("'dedup_key' is required for this event_action");
    return errors;
  }
  if (!isObject(payload)) return [...errors, "'payload' is missing or not an object"];
  const { summary, source, severity, timestamp, custom_details } = payload;
  if (typeof summary !== 'string' || summary === '') errors.push("'payload.summary' is missing or blank");
  else if (summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
  if (typeof source !== 'string' || source === '') errors.push("'payload.source' is missing or blank");
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
    errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
  }
  if (timestamp !== undefined && (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))) {
    errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp");
  }
  if (custom_details !== undefined && !isObject(custom_details)) errors.push("'payload.custom_details' must be an object");
  if (links !== undefined && (!Array.isArray(links) || !links.every((l) => isObject(l) && typeof l.href === 'string'))) {
    errors.push("'links' must be an array of objects with an 'href'");
  }
  return errors;
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startPagerDutyStandIn(): Promise<PagerDutyStandIn> {
  let current: StandInMode = 'ok';
  const events: ReceivedEvent[] = [];
  const waiters = new Set<(e: ReceivedEvent) => void>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v2/enqueue') return reply(res, 404, { status: 'not found' });
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const event: ReceivedEvent = { at: Date.now(), body, headers: req.headers };
      events.push(event);
      for (const w of [...waiters]) w(event);

      switch (current) {
        case 'hang':
          return;
        case 'error500':
          return reply(res, 500, { status: 'error', message: 'Internal server error' });
        case 'invalid':
          return reply(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Rejected by the stand-in'] });
        case 'trickle': {
          res.writeHead(202, { 'Content-Type': 'application/json' });
          const t = setInterval(() => res.write(' '), 100);
          timers.add(t);
          res.on('close', () => clearInterval(t));
          return;
        }
        case 'ok': {
          if (!(req.headers['content-type'] ?? '').startsWith('application/json') || typeof body === 'string') {
            return reply(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Could not parse JSON'] });
          }
          const errors = eventErrors(body);
          if (errors.length > 0) return reply(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
          const dedup = typeof body.dedup_key === 'string' ? body.dedup_key : randomUUID().replaceAll('-', '');
          return reply(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedup });
        }
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    events,
    mode(m) {
      current = m;
    },
    waitFor(pred, timeoutMs = 2000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (e: ReceivedEvent) => {
          if (!pred(e)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(e);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching PagerDuty event within ${timeoutMs} ms (${events.length} received)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on 127.0.0.1 whose port nothing listens on (it was bound and released just now). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v2/enqueue`;
}
