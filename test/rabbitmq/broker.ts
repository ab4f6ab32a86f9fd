/**
 * The real RabbitMQ the suite talks to (127.0.0.1:5672, guest/guest; its management plugin on
 * 15672), for the queue tests: queues and vhosts with names of their own, messages published with
 * confirms, consumers that ack or hold their messages, users with only some permissions, and
 * everything removed again. Also a port where nothing listens and one that accepts and never
 * answers.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import type { ProbeContext } from '../../src/core/diagnostics/probe.js';
import { TEST_RABBITMQ_MANAGEMENT_URL, TEST_RABBITMQ_URL } from '../services.js';

export const AMQP_URL = TEST_RABBITMQ_URL;
/** The management API's base URL without credentials, and the administrator's Authorization header. */
export const MANAGEMENT = (() => {
  const u = new URL(TEST_RABBITMQ_MANAGEMENT_URL);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { base: u.href.replace(/\/$/, ''), auth, withCredentials: TEST_RABBITMQ_MANAGEMENT_URL };
})();

/** A name no other test (or run) uses, ending as asked (so that a "….dlq" still reads as one): fb-test.<random>.<what>. */
export const unique = (what: string): string => `fb-test.${randomBytes(4).toString('hex')}.${what}`;

export function context(ms: number): ProbeContext {
  return { deadline: Date.now() + ms, signal: AbortSignal.timeout(ms), now: () => new Date() };
}

/** The AMQP URL of the test broker on another vhost (or with other credentials). */
export function amqpUrl(options: { vhost?: string; user?: string; password?: string } = {}): string {
  const u = new URL(AMQP_URL);
  if (options.user !== undefined) u.username = encodeURIComponent(options.user);
  if (options.password !== undefined) u.password = encodeURIComponent(options.password);
  if (options.vhost !== undefined) u.pathname = `/${encodeURIComponent(options.vhost)}`;
  return u.href;
}

/** One call of the management API as the administrator; the parsed JSON (or null), and the status. */
export async function management(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${MANAGEMENT.base}${path}`, {
    method,
    headers: { authorization: MANAGEMENT.auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

const vhostPath = (vhost: string) => encodeURIComponent(vhost);

/** Polls until `check` is true (or throws after `ms`). */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits until the management API's statistics of a queue show these numbers (the broker refreshes
 * them every few seconds).
 */
export async function statsShow(vhost: string, queue: string, want: { ready?: number; unacked?: number; consumers?: number }): Promise<void> {
  await waitFor(`management statistics of ${queue}: ${JSON.stringify(want)}`, async () => {
    const { status, json } = await management('GET', `/api/queues/${vhostPath(vhost)}/${encodeURIComponent(queue)}?columns=messages_ready,messages_unacknowledged,consumers`);
    if (status !== 200) return false;
    return (
      (want.ready === undefined || json.messages_ready === want.ready) &&
      (want.unacked === undefined || json.messages_unacknowledged === want.unacked) &&
      (want.consumers === undefined || json.consumers === want.consumers)
    );
  });
}

/** The broker as a test uses it: an administrator's connection that declares, publishes and cleans up. */
export class TestBroker {
  private readonly queues: Array<{ vhost: string; name: string }> = [];
  private readonly vhosts: string[] = [];
  private readonly users: string[] = [];
  private readonly models: ChannelModel[] = [];

  private constructor(private readonly admin: ChannelModel, private readonly channel: ConfirmChannel) {}

  static async open(): Promise<TestBroker> {
    const admin = await amqp.connect(AMQP_URL);
    admin.on('error', () => undefined);
    const channel = await admin.createConfirmChannel();
    return new TestBroker(admin, channel);
  }

  /** A connection of its own (consumers on it count as consumers of other applications). */
  async connection(url = AMQP_URL): Promise<ChannelModel> {
    const model = await amqp.connect(url);
    model.on('error', () => undefined);
    this.models.push(model);
    return model;
  }

  /** A vhost of its own, where the administrator (guest) may do everything; deleted by cleanup. */
  async vhost(): Promise<string> {
    const name = unique('vhost');
    expect2xx(await management('PUT', `/api/vhosts/${vhostPath(name)}`, {}), `create vhost ${name}`);
    const admin = decodeURIComponent(new URL(AMQP_URL).username || 'guest');
    expect2xx(await management('PUT', `/api/permissions/${vhostPath(name)}/${encodeURIComponent(admin)}`, { configure: '.*', write: '.*', read: '.*' }), 'set permissions');
    this.vhosts.push(name);
    return name;
  }

  /** A user with these tags and permissions on `vhost`; deleted by cleanup. Returns its name. */
  async user(password: string, tags: string, vhost: string, permissions: { configure: string; write: string; read: string }): Promise<string> {
    const name = unique('user');
    expect2xx(await management('PUT', `/api/users/${encodeURIComponent(name)}`, { password, tags }), `create user ${name}`);
    expect2xx(await management('PUT', `/api/permissions/${vhostPath(vhost)}/${encodeURIComponent(name)}`, permissions), 'set permissions');
    this.users.push(name);
    return name;
  }

  /** Declares a queue (on the default vhost, or on `vhost` through a connection there); deleted by cleanup. */
  async queue(name: string, options: Options.AssertQueue & { vhost?: string } = {}): Promise<string> {
    const { vhost, ...rest } = options;
    if (vhost === undefined) await this.channel.assertQueue(name, { durable: false, ...rest });
    else {
      const ch = await (await this.connection(amqpUrl({ vhost }))).createChannel();
      await ch.assertQueue(name, { durable: false, ...rest });
      await ch.close();
    }
    this.queues.push({ vhost: vhost ?? '/', name });
    return name;
  }

  /** Publishes `n` small messages to a queue of the default vhost and waits for the broker's confirms. */
  async publish(queue: string, n: number, channel: ConfirmChannel = this.channel): Promise<void> {
    for (let i = 0; i < n; i += 1) channel.sendToQueue(queue, Buffer.from(`message ${i}`));
    await channel.waitForConfirms();
  }

  /** The same on another vhost. */
  async publishOn(vhost: string, queue: string, n: number): Promise<void> {
    const ch = await (await this.connection(amqpUrl({ vhost }))).createConfirmChannel();
    await this.publish(queue, n, ch);
    await ch.close();
  }

  /**
   * A consumer on a connection of its own: `ack` acknowledges each message at once; `hold` keeps
   * up to `prefetch` messages unacknowledged; `reject` dead-letters each (nack without requeue).
   */
  async consumer(queue: string, mode: 'ack' | 'hold' | 'reject', options: { prefetch?: number; vhost?: string } = {}): Promise<{ channel: Channel; stop(): Promise<void> }> {
    const model = await this.connection(options.vhost === undefined ? AMQP_URL : amqpUrl({ vhost: options.vhost }));
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    if (options.prefetch !== undefined) await channel.prefetch(options.prefetch);
    const { consumerTag } = await channel.consume(queue, (msg) => {
      if (!msg) return;
      if (mode === 'ack') channel.ack(msg);
      else if (mode === 'reject') channel.nack(msg, false, false);
    });
    return { channel, stop: async () => void (await channel.cancel(consumerTag).catch(() => undefined)) };
  }

  /** A passive declare as the administrator: the queue's messages ready and consumers, or null when it does not exist. */
  async depth(queue: string): Promise<{ ready: number; consumers: number } | null> {
    const ch = await this.admin.createChannel();
    ch.on('error', () => undefined);
    try {
      const r = await ch.checkQueue(queue);
      await ch.close();
      return { ready: r.messageCount, consumers: r.consumerCount };
    } catch {
      return null;
    }
  }

  /** Deletes a queue now (a test's own, or to make it vanish). */
  async deleteQueue(name: string, vhost = '/'): Promise<void> {
    await management('DELETE', `/api/queues/${vhostPath(vhost)}/${encodeURIComponent(name)}`);
  }

  async cleanup(): Promise<void> {
    for (const m of this.models.splice(0)) await m.close().catch(() => undefined);
    for (const q of this.queues.splice(0)) await this.deleteQueue(q.name, q.vhost);
    for (const v of this.vhosts.splice(0)) await management('DELETE', `/api/vhosts/${vhostPath(v)}`);
    for (const u of this.users.splice(0)) await management('DELETE', `/api/users/${encodeURIComponent(u)}`);
    await this.channel.close().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }
}

function expect2xx(r: { status: number; json: unknown }, what: string): void {
  if (r.status < 200 || r.status > 299) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
}

/** A loopback port where nothing listens (for a moment). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A TCP server that accepts connections, reads what comes and never answers. */
export async function silentServer(): Promise<{ port: number; open(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    open: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
