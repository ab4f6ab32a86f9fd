/**
 * A tiny query interface that a PostgreSQL server (through pg) and the embedded PGlite both
 * implement, so one set of SQL serves both. Values come back as each driver decodes them (pg gives
 * bigint as string, PGlite as number); the store normalises, not this layer. Both take every
 * parameter through storable.ts, so text PostgreSQL would refuse (NUL) is stored, replaced.
 */
import pg from 'pg';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Db } from './query-interface.js';
import { withStorableParams } from './storable.js';

export type { Db } from './query-interface.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgDbOptions {
  connectionString: string;
  /** Lower-case identifier; every connection gets it as search_path. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** Told about errors of idle connections (the server restarted, the network dropped). */
  onIdleError?: (err: Error) => void;
}

/** A Db over a pg.Pool. */
export function pgDb(options: PgDbOptions): Db {
  const schema = options.schema ?? null;
  if (schema !== null && !SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name: ${JSON.stringify(schema)}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 10_000,
    // Client-side bound for a server that stops answering mid-connection (above statement_timeout,
    // so it only fires when the server itself is unresponsive).
    query_timeout: 20_000,
    application_name: 'firebreak',
    keepAlive: true,
    ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client whose server goes away emits 'error' on the pool; without a listener that
  // would crash the process. The pool discards the client; the next query connects afresh.
  pool.on('error', (err) => options.onIdleError?.(err));

  const onClient = (client: pg.PoolClient, inTx: boolean): Db => {
    const self: Db = {
      kind: 'postgres',
      schema,
      query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
      exec: async (sql) => {
        await client.query(sql);
      },
      transaction: (fn) => (inTx ? fn(self) : runTransaction(client, fn)),
      withSession: (fn) => fn(self),
      close: async () => {},
    };
    return self;
  };

  /** Clients whose connection can no longer be trusted: destroyed instead of going back to the pool. */
  const broken = new WeakSet<pg.PoolClient>();

  const runTransaction = async <T>(client: pg.PoolClient, fn: (tx: Db) => Promise<T>): Promise<T> => {
    await client.query('BEGIN');
    try {
      const result = await fn(onClient(client, true));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => broken.add(client));
      throw err;
    }
  };

  /**
   * Checks out a client and always gives it back; destroyed when its connection failed, or when
   * `fn` failed and `distrustOnError` (a session may still hold locks or settings).
   */
  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>, distrustOnError: boolean): Promise<T> => {
    const client = await pool.connect();
    // The pool removes its own error listener from a checked-out client: keep a lost connection from crashing us.
    const onError = () => broken.add(client);
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (err) {
      if (distrustOnError) broken.add(client);
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken.has(client));
    }
  };

  return {
    ...withStorableParams({
      kind: 'postgres',
      schema,
      query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
      exec: async (sql) => {
        await pool.query(sql);
      },
      transaction: (fn) => withClient((client) => runTransaction(client, fn), false),
      withSession: (fn) => withClient((client) => fn(onClient(client, false)), true),
      close: () => pool.end(),
    }),
    connections: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

/** Runs the functions it is given one at a time, in call order; `pending` counts those queued or running. */
function serialiser(): (<T>(fn: () => Promise<T>) => Promise<T>) & { pending(): number } {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    pending += 1;
    const result = tail.then(fn).finally(() => {
      pending -= 1;
    });
    tail = result.catch(() => undefined);
    return result;
  };
  return Object.assign(run, { pending: () => pending });
}

/**
 * PGlite's buffer pool. Its PostgreSQL keeps the server's default of 128 MB, and the whole pool is
 * resident as soon as the database is open (PGlite's heap is one block of WebAssembly memory):
 * most of what a Firebreak process on PGlite holds beyond one on PostgreSQL. Firebreak's tables
 * are a few megabytes; 32 MB keeps them cached with room to spare and a process about 115 MB
 * lighter. Durability does not depend on it (every commit is in the WAL).
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

/** PGlite's own start parameters, with Firebreak's buffer pool (command-line settings: nothing written to the directory). */
export const pgliteStartParams = (defaults: readonly string[]): string[] => [...defaults, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];

/**
 * A Db over PGlite, the embedded PostgreSQL. `dataDir` is a directory, or `memory://`.
 * PGlite has a single connection: every top-level call waits for the one before it, so nobody's
 * statements run inside another caller's transaction or session. Inside `transaction`/`withSession`
 * use only the Db handed to the callback (calling the outer one there would wait forever).
 */
export async function pgliteDb(options: { dataDir: string }): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const lite: PGlite = await PGlite.create({ dataDir: options.dataDir, startParams: pgliteStartParams(PGlite.defaultStartParams) });
  const exclusive = serialiser();

  const onTransaction = (tx: Transaction): Db => {
    const self: Db = {
      kind: 'pglite',
      schema: null,
      query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows,
      exec: async (sql) => {
        await tx.exec(sql);
      },
      transaction: (fn) => fn(self),
      withSession: (fn) => fn(self),
      close: async () => {},
    };
    return self;
  };

  // The whole database is one session: inside `withSession` the caller already has it to itself.
  const session: Db = {
    kind: 'pglite',
    schema: null,
    query: async <T>(sql: string, params?: unknown[]) => (await lite.query<T>(sql, params)).rows,
    exec: async (sql) => {
      await lite.exec(sql);
    },
    transaction: (fn) => lite.transaction((tx) => fn(onTransaction(tx))),
    withSession: (fn) => fn(session),
    close: async () => {},
  };

  return {
    ...withStorableParams({
      kind: 'pglite',
      schema: null,
      query: (sql, params) => exclusive(() => session.query(sql, params)),
      exec: (sql) => exclusive(() => session.exec(sql)),
      transaction: (fn) => exclusive(() => session.transaction(fn)),
      withSession: (fn) => exclusive(() => fn(session)),
      close: () => exclusive(() => lite.close()),
    }),
    // One connection: busy while a call runs, the others wait for it.
    connections: () => {
      const pending = exclusive.pending();
      return { total: 1, idle: pending === 0 ? 1 : 0, waiting: Math.max(0, pending - 1) };
    },
  };
}
