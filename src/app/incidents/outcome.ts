/** What a use case tells the person who asked: done, or refused with the reason and what to do. */
import { humanId, type Incident } from '../../core/incident/incident.js';
import { dateToken } from '../../core/render/text.js';

export interface Outcome {
  ok: boolean;
  /** mrkdwn, shown only to the person who acted. */
  reply: string;
}

export const done = (reply: string): Outcome => ({ ok: true, reply });
export const refused = (reply: string): Outcome => ({ ok: false, reply: `:warning: ${reply}` });

/** Why nothing can change a resolved incident, and what to do instead. */
export function resolvedMessage(incident: Incident): string {
  const at = incident.resolvedAt ? ` at ${dateToken(incident.resolvedAt)}` : '';
  return `${humanId(incident)} was resolved${at}. \`/incident reopen ${humanId(incident)}\` brings it back if it is not over.`;
}

/** The answer to anything that would change a resolved incident. */
export const resolvedRefusal = (incident: Incident): Outcome => refused(resolvedMessage(incident));
