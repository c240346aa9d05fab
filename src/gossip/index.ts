/** Gossip: endpoint states, SYN/ACK/ACK2 rounds, phi-accrual failure detection, membership events. */
export { ApplicationState, Status, decodeTokens, encodeTokens, isDeadStatus, statusExpiryMs, statusWord } from './application-state.js';
export { changedKeys, describeState, fromWire, makeState, merge, stateAbove, toWire } from './endpoint-state.js';
export type { EndpointState, VersionedValue } from './endpoint-state.js';
export type { GossipEvent, GossipListener } from './events.js';
export { FailureDetector, defaultFailureDetectorOptions, phiNormal } from './failure-detector.js';
export type { FailureDetectorOptions } from './failure-detector.js';
export { Gossiper, MAX_GENERATION_AHEAD_MS } from './gossiper.js';
export type { GossipConfig, GossipIncoming, GossipOutgoing, GossipPhase, GossipVerb, GossiperCounters, ShadowOutcome } from './gossiper.js';
export { GossipService } from './service.js';
export type { GossipServiceOptions } from './service.js';
export { GossipSimulation, simEndpoint } from './simulation.js';
export type { GossipSimulationOptions, SimGossipNode } from './simulation.js';
