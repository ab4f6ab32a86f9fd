/**
 * The Docker remediation actions: docker.restart and docker.start (one container, high risk) and
 * docker.compose-restart (a whole compose project in dependency order, critical).
 * `dockerActions(options)` makes them with their timings; the defaults poll every second and wait
 * up to a minute for the containers to be back.
 */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { DockerTarget } from '../target.js';
import { composeRestartAction } from './compose-restart.js';
import { restartAction, startAction } from './container.js';
import { DEFAULT_DOCKER_ACTION_OPTIONS, type DockerActionOptions } from './support.js';

export { DEFAULT_DOCKER_ACTION_OPTIONS, type DockerActionOptions } from './support.js';
export { containerParams, type ContainerParams } from './container.js';
export { projectParams, type ProjectParams } from './compose-restart.js';

export function dockerActions(options: Partial<DockerActionOptions> = {}): ActionDefinition<DockerTarget, any>[] {
  const o = { ...DEFAULT_DOCKER_ACTION_OPTIONS, ...options };
  return [restartAction(o), startAction(o), composeRestartAction(o)];
}

export const DOCKER_ACTIONS: readonly ActionDefinition<DockerTarget, any>[] = Object.freeze(dockerActions());
