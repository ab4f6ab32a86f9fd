/** Approve and Reject on a remediation request. The button value is only the request's id. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { approveRemediation, rejectRemediation, requestRemediation } from '../../app/remediation/flow.js';
import { REMEDIATE_FINDING } from '../../core/diagnostics/render.js';
import { REMEDIATION_ACTIONS } from '../../app/remediation/messages.js';
import type { Outcome } from '../../app/incidents/outcome.js';
import { toBlockKit } from './block-kit.js';
import { errorReply } from './reply-error.js';

const requestId = z.uuid();

export function registerRemediation(app: App, ctx: AppContext): void {
  const handle = (actionId: string, decide: (id: string, userId: string) => Promise<Outcome>) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const log = ctx.logger.child({ action: actionId, user: body.user.id });
      ctx.inflight.run(actionId, async () => {
        let reply: { text: string; blocks?: unknown[] };
        try {
          const id = requestId.safeParse(action.value);
          const outcome = id.success ? await decide(id.data, body.user.id) : { ok: false, reply: ':warning: This button belongs to no request Firebreak knows.' };
          reply = { text: outcome.reply };
        } catch (err) {
          reply = toBlockKit(errorReply(err, log, 'decide on the remediation'));
        }
        await respond({ response_type: 'ephemeral', replace_original: false, ...reply } as never).catch((err: unknown) => log.warn({ err }, 'could not answer the click'));
      });
    });
  // A remediation proposed by a diagnostic finding: the click asks for it (preview and approval).
  const proposal = z.object({ a: z.string().max(64), x: z.array(z.string().max(200)).max(10), t: z.string().max(64) });
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${REMEDIATE_FINDING}:`), async ({ ack, body, action, respond }) => {
    await ack();
    const log = ctx.logger.child({ action: REMEDIATE_FINDING, user: body.user.id });
    ctx.inflight.run('remediation from a finding', async () => {
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
      await respond({ response_type: 'ephemeral', replace_original: false, text }).catch((err: unknown) => log.warn({ err }, 'could not answer the click'));
    });
  });

  handle(REMEDIATION_ACTIONS.approve, (id, userId) => approveRemediation(ctx, ctx.remediation, id, userId));
  handle(REMEDIATION_ACTIONS.reject, (id, userId) => rejectRemediation(ctx, id, userId));
}
