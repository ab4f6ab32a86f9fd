/** The one way a listener answers the person who clicked: privately, leaving the clicked message as it was. */
import type { RespondFn } from '@slack/bolt';
import type { Message } from '../../../core/render/message.js';
import type { Logger } from '../../../logger.js';
import { toBlockKit } from '../block-kit.js';

/** A neutral message (drawn as Block Kit), or bare text (sent as it is, without blocks). */
export type Answer = Message | string;

/** A failed answer is logged, not thrown: the work it reports on is done (or refused) either way. */
export async function answerPrivately(respond: RespondFn, answer: Answer, log: Logger): Promise<void> {
  const content = typeof answer === 'string' ? { text: answer } : toBlockKit(answer);
  await respond({ response_type: 'ephemeral', replace_original: false, ...content }).catch((err: unknown) => log.warn({ err }, 'could not answer the click'));
}
