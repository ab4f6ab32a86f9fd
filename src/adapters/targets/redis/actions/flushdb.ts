/**
 * redis.flushdb <db>: delete every key of one logical database, as a last resort. It runs on a
 * connection opened on that db (and SELECTs it again before FLUSHDB): the other dbs are never
 * touched, and verify compares their sizes with what execute saw just before.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import type { RedisTarget } from '../target.js';
import { bytes, plural } from '../format.js';
import { ActionError, configGet, describe, info, keyspace, positional, readGuard, recall, remember, withRedis } from './client.js';

export interface FlushParams {
  db: number;
}

export const flushParams = positional<FlushParams>('<db>', 1, 1, ([arg]) =>
  /^\d{1,2}$/.test(arg ?? '') && Number(arg) <= 15 ? { db: Number(arg) } : `"${arg}" is not a database number: expected 0 to 15`,
);

const guardSchema = z.object({ db: z.number().int(), keys: z.number().int(), runId: z.string() });

interface State {
  runId: string;
  databases: number;
  keys: number;
  usedMemory: number;
  others: Record<number, number>;
}

async function readState(c: Redis, db: number): Promise<State> {
  // CONFIG may be renamed or denied (managed Redis): then 16, and SELECT still refuses a db out of range.
  const databases = Number((await configGet(c, 'databases').catch(() => undefined)) ?? 16);
  if (db >= databases) throw new ActionError(`db ${db} does not exist: this server has ${databases} databases (0 to ${databases - 1})`);
  await c.select(db);
  const keys = await c.dbsize();
  const server = await info(c, 'server');
  const memory = await info(c, 'memory');
  const others = await keyspace(c);
  delete others[db];
  return { runId: server.run_id ?? '', databases, keys, usedMemory: Number(memory.used_memory ?? NaN), others };
}

const sizes = (dbs: Record<number, number>): string =>
  Object.entries(dbs).map(([db, n]) => `db${db} ${n}`).join(', ') || 'none';

const memoKey = (t: RedisTarget, db: number) => `${t.url}|redis.flushdb|${db}`;

export const redisFlushdbAction: ActionDefinition<RedisTarget, FlushParams> = {
  id: 'redis.flushdb',
  title: 'Delete every key of one Redis database (FLUSHDB)',
  risk: 'critical',
  targetKind: 'redis',
  usage: '<db>',
  params: flushParams,

  async preview(target, { db }, ctx): Promise<Preview> {
    const change = [`FLUSHDB on db ${db}: every key of db ${db} is deleted, for good (other dbs are not touched)`];
    try {
      const s = await withRedis(target.url, ctx, (c) => readState(c, db), db);
      const current = [`db ${db}: ${plural(s.keys, 'key')}; memory in use ${bytes(s.usedMemory)} (all dbs)`, `other dbs with keys: ${sizes(s.others)}`];
      const guard = { db, keys: s.keys, runId: s.runId };
      if (s.keys === 0) return { current, change, guard, refusal: `nothing to flush: db ${db} is empty` };
      return { current, change, guard };
    } catch (err) {
      return { current: [], change, guard: {}, refusal: `cannot read db ${db} of ${target.name}: ${describe(err)}` };
    }
  },

  async execute(target, { db }, guard, ctx): Promise<ActionResult> {
    try {
      const g = readGuard(guardSchema, guard);
      if (g.db !== db) throw new ActionError(`the approved preview was for db ${g.db}, not db ${db}`);
      return await withRedis(
        target.url,
        ctx,
        async (c) => {
          const s = await readState(c, db);
          if (s.runId !== g.runId) return { ok: false, summary: `the Redis server restarted or is another one since the preview (run_id changed); nothing done` };
          if (s.keys === 0) return { ok: false, summary: `nothing to flush: db ${db} is empty now (it had ${g.keys} keys at the preview)` };
          const before = { db, keys: s.keys, keysAtPreview: g.keys, usedMemory: s.usedMemory, others: s.others };
          remember(memoKey(target, db), s.others);
          await c.select(db);
          try {
            await c.call('FLUSHDB', 'ASYNC'); // memory is freed in the background: the server is not blocked
          } catch {
            await c.call('FLUSHDB'); // Redis < 4 has no ASYNC
          }
          return { ok: true, summary: `db ${db} flushed (${plural(s.keys, 'key')} deleted; ${g.keys} at the preview)`, before };
        },
        db,
      );
    } catch (err) {
      return { ok: false, summary: `${describe(err)}; nothing done` };
    }
  },

  async verify(target, { db }, ctx): Promise<ActionResult> {
    const othersBefore = recall<Record<number, number>>(memoKey(target, db));
    try {
      return await withRedis(
        target.url,
        ctx,
        async (c) => {
          const s = await readState(c, db);
          const changed = othersBefore ? Object.keys({ ...othersBefore, ...s.others }).map(Number).filter((d) => othersBefore[d] !== s.others[d]) : [];
          const emptied = changed.filter((d) => (othersBefore?.[d] ?? 0) > 0 && !s.others[d]);
          const after = { keys: s.keys, others: s.others, usedMemory: s.usedMemory };
          const othersLine = !othersBefore
            ? `other dbs: ${sizes(s.others)}`
            : changed.length === 0
              ? `other dbs unchanged (${sizes(s.others)})`
              : `other dbs changed: ${changed.map((d) => `db${d} ${othersBefore[d] ?? 0}→${s.others[d] ?? 0}`).join(', ')}`;
          if (s.keys !== 0) return { ok: false, summary: `db ${db} has ${plural(s.keys, 'key')} again (something writes to it); ${othersLine}`, after };
          if (emptied.length) return { ok: false, summary: `db ${db} is empty, but so are ${emptied.map((d) => `db${d}`).join(', ')} now; ${othersLine}`, after };
          return { ok: true, summary: `db ${db} is empty; ${othersLine}; memory in use ${bytes(s.usedMemory)}`, after };
        },
        db,
      );
    } catch (err) {
      return { ok: false, summary: describe(err) };
    }
  },
};
