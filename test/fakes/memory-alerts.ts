/** In-memory Alertmanager groups. (Being written: every method refuses until then.) */
import type { AlertGroupStore } from '../../src/ports.js';

export function memoryAlerts(_isResolved: (incidentId: string) => boolean): AlertGroupStore {
  const no = async (): Promise<never> => {
    throw new Error('alert groups are not stored yet');
  };
  return { current: no, link: no, record: no };
}
