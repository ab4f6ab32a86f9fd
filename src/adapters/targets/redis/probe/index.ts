/** The Redis diagnostic probe: read-only checks of one Redis target. */
export { redisProbe } from './probe.js';
export { DEFAULT_REDIS_THRESHOLDS, redisThresholdsSchema, resolveRedisThresholds, type RedisThresholds } from '../thresholds.js';
export type { RedisTarget } from '../target.js';
export { parseInfo, redisInfoSchema, type RedisInfo } from '../info.js';
