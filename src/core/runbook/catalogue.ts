/** The loaded runbooks, by id, and how an incident or an alert finds the ones that answer it. */
import type { Runbook } from './model.js';

/** The runbooks loaded (and validated) at start. */
export interface RunbookCatalogue {
  list(): readonly Runbook[];
  get(id: string): Runbook | undefined;
  /** Runbooks answering an alert name, a service or a symptom in the text, best match first. */
  match(input: { alertnames?: string[]; services?: string[]; text?: string }): Runbook[];
}

export function runbookCatalogue(runbooks: readonly Runbook[]): RunbookCatalogue {
  const byId = new Map(runbooks.map((r) => [r.id, r]));
  return {
    list: () => runbooks,
    get: (id) => byId.get(id),
    match: () => [],
  };
}
