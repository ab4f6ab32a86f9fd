/**
 * How one queue's numbers are graded. A work queue: messages waiting with no consumer attached
 * (critical), messages ready and unacknowledged against the thresholds, a queue process that is
 * not running. A dead-letter queue: any message in it is at least a warning, since each is work
 * that failed and that nothing retries by itself; it is expected to have no consumer. A queue that
 * does not exist is its own finding.
 */
import { grade, type Finding, type Status } from '../../../../core/diagnostics/finding.js';
import type { RabbitThresholds } from '../target.js';

/** One queue as read, from the management API or a passive declare. */
export type QueueReading =
  | { kind: 'found'; ready: number; unacked?: number | undefined; consumers: number; state?: string | undefined }
  | { kind: 'missing' }
  | { kind: 'failed'; why: string };

export interface QueueContext {
  queue: string;
  vhost: string;
  thresholds: RabbitThresholds;
  deadLetter: boolean;
  /** Named in the target's `queues` (not found by listing the vhost): an idle one without consumer is worth a word. */
  named: boolean;
  /** rabbitmq.purge may empty it. */
  purgeable: boolean;
}

/** 12345 → "12,345". */
export const count = (n: number): string => n.toLocaleString('en-US');
const messages = (n: number): string => `${count(n)} message${n === 1 ? '' : 's'}`;
const consumersText = (n: number): string => `${count(n)} consumer${n === 1 ? '' : 's'}`;

/** States of a queue process that serves its messages (flow: throttled by credit flow, still serving). */
const SERVING = new Set(['running', 'idle', 'flow']);

const RECOMMEND = {
  noConsumer:
    'Nothing takes these messages: the workers are down, crashing, or cannot connect (credentials, network, a connection limit). Look at the workers (their pods or units, and their logs) and start or scale them; the queue drains once they consume again.',
  idle: 'Nothing would take a message that arrives now: check that the workers are running and connected.',
  depth:
    'Messages arrive faster than the consumers take them: add consumers (scale the workers), look for slow or failing ones (their logs, what they call), and check that no publisher is retrying in a loop.',
  unacked:
    'Consumers hold messages without acknowledging them: hung or slow handlers, a prefetch (basic.qos) set too high, or code that never acks. Restarting a stuck consumer gives its messages back to the queue.',
  state:
    "The queue's process is not serving (its node is down, or a quorum queue lost its majority): look at the cluster's nodes (rabbitmqctl cluster_status) and the broker's log.",
  missing:
    'It is configured but does not exist: it was deleted, or it was auto-delete or exclusive and its consumer went away. Messages routed to it are dropped (or returned to publishers that ask). The application that owns it declares it at start: restart that, or declare the queue and its bindings again.',
  missingDeadLetter:
    'Messages dead-lettered towards it are dropped: declare it again, bound to the dead-letter exchange of the queues that use it.',
} as const;

function deadLetterAdvice(c: QueueContext): string {
  const purge = c.purgeable ? `\`rabbitmq.purge ${c.queue}\`` : '`rabbitmq.purge`, once the queue is listed in the target\'s purgeable queues';
  return (
    'Each message here is work that failed: rejected by a consumer, expired, or past a length or delivery limit, and nothing retries it by itself. ' +
    "Read a few (the management UI's Get messages; their x-death header says from which queue and why) and the workers' logs, fix the cause, " +
    `then replay them, or purge the queue when they are worthless (${purge}).`
  );
}

function missing(c: QueueContext): Finding {
  return {
    check: 'missing queue',
    component: c.queue,
    status: c.deadLetter ? 'warning' : 'critical',
    value: `no queue ${c.queue} in vhost ${c.vhost}`,
    recommendation: c.deadLetter ? RECOMMEND.missingDeadLetter : RECOMMEND.missing,
  };
}

function deadLetters(c: QueueContext, r: Extract<QueueReading, { kind: 'found' }>): Finding {
  const total = r.ready + (r.unacked ?? 0);
  const status: Status = total === 0 ? 'ok' : total >= c.thresholds.deadLetterCritical ? 'critical' : 'warning';
  const parts = r.unacked === undefined ? `${count(r.ready)} ready` : `${count(r.ready)} ready, ${count(r.unacked)} unacknowledged`;
  const finding: Finding = {
    check: 'dead letters',
    component: c.queue,
    status,
    value: total === 0 ? 'empty' : `${messages(total)} (${parts}; ${consumersText(r.consumers)})`,
    threshold: `warning from the first message, critical at ${count(c.thresholds.deadLetterCritical)}`,
  };
  if (status !== 'ok') {
    finding.recommendation = deadLetterAdvice(c);
    if (c.purgeable && r.ready > 0) finding.remediation = { action: 'rabbitmq.purge', args: [c.queue], label: `Purge ${c.queue}`.slice(0, 75) };
  }
  return finding;
}

/**
 * The findings of one queue, and, when it has none worth showing, a short line for the summary of
 * the queues that are fine.
 */
export function queueFindings(c: QueueContext, r: QueueReading): { findings: Finding[]; fine?: string } {
  if (r.kind === 'missing') return { findings: [missing(c)] };
  if (r.kind === 'failed') return { findings: [{ check: 'queue', component: c.queue, status: 'unknown', value: `could not read it: ${r.why}` }] };
  const findings: Finding[] = [];
  if (r.state !== undefined && !SERVING.has(r.state)) {
    findings.push({ check: 'queue state', component: c.queue, status: 'critical', value: `${r.state} (${messages(r.ready)} ready)`, threshold: 'critical unless running, idle or flow', recommendation: RECOMMEND.state });
  }
  if (c.deadLetter) return { findings: [deadLetters(c, r), ...findings] };

  const t = c.thresholds;
  if (r.consumers === 0 && r.ready > 0) {
    findings.push({ check: 'no consumer', component: c.queue, status: 'critical', value: `${messages(r.ready)} ready, 0 consumers`, threshold: 'critical when messages wait and no consumer is attached', recommendation: RECOMMEND.noConsumer });
  } else if (r.consumers === 0 && c.named) {
    findings.push({ check: 'no consumer', component: c.queue, status: 'warning', value: 'empty, 0 consumers', threshold: 'a configured queue should have a consumer', recommendation: RECOMMEND.idle });
  }
  const depth = grade(r.ready, t.readyWarn, t.readyCritical);
  if (depth !== 'ok') {
    findings.push({
      check: 'queue depth', component: c.queue, status: depth,
      value: `${messages(r.ready)} ready (${consumersText(r.consumers)})`,
      threshold: `warning at ${count(t.readyWarn)}, critical at ${count(t.readyCritical)} ready`,
      recommendation: RECOMMEND.depth,
    });
  }
  if (r.unacked !== undefined) {
    const held = grade(r.unacked, t.unackedWarn, t.unackedCritical);
    if (held !== 'ok') {
      findings.push({
        check: 'unacknowledged', component: c.queue, status: held,
        value: `${messages(r.unacked)} delivered and not acknowledged (${consumersText(r.consumers)})`,
        threshold: `warning at ${count(t.unackedWarn)}, critical at ${count(t.unackedCritical)}`,
        recommendation: RECOMMEND.unacked,
      });
    }
  }
  if (findings.length) return { findings };
  const held = r.unacked === undefined ? '' : `, ${count(r.unacked)} unacked`;
  return { findings, fine: `${c.queue} ${count(r.ready)} ready${held}, ${consumersText(r.consumers)}` };
}
