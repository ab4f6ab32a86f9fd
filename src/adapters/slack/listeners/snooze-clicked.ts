/** A snooze button on an update reminder: its value is "<incident id>|15m". */
import type { ButtonAction } from '@slack/bolt';
import { snoozeReminders } from '../../../app/reminders/snooze.js';
import { reminderMessage, SNOOZE_ACTION, SNOOZE_CHOICES } from '../../../core/reminders/messages.js';
import { answerPrivately } from './answer.js';
import { ackThenRun, orErrorReply } from './background.js';
import { incidentFromValue } from './incident-button.js';
import type { ActionListener } from './types.js';

export const snoozeClicked: ActionListener<ButtonAction> = {
  kind: 'action',
  id: new RegExp(`^${SNOOZE_ACTION}:`),
  handle: ({ ack, body, action, respond }, ctx) =>
    ackThenRun({ ack, body }, ctx, { label: 'snooze', action: SNOOZE_ACTION }, async (log) => {
      const [id, duration] = (action.value ?? '').split('|');
      const choice = SNOOZE_CHOICES.find((c) => c.duration === duration);
      const incident = await incidentFromValue(ctx, id);
      if (!incident || !choice) return;
      const answer = await orErrorReply(log, 'snooze the reminders', async () => {
        const outcome = await snoozeReminders(ctx, incident, { actorId: body.user.id, durationMs: choice.ms });
        // The reminder then shows who snoozed it, until when.
        const ts = body.message?.ts ?? body.container?.message_ts;
        if (outcome.until && ts && body.channel?.id) {
          const locale = ctx.config.incidents.locale;
          const message = reminderMessage({ incident, locale, now: ctx.clock.now(), intervalMs: ctx.policy.updateIntervalMs(incident.severity), lateMs: 0, snoozed: { by: body.user.id, until: outcome.until } });
          await ctx.chat.update({ channel: body.channel.id, ts }, message).catch((err: unknown) => log.warn({ err }, 'could not redraw the reminder'));
        }
        return outcome.reply;
      });
      await answerPrivately(respond, answer, log);
    }),
};
