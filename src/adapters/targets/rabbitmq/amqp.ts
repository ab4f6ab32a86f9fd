/**
 * Short-lived AMQP connections to a RabbitMQ target (amqplib), bounded by a deadline: connecting,
 * each queue's passive declare and a purge all give up at the deadline (or when the signal
 * aborts), and a connection that arrives too late is closed as soon as it does. Each queue is read
 * on a fresh channel: a passive declare of a queue that does not exist makes the broker close the
 * channel (404), which must not take the other queues' reads with it. Failures are said in plain
 * words, never with the URL's credentials.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { lazyModule } from '../shared/lazy-module.js';

/** amqplib, loaded once a RabbitMQ target is used. */
const amqp = lazyModule<typeof import('amqplib')>('amqplib', import.meta.url);
import { FirebreakError } from '../../../core/errors.js';
import { displayAmqp } from './target.js';

export interface Deadline {
  deadline: number;
  signal: AbortSignal;
}

/** The deadline came (or the signal aborted) before the broker answered. */
export class AmqpDeadline extends FirebreakError {
  constructor(readonly cancelled: boolean) {
    super('TIMEOUT', cancelled ? 'cancelled' : 'deadline');
    this.name = 'AmqpDeadline';
  }
}

/** An abort this close to the deadline (timers are not exact) counts as reaching it. */
const ABORT_SLACK_MS = 50;
/** How long a polite close (connection.close, waiting for close-ok) may take before the socket is destroyed. */
const CLOSE_WAIT_MS = 500;
/** Queues read at once on one connection (a channel each). */
const PARALLEL_CHANNELS = 8;

const timeLeft = (ctx: Deadline): number => ctx.deadline - Date.now();

/**
 * The promise's outcome, or an AmqpDeadline at the deadline (or abort), whichever comes first.
 * `late` receives what the work still produces after that (a connection to close).
 */
export function bounded<T>(ctx: Deadline, work: Promise<T>, late?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let over = false;
    const giveUp = (cancelled: boolean) => {
      over = true;
      settle();
      reject(new AmqpDeadline(cancelled));
    };
    const onAbort = () => giveUp(timeLeft(ctx) > ABORT_SLACK_MS);
    const timer = setTimeout(() => giveUp(false), Math.max(0, timeLeft(ctx)));
    const settle = () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    };
    work.then(
      (value) => {
        if (over) late?.(value);
        else {
          settle();
          resolve(value);
        }
      },
      (error: unknown) => {
        if (over) return;
        settle();
        reject(error);
      },
    );
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One queue as a passive declare sees it. */
export type QueueCheck =
  | { kind: 'found'; ready: number; consumers: number }
  | { kind: 'missing' }
  | { kind: 'failed'; why: string };

export interface Broker {
  /** "RabbitMQ 3.13.7", from the server's properties. */
  server: string;
  /** Where it is, for people: amqp://host:5672 (no credentials). */
  where: string;
  /** A passive declare of the queue on a fresh channel: it exists (with its counts) or not; never creates it. */
  check(queue: string): Promise<QueueCheck>;
  /** Passive declares of several queues, a few channels at a time, in the order given. */
  checkAll(queues: readonly string[]): Promise<QueueCheck[]>;
  /** queue.purge on a fresh channel: the number of messages deleted. Throws an AmqpError (404 when the queue is gone). */
  purge(queue: string): Promise<number>;
  close(): Promise<void>;
}

/** A broker's refusal of a channel operation: its AMQP reply code (404, 403, 405…) and text. */
export class AmqpError extends FirebreakError {
  constructor(
    readonly replyCode: number | undefined,
    message: string,
  ) {
    super('ACTION_FAILED', message);
    this.name = 'AmqpError';
  }
}

const codeOf = (e: unknown): string | number | undefined => {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
};
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The broker's own words from an amqplib error: `NOT_FOUND - no queue 'x' in vhost '/'`. */
function brokerText(e: unknown): string {
  const m = /with message "([^"]*)"/.exec(messageOf(e));
  return m?.[1] ?? messageOf(e);
}

function channelError(e: unknown): AmqpError {
  const code = codeOf(e);
  return new AmqpError(typeof code === 'number' ? code : undefined, brokerText(e));
}

/** Why a connection could not be opened, in plain words (never the credentials). */
export function explainConnectFailure(e: unknown, where: string, budgetMs: number, vhost = '/'): string {
  if (e instanceof AmqpDeadline) return e.cancelled ? 'the diagnostic was cancelled before RabbitMQ answered' : `no AMQP answer from ${where} within ${budgetMs} ms`;
  const code = codeOf(e);
  const message = messageOf(e);
  if (code === 'ETIMEDOUT' || /ETIMEDOUT/.test(message)) return `no AMQP answer from ${where} within ${budgetMs} ms`;
  if (code === 'ECONNREFUSED') return `connection refused (${where})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (DNS): ${where}`;
  if (code === 'ECONNRESET') return `connection reset by ${where} (a TLS port reached with amqp://, or the broker refusing the client)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `no route to ${where}`;
  if (/ACCESS.REFUSED|403/.test(message)) return `authentication failed: ${brokerText(e)}`;
  // amqplib drops the broker's words when it closes at connection.open: that step is the vhost's.
  if (/NOT.ALLOWED|530|Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) return `the broker refused to open vhost ${vhost}: it does not exist, or the user has no permission on it`;
  if (/Expected amqp: or amqps:/.test(message)) return 'invalid URL: expected amqp:// or amqps://';
  if (/socket closed|Socket closed|handshake/i.test(message)) return `the broker closed the connection during the handshake (${message}): not an AMQP 0-9-1 port, or it refused the client`;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

async function closeQuietly(model: ChannelModel): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    model.close().then(() => true, () => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!closed) {
    // A broker that stopped answering never sends close-ok: drop the socket (amqplib keeps it as `stream`).
    const stream = (model.connection as unknown as { stream?: { destroy?: () => void } }).stream;
    stream?.destroy?.();
  }
}

/** Runs `fn` on each item, at most `limit` at a time, keeping the order of the results. */
async function pooled<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Opens an AMQP connection within the deadline, named `connectionName` in the broker's
 * connection list. Rejects with the failure (explainConnectFailure words it).
 */
export async function openBroker(url: string, ctx: Deadline, connectionName: string): Promise<Broker> {
  const budget = Math.floor(timeLeft(ctx));
  if (budget <= 0 || ctx.signal.aborted) throw new AmqpDeadline(ctx.signal.aborted && budget > ABORT_SLACK_MS);
  const model = await bounded(
    ctx,
    amqp().connect(url, { timeout: budget, clientProperties: { connection_name: connectionName } }),
    (lateModel) => {
      lateModel.on('error', () => undefined);
      void closeQuietly(lateModel);
    },
  );
  // Without a listener an 'error' event would throw; what it says reaches the calls that fail.
  model.on('error', () => undefined);
  const props = model.connection.serverProperties as { product?: unknown; version?: unknown };
  const server = `${typeof props.product === 'string' ? props.product : 'AMQP broker'} ${typeof props.version === 'string' ? props.version : '?'}`;

  async function onChannel<R>(fn: (ch: Channel) => Promise<R>): Promise<R> {
    const ch = await bounded(ctx, model.createChannel(), (late) => void late.close().catch(() => undefined));
    ch.on('error', () => undefined);
    let open = true;
    ch.on('close', () => {
      open = false;
    });
    try {
      return await bounded(ctx, fn(ch));
    } finally {
      if (open) await ch.close().catch(() => undefined);
    }
  }

  const check = async (queue: string): Promise<QueueCheck> => {
    try {
      const reply = await onChannel((ch) => ch.checkQueue(queue));
      return { kind: 'found', ready: reply.messageCount, consumers: reply.consumerCount };
    } catch (e) {
      if (e instanceof AmqpDeadline) return { kind: 'failed', why: e.cancelled ? 'cancelled before RabbitMQ answered' : 'no answer before the deadline' };
      const err = channelError(e);
      if (err.replyCode === 404) return { kind: 'missing' };
      return { kind: 'failed', why: err.message };
    }
  };

  return {
    server,
    where: displayAmqp(url),
    check,
    checkAll: (queues) => pooled(queues, PARALLEL_CHANNELS, check),
    async purge(queue) {
      try {
        return (await onChannel((ch) => ch.purgeQueue(queue))).messageCount;
      } catch (e) {
        throw e instanceof AmqpDeadline ? e : channelError(e);
      }
    },
    close: () => closeQuietly(model),
  };
}

/** Opens a broker, runs `fn`, and closes it, whatever happens. */
export async function withBroker<R>(url: string, ctx: Deadline, connectionName: string, fn: (broker: Broker) => Promise<R>): Promise<R> {
  const broker = await openBroker(url, ctx, connectionName);
  try {
    return await fn(broker);
  } finally {
    await broker.close();
  }
}
