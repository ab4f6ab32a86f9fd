/** Redis remediation actions: FLUSHDB of one database, runtime maxmemory (and eviction policy). */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { RedisTarget } from '../target.js';
import { redisFlushdbAction } from './flushdb.js';
import { redisMaxmemoryAction } from './maxmemory.js';

export { redisFlushdbAction, flushParams, type FlushParams } from './flushdb.js';
export { redisMaxmemoryAction, maxmemoryParams, EVICTION_POLICIES, type EvictionPolicy, type MaxmemoryParams } from './maxmemory.js';
export { REMEDIATION_CLIENT_NAME } from './client.js';

export const REDIS_ACTIONS: ActionDefinition<RedisTarget, any>[] = [redisFlushdbAction, redisMaxmemoryAction];
