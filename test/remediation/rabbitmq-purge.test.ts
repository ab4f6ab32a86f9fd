/**
 * rabbitmq.purge on the real RabbitMQ: the preview's count and consumers, the purge and its
 * verification, and each refusal: a queue not in purgeable, an empty one, one that vanished or
 * grew far past what was approved since the preview; messages held by a consumer stay; the read
 * permission a purge needs, and nothing more.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/core/remediation/action.js';
import { allowedAtExecution, purgeParams, rabbitPurgeAction as purge } from '../../src/adapters/targets/rabbitmq/actions/index.js';
import type { RabbitTarget } from '../../src/adapters/targets/rabbitmq/target.js';
import { AMQP_URL, amqpUrl, freePort, statsShow, TestBroker, unique, waitFor } from '../rabbitmq/broker.js';

let broker: TestBroker;
beforeEach(async () => {
  broker = await TestBroker.open();
});
afterEach(async () => {
  await broker.cleanup();
});

const ctx = (ms = 5000): ActionContext => ({ deadline: Date.now() + ms, signal: AbortSignal.timeout(ms), now: () => new Date() });
const target = (purgeable: string[], url = AMQP_URL): RabbitTarget => ({ name: 'broker', url, queues: ['x'], purgeable });

describe('rabbitmq.purge', () => {
  it('previews the count and consumers, purges once approved, and verifies the queue is empty', async () => {
    const dlq = await broker.queue(unique('dead_letter'));
    await broker.publish(dlq, 37);
    const t = target([dlq]);
    const preview = await purge.preview(t, { queue: dlq }, ctx());
    expect(preview.refusal).toBeUndefined();
    expect(preview.current).toEqual([`${dlq} (vhost /): 37 messages ready, 0 consumers`]);
    expect(preview.change).toEqual([`purge queue ${dlq} on broker (vhost /): every message ready in it is deleted, for good; messages delivered to a consumer and not yet acknowledged are not touched`]);
    expect(preview.guard).toEqual({ queue: dlq, vhost: '/', ready: 37 });
    expect(await broker.depth(dlq)).toEqual({ ready: 37, consumers: 0 });

    await broker.publish(dlq, 3); // more failures arrive while the request waits
    const done = await purge.execute(t, { queue: dlq }, preview.guard, ctx());
    expect(done).toEqual({ ok: true, summary: `${dlq} purged: 40 messages deleted (37 at the preview)`, before: { queue: dlq, ready: 40, consumers: 0, readyAtPreview: 37 } });
    expect(await broker.depth(dlq)).toEqual({ ready: 0, consumers: 0 });
    expect(await purge.verify(t, { queue: dlq }, ctx())).toEqual({ ok: true, summary: `${dlq} has 0 messages ready now (0 consumers)`, after: { ready: 0, consumers: 0 } });

    // New dead letters after the purge: fewer than were deleted is still its effect.
    await broker.publish(dlq, 2);
    expect(await purge.verify(t, { queue: dlq }, ctx())).toMatchObject({ ok: true, summary: `${dlq} has 2 messages ready now (0 consumers): new ones arrived since the purge, the failures go on` });
  });

  it('messages a consumer holds unacknowledged are not purged: they come back when it lets go', async () => {
    const q = await broker.queue(unique('dead_letter'));
    await broker.publish(q, 10);
    const holder = await broker.consumer(q, 'hold', { prefetch: 4 });
    await statsShow('/', q, { ready: 6, unacked: 4 });
    const t = target([q]);
    const preview = await purge.preview(t, { queue: q }, ctx());
    expect(preview.current).toEqual([`${q} (vhost /): 6 messages ready, 1 consumer`, 'its consumer keeps consuming: only what waits at the moment of the purge is deleted']);
    const done = await purge.execute(t, { queue: q }, preview.guard, ctx());
    expect(done.summary).toBe(`${q} purged: 6 messages deleted (6 at the preview)`);
    await holder.channel.close();
    await waitFor('the held messages back in the queue', async () => (await broker.depth(q))?.ready === 4);
  });

  it('refuses a queue that is not purgeable, and an empty one, without touching them', async () => {
    const work = await broker.queue(unique('orders'));
    const empty = await broker.queue(unique('dead_letter'));
    await broker.publish(work, 5);
    const t = target([empty]);
    const outside = await purge.preview(t, { queue: work }, ctx());
    expect(outside.refusal).toBe(`${work} is not one of the queues broker may purge (${empty}): Firebreak purges only those (targets.rabbitmq purgeable)`);
    // Even with a guard made up for it, execute refuses.
    expect(await purge.execute(t, { queue: work }, { queue: work, vhost: '/', ready: 5 }, ctx())).toMatchObject({ ok: false, summary: expect.stringMatching(/is not one of the queues broker may purge .*; nothing done$/) });
    expect(await broker.depth(work)).toEqual({ ready: 5, consumers: 0 });
    const none = await purge.preview(t, { queue: empty }, ctx());
    expect(none.refusal).toBe(`nothing to purge: ${empty} is empty`);
    const missing = unique('gone');
    expect((await purge.preview(target([missing]), { queue: missing }, ctx())).refusal).toBe(`there is no queue ${missing} in vhost / of broker`);
  });

  it('the guard: a queue that vanished since the preview, or that grew far past what was approved, is left alone', async () => {
    const q = await broker.queue(unique('dead_letter'));
    await broker.publish(q, 10);
    const t = target([q]);
    const preview = await purge.preview(t, { queue: q }, ctx());
    await broker.publish(q, allowedAtExecution(10) - 10 + 1);
    const grown = await purge.execute(t, { queue: q }, preview.guard, ctx());
    expect(grown).toEqual({ ok: false, summary: `${q} has 111 messages now, against 10 messages when it was approved: ask again to purge that many; nothing done` });
    expect((await broker.depth(q))!.ready).toBe(111);

    await broker.deleteQueue(q);
    const vanished = await purge.execute(t, { queue: q }, preview.guard, ctx());
    expect(vanished).toEqual({ ok: false, summary: `there is no queue ${q} in vhost / of broker (it had 10 messages at the preview); nothing done` });
    expect(await broker.depth(q)).toBeNull(); // not declared again
    expect(await purge.verify(t, { queue: q }, ctx())).toEqual({ ok: false, summary: `there is no queue ${q} in vhost / of broker` });
    // A guard from another request, or none usable.
    expect(await purge.execute(t, { queue: q }, {}, ctx())).toMatchObject({ ok: false, summary: 'the stored preview is not usable (preview the action again); nothing done' });
  });

  it('least privilege: read permission on the queue purges it; without it the broker refuses', async () => {
    const allowed = await broker.queue(unique('dead_letter'));
    const other = await broker.queue(unique('dead_letter'));
    await broker.publish(allowed, 3);
    await broker.publish(other, 3);
    const escaped = allowed.replace(/[.]/g, '\\.');
    const user = await broker.user('purger-pw', '', '/', { configure: '^$', write: '^$', read: `^${escaped}$` });
    const t = target([allowed, other], amqpUrl({ user, password: 'purger-pw' }));
    const ok = await purge.execute(t, { queue: allowed }, (await purge.preview(t, { queue: allowed }, ctx())).guard, ctx());
    expect(ok).toMatchObject({ ok: true, summary: `${allowed} purged: 3 messages deleted (3 at the preview)` });
    const refused = await purge.execute(t, { queue: other }, (await purge.preview(t, { queue: other }, ctx())).guard, ctx());
    expect(refused.ok).toBe(false);
    expect(refused.summary).toMatch(/^ACCESS_REFUSED - access to queue '.*' in vhost '\/' refused for user '.*'; nothing done$/);
    expect(await broker.depth(other)).toEqual({ ready: 3, consumers: 0 });
  });

  it('an unreachable broker: the preview refuses saying why; the arguments are checked first', async () => {
    const port = await freePort();
    const p = await purge.preview(target(['dlq'], `amqp://guest:guest@127.0.0.1:${port}`), { queue: 'dlq' }, ctx());
    expect(p.refusal).toBe(`cannot read dlq on broker: connection refused (127.0.0.1:${port})`);
    expect(purgeParams.safeParse(['dead_letter']).data).toEqual({ queue: 'dead_letter' });
    expect(purgeParams.safeParse([]).error?.issues[0]?.message).toBe('usage: <queue>');
    expect(purgeParams.safeParse(['a', 'b']).error?.issues[0]?.message).toBe('usage: <queue>');
    expect(purgeParams.safeParse(['x'.repeat(256)]).error?.issues[0]?.message).toMatch(/is not a queue name$/);
  });
});
