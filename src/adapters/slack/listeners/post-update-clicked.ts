/** "Post an update" on an incident card: opens the update form for that incident. */
import type { ButtonAction } from '@slack/bolt';
import { resolvedMessage } from '../../../app/incidents/outcome.js';
import { ACTIONS } from '../../../core/incident/card.js';
import { isOpen } from '../../../core/incident/incident.js';
import { FirebreakError } from '../../../core/errors.js';
import { formView } from '../forms.js';
import { openModalWhenReady } from '../modal.js';
import { errorReply } from '../reply-error.js';
import { answerPrivately } from './answer.js';
import { incidentFromValue } from './incident-button.js';
import type { ActionListener } from './types.js';

export const postUpdateClicked: ActionListener<ButtonAction> = {
  kind: 'action',
  id: ACTIONS.postUpdate,
  // A modal must be opened with the click's trigger within 3 s, so this work does not wait in the background.
  async handle({ ack, body, action, respond, client }, ctx) {
    await ack();
    const log = ctx.logger.child({ action: ACTIONS.postUpdate, user: body.user.id });
    const channelId = body.channel?.id ?? body.user.id;
    try {
      await openModalWhenReady(client, body.trigger_id, async () => {
        const incident = await incidentFromValue(ctx, action.value);
        if (!incident) throw new FirebreakError('NOT_FOUND', 'This button belongs to an incident Firebreak does not know (any more).');
        if (!isOpen(incident)) throw new FirebreakError('INVALID_INPUT', resolvedMessage(incident));
        return formView(ctx, { form: 'update-incident', incident }, channelId);
      });
    } catch (err) {
      await answerPrivately(respond, errorReply(err, log, 'open the update form'), log);
    }
  },
};
