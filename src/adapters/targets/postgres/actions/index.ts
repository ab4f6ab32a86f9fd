/** PostgreSQL remediation actions: cancel/terminate a backend, terminate long queries, VACUUM (ANALYZE), failover. */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { PostgresTarget } from '../target.js';
import { pgCancelAction, pgTerminateAction } from './backend.js';
import { pgTerminateLongAction } from './terminate-long.js';
import { pgVacuumAnalyzeAction } from './vacuum.js';
import { pgFailoverAction } from './failover.js';

export { pgCancelAction, pgTerminateAction, pidParams, type PidParams } from './backend.js';
export { pgTerminateLongAction, longParams, type LongParams } from './terminate-long.js';
export { pgVacuumAnalyzeAction, vacuumParams, type VacuumParams } from './vacuum.js';
export { pgFailoverAction, failoverParams, PRIMARY_PROBE_MS, type FailoverParams } from './failover.js';
export { REMEDIATION_APPLICATION_NAME } from './session.js';

/**
 * The actions that need nothing but their target. pg.failover also needs the other configured
 * targets: use `postgresActions(resolveTarget)` (or add `pgFailoverAction(resolveTarget)`).
 */
export const POSTGRES_ACTIONS: ActionDefinition<PostgresTarget, any>[] = [pgCancelAction, pgTerminateAction, pgTerminateLongAction, pgVacuumAnalyzeAction];

/** Every PostgreSQL action, pg.failover included. */
export function postgresActions(resolveTarget: (name: string) => PostgresTarget | undefined): ActionDefinition<PostgresTarget, any>[] {
  return [...POSTGRES_ACTIONS, pgFailoverAction(resolveTarget)];
}
