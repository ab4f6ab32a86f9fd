/**
 * The shape of a slash command module (see commands/). A module declares its subcommands, how each
 * parses its arguments (zod, from the text after the subcommand name) and its help; the Bolt wiring
 * registers every module by looping over the registry, so the manifest test can compare the two.
 */
import type { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import type { Logger } from '../../logger.js';
import type { Message } from '../../core/render/message.js';

export interface CommandContext {
  app: AppContext;
  log: Logger;
  userId: string;
  teamId: string;
  channelId: string;
  triggerId: string;
  /** Ephemeral reply to the person who typed the command. */
  reply(message: Message): Promise<void>;
  /** Opens a modal with the command's trigger_id (valid for 3 s: call it first). */
  openModal(view: Record<string, unknown>): Promise<void>;
  /**
   * Opens a modal whose content needs I/O: directly if `build` is quick, else a loading modal at
   * once, updated when ready. An expected error (FirebreakError) from `build` is shown to the user.
   */
  openModalFor(build: () => Promise<Record<string, unknown>>): Promise<void>;
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
  /** Manifest usage hint (≤ 1,000 chars). */
  usageHint: string;
  /** One line shown under the usage list, e.g. what the command is for. */
  intro: string;
  subcommands: ReadonlyArray<Subcommand<any>>;
  /** What runs when the command is typed alone (otherwise: help). */
  defaultSubcommand?: string;
  /** Runs with the whole text when the first word is no subcommand (otherwise: "not a subcommand"). */
  fallback?: Subcommand<any>;
}
