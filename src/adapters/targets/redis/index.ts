/** Redis targets: read-only diagnostics (`/diag redis`) and the redis.* remediation actions. */
import { defineTargetKind, urlPassword } from '../kind.js';
import { REDIS_ACTIONS } from './actions/index.js';
import { redisProbe } from './probe/index.js';
import { redisTargetSchema } from './target.js';

export const redisKind = defineTargetKind({
  key: 'redis',
  label: 'Redis',
  schema: redisTargetSchema,
  diagnostics: [{ word: 'redis', probe: (target) => redisProbe(target), inAll: true }],
  actions: () => REDIS_ACTIONS,
  secrets: (target) => urlPassword(target.url),
});
