/** What every /incident subcommand that acts on one incident does first. */
import { findIncident } from '../src/app/incidents/find.js';
import type { Outcome } from '../src/app/incidents/outcome.js';
import type { CommandContext, Subcommand } from '../src/adapters/slack/command-types.js';
import { incidentOnly } from './args.js';
import type { Incident } from '../src/core/incident/incident.js';
import { plain } from '../src/core/render/message.js';

/** The incident this command is about (channel, id, or a question listing the open ones). */
export function target(ctx: CommandContext, number: number | undefined, usage: string): Promise<Incident> {
  return findIncident(ctx.app, { teamId: ctx.teamId, channelId: ctx.channelId, number }, usage);
}

export async function replyOutcome(ctx: CommandContext, outcome: Outcome): Promise<void> {
  await ctx.reply(plain(outcome.reply));
}

/** private_metadata for the incident forms: the incident, and where to answer the person. */
export const formMetadata = (ctx: CommandContext, incident: Incident) => ({ incidentId: incident.id, channelId: ctx.channelId });

/** A subcommand that takes at most an incident id, finds the incident, and acts on it. */
export function onIncident(spec: { name: string; usage: string; summary: string }, act: (ctx: CommandContext, incident: Incident) => Promise<void>): Subcommand<{ number: number | undefined }> {
  return {
    ...spec,
    args: incidentOnly,
    async run(ctx, { number }) {
      await act(ctx, await target(ctx, number, spec.usage));
    },
  };
}
