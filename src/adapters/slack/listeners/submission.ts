/** What every modal submission reads besides its fields. */
import type { ViewArgs } from './types.js';

/** private_metadata as JSON, or undefined when it is not (then the metadata schema refuses it). */
export function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}

/** The workspace the form was submitted in: body.team can be null (org-wide installs), hence the fallbacks. */
export function submittingTeam({ body, view }: Pick<ViewArgs, 'body' | 'view'>): string {
  return body.team?.id ?? body.user.team_id ?? view.team_id;
}
