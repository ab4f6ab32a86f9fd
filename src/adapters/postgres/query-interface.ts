/** The query interface the store is written against; db.ts implements it over pg and over PGlite. */

export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /** The schema every connection uses as search_path (pg only); null for the default. */
  readonly schema: string | null;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements separated by semicolons; no parameters. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs `fn` on one dedicated connection (for session-level advisory locks). */
  withSession<T>(fn: (session: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** The connections now: open, idle, and the queries waiting for one (for the metrics). */
  connections?(): { total: number; idle: number; waiting: number };
}
