/** A tick in the post-incident checklist: saved, then the checklist is redrawn for everyone. */
import type { CheckboxesAction } from '@slack/bolt';
import { tickChecklist } from '../../../app/incidents/checklist.js';
import { ACTIONS } from '../../../core/incident/card.js';
import { checklistMessage } from '../../../core/incident/messages.js';
import { checklistItems } from '../../../core/render/checklist.js';
import { LIMITS } from '../block-kit.js';
import { answerPrivately } from './answer.js';
import { ackThenRun, orErrorReply } from './background.js';
import { isIncidentId } from './incident-button.js';
import type { ActionListener } from './types.js';

export const checklistTicked: ActionListener<CheckboxesAction> = {
  kind: 'action',
  id: ACTIONS.checklist,
  handle: ({ ack, body, action, respond }, ctx) =>
    ackThenRun({ ack, body }, ctx, { label: 'checklist tick', action: ACTIONS.checklist }, async (log) => {
      // block_id is "checklist:<incident id>:<group>", set when the checklist was posted.
      const [, id, group] = action.block_id.split(':');
      if (!isIncidentId(id)) return;
      const items = checklistItems(ctx.templates.get(ctx.config.incidents.locale, 'checklist'));
      const start = Number(group) * LIMITS.checkboxOptions;
      const keys = items.slice(start, start + LIMITS.checkboxOptions).map((i) => i.key);
      const answer = await orErrorReply(log, 'save the checklist', async () => {
        const outcome = await tickChecklist(ctx, id, { actorId: body.user.id, group: keys, selected: action.selected_options.flatMap((o) => (o.value ? [o.value] : [])) });
        // Everyone sees the same ticks: the message is redrawn from the stored state.
        const incident = await ctx.store.getIncident(id);
        const ts = body.message?.ts ?? body.container?.message_ts;
        if (incident && ts && body.channel?.id) {
          await ctx.chat.update({ channel: body.channel.id, ts }, checklistMessage({ incident, template: ctx.templates.get(ctx.config.incidents.locale, 'checklist') }));
        }
        return outcome.ok ? null : outcome.reply;
      });
      if (answer !== null) await answerPrivately(respond, answer, log);
    }),
};
