/**
 * "Post" on a runbook's notify step: opens the update form of the run's incident, prefilled with
 * the step's fields. The step is done when that update is posted (update-submitted.ts), not when
 * the form opens: a form closed without posting leaves the step to do.
 */
import { prepareNotify } from '../../../app/runbooks/steps.js';
import { FirebreakError } from '../../../core/errors.js';
import { readStepValue, RUNBOOK_ACTIONS } from '../../../core/runbook/run-view.js';
import { openModalWhenReady } from '../modal.js';
import { errorReply } from '../reply-error.js';
import { updateIncidentView } from '../views/update-incident.js';
import { answerPrivately } from './answer.js';
import { buttonClick, type ButtonClick } from './incident-button.js';
import type { ActionListener } from './types.js';

export const runbookNotifyClicked: ActionListener<ButtonClick> = {
  kind: 'action',
  id: new RegExp(`^${RUNBOOK_ACTIONS.notify}:`),
  read: buttonClick,
  // A modal must be opened with the click's trigger within 3 s, so this work does not wait in the background.
  async handle({ ack, respond, client }, ctx, clicked) {
    await ack();
    const log = ctx.logger.child({ action: RUNBOOK_ACTIONS.notify, user: clicked.userId });
    try {
      const step = readStepValue(clicked.action.value);
      if (!step) throw new FirebreakError('INVALID_INPUT', 'This button belongs to no runbook step Firebreak knows.');
      if (!clicked.triggerId) throw new FirebreakError('CHAT_FAILED', 'Slack sent this click without the means to open a form; click the button again.');
      await openModalWhenReady(client, clicked.triggerId, async () => {
        const form = await prepareNotify(ctx, { ...step, userId: clicked.userId });
        if (!form.ok) throw new FirebreakError('INVALID_INPUT', form.reply.replace(/^:[a-z_]+: /, ''));
        const metadata = { incidentId: form.incident.id, channelId: clicked.channelId ?? clicked.userId };
        return updateIncidentView(form.incident, ctx.config.incidents.locale, metadata, { fields: form.fields, step });
      });
    } catch (err) {
      await answerPrivately(respond, errorReply(err, log, 'open the update form'), log);
    }
  },
};
