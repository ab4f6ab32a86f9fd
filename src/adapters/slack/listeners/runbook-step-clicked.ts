/** Run check, Request approval, Mark done on a runbook run: the step runs once, whoever clicks (see app/runbooks/steps.ts). */
import { runStep } from '../../../app/runbooks/steps.js';
import { readStepValue, RUNBOOK_ACTIONS } from '../../../core/runbook/run-view.js';
import { answeredClick } from './background.js';
import { buttonClick, type ButtonClick } from './incident-button.js';
import type { ActionListener } from './types.js';

export const runbookStepClicked: ActionListener<ButtonClick> = answeredClick(
  { id: new RegExp(`^${RUNBOOK_ACTIONS.step}:`), action: RUNBOOK_ACTIONS.step, label: 'runbook step', doing: 'run the runbook step', read: buttonClick },
  async (clicked, ctx) => {
    const step = readStepValue(clicked.action.value);
    if (!step) return ':warning: This button belongs to no runbook step Firebreak knows.';
    return runStep(ctx, { ...step, userId: clicked.userId });
  },
);
