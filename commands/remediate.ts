/**
 * `/remediate`: changes to systems (restart, scale, terminate, flush…), only after an approver
 * presses Approve. `/remediate <action> <args…> [--target <name>]` asks; `list` shows the
 * catalogue; `audit [n]` the latest attempts.
 */
import { z } from 'zod';
import type { SlashCommandModule, Subcommand } from './contract.js';
import { defineCommand } from './define-command.js';
import { requestRemediation } from '../src/app/remediation/flow.js';
import { plain } from '../src/core/render/message.js';
import { dateToken, escapeMrkdwn, truncate, userRef } from '../src/core/render/text.js';
import { tokens, unescapeSlack } from './args.js';

const list: Subcommand<string> = {
  name: 'list',
  usage: 'list',
  summary: 'the actions, their risk and arguments',
  args: z.string().refine((t) => t.trim() === '', { message: 'list takes no arguments' }),
  async run(ctx) {
    const actions = [...ctx.app.remediation.actions.values()];
    const lines = actions.map((a) => `${a.risk === 'critical' ? ':red_circle:' : ':large_orange_circle:'} \`${a.id} ${escapeMrkdwn(a.usage)}\`: ${escapeMrkdwn(a.title)}`);
    await ctx.reply({ text: `${actions.length} actions`, blocks: [{ type: 'text', text: `*Remediation actions* (critical ones need a second person)\n${lines.join('\n')}`.slice(0, 2900) }] });
  },
};

const audit: Subcommand<{ limit: number }> = {
  name: 'audit',
  usage: 'audit [n]',
  summary: 'the latest remediation attempts, refused ones included',
  args: z.string().transform((text, c) => {
    const t = text.trim();
    const n = t === '' ? 20 : Number(t);
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      c.addIssue({ code: 'custom', message: 'give how many entries, 1 to 100' });
      return z.NEVER;
    }
    return { limit: n };
  }),
  async run(ctx, { limit }) {
    const entries = await ctx.app.store.remediation.listAudit(limit);
    const lines = entries.map((e) => `${dateToken(e.at)} · ${userRef(e.actorId)} *${e.event}* \`${escapeMrkdwn(truncate(`${e.actionId} ${e.args.join(' ')}`, 80))}\` on ${escapeMrkdwn(e.targetName)}${e.detail ? `: ${escapeMrkdwn(truncate(e.detail, 150))}` : ''}`);
    await ctx.reply(plain(lines.length ? lines.join('\n').slice(0, 2900) : 'No remediation attempt yet.'));
  },
};

/** `<action> <args…> [--target <name>]` */
const ask: Subcommand<{ actionId: string; args: string[]; targetName: string | undefined }> = {
  name: '<action>',
  usage: '<action> <args…> [--target <name>]',
  summary: 'ask for an action; it runs only once approved (see list)',
  args: z.string().transform((text, c) => {
    const list = tokens(unescapeSlack(text));
    const i = list.indexOf('--target');
    let targetName: string | undefined;
    if (i !== -1) {
      targetName = list[i + 1];
      if (!targetName) {
        c.addIssue({ code: 'custom', message: '--target needs a name' });
        return z.NEVER;
      }
      list.splice(i, 2);
    }
    const [actionId, ...args] = list;
    if (!actionId || !/^[a-z0-9]+\.[a-z0-9-]+$/.test(actionId)) {
      c.addIssue({ code: 'custom', message: 'name an action like pg.terminate or k8s.rollout-restart (`/remediate list`)' });
      return z.NEVER;
    }
    return { actionId, args, targetName };
  }),
  async run(ctx, a) {
    const outcome = await requestRemediation(ctx.app, ctx.app.remediation, { teamId: ctx.teamId, channelId: ctx.channelId, actorId: ctx.userId, ...a });
    await ctx.reply(plain(outcome.reply));
  },
};

export const remediateCommand: SlashCommandModule = defineCommand({
  command: '/remediate',
  description: 'Ask for a change to a system (restart, scale, terminate a query…); it runs only after an approver approves it.',
  intro: 'remediation behind approval: nothing runs until an approver presses Approve; critical actions need a second person.',
  subcommands: [list, audit],
  fallback: ask,
});
