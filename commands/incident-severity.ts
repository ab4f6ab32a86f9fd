/** `/incident severity <P0-P3> [INC-n]`: also accepts other teams' words (critical, high, warning…). */
import { z } from 'zod';
import type { Subcommand } from './contract.js';
import { changeSeverity } from '../src/app/incidents/severity.js';
import type { SeverityLevel } from '../src/core/incident/severity.js';
import { takeIncident, takeSeverity, tokens, unescapeSlack } from './args.js';
import { replyOutcome, target } from './incident-shared.js';

const args = z.string().transform((text, ctx) => {
  const list = tokens(text);
  const number = takeIncident(list);
  const level = takeSeverity(list);
  if (!level) {
    ctx.addIssue({ code: 'custom', message: list.length ? `"${unescapeSlack(list.join(' '))}" is not a severity; use P0, P1, P2 or P3` : 'say which severity: P0, P1, P2 or P3' });
    return z.NEVER;
  }
  if (list.length) {
    ctx.addIssue({ code: 'custom', message: `unexpected "${unescapeSlack(list.join(' '))}"` });
    return z.NEVER;
  }
  return { number, level };
});

export const incidentSeverity: Subcommand<{ number: number | undefined; level: SeverityLevel }> = {
  name: 'severity',
  usage: 'severity <P0-P3> [INC-n]',
  summary: 'change the severity; a rise to P0 or P1 is announced',
  args,
  async run(ctx, { number, level }) {
    const incident = await target(ctx, number, this.usage);
    await replyOutcome(ctx, await changeSeverity(ctx.app, incident, { actorId: ctx.userId, to: level }));
  },
};
