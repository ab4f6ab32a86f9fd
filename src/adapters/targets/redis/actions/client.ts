/**
 * The Redis remediation actions' connections: one short-lived ioredis client per step, named
 * "firebreak-remediation", on an explicit db, never retrying or queueing, and given up at the
 * deadline. Also the small helpers the actions share.
 */
import type { Redis, RedisOptions } from 'ioredis';
import type { ActionContext } from '../../../../core/remediation/action.js';
import { boundedRedisOptions, DeadlineError, explainFailure, ioredis, within } from '../connection.js';
import { infoFields } from '../info.js';

export const REMEDIATION_CLIENT_NAME = 'firebreak-remediation';

export { ActionError, positional, readGuard, recall, remember } from '../../shared/action-support.js';
import { ActionError } from '../../shared/action-support.js';

/**
 * Runs `fn` with a fresh client on `db` (0 unless given: the URL's own db is ignored) and closes
 * it. Rejects with an ActionError when Redis cannot be used, at the deadline at the latest.
 */
export async function withRedis<R>(url: string, ctx: ActionContext, fn: (c: Redis) => Promise<R>, db = 0): Promise<R> {
  const budget = Math.floor(ctx.deadline - Date.now());
  if (budget <= 0 || ctx.signal.aborted) throw new ActionError('the deadline has passed');
  const options: RedisOptions = { ...boundedRedisOptions(budget), db, connectionName: REMEDIATION_CLIENT_NAME };
  const client = new (ioredis().Redis)(withoutDb(url), options);
  let emitted: Error | undefined;
  client.on('error', (e: Error) => (emitted ??= e));
  let connected = false;
  try {
    await within(ctx, client.connect());
    connected = true;
    return await within(ctx, fn(client));
  } catch (err) {
    if (err instanceof ActionError) throw err;
    if (err instanceof DeadlineError) throw new ActionError(connected ? `Redis did not answer within ${budget} ms` : `no connection to Redis within ${budget} ms`, { cause: err });
    throw new ActionError(explainFailure(err, emitted, connected, budget), { cause: err });
  } finally {
    client.disconnect();
  }
}

/** The URL without its db (path or ?db=): the db is always given explicitly. */
function withoutDb(url: string): string {
  try {
    const u = new URL(url);
    u.pathname = '';
    u.searchParams.delete('db');
    return u.toString();
  } catch {
    return url;
  }
}

export const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function info(c: Redis, section: string): Promise<Record<string, string>> {
  return infoFields(await c.info(section));
}

/** Keys per db from INFO keyspace (a db absent from it is empty). */
export async function keyspace(c: Redis): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  for (const [name, value] of Object.entries(await info(c, 'keyspace'))) {
    const db = /^db(\d+)$/.exec(name)?.[1];
    const keys = /(?:^|,)keys=(\d+)/.exec(value)?.[1];
    if (db !== undefined && keys !== undefined) out[Number(db)] = Number(keys);
  }
  return out;
}

/** One CONFIG GET value (undefined when the parameter is unknown). */
export async function configGet(c: Redis, name: string): Promise<string | undefined> {
  const reply = (await c.call('CONFIG', 'GET', name)) as unknown;
  if (!Array.isArray(reply)) return undefined;
  const at = reply.findIndex((v, i) => i % 2 === 0 && String(v).toLowerCase() === name);
  return at >= 0 && at + 1 < reply.length ? String(reply[at + 1]) : undefined;
}

