/** A tick in the post-incident checklist: saved as what it changed, then the checklist is redrawn for everyone. */
import { z } from 'zod';
import { tickChecklist } from '../../../app/incidents/checklist.js';
import { ACTIONS } from '../../../core/incident/card.js';
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

/** The clicked message's blocks as Slack sends them back: each checklist group with the options it showed ticked. */
const optionValue = z.looseObject({ value: z.string().max(LIMITS.optionValue) });
const shownBlock = z
  .looseObject({
    block_id: z.string().max(LIMITS.blockId).optional(),
    elements: z.array(z.looseObject({ type: z.string().max(50).optional(), initial_options: z.array(optionValue).max(LIMITS.checkboxOptions).optional() })).max(LIMITS.actionsElements).optional(),
  })
  // A block of another shape is none of the checklist's.
  .catch({});
type ShownBlock = z.output<typeof shownBlock>;
const shownBlocks = z.object({
  body: z.looseObject({
    // Missing or unreadable: the group's reported state is used as it is.
    message: z.looseObject({ blocks: z.array(shownBlock).max(LIMITS.blocksPerMessage) }).optional().catch(undefined),
  }),
});

// Read one after the other, not as an intersection: zod merges an intersection's two outputs even
// when one side failed, and a failed click beside a readable message throws instead of refusing.
const read = z.unknown().transform((input, ctx) => {
  const clicked = ticked.safeParse(input);
  if (!clicked.success) {
    for (const issue of clicked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  const shown = shownBlocks.safeParse(input);
  return { ...clicked.data, body: shown.success ? shown.data.body : { message: undefined } };
});

/**
 * What the clicked group showed ticked in the message (its checkboxes' initial options), or
 * undefined when the payload does not carry that group.
 */
function shownIn(blocks: ShownBlock[] | undefined, blockId: string): string[] | undefined {
  const boxes = blocks?.find((b) => b.block_id === blockId)?.elements?.find((e) => e.type === 'checkboxes');
  return boxes ? (boxes.initial_options ?? []).map((o) => o.value) : undefined;
}

export const checklistTicked: ActionListener<z.output<typeof read>> = {
  kind: 'action',
  id: ACTIONS.checklist,
  read,
  handle: ({ ack, respond }, ctx, clicked) =>
    ackThenRun(ack, ctx, { label: 'checklist tick', action: ACTIONS.checklist, userId: clicked.userId }, async (log) => {
      const { incidentId, group } = clicked.action.block_id;
      const items = checklistItems(ctx.templates.get(ctx.config.incidents.locale, 'checklist'));
      const start = group * LIMITS.checkboxOptions;
      const keys = items.slice(start, start + LIMITS.checkboxOptions).map((i) => i.key);
      const answer = await orErrorReply(log, 'save the checklist', async () => {
        // What the message showed, so that only what this person changed is applied (Slack sends
        // the group's whole state, which misses a tick someone else made a moment before).
        const shown = shownIn(clicked.body.message?.blocks, `checklist:${incidentId}:${group}`);
        const message = clicked.messageTs && clicked.channelId ? { channel: clicked.channelId, ts: clicked.messageTs } : undefined;
        // Everyone sees the same ticks: the message is redrawn from the stored state, with the card.
        const outcome = await tickChecklist(ctx, incidentId, { actorId: clicked.userId, group: keys, selected: clicked.action.selected_options.map((o) => o.value), shown, message });
        return outcome.ok ? null : outcome.reply;
      });
      if (answer !== null) await answerPrivately(respond, answer, log);
    }),
};
