/**
 * rabbitmq.purge <queue>: delete every message waiting in one queue (AMQP queue.purge), the
 * seed's `rabbitmqctl purge_queue dead_letter`. Only the queues listed in the target's
 * `purgeable` may be named. The preview reads the queue with a passive declare (messages ready,
 * consumers); execution declares it again first and does nothing if it vanished or grew far past
 * what was approved; verify reads its depth after the purge. Messages delivered to a consumer and
 * not yet acknowledged are not purged (they come back if the consumer rejects them). Critical: the
 * messages are gone for good, so a second person approves.
 */
import { z } from 'zod';
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import { ActionError, positional, readGuard, recall, remember } from '../../shared/action-support.js';
import { AmqpDeadline, explainConnectFailure, withBroker, type QueueCheck } from '../amqp.js';
import { hostPortOf, QUEUE_NAME, vhostOf, type RabbitTarget } from '../target.js';

export interface PurgeParams {
  queue: string;
}

/** The name of the actions' connections in the broker's connection list. */
export const REMEDIATION_CONNECTION_NAME = 'firebreak-remediation';

export const purgeParams = positional<PurgeParams>('<queue>', 1, 1, ([name]) =>
  QUEUE_NAME.test(name ?? '') ? { queue: name as string } : `"${String(name).slice(0, 80)}" is not a queue name`,
);

const guardSchema = z.object({ queue: z.string(), vhost: z.string(), ready: z.number().int().nonnegative() });

/** At execution the queue may hold up to this many messages for the approval of `previewed` to stand. */
export const allowedAtExecution = (previewed: number): number => Math.max(previewed * 2, previewed + 100);

const messages = (n: number): string => `${n.toLocaleString('en-US')} message${n === 1 ? '' : 's'}`;
const consumers = (n: number): string => `${n} consumer${n === 1 ? '' : 's'}`;
const memoKey = (t: RabbitTarget, queue: string) => `${t.url}|rabbitmq.purge|${queue}`;

/** Why it failed, in plain words (the broker's refusal, a connection that could not be had, the deadline). */
function describe(err: unknown, target: RabbitTarget, ctx: { deadline: number }): string {
  if (err instanceof ActionError) return err.message;
  if (err instanceof AmqpDeadline) return err.cancelled ? 'cancelled before RabbitMQ answered' : 'RabbitMQ did not answer before the deadline';
  if (err instanceof Error && err.name === 'AmqpError') return err.message;
  return explainConnectFailure(err, hostPortOf(target.url), Math.max(0, Math.round(ctx.deadline - Date.now())), vhostOf(target.url));
}

function notPurgeable(target: RabbitTarget, queue: string): string | undefined {
  const list = target.purgeable ?? [];
  if (list.includes(queue)) return undefined;
  return `${queue} is not one of the queues ${target.name} may purge (${list.join(', ') || 'none'}): Firebreak purges only those (targets.rabbitmq purgeable)`;
}

function absent(check: QueueCheck, queue: string, target: RabbitTarget): string | undefined {
  if (check.kind === 'missing') return `there is no queue ${queue} in vhost ${vhostOf(target.url)} of ${target.name}`;
  if (check.kind === 'failed') return `cannot read ${queue}: ${check.why}`;
  return undefined;
}

export const rabbitPurgeAction: ActionDefinition<RabbitTarget, PurgeParams> = {
  id: 'rabbitmq.purge',
  title: 'Delete every message waiting in one RabbitMQ queue (purge)',
  risk: 'critical',
  targetKind: 'rabbitmq',
  usage: '<queue>',
  params: purgeParams,

  async preview(target, { queue }, ctx): Promise<Preview> {
    const vhost = vhostOf(target.url);
    const change = [
      `purge queue ${queue} on ${target.name} (vhost ${vhost}): every message ready in it is deleted, for good; messages delivered to a consumer and not yet acknowledged are not touched`,
    ];
    const refused = (refusal: string, current: string[] = []): Preview => ({ current, change, guard: {}, refusal });
    const outside = notPurgeable(target, queue);
    if (outside) return refused(outside);
    try {
      const check = await withBroker(target.url, ctx, REMEDIATION_CONNECTION_NAME, (b) => b.check(queue));
      const why = absent(check, queue, target);
      if (why || check.kind !== 'found') return refused(why ?? `cannot read ${queue}`);
      const current = [`${queue} (vhost ${vhost}): ${messages(check.ready)} ready, ${consumers(check.consumers)}`];
      if (check.consumers > 0) current.push(`${check.consumers === 1 ? 'its consumer keeps' : `its ${consumers(check.consumers)} keep`} consuming: only what waits at the moment of the purge is deleted`);
      if (check.ready === 0) return refused(`nothing to purge: ${queue} is empty`, current);
      return { current, change, guard: { queue, vhost, ready: check.ready } };
    } catch (err) {
      return refused(`cannot read ${queue} on ${target.name}: ${describe(err, target, ctx)}`);
    }
  },

  async execute(target, { queue }, guard, ctx): Promise<ActionResult> {
    try {
      const g = readGuard(guardSchema, guard);
      if (g.queue !== queue || g.vhost !== vhostOf(target.url)) throw new ActionError(`the approved preview was for queue ${g.queue} in vhost ${g.vhost}, not ${queue}`);
      const outside = notPurgeable(target, queue);
      if (outside) throw new ActionError(outside);
      return await withBroker(target.url, ctx, REMEDIATION_CONNECTION_NAME, async (b) => {
        const check = await b.check(queue);
        const why = absent(check, queue, target);
        if (why || check.kind !== 'found') return { ok: false, summary: `${why ?? `cannot read ${queue}`} (it had ${messages(g.ready)} at the preview); nothing done` };
        if (check.ready > allowedAtExecution(g.ready)) {
          return { ok: false, summary: `${queue} has ${messages(check.ready)} now, against ${messages(g.ready)} when it was approved: ask again to purge that many; nothing done` };
        }
        const before = { queue, ready: check.ready, consumers: check.consumers, readyAtPreview: g.ready };
        const purged = await b.purge(queue);
        remember(memoKey(target, queue), { purged });
        return { ok: true, summary: `${queue} purged: ${messages(purged)} deleted (${g.ready.toLocaleString('en-US')} at the preview)`, before };
      });
    } catch (err) {
      return { ok: false, summary: `${describe(err, target, ctx)}; nothing done` };
    }
  },

  async verify(target, { queue }, ctx): Promise<ActionResult> {
    const known = recall<{ purged: number }>(memoKey(target, queue));
    try {
      return await withBroker(target.url, ctx, REMEDIATION_CONNECTION_NAME, async (b) => {
        const check = await b.check(queue);
        const why = absent(check, queue, target);
        if (why || check.kind !== 'found') return { ok: false, summary: why ?? `cannot read ${queue}` };
        const after = { ready: check.ready, consumers: check.consumers };
        const now = `${queue} has ${messages(check.ready)} ready now (${consumers(check.consumers)})`;
        if (check.ready === 0) return { ok: true, summary: now, after };
        // A dead-letter queue fills again while the failures go on: fewer than were purged is still the purge's effect.
        if (known && check.ready < known.purged) return { ok: true, summary: `${now}: new ones arrived since the purge, the failures go on`, after };
        return { ok: false, summary: known ? `${now}: at least as many as the purge deleted, something refills it` : `${now}: not empty after the purge`, after };
      });
    } catch (err) {
      return { ok: false, summary: describe(err, target, ctx) };
    }
  },
};
