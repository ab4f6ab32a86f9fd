/**
 * Reading slash-command text as Slack sends it with `should_escape: true`: users arrive as
 * `<@U123|alice>`, channels as `<#C1|name>`, `&`, `<`, `>` as entities. Helpers here pull out the
 * parts a subcommand takes (an incident id, a user, a severity) and turn the rest back into text.
 */
import { z } from 'zod';
import { parseHumanId } from '../src/core/incident/incident.js';
import { severityFromTerm } from '../src/core/incident/severity-terms.js';
import type { SeverityLevel } from '../src/core/incident/severity.js';

/** Slack's escaped text → what the person typed, with mentions as readable @names. */
export function unescapeSlack(text: string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)\|([^>]+)>/g, '@$2')
    .replace(/<@([UW][A-Z0-9]+)>/g, '@$1')
    .replace(/<#([CG][A-Z0-9]+)\|([^>]*)>/g, (_m, id: string, name: string) => `#${name || id}`)
    .replace(/<!subteam\^[A-Z0-9]+\|([^>]+)>/g, '$1')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export const tokens = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean);

const INCIDENT_TOKEN = /^inc-\d{1,9}$/i;
const USER_TOKEN = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** Removes an `INC-n` token from the list (anywhere), returning its n. */
export function takeIncident(list: string[]): number | undefined {
  const i = list.findIndex((t) => INCIDENT_TOKEN.test(t));
  if (i === -1) return undefined;
  const [token] = list.splice(i, 1);
  return parseHumanId(token as string) ?? undefined;
}

export function takeUser(list: string[]): string | undefined {
  const i = list.findIndex((t) => USER_TOKEN.test(t));
  if (i === -1) return undefined;
  const [token] = list.splice(i, 1);
  return USER_TOKEN.exec(token as string)?.[1];
}

export function takeSeverity(list: string[]): SeverityLevel | undefined {
  // Multi-word terms first ("critical - business"), then single words.
  for (let n = 3; n >= 1; n--) {
    for (let i = 0; i + n <= list.length; i++) {
      const level = severityFromTerm(list.slice(i, i + n).join(' '));
      if (level) {
        list.splice(i, n);
        return level;
      }
    }
  }
  return undefined;
}

/** `[INC-n]` and nothing else. */
export const incidentOnly = z.string().transform((text, ctx) => {
  const list = tokens(text);
  const number = takeIncident(list);
  if (list.length) {
    ctx.addIssue({ code: 'custom', message: `unexpected "${unescapeSlack(list.join(' '))}"; give at most an incident id like INC-7` });
    return z.NEVER;
  }
  return { number };
});
