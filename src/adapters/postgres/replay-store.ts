/**
 * The ReplayStore port over a Db: one `seen_requests` row per key. The insert is the check, so two
 * replicas receiving the same request at the same moment cannot both see it as new. All times
 * come from the caller, as in the schedule store.
 */
import type { ReplayStore } from '../../ports.js';
import { guard } from './connection-errors.js';
import type { Db } from './db.js';

export function createReplayStore(db: Db): ReplayStore {
  return {
    remember: (key, expiresAt, now) =>
      guard('check the request against the ones already received', async () => {
        // An expired row (not pruned yet) is taken over: its request is outside the window anyway.
        const rows = await db.query(
          `INSERT INTO seen_requests (signature, expires_at) VALUES ($1, $2)
           ON CONFLICT (signature) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE seen_requests.expires_at <= $3
           RETURNING signature`,
          [key, expiresAt, now],
        );
        return rows.length === 1;
      }),

    prune: (now) =>
      guard('forget the requests received long ago', async () => {
        const [row] = await db.query<{ n: string | number }>(
          'WITH gone AS (DELETE FROM seen_requests WHERE expires_at <= $1 RETURNING 1) SELECT count(*) AS n FROM gone',
          [now],
        );
        return Number(row?.n ?? 0);
      }),
  };
}
