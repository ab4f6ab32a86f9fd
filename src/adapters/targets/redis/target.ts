/** A configured Redis target: its URL (from configuration only) and thresholds. */
import { z } from 'zod';
import { connectionUrl, targetName } from '../shared/schema.js';
import { redisThresholdsSchema, type RedisThresholds } from './thresholds.js';

export interface RedisTarget {
  /** The configured name ("cache", "sessions"). */
  name: string;
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  thresholds?: Partial<RedisThresholds>;
}

export const redisTargetSchema = z.object({ name: targetName, url: connectionUrl('redis', 'rediss'), thresholds: redisThresholdsSchema.optional() }).strict();
