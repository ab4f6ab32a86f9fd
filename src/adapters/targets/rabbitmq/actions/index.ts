/** RabbitMQ remediation actions: rabbitmq.purge of one of the target's purgeable queues. */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { RabbitTarget } from '../target.js';
import { rabbitPurgeAction } from './purge.js';

export { rabbitPurgeAction, purgeParams, allowedAtExecution, REMEDIATION_CONNECTION_NAME, type PurgeParams } from './purge.js';

export const RABBITMQ_ACTIONS: readonly ActionDefinition<RabbitTarget, any>[] = Object.freeze([rabbitPurgeAction]);
