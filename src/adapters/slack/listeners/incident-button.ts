/** Buttons on an incident's messages: their value carries only the incident id, the rest is read from the store. */
import { z } from 'zod';
import type { AppContext } from '../../../app/context.js';
import type { Outcome } from '../../../app/incidents/outcome.js';
import type { Incident } from '../../../core/incident/incident.js';
import { plain, type Message } from '../../../core/render/message.js';
import { answeredClick } from './background.js';
import { button, click } from './payloads.js';
import type { ActionListener } from './types.js';

const incidentId = z.uuid();

/** The incident an element's value (or a part of it) names, if it is one Firebreak still knows. */
export async function incidentFromValue(ctx: AppContext, value: string | undefined): Promise<Incident | null> {
  const id = incidentId.safeParse(value);
  return id.success ? ctx.store.getIncident(id.data) : null;
}

export const isIncidentId = (value: string | undefined): value is string => incidentId.safeParse(value).success;

export const buttonClick = click(button);
export type ButtonClick = z.output<typeof buttonClick>;

export function incidentButton(actionId: string, work: (ctx: AppContext, incident: Incident, userId: string) => Promise<Outcome | Message | null>): ActionListener<ButtonClick> {
  return answeredClick({ id: actionId, action: actionId, label: actionId, doing: 'handle the click', read: buttonClick }, async (clicked, ctx) => {
    const incident = await incidentFromValue(ctx, clicked.action.value);
    if (!incident) return plain(':warning: This button belongs to an incident Firebreak does not know (any more).');
    const answer = await work(ctx, incident, clicked.userId);
    if (!answer) return null;
    return 'reply' in answer ? plain(answer.reply) : answer;
  });
}
