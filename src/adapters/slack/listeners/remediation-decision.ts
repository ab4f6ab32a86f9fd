/** Approve and Reject on a remediation request: the button value is only the request's id. */
import { z } from 'zod';
import type { AppContext } from '../../../app/context.js';
import type { Outcome } from '../../../app/incidents/outcome.js';
import { answeredClick } from './background.js';
import { buttonClick, type ButtonClick } from './incident-button.js';
import type { ActionListener } from './types.js';

const requestId = z.uuid();

export function remediationDecision(actionId: string, decide: (ctx: AppContext, requestId: string, userId: string) => Promise<Outcome>): ActionListener<ButtonClick> {
  return answeredClick({ id: actionId, action: actionId, label: actionId, doing: 'decide on the remediation', read: buttonClick }, async (clicked, ctx) => {
    const id = requestId.safeParse(clicked.action.value);
    const outcome = id.success ? await decide(ctx, id.data, clicked.userId) : { ok: false, reply: ':warning: This button belongs to no request Firebreak knows.' };
    return outcome.reply;
  });
}
