/**
 * `/runbook`: executable runbooks written from the teams' documents (runbooks/). `list [filter]`
 * tells what is loaded, `show <id>` the steps of one, `run <id> [param=value…]` starts it: in an
 * incident's channel the run is attached to that incident, elsewhere the answer asks which one.
 */
import { z } from 'zod';
import type { SlashCommandModule, Subcommand } from './contract.js';
import { defineCommand } from './define-command.js';
import { findRunbook, runFromCommand } from '../src/app/runbooks/start.js';
import { plain } from '../src/core/render/message.js';
import { ID_PATTERN } from '../src/core/runbook/model.js';
import { parseParamArgs } from '../src/core/runbook/params.js';
import { listMessage, showMessage } from '../src/core/runbook/catalogue-view.js';
import { tokens, unescapeSlack } from './args.js';

const runbookId = (text: string, c: z.RefinementCtx, usage: string): string | typeof z.NEVER => {
  const [id, ...rest] = tokens(unescapeSlack(text));
  if (!id || rest.length || !ID_PATTERN.test(id.toLowerCase())) {
    c.addIssue({ code: 'custom', message: `name one runbook by its id (lower-case letters, digits, "-", "_"): ${usage} (\`/runbook list\` shows them)` });
    return z.NEVER;
  }
  return id.toLowerCase();
};

const list: Subcommand<{ filter: string }> = {
  name: 'list',
  usage: 'list [filter]',
  summary: 'the runbooks loaded: id, title, severity, services (filtered on id, title, services and symptoms)',
  args: z.string().transform((text, c) => {
    const filter = unescapeSlack(text).trim();
    if (filter.length > 100) {
      c.addIssue({ code: 'custom', message: 'keep the filter to 100 characters' });
      return z.NEVER;
    }
    return { filter };
  }),
  async run(ctx, { filter }) {
    await ctx.reply(listMessage(ctx.app.runbooks.list(), filter));
  },
};

const show: Subcommand<{ id: string }> = {
  name: 'show',
  usage: 'show <id>',
  summary: 'the steps of a runbook, its params, RTO/RPO and escalation',
  args: z.string().transform((text, c) => ({ id: runbookId(text, c, '`/runbook show <id>`') })),
  async run(ctx, { id }) {
    const found = findRunbook(ctx.app, id);
    await ctx.reply(found.ok ? showMessage(found.runbook) : plain(found.reply));
  },
};

/** Words of the text, a quoted value ("two words", “two words”) kept as one: `note="disk full"`. */
const words = (text: string): string[] => text.match(/(?:[^\s"“']+|"[^"]*"?|“[^”]*”?|'[^']*'?)+/g) ?? [];

const run: Subcommand<{ id: string; given: Record<string, string> }> = {
  name: 'run',
  usage: 'run <id> [param=value…]',
  summary: "start a runbook: in an incident's channel for that incident, elsewhere you pick the incident",
  args: z.string().transform((text, c) => {
    const [id, ...rest] = words(unescapeSlack(text));
    if (!id || !ID_PATTERN.test(id.toLowerCase())) {
      c.addIssue({ code: 'custom', message: 'name the runbook to run, then its params: `/runbook run pg-long-queries minutes=10` (`/runbook list` shows them)' });
      return z.NEVER;
    }
    const parsed = parseParamArgs(rest);
    if (!parsed.ok) {
      c.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    return { id: id.toLowerCase(), given: parsed.given };
  }),
  async run(ctx, { id, given }) {
    await ctx.reply(await runFromCommand(ctx.app, { teamId: ctx.teamId, channelId: ctx.channelId, userId: ctx.userId, runbookId: id, given }));
  },
};

export const runbookCommand: SlashCommandModule = defineCommand({
  command: '/runbook',
  description: 'Follow an executable runbook step by step.',
  intro: 'executable runbooks: checks run like /diag, actions go through approval, every step lands on the incident timeline.',
  subcommands: [list, show, run],
});
