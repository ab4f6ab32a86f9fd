/** RabbitMQ targets: queue diagnostics (`/diag queue`) over AMQP and the management API, and rabbitmq.purge. */
import { defineTargetKind, urlPassword } from '../kind.js';
import { RABBITMQ_ACTIONS } from './actions/index.js';
import { rabbitProbe } from './probe/index.js';
import { rabbitTargetSchema } from './target.js';

export const rabbitmqKind = defineTargetKind({
  key: 'rabbitmq',
  label: 'RabbitMQ',
  schema: rabbitTargetSchema,
  diagnostics: [{ word: 'queue', probe: (target) => rabbitProbe(target), inAll: true }],
  actions: () => [...RABBITMQ_ACTIONS],
  secrets: (target) => [...urlPassword(target.url), ...urlPassword(target.management)],
});
