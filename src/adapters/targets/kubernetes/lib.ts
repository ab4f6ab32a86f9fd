/** @kubernetes/client-node, the heaviest package Firebreak has, loaded only once a Kubernetes target is used. */
import { lazyModule } from '../shared/lazy-module.js';

export const clientNode = lazyModule<typeof import('@kubernetes/client-node')>('@kubernetes/client-node', import.meta.url);
