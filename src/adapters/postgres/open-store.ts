/**
 * Opens Firebreak's store: the PostgreSQL server at `databaseUrl` when one is configured, else the
 * embedded PGlite database in `dataDir`. Brings the schema up to date before returning.
 */
import { mkdir } from 'node:fs/promises';
import { storeUnavailable } from '../../core/errors.js';
import type { Store } from '../../ports.js';
import { unreachableAtStart } from './connection-errors.js';
import { lockDataDir, type DataDirLock, type LockInfo } from './data-dir-lock.js';
import { pgDb, pgliteDb, type Db } from './db.js';
import { migrate } from './migrations.js';
import { fillFromSeed } from './pglite-seed.js';
import { createStore, isConnectionError } from './store.js';

export interface OpenStoreOptions {
  /** postgres://… ; when absent, the embedded database is used. */
  databaseUrl?: string;
  /** Schema to use on the PostgreSQL server (created if missing); ignored for PGlite. */
  schema?: string;
  /** Directory of the embedded database (`memory://` keeps it in memory). */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  max?: number;
  /** The archive a directory with no database yet starts from (pglite-seed.ts; default: the one `npm run build` wrote). */
  seedArchive?: string;
  /** Told when the embedded database's lock, left by a process that is gone, is taken over. */
  onStaleLock?: (previous: LockInfo | null, why: string) => void;
}

export async function openStore(options: OpenStoreOptions): Promise<Store & { db: Db }> {
  let db: Db;
  let lock: DataDirLock | undefined;
  if (options.databaseUrl) {
    db = pgDb({
      connectionString: options.databaseUrl,
      ...(options.schema !== undefined ? { schema: options.schema } : {}),
      ...(options.max !== undefined ? { max: options.max } : {}),
    });
  } else {
    if (!options.dataDir.startsWith('memory://')) {
      await mkdir(options.dataDir, { recursive: true });
      // PGlite is single-process: a second process on the same directory would destroy it.
      lock = lockDataDir(options.dataDir, options.onStaleLock ? { onTakeover: options.onStaleLock } : {});
    }
    try {
      // A directory with no database yet gets the cluster `npm run build` archived, if any (pglite-seed.ts).
      await fillFromSeed(options.dataDir, options.seedArchive);
      db = await pgliteDb({ dataDir: options.dataDir });
    } catch (err) {
      lock?.release();
      throw err;
    }
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    lock?.release();
    if (!isConnectionError(err)) throw err;
    throw options.databaseUrl ? unreachableAtStart(options.databaseUrl, err) : storeUnavailable('prepare the database', err);
  }
  const store = createStore(db);
  return {
    ...store,
    db,
    async close() {
      try {
        await store.close();
      } finally {
        lock?.release();
      }
    },
  };
}
