/** "Approve" on a remediation request: the action runs if the approver may approve it. */
import { approveRemediation } from '../../../app/remediation/flow.js';
import { REMEDIATION_ACTIONS } from '../../../app/remediation/messages.js';
import { remediationDecision } from './remediation-decision.js';

export const approveClicked = remediationDecision(REMEDIATION_ACTIONS.approve, (ctx, id, userId) => approveRemediation(ctx, ctx.remediation, id, userId));
