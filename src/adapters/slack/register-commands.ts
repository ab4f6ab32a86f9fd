/**
 * Registers every slash command module with Bolt. Each handler acknowledges within Slack's
 * 3 seconds: replies that need no I/O travel in the ack itself; everything else runs after it.
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { toBlockKit } from './block-kit.js';
import type { CommandContext, SlashCommandModule } from '../../../commands/contract.js';
import { dispatch, replyFor } from './dispatch.js';
import { errorReply } from './reply-error.js';
import { openModalWhenReady } from './modal.js';
import { formView } from './forms.js';
import { FirebreakError, describeCause } from '../../core/errors.js';
import { truncate } from '../../core/render/text.js';
import { channelId, teamId, userId } from './ids.js';
import { currentSlackRequest, requestContext } from './request-scope.js';

/** What a handler reads of a slash command: ids that reach the use cases must be Slack's. */
const slashCommand = z.object({
  user_id: userId,
  team_id: teamId,
  channel_id: channelId,
  text: z.string().optional(),
  trigger_id: z.string().max(255),
});

/** Slack refuses a modal whose trigger expired (3 s) or was used: the user only needs to retry. */
function modalError(err: unknown, typed: string): unknown {
  const code = describeCause(err);
  // Shown inside a code span: only the characters that make links and mentions need escaping.
  const shown = truncate(typed, 200).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, "'");
  if (code === 'expired_trigger_id' || code === 'exchanged_trigger_id' || code === 'invalid_trigger_id') {
    return new FirebreakError('CHAT_FAILED', `Slack did not let Firebreak open the form in time (${code}). Nothing was changed; type \`${shown}\` again.`, { cause: err });
  }
  return err;
}

/**
 * One Bolt listener for every command, finding the module by name: Bolt runs each request through
 * the matching middleware of every listener it has, so one listener per module would cost each
 * request a pass through all of them.
 */
export function registerCommands(app: App, appCtx: AppContext, modules: readonly SlashCommandModule[]): void {
  const byName = new Map<string, SlashCommandModule>(modules.map((m) => [m.command, m]));
  app.command(/^\//, async ({ ack, command: payload, respond, client }) => {
    // This request's context: its log lines carry the request's id.
    const ctx = requestContext(appCtx);
    const module = byName.get(payload.command);
    if (!module) {
      // The payload screen lets through only the commands of `modules`.
      currentSlackRequest()?.mark('ignored');
      ctx.logger.error({ command: String(payload.command).slice(0, 40) }, 'no module answers this command; acknowledged and ignored');
      await ack();
      return;
    }
    const read = slashCommand.safeParse(payload);
    if (!read.success) {
      const issue = read.error.issues[0];
      currentSlackRequest()?.mark('ignored');
      ctx.logger.warn({ command: module.command, why: `${issue?.path.join('.')}: ${issue?.message}` }, `ignored a ${module.command} command that cannot be read`);
      await ack();
      return;
    }
    const command = read.data;
    const log = ctx.logger.child({ command: module.command, user: command.user_id, channel: command.channel_id });
    const d = dispatch(module, command.text ?? '');
    if (d.kind !== 'run') {
      await ack({ response_type: 'ephemeral', ...toBlockKit(replyFor(module, d)) });
      return;
    }
    await ack();
    log.debug({ subcommand: d.subcommand.name }, 'slash command');
    const commandCtx: CommandContext = {
      app: ctx,
      log,
      userId: command.user_id,
      teamId: command.team_id,
      channelId: command.channel_id,
      reply: async (message) => {
        await respond({ response_type: 'ephemeral', ...toBlockKit(message) });
      },
      openForm: async (request) => {
        const view = formView(ctx, request, command.channel_id);
        try {
          await client.views.open({ trigger_id: command.trigger_id, view: view as never });
        } catch (err) {
          throw modalError(err, `${module.command} ${command.text ?? ''}`.trim());
        }
      },
      openFormWhenReady: async (prepare) => {
        try {
          await openModalWhenReady(client, command.trigger_id, async () => formView(ctx, await prepare(), command.channel_id));
        } catch (err) {
          throw modalError(err, `${module.command} ${command.text ?? ''}`.trim());
        }
      },
    };
    ctx.inflight.run(`${module.command} ${d.subcommand.name}`, async () => {
      try {
        await d.subcommand.run(commandCtx, d.args);
      } catch (err) {
        await commandCtx.reply(errorReply(err, log, `run ${module.command} ${d.subcommand.name}`)).catch((e: unknown) => {
          log.error({ err: e }, 'could not report the failure to the user');
        });
      }
    });
  });
}
