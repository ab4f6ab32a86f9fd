/**
 * A local stand-in for Slack's Socket Mode endpoint: the app gets its URL from apps.connections.open
 * (answered by the Web API stand-in), connects over WebSocket, receives "hello", then envelopes;
 * it must answer each envelope with `{ envelope_id, payload? }` (its ack).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SlackStandIn } from '../../src/adapters/local-slack/web-api.js';

export interface SocketModeStandIn {
  url: string;
  /** Resolves once an app has connected and been greeted. */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends an envelope and resolves with the app's ack (its optional payload is the response). */
  send(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, timeoutMs?: number): Promise<{ envelope_id: string; payload?: unknown }>;
  close(): Promise<void>;
}

export async function startSocketModeStandIn(webApi: SlackStandIn): Promise<SocketModeStandIn> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`;
  webApi.setHandler('apps.connections.open', () => ({ url }));

  let socket: WebSocket | undefined;
  let greeted: () => void = () => undefined;
  const greetedPromise = new Promise<void>((resolve) => (greeted = resolve));
  const pending = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();

  server.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const ack = JSON.parse(data.toString()) as { envelope_id?: string; payload?: unknown };
      if (ack.envelope_id) pending.get(ack.envelope_id)?.(ack as { envelope_id: string; payload?: unknown });
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'standin', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0FIREBREAK' } }));
    greeted();
  });

  const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket mode stand-in: ${what} within ${ms} ms`)), ms))]);

  return {
    url,
    connected: (timeoutMs = 10_000) => withTimeout(greetedPromise, timeoutMs, 'no app connected'),
    send(type, payload, timeoutMs = 5000) {
      if (!socket) return Promise.reject(new Error('socket mode stand-in: no app connected'));
      const envelope_id = randomUUID();
      const acked = new Promise<{ envelope_id: string; payload?: unknown }>((resolve) => pending.set(envelope_id, resolve));
      socket.send(JSON.stringify({ envelope_id, payload, type, accepts_response_payload: type !== 'events_api' }));
      return withTimeout(acked, timeoutMs, `no ack for envelope ${envelope_id}`);
    },
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
