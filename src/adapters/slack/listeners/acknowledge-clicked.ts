/** "Acknowledge" on an incident card: the clicker is on it (and commander, if there is none). */
import { acknowledge } from '../../../app/incidents/acknowledge.js';
import { ACTIONS } from '../../../core/incident/card.js';
import { incidentButton } from './incident-button.js';

export const acknowledgeClicked = incidentButton(ACTIONS.acknowledge, (ctx, incident, userId) => acknowledge(ctx, incident, userId));
