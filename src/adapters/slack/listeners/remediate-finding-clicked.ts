/** A remediation proposed by a diagnostic finding: the click asks for it (preview and approval). */
import type { ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { requestRemediation } from '../../../app/remediation/flow.js';
import { REMEDIATE_FINDING } from '../../../core/diagnostics/render.js';
import { errorReply } from '../reply-error.js';
import { answerPrivately } from './answer.js';
import { ackThenRun } from './background.js';
import type { ActionListener } from './types.js';

/** The button's value: action, its arguments, target (short keys: a value holds at most 2,000 characters). */
const proposal = z.object({ a: z.string().max(64), x: z.array(z.string().max(200)).max(10), t: z.string().max(64) });

export const remediateFindingClicked: ActionListener<ButtonAction> = {
  kind: 'action',
  id: new RegExp(`^${REMEDIATE_FINDING}:`),
  handle: ({ ack, body, action, respond }, ctx) =>
    ackThenRun({ ack, body }, ctx, { label: 'remediation from a finding', action: REMEDIATE_FINDING }, async (log) => {
      let text: string;
      try {
        const parsed = proposal.safeParse(JSON.parse(action.value ?? 'null'));
        if (!parsed.success) text = ':warning: This button carries no remediation Firebreak understands.';
        else {
          const outcome = await requestRemediation(ctx, ctx.remediation, {
            teamId: body.team?.id ?? body.user.team_id ?? '', channelId: body.channel?.id ?? body.user.id, actorId: body.user.id,
            actionId: parsed.data.a, args: parsed.data.x, targetName: parsed.data.t,
          });
          text = outcome.reply;
        }
      } catch (err) {
        text = errorReply(err, log, 'ask for the remediation').text;
      }
      await answerPrivately(respond, text, log);
    }),
};
