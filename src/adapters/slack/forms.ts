/**
 * What each form a command asks for (commands/contract.ts) looks like in Slack: its modal, and
 * the private_metadata that tells the submission where to answer.
 */
import type { FormRequest } from '../../../commands/contract.js';
import type { AppContext } from '../../app/context.js';
import { diagnosticsView } from './views/diagnostics.js';
import { openIncidentView } from './views/open-incident.js';
import { resolveIncidentView } from './views/resolve-incident.js';
import { updateIncidentView } from './views/update-incident.js';

export type SlackView = Record<string, unknown>;

/** `channelId`: where the command was typed, so the submission is answered there. */
export function formView(ctx: AppContext, request: FormRequest, channelId: string): SlackView {
  switch (request.form) {
    case 'open-incident':
      return openIncidentView({ title: request.title, severities: ctx.severities, metadata: { channelId } });
    case 'update-incident':
      return updateIncidentView(request.incident, ctx.config.incidents.locale, { incidentId: request.incident.id, channelId });
    case 'resolve-incident':
      return resolveIncidentView(request.incident, { incidentId: request.incident.id, channelId });
    case 'diagnostics':
      return diagnosticsView(ctx.diagnostics.catalogue(), { channelId }, request.deployments);
  }
}
