/**
 * Opens Firebreak's store: the PostgreSQL server at `databaseUrl` when one is configured, else the
 * embedded PGlite database in `dataDir`. Brings the schema up to date before returning.
 */
import { mkdir } from 'node:fs/promises';
import { storeUnavailable } from '../../core/errors.js';
import type { Store } from '../../ports.js';
import { pgDb, pgliteDb, type Db } from './db.js';
import { migrate } from './migrations.js';
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
}

export async function openStore(options: OpenStoreOptions): Promise<Store & { db: Db }> {
  let db: Db;
  if (options.databaseUrl) {
    db = pgDb({
      connectionString: options.databaseUrl,
      ...(options.schema !== undefined ? { schema: options.schema } : {}),
      ...(options.max !== undefined ? { max: options.max } : {}),
    });
  } else {
    if (!options.dataDir.startsWith('memory://')) await mkdir(options.dataDir, { recursive: true });
    db = await pgliteDb({ dataDir: options.dataDir });
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw isConnectionError(err) ? storeUnavailable('prepare the database', err) : err;
  }
  return { ...createStore(db), db };
}
