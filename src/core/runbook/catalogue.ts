/** The loaded runbooks, by id, and how an incident or an alert finds the ones that answer it. */
import type { Runbook } from './model.js';

/** The runbooks loaded (and validated) at start. */
export interface RunbookCatalogue {
  list(): readonly Runbook[];
  get(id: string): Runbook | undefined;
  /** Runbooks answering an alert name, a service or a symptom in the text, best match first. */
  match(input: { alertnames?: string[]; services?: string[]; text?: string }): Runbook[];
}

/** Texts longer than this are only read this far (an incident's title and symptoms are much shorter). */
const LONGEST_TEXT = 10_000;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The phrase as a whole word (or words) of a text, any case, any spacing between its words. */
function phrase(words: string): RegExp | undefined {
  const parts = words.trim().split(/\s+/).filter(Boolean).map(escapeRegExp);
  return parts.length ? new RegExp(`(?<![\\p{L}\\p{N}])${parts.join('[\\s_-]+')}(?![\\p{L}\\p{N}])`, 'iu') : undefined;
}

interface Score {
  alerts: number;
  services: number;
  symptoms: number;
  /** Services named in the text (weaker than a symptom found there). */
  mentioned: number;
}

const order = (a: Score, b: Score) => b.alerts - a.alerts || b.services - a.services || b.symptoms + b.mentioned - (a.symptoms + a.mentioned) || b.symptoms - a.symptoms;

export function runbookCatalogue(runbooks: readonly Runbook[]): RunbookCatalogue {
  const byId = new Map(runbooks.map((r) => [r.id, r]));
  // Built once: every match call goes through every runbook's words.
  const words = runbooks.map((r) => ({
    runbook: r,
    alerts: new Set(r.alerts.map((a) => a.toLowerCase())),
    services: new Set(r.services.map((s) => s.toLowerCase())),
    symptoms: r.symptoms.map(phrase).filter((p): p is RegExp => p !== undefined),
    serviceWords: r.services.map(phrase).filter((p): p is RegExp => p !== undefined),
  }));
  return {
    list: () => runbooks,
    get: (id) => byId.get(id),
    match({ alertnames = [], services = [], text = '' }) {
      const alerts = new Set(alertnames.map((a) => a.toLowerCase()));
      const asked = new Set(services.map((s) => s.toLowerCase()));
      const read = text.slice(0, LONGEST_TEXT);
      const scored: Array<{ runbook: Runbook; score: Score }> = [];
      for (const w of words) {
        const score: Score = {
          alerts: [...w.alerts].filter((a) => alerts.has(a)).length,
          services: [...w.services].filter((s) => asked.has(s)).length,
          symptoms: read ? w.symptoms.filter((p) => p.test(read)).length : 0,
          mentioned: read ? w.serviceWords.filter((p) => p.test(read)).length : 0,
        };
        if (score.alerts + score.services + score.symptoms + score.mentioned > 0) scored.push({ runbook: w.runbook, score });
      }
      // Array.prototype.sort is stable: equal scores keep the catalogue's order (by file name).
      return scored.sort((a, b) => order(a.score, b.score)).map((s) => s.runbook);
    },
  };
}
