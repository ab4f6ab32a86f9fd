/** "Reject" on a remediation request: nothing runs, and the request says who refused it. */
import { rejectRemediation } from '../../../app/remediation/flow.js';
import { REMEDIATION_ACTIONS } from '../../../app/remediation/messages.js';
import { remediationDecision } from './remediation-decision.js';

export const rejectClicked = remediationDecision(REMEDIATION_ACTIONS.reject, (ctx, id, userId) => rejectRemediation(ctx, id, userId));
