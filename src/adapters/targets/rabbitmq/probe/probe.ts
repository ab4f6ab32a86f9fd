/**
 * The RabbitMQ probe (`/diag queue [target]`): one read-only pass over the target's queues,
 * bounded by the deadline. It opens an AMQP connection (is the broker there for the applications?)
 * and, when configured, asks the management API for the vhost's queues at the same time. Each
 * queue's numbers come from the management API when it answered (ready, unacknowledged,
 * consumers, state), else from a passive declare over AMQP (ready and consumers), one fresh
 * channel per queue; nothing is ever declared, bound, consumed or purged. Queues with something
 * to say get their own findings; the others are summed up in one.
 */
import { sortFindings, unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { explainConnectFailure, openBroker, type Broker, type QueueCheck } from '../amqp.js';
import { readManagement, type ManagementRead } from '../management.js';
import { deadLetterTest, displayAmqp, hostPortOf, resolveRabbitThresholds, thresholdsFor, vhostOf, type RabbitTarget } from '../target.js';
import { count, queueFindings, type QueueReading } from './checks.js';

/** The name the probe's connection has in the broker's connection list. */
export const PROBE_CONNECTION_NAME = 'firebreak-diagnostics';

/** Queues summed up by name in the "fine" finding (the deepest first). */
const SUMMARY_NAMES = 5;

const RECOMMEND_REACH =
  "Check that RabbitMQ is running and reachable from Firebreak (host, port, firewall), the credentials in the target's URL, and that the user may use the vhost (rabbitmqctl list_user_permissions).";

type Connected = { ok: true; broker: Broker } | { ok: false; why: string };

/** The queues this run reads: those named, or (with no list and the management API answering) every queue of the vhost. */
function queuesToRead(target: RabbitTarget, management: ManagementRead | undefined): string[] {
  const named = [...(target.queues ?? []), ...(target.deadLetterQueues ?? [])];
  const listed = target.queues === undefined && management?.ok ? management.queues.map((q) => q.name) : [];
  return [...new Set([...named, ...listed])];
}

function reachableFinding(target: RabbitTarget, connected: Connected, vhost: string): Finding {
  if (!connected.ok) return unreachable(target.name, connected.why, RECOMMEND_REACH);
  return { check: 'reachable', component: target.name, status: 'ok', value: `${connected.broker.server} at ${connected.broker.where}, vhost ${vhost}` };
}

function managementFinding(target: RabbitTarget, m: ManagementRead, queues: number): Finding {
  if (m.ok) {
    const about = [m.version ? `RabbitMQ ${m.version}` : undefined, m.cluster ? `cluster ${m.cluster}` : undefined].filter(Boolean).join(', ');
    return {
      check: 'management API', component: target.name, status: 'ok',
      value: `${m.where}${about ? ` (${about})` : ''}: ${count(m.queues.length)} queue${m.queues.length === 1 ? '' : 's'} in the vhost, ${count(queues)} read`,
    };
  }
  return {
    check: 'management API', component: target.name, status: 'unknown',
    value: `${m.unreachable ? 'unreachable: ' : ''}${m.why}`,
    recommendation:
      'Without it the queues are read over AMQP (passive declares): ready messages and consumers only, no unacknowledged counts, and only the queues named in the configuration. Check the management URL, that the plugin is enabled (rabbitmq-plugins enable rabbitmq_management) and that the user has the monitoring tag.',
  };
}

function fromCheck(c: QueueCheck): QueueReading {
  return c.kind === 'found' ? { kind: 'found', ready: c.ready, consumers: c.consumers } : c;
}

async function run(target: RabbitTarget, ctx: ProbeContext): Promise<Finding[]> {
  const budgetMs = Math.max(0, Math.floor(ctx.deadline - Date.now()));
  if (budgetMs <= 0 || ctx.signal.aborted) return [unreachable(target.name, 'no time left before the deadline')];
  const vhost = vhostOf(target.url);
  const [connected, management] = await Promise.all([
    openBroker(target.url, ctx, PROBE_CONNECTION_NAME).then(
      (broker): Connected => ({ ok: true, broker }),
      (e: unknown): Connected => ({ ok: false, why: explainConnectFailure(e, hostPortOf(target.url), budgetMs, vhost) }),
    ),
    readManagement(target, ctx),
  ]);
  try {
    const findings: Finding[] = [reachableFinding(target, connected, vhost)];
    const names = queuesToRead(target, management);
    if (management) findings.push(managementFinding(target, management, names.length));
    if (!connected.ok && !management?.ok) return findings;

    // The management API's numbers where it has them; a passive declare for the rest.
    const readings = new Map<string, QueueReading>();
    const overAmqp: string[] = [];
    const listed = management?.ok ? new Map(management.queues.map((q) => [q.name, q])) : undefined;
    for (const name of names) {
      const q = listed?.get(name);
      if (listed && !q) readings.set(name, { kind: 'missing' });
      else if (q && q.ready !== undefined && q.consumers !== undefined) readings.set(name, { kind: 'found', ready: q.ready, unacked: q.unacked, consumers: q.consumers, state: q.state });
      else overAmqp.push(name);
    }
    if (connected.ok) {
      const checks = await connected.broker.checkAll(overAmqp);
      overAmqp.forEach((name, i) => readings.set(name, fromCheck(checks[i] as QueueCheck)));
    } else {
      const why = listed ? 'the management API has no statistics for it yet, and AMQP is unreachable' : 'AMQP is unreachable';
      for (const name of overAmqp) readings.set(name, { kind: 'failed', why });
    }

    if (names.length === 0) {
      findings.push({
        check: 'queues', component: target.name, status: target.queues === undefined ? 'ok' : 'unknown',
        value: management?.ok ? `no queue in vhost ${vhost}` : 'no queue to read',
      });
      return sortFindings(findings);
    }
    const isDeadLetter = deadLetterTest(target);
    const named = new Set(target.queues ?? []);
    const purgeable = new Set(target.purgeable ?? []);
    const fine: Array<{ ready: number; text: string }> = [];
    for (const name of names) {
      const reading = readings.get(name) as QueueReading;
      const own = queueFindings(
        { queue: name, vhost, thresholds: thresholdsFor(target, name), deadLetter: isDeadLetter(name), named: named.has(name), purgeable: purgeable.has(name) },
        reading,
      );
      findings.push(...own.findings);
      if (own.fine !== undefined) fine.push({ ready: reading.kind === 'found' ? reading.ready : 0, text: own.fine });
    }
    if (fine.length) {
      const top = [...fine].sort((a, b) => b.ready - a.ready).slice(0, SUMMARY_NAMES).map((f) => f.text);
      findings.push({
        check: 'queues', component: target.name, status: 'ok',
        value: `${count(fine.length)} queue${fine.length === 1 ? '' : 's'} under their thresholds, with consumers where messages wait: ${top.join('; ')}${fine.length > top.length ? '; …' : ''}`,
        threshold: thresholdText(target),
      });
    }
    return sortFindings(findings);
  } finally {
    if (connected.ok) await connected.broker.close();
  }
}

function thresholdText(target: RabbitTarget): string {
  const t = resolveRabbitThresholds(target.thresholds);
  return `ready: warning at ${count(t.readyWarn)}, critical at ${count(t.readyCritical)}; unacknowledged: warning at ${count(t.unackedWarn)}, critical at ${count(t.unackedCritical)}${target.queueThresholds ? ' (some queues have their own)' : ''}`;
}

export function rabbitProbe(target: RabbitTarget): Probe {
  return {
    kind: 'rabbitmq',
    target: target.name,
    async run(ctx) {
      try {
        return await run(target, ctx);
      } catch (e) {
        // A probe never throws: what was not foreseen is an unknown, said as it is.
        return [{ check: 'queues', component: target.name, status: 'unknown', value: `the probe stopped: ${e instanceof Error ? e.message : String(e)}`, recommendation: `Check ${displayAmqp(target.url)} by hand (rabbitmqctl list_queues name messages_ready messages_unacknowledged consumers).` }];
      }
    },
  };
}
