/** Linux host remediation actions: restart a configured systemd unit. */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { HostTarget } from '../target.js';
import { hostRestartUnitAction } from './restart-unit.js';

export { hostRestartUnitAction, restartUnitParams, type RestartUnitParams } from './restart-unit.js';

export const HOST_ACTIONS: ActionDefinition<HostTarget, any>[] = [hostRestartUnitAction];
