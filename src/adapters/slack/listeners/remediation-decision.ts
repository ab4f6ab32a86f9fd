/** Approve and Reject on a remediation request: the button value is only the request's id. */
import type { ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { AppContext } from '../../../app/context.js';
import type { Outcome } from '../../../app/incidents/outcome.js';
import { answeredClick } from './background.js';
import type { ActionListener } from './types.js';

const requestId = z.uuid();

export function remediationDecision(actionId: string, decide: (ctx: AppContext, requestId: string, userId: string) => Promise<Outcome>): ActionListener<ButtonAction> {
  return answeredClick<ButtonAction>({ id: actionId, action: actionId, label: actionId, doing: 'decide on the remediation' }, async ({ action, body }, ctx) => {
    const id = requestId.safeParse(action.value);
    const outcome = id.success ? await decide(ctx, id.data, body.user.id) : { ok: false, reply: ':warning: This button belongs to no request Firebreak knows.' };
    return outcome.reply;
  });
}
