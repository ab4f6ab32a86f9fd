/** Runbook runs and their steps over a Db. (Being written: every method refuses until then.) */
import type { RunbookRunStore } from '../../ports.js';
import type { Db } from './db.js';

export function createRunbookRunStore(_db: Db): RunbookRunStore {
  const no = async (): Promise<never> => {
    throw new Error('runbook runs are not stored yet');
  };
  return { create: no, get: no, listForIncident: no, setMessage: no, claimStep: no, setStep: no, findByRequest: no, setStatus: no };
}
