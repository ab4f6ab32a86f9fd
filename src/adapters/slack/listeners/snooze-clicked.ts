/** A snooze button on an update reminder: its value is "<incident id>|15m". */
import { snoozeReminders } from '../../../app/reminders/snooze.js';
import { plain } from '../../../core/render/message.js';
import { reminderMessage, SNOOZE_ACTION, SNOOZE_CHOICES } from '../../../core/reminders/messages.js';
import { answerPrivately } from './answer.js';
import { ackThenRun, orErrorReply } from './background.js';
import { buttonClick, incidentFromValue, type ButtonClick } from './incident-button.js';
import type { ActionListener } from './types.js';

export const snoozeClicked: ActionListener<ButtonClick> = {
  kind: 'action',
  id: new RegExp(`^${SNOOZE_ACTION}:`),
  read: buttonClick,
  handle: ({ ack, respond }, ctx, clicked) =>
    ackThenRun(ack, ctx, { label: 'snooze', action: SNOOZE_ACTION, userId: clicked.userId }, async (log) => {
      const [id, duration] = (clicked.action.value ?? '').split('|');
      const choice = SNOOZE_CHOICES.find((c) => c.duration === duration);
      const incident = await incidentFromValue(ctx, id);
      if (!incident || !choice) {
        await answerPrivately(respond, plain(':warning: This snooze button belongs to no reminder Firebreak knows (any more); nothing was snoozed.'), log);
        return;
      }
      const answer = await orErrorReply(log, 'snooze the reminders', async () => {
        const outcome = await snoozeReminders(ctx, incident, { actorId: clicked.userId, durationMs: choice.ms });
        // The reminder then shows who snoozed it, until when.
        const { messageTs, channelId } = clicked;
        if (outcome.until && messageTs && channelId) {
          const locale = ctx.config.incidents.locale;
          const message = reminderMessage({ incident, locale, now: ctx.clock.now(), intervalMs: ctx.policy.updateIntervalMs(incident.severity), lateMs: 0, snoozed: { by: clicked.userId, until: outcome.until } });
          await ctx.chat.update({ channel: channelId, ts: messageTs }, message).catch((err: unknown) => log.warn({ err }, 'could not redraw the reminder'));
        }
        return outcome.reply;
      });
      await answerPrivately(respond, answer, log);
    }),
};
