/** In-memory runbook runs. (Being written: every method refuses until then.) */
import type { RunbookRunStore } from '../../src/ports.js';

export function memoryRunbooks(_hasIncident: (id: string) => boolean): RunbookRunStore {
  const no = async (): Promise<never> => {
    throw new Error('runbook runs are not stored yet');
  };
  return { create: no, get: no, listForIncident: no, setMessage: no, claimStep: no, setStep: no, findByRequest: no, setStatus: no };
}
