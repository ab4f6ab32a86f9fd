/**
 * A button that starts a runbook run: an incident picked (or "No incident") for `/runbook run`
 * typed outside an incident's channel, whose answer then replaces the question; or a suggestion's
 * Run under a new incident, answered privately.
 */
import { z } from 'zod';
import { startFromButton } from '../../../app/runbooks/start.js';
import { plain } from '../../../core/render/message.js';
import { ID_PATTERN } from '../../../core/runbook/model.js';
import { RUNBOOK_ACTIONS } from '../../../core/runbook/run-view.js';
import { toBlockKit } from '../block-kit.js';
import { ackThenRun, orErrorReply } from './background.js';
import { answerPrivately } from './answer.js';
import { buttonClick, type ButtonClick } from './incident-button.js';
import { safeJson } from './submission.js';
import type { ActionListener } from './types.js';

/** The button's value (core/runbook/run-view.ts StartValue): runbook, params as typed, incident or null, whether it answers a question. */
const startValue = z.object({
  r: z.string().regex(ID_PATTERN),
  p: z.record(z.string().regex(ID_PATTERN), z.string().max(500)).optional(),
  i: z.uuid().nullable(),
  q: z.literal(1).optional(),
});

export const runbookStartClicked: ActionListener<ButtonClick> = {
  kind: 'action',
  id: new RegExp(`^${RUNBOOK_ACTIONS.start}:`),
  read: buttonClick,
  handle: ({ ack, respond }, ctx, clicked) =>
    ackThenRun(ack, ctx, { label: 'runbook start', action: RUNBOOK_ACTIONS.start, userId: clicked.userId }, async (log) => {
      const value = startValue.safeParse(safeJson(clicked.action.value));
      const answer = await orErrorReply(log, 'start the runbook', async () => {
        if (!value.success) return plain(':warning: This button carries no runbook Firebreak understands.');
        return plain(await startFromButton(ctx, { teamId: clicked.teamId ?? '', userId: clicked.userId, channelId: clicked.channelId ?? clicked.userId, value: value.data }));
      });
      if (value.success && value.data.q) {
        // The question was only for the person who typed the command: the answer takes its place.
        await respond({ response_type: 'ephemeral', replace_original: true, ...toBlockKit(answer) }).catch((err: unknown) => log.warn({ err }, 'could not answer the click'));
      } else {
        await answerPrivately(respond, answer, log);
      }
    }),
};
