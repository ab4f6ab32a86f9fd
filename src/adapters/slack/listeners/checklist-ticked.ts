/** A tick in the post-incident checklist: saved, then the checklist is redrawn for everyone. */
import { z } from 'zod';
import { tickChecklist } from '../../../app/incidents/checklist.js';
import { ACTIONS } from '../../../core/incident/card.js';
import { checklistMessage } from '../../../core/incident/messages.js';
import { checklistItems } from '../../../core/render/checklist.js';
import { LIMITS } from '../block-kit.js';
import { answerPrivately } from './answer.js';
import { ackThenRun, orErrorReply } from './background.js';
import { click } from './payloads.js';
import type { ActionListener } from './types.js';

/** block_id is "checklist:<incident id>:<group>", set when the checklist was posted; a group holds one checkboxes element. */
const checklistBlock = z
  .string()
  .regex(/^checklist:[^:]+:\d{1,2}$/)
  .transform((id) => id.split(':'))
  .pipe(z.tuple([z.literal('checklist'), z.uuid(), z.string()]))
  .transform(([, incidentId, group]) => ({ incidentId, group: Number(group) }));

const ticked = click(
  z.object({
    block_id: checklistBlock,
    selected_options: z.array(z.object({ value: z.string().max(LIMITS.optionValue) })).max(LIMITS.checkboxOptions),
  }),
);

export const checklistTicked: ActionListener<z.output<typeof ticked>> = {
  kind: 'action',
  id: ACTIONS.checklist,
  read: ticked,
  handle: ({ ack, respond }, ctx, clicked) =>
    ackThenRun(ack, ctx, { label: 'checklist tick', action: ACTIONS.checklist, userId: clicked.userId }, async (log) => {
      const { incidentId, group } = clicked.action.block_id;
      const items = checklistItems(ctx.templates.get(ctx.config.incidents.locale, 'checklist'));
      const start = group * LIMITS.checkboxOptions;
      const keys = items.slice(start, start + LIMITS.checkboxOptions).map((i) => i.key);
      const answer = await orErrorReply(log, 'save the checklist', async () => {
        const outcome = await tickChecklist(ctx, incidentId, { actorId: clicked.userId, group: keys, selected: clicked.action.selected_options.map((o) => o.value) });
        // Everyone sees the same ticks: the message is redrawn from the stored state.
        const incident = await ctx.store.getIncident(incidentId);
        if (incident && clicked.messageTs && clicked.channelId) {
          await ctx.chat.update({ channel: clicked.channelId, ts: clicked.messageTs }, checklistMessage({ incident, template: ctx.templates.get(ctx.config.incidents.locale, 'checklist') }));
        }
        return outcome.ok ? null : outcome.reply;
      });
      if (answer !== null) await answerPrivately(respond, answer, log);
    }),
};
