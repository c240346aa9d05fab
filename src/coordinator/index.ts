/** The request paths: replicas, consistency levels, reads and writes across the ring. */
export type { Coordinator } from './types.js';
export { LocalCoordinator } from './local.js';
export type { LocalCoordinatorOptions } from './local.js';
