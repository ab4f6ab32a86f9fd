/** `/incident note [INC-n] <text>`: a free note on the timeline. */
import { z } from 'zod';
import type { Subcommand } from './contract.js';
import { addNote, NOTE_MAX } from '../src/app/incidents/notes.js';
import { takeIncident, tokens, unescapeSlack } from './args.js';
import { replyOutcome, target } from './incident-shared.js';

const args = z.string().transform((text, ctx) => {
  const list = tokens(text);
  // Only a leading INC-n names the incident; one later in the text is part of the note.
  const number = list.length && /^inc-\d+$/i.test(list[0] as string) ? takeIncident(list) : undefined;
  const note = unescapeSlack(number === undefined ? text.trim() : text.trim().slice(text.trim().indexOf(' ') + 1)).trim();
  if (!note) {
    ctx.addIssue({ code: 'custom', message: 'write the note after the command' });
    return z.NEVER;
  }
  if (note.length > NOTE_MAX) {
    ctx.addIssue({ code: 'custom', message: `the note is ${note.length} characters; keep it to ${NOTE_MAX}` });
    return z.NEVER;
  }
  return { number, note };
});

export const incidentNote: Subcommand<{ number: number | undefined; note: string }> = {
  name: 'note',
  usage: 'note [INC-n] <text>',
  summary: 'add a note to the timeline (a :pushpin: on a message in the channel does too)',
  args,
  async run(ctx, { number, note }) {
    const incident = await target(ctx, number, this.usage);
    await replyOutcome(ctx, await addNote(ctx.app, incident, { actorId: ctx.userId, text: note }));
  },
};
