/** What every /incident subcommand that acts on one incident does first. */
import { findIncident } from '../src/app/incidents/find.js';
import type { Outcome } from '../src/app/incidents/outcome.js';
import type { CommandContext, FormRequest, Subcommand } from './contract.js';
import { incidentOnly } from './args.js';
import { isOpen, type Incident } from '../src/core/incident/incident.js';
import { FirebreakError } from '../src/core/errors.js';
import { resolvedMessage } from '../src/app/incidents/outcome.js';
import { plain } from '../src/core/render/message.js';

/** The incident this command is about (channel, id, or a question listing the open ones). */
export function target(ctx: CommandContext, number: number | undefined, usage: string): Promise<Incident> {
  return findIncident(ctx.app, { teamId: ctx.teamId, channelId: ctx.channelId, number }, usage);
}

export async function replyOutcome(ctx: CommandContext, outcome: Outcome): Promise<void> {
  await ctx.reply(plain(outcome.reply));
}

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

/**
 * A subcommand that opens a form about one open incident (update, resolve): the incident is found
 * first, so the form opens directly or, when that is slow, through a loading view.
 */
export function incidentForm(spec: { name: string; usage: string; summary: string }, form: Extract<FormRequest, { incident: Incident }>['form']): Subcommand<{ number: number | undefined }> {
  return {
    ...spec,
    args: incidentOnly,
    async run(ctx, { number }) {
      await ctx.openFormWhenReady(async () => {
        const incident = await target(ctx, number, spec.usage);
        if (!isOpen(incident)) throw new FirebreakError('INVALID_INPUT', resolvedMessage(incident));
        return { form, incident };
      });
    },
  };
}
