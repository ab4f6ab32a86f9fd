/** Where the real servers the suite talks to are, and a check that they answer. */
import net from 'node:net';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The management plugin of the same broker (npm run services enables it), with an administrator's credentials. */
export const TEST_RABBITMQ_MANAGEMENT_URL = process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : defaultPort };
}

function canConnect(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Lists the services that do not accept connections; empty when all do. */
export async function missingServices(): Promise<string[]> {
  const pg = hostPort(TEST_DATABASE_URL, 5432);
  const redis = hostPort(TEST_REDIS_URL, 6379);
  const missing: string[] = [];
  if (!(await canConnect(pg.host, pg.port))) missing.push(`PostgreSQL at ${pg.host}:${pg.port}`);
  if (!(await canConnect(redis.host, redis.port))) missing.push(`Redis at ${redis.host}:${redis.port}`);
  const rabbit = hostPort(TEST_RABBITMQ_URL, 5672);
  if (!(await canConnect(rabbit.host, rabbit.port))) missing.push(`RabbitMQ at ${rabbit.host}:${rabbit.port}`);
  const management = hostPort(TEST_RABBITMQ_MANAGEMENT_URL, 15672);
  if (!(await canConnect(management.host, management.port))) missing.push(`RabbitMQ's management API at ${management.host}:${management.port}`);
  return missing;
}
