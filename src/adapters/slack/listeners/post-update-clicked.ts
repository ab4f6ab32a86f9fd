/** "Post an update" on an incident card: opens the update form for that incident. */
import { resolvedMessage } from '../../../app/incidents/outcome.js';
import { ACTIONS } from '../../../core/incident/card.js';
import { isOpen } from '../../../core/incident/incident.js';
import { FirebreakError } from '../../../core/errors.js';
import { formView } from '../forms.js';
import { openModalWhenReady } from '../modal.js';
import { errorReply } from '../reply-error.js';
import { answerPrivately } from './answer.js';
import { buttonClick, incidentFromValue, type ButtonClick } from './incident-button.js';
import type { ActionListener } from './types.js';

export const postUpdateClicked: ActionListener<ButtonClick> = {
  kind: 'action',
  id: ACTIONS.postUpdate,
  read: buttonClick,
  // A modal must be opened with the click's trigger within 3 s, so this work does not wait in the background.
  async handle({ ack, respond, client }, ctx, clicked) {
    await ack();
    const log = ctx.logger.child({ action: ACTIONS.postUpdate, user: clicked.userId });
    const channelId = clicked.channelId ?? clicked.userId;
    try {
      if (!clicked.triggerId) throw new FirebreakError('CHAT_FAILED', 'Slack sent this click without the means to open a form; click the button again.');
      await openModalWhenReady(client, clicked.triggerId, async () => {
        const incident = await incidentFromValue(ctx, clicked.action.value);
        if (!incident) throw new FirebreakError('NOT_FOUND', 'This button belongs to an incident Firebreak does not know (any more).');
        if (!isOpen(incident)) throw new FirebreakError('INVALID_INPUT', resolvedMessage(incident));
        return formView(ctx, { form: 'update-incident', incident }, channelId);
      });
    } catch (err) {
      await answerPrivately(respond, errorReply(err, log, 'open the update form'), log);
    }
  },
};
