/** The RabbitMQ diagnostic probe: read-only checks of one target's queues. */
export { rabbitProbe, PROBE_CONNECTION_NAME } from './probe.js';
export { queueFindings, type QueueContext, type QueueReading } from './checks.js';
export type { RabbitTarget, RabbitThresholds } from '../target.js';
