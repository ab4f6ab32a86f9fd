/**
 * "Ack at once, work after, answer the clicker privately". Slack shows an error unless a click is
 * acknowledged within 3 s; the work (store, Slack API, targets) often takes longer.
 */
import type { z } from 'zod';
import type { AppContext } from '../../../app/context.js';
import type { Message } from '../../../core/render/message.js';
import type { Logger } from '../../../logger.js';
import { errorReply } from '../reply-error.js';
import { answerPrivately, type Answer } from './answer.js';
import type { ActionListener } from './types.js';

export interface Work {
  /** Names the work while it runs, e.g. in the log of a failure or of a shutdown waiting for it. */
  label: string;
  /** The `action` of the log lines (for an id with data after a prefix: the prefix). */
  action: string;
}

/** Acks, then runs `work` in the background, tracked so that a shutdown waits for it. */
export async function ackThenRun(ack: () => Promise<void>, ctx: AppContext, spec: Work & { userId: string }, work: (log: Logger) => Promise<void>): Promise<void> {
  await ack();
  const log = ctx.logger.child({ action: spec.action, user: spec.userId });
  ctx.inflight.run(spec.label, () => work(log));
}

/** What `work` answers or, when it throws, what the user reads about trying to do `doing`. */
export async function orErrorReply<T extends Answer | null>(log: Logger, doing: string, work: () => Promise<T>): Promise<T | Message> {
  try {
    return await work();
  } catch (err) {
    return errorReply(err, log, doing);
  }
}

/** A click whose whole work, failures included, ends in one private answer (or none, for null). */
export function answeredClick<P extends { userId: string }>(
  spec: Work & { id: string | RegExp; doing: string; read: z.ZodType<P> },
  work: (clicked: P, ctx: AppContext) => Promise<Answer | null>,
): ActionListener<P> {
  return {
    kind: 'action',
    id: spec.id,
    read: spec.read,
    handle: ({ ack, respond }, ctx, clicked) =>
      ackThenRun(ack, ctx, { ...spec, userId: clicked.userId }, async (log) => {
        const answer = await orErrorReply(log, spec.doing, () => work(clicked, ctx));
        if (answer !== null) await answerPrivately(respond, answer, log);
      }),
  };
}
