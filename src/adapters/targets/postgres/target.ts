/** A configured PostgreSQL target: its connection URL (from configuration only) and thresholds. */
import { z } from 'zod';
import { connectionUrl, targetName } from '../shared/schema.js';
import { pgThresholdsSchema, type PostgresThresholds } from './thresholds.js';

export interface PostgresTarget {
  name: string;
  /** postgres://user:password@host:5432/db (the password never appears in a finding). */
  url: string;
  thresholds?: Partial<PostgresThresholds>;
}

export const postgresTargetSchema = z.object({ name: targetName, url: connectionUrl('postgres', 'postgresql'), thresholds: pgThresholdsSchema.optional() }).strict();
