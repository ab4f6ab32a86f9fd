/** `/incident open [title]`: opens the declaration modal, prefilled with the title typed. */
import { z } from 'zod';
import type { Subcommand } from './contract.js';
import { TITLE_MAX } from '../src/core/incident/limits.js';
import { unescapeSlack } from './args.js';

const args = z
  .string()
  .transform((text) => unescapeSlack(text).replace(/\s+/g, ' ').trim())
  .refine((t) => t.length <= TITLE_MAX, { message: `the title is longer than ${TITLE_MAX} characters; shorten it` })
  .transform((t) => ({ title: t || undefined }));

export const incidentOpen: Subcommand<z.infer<typeof args>> = {
  name: 'open',
  usage: 'open [title]',
  summary: 'declare an incident: a form asks for severity (P0-P3), impact, symptoms and commander',
  args,
  async run(ctx, { title }) {
    await ctx.openForm({ form: 'open-incident', title });
  },
};
