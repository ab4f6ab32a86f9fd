/**
 * The shape of a slash command module, and what a subcommand may ask of the platform it runs on.
 * A module declares its subcommands, how each parses its arguments (zod, from the text after the
 * subcommand name) and its help; the chat adapter registers every module by looping over the
 * registry, so the manifest test can compare the two. Nothing here knows Slack's payloads.
 */
import type { z } from 'zod';
import type { AppContext } from '../src/app/context.js';
import type { Logger } from '../src/logger.js';
import type { Message } from '../src/core/render/message.js';
import type { Incident } from '../src/core/incident/incident.js';
import type { Diagnostics } from '../src/ports.js';

/** The deployments a diagnostics form offers, as the clusters listed them in time. */
export type FormDeployments = Awaited<ReturnType<Diagnostics['deployments']>>;

/**
 * A form a subcommand wants shown to the person who typed it. The adapter decides what it looks
 * like and where its submission is answered (the channel the command was typed in).
 */
export type FormRequest =
  | { form: 'open-incident'; title: string | undefined }
  | { form: 'update-incident'; incident: Incident }
  | { form: 'resolve-incident'; incident: Incident }
  | { form: 'diagnostics'; deployments: FormDeployments };

export interface CommandContext {
  app: AppContext;
  log: Logger;
  userId: string;
  teamId: string;
  channelId: string;
  /** Ephemeral reply to the person who typed the command. */
  reply(message: Message): Promise<void>;
  /** Shows a form. The platform allows it only just after the command (3 s in Slack): call it first. */
  openForm(request: FormRequest): Promise<void>;
  /**
   * Shows a form whose content needs I/O: directly if `prepare` is quick, else a loading form at
   * once, filled in when ready. An expected error (FirebreakError) from `prepare` is shown to the user.
   */
  openFormWhenReady(prepare: () => Promise<FormRequest>): Promise<void>;
}

export interface Subcommand<A = unknown> {
  name: string;
  /** Shown in help, e.g. "open [title]". */
  usage: string;
  summary: string;
  /** Parses the text after the subcommand name; its error messages are shown to the user. */
  args: z.ZodType<A, string>;
  run(ctx: CommandContext, args: A): Promise<void>;
}

export interface SlashCommandModule {
  /** As typed in Slack, with the slash. */
  command: `/${string}`;
  /** Manifest description (≤ 2,000 chars). */
  description: string;
  /** Manifest usage hint (≤ 1,000 chars), generated from the subcommands by defineCommand. */
  usageHint: string;
  /** One line shown under the usage list, e.g. what the command is for. */
  intro: string;
  subcommands: ReadonlyArray<Subcommand<any>>;
  /** What runs when the command is typed alone (otherwise: help). */
  defaultSubcommand?: string;
  /** Runs with the whole text when the first word is no subcommand (otherwise: "not a subcommand"). */
  fallback?: Subcommand<any>;
}
