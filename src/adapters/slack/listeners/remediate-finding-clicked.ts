/** A remediation proposed by a diagnostic finding: the click asks for it (preview and approval). */
import { z } from 'zod';
import { requestRemediation } from '../../../app/remediation/flow.js';
import { REMEDIATE_FINDING } from '../../../core/diagnostics/render.js';
import { answeredClick } from './background.js';
import { buttonClick, type ButtonClick } from './incident-button.js';
import { safeJson } from './submission.js';
import type { ActionListener } from './types.js';

/** The button's value: action, its arguments, target (short keys: a value holds at most 2,000 characters). */
const proposal = z.object({ a: z.string().max(64), x: z.array(z.string().max(200)).max(10), t: z.string().max(64) });

export const remediateFindingClicked: ActionListener<ButtonClick> = answeredClick(
  { id: new RegExp(`^${REMEDIATE_FINDING}:`), action: REMEDIATE_FINDING, label: 'remediation from a finding', doing: 'ask for the remediation', read: buttonClick },
  async (clicked, ctx) => {
    const parsed = proposal.safeParse(safeJson(clicked.action.value ?? ''));
    if (!parsed.success) return ':warning: This button carries no remediation Firebreak understands.';
    const outcome = await requestRemediation(ctx, ctx.remediation, {
      teamId: clicked.teamId ?? '', channelId: clicked.channelId ?? clicked.userId, actorId: clicked.userId,
      actionId: parsed.data.a, args: parsed.data.x, targetName: parsed.data.t,
    });
    return outcome.reply;
  },
);
