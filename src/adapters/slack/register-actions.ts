/**
 * Buttons and checkboxes on Firebreak's messages. Values carry only the incident id; everything
 * else is read from the store. Each click is acknowledged at once; the answer goes to the clicker.
 */
import type { App, BlockAction, ButtonAction, CheckboxesAction } from '@slack/bolt';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { acknowledge } from '../../app/incidents/acknowledge.js';
import { tickChecklist } from '../../app/incidents/checklist.js';
import { resolvedMessage, type Outcome } from '../../app/incidents/outcome.js';
import { ACTIONS } from '../../core/incident/card.js';
import { humanId, isOpen, type Incident } from '../../core/incident/incident.js';
import { checklistMessage } from '../../core/incident/messages.js';
import { checklistItems } from '../../core/render/checklist.js';
import { FirebreakError } from '../../core/errors.js';
import { plain, type Message } from '../../core/render/message.js';
import { LIMITS, toBlockKit } from './block-kit.js';
import { openModalWhenReady } from './modal.js';
import { errorReply } from './reply-error.js';
import { updateIncidentView } from './views/update-incident.js';
import { reminderMessage, SNOOZE_ACTION, SNOOZE_CHOICES } from '../../core/reminders/messages.js';
import { snoozeReminders } from '../../app/reminders/snooze.js';

const incidentId = z.uuid();

export function registerActions(app: App, ctx: AppContext): void {
  /** Acks, then runs `work` in the background and tells the clicker its outcome privately. */
  function onClick(actionId: string, work: (args: { incident: Incident; body: BlockAction; client: App['client'] }) => Promise<Outcome | Message | null>) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      const log = ctx.logger.child({ action: actionId, user: body.user.id });
      ctx.inflight.run(actionId, async () => {
        let answer: Outcome | Message | null;
        try {
          const id = incidentId.safeParse(action.value);
          const incident = id.success ? await ctx.store.getIncident(id.data) : null;
          answer = incident ? await work({ incident, body, client }) : plain(':warning: This button belongs to an incident Firebreak does not know (any more).');
        } catch (err) {
          answer = errorReply(err, log, 'handle the click');
        }
        if (!answer) return;
        const message = 'reply' in answer ? plain(answer.reply) : answer;
        await respond({ response_type: 'ephemeral', replace_original: false, ...toBlockKit(message) }).catch((err: unknown) => log.warn({ err }, 'could not answer the click'));
      });
    });
  }

  onClick(ACTIONS.acknowledge, ({ incident, body }) => acknowledge(ctx, incident, body.user.id));

  onClick(ACTIONS.join, async ({ incident, body }) => {
    if (!incident.channelId) return plain(`${humanId(incident)} has no channel of its own; follow it in the announcement's thread.`);
    await ctx.chat.invite(incident.channelId, [body.user.id]);
    return plain(`You are in <#${incident.channelId}>.`);
  });

  // Opening a modal must use the trigger within 3 s, so this one does not go through onClick.
  app.action<BlockAction<ButtonAction>>(ACTIONS.postUpdate, async ({ ack, body, action, respond, client }) => {
    await ack();
    const log = ctx.logger.child({ action: ACTIONS.postUpdate, user: body.user.id });
    const channelId = body.channel?.id ?? body.user.id;
    try {
      await openModalWhenReady(client, body.trigger_id, async () => {
        const id = incidentId.safeParse(action.value);
        const incident = id.success ? await ctx.store.getIncident(id.data) : null;
        if (!incident) throw new FirebreakError('NOT_FOUND', 'This button belongs to an incident Firebreak does not know (any more).');
        if (!isOpen(incident)) throw new FirebreakError('INVALID_INPUT', resolvedMessage(incident));
        return updateIncidentView(incident, ctx.config.incidents.locale, { incidentId: incident.id, channelId });
      });
    } catch (err) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...toBlockKit(errorReply(err, log, 'open the update form')) }).catch(() => undefined);
    }
  });

  // Snooze buttons: "<incident id>|15m". The reminder then shows who snoozed it, until when.
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${SNOOZE_ACTION}:`), async ({ ack, body, action, respond }) => {
    await ack();
    const log = ctx.logger.child({ action: SNOOZE_ACTION, user: body.user.id });
    ctx.inflight.run('snooze', async () => {
      const [id, duration] = (action.value ?? '').split('|');
      const choice = SNOOZE_CHOICES.find((c) => c.duration === duration);
      const incident = incidentId.safeParse(id).success ? await ctx.store.getIncident(id as string) : null;
      if (!incident || !choice) return;
      try {
        const outcome = await snoozeReminders(ctx, incident, { actorId: body.user.id, durationMs: choice.ms });
        const ts = body.message?.ts ?? body.container?.message_ts;
        if (outcome.until && ts && body.channel?.id) {
          const locale = ctx.config.incidents.locale;
          const message = reminderMessage({ incident, locale, now: ctx.clock.now(), intervalMs: ctx.policy.updateIntervalMs(incident.severity), lateMs: 0, snoozed: { by: body.user.id, until: outcome.until } });
          await ctx.chat.update({ channel: body.channel.id, ts }, message).catch((err: unknown) => log.warn({ err }, 'could not redraw the reminder'));
        }
        await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.reply });
      } catch (err) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...toBlockKit(errorReply(err, log, 'snooze the reminders')) }).catch(() => undefined);
      }
    });
  });

  app.action<BlockAction<CheckboxesAction>>(ACTIONS.checklist, async ({ ack, body, action, respond }) => {
    await ack();
    const log = ctx.logger.child({ action: ACTIONS.checklist, user: body.user.id });
    ctx.inflight.run('checklist tick', async () => {
      // block_id is "checklist:<incident id>:<group>", set when the checklist was posted.
      const [, id, group] = action.block_id.split(':');
      const parsed = incidentId.safeParse(id);
      if (!parsed.success) return;
      const items = checklistItems(ctx.templates.get(ctx.config.incidents.locale, 'checklist'));
      const start = Number(group) * LIMITS.checkboxOptions;
      const keys = items.slice(start, start + LIMITS.checkboxOptions).map((i) => i.key);
      try {
        const outcome = await tickChecklist(ctx, parsed.data, { actorId: body.user.id, group: keys, selected: action.selected_options.flatMap((o) => (o.value ? [o.value] : [])) });
        // Everyone sees the same ticks: the message is redrawn from the stored state.
        const incident = await ctx.store.getIncident(parsed.data);
        const ts = body.message?.ts ?? body.container?.message_ts;
        if (incident && ts && body.channel?.id) {
          await ctx.chat.update({ channel: body.channel.id, ts }, checklistMessage({ incident, template: ctx.templates.get(ctx.config.incidents.locale, 'checklist') }));
        }
        if (!outcome.ok) await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.reply });
      } catch (err) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...toBlockKit(errorReply(err, log, 'save the checklist')) }).catch(() => undefined);
      }
    });
  });
}
