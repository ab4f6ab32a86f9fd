/** "Earlier steps" / "Later steps" on a runbook run too long for one message: redraws it from that step. */
import { drawRun } from '../../../app/runbooks/redraw.js';
import { readPageValue, RUNBOOK_ACTIONS } from '../../../core/runbook/run-view.js';
import { answeredClick } from './background.js';
import { buttonClick, type ButtonClick } from './incident-button.js';
import type { ActionListener } from './types.js';

export const runbookPageClicked: ActionListener<ButtonClick> = answeredClick(
  { id: new RegExp(`^${RUNBOOK_ACTIONS.page}:`), action: RUNBOOK_ACTIONS.page, label: 'runbook page', doing: 'show those steps', read: buttonClick },
  async (clicked, ctx) => {
    const page = readPageValue(clicked.action.value);
    if (!page) return ':warning: This button belongs to no runbook run Firebreak knows.';
    await drawRun(ctx, page.runId, { start: page.start });
    return null;
  },
);
