/**
 * What gossip tells its subscribers. Delivered synchronously, in order, after the state change
 * that caused them is complete (a listener may query the gossiper and see it).
 */
import type { Endpoint } from '../net/index.js';

export type GossipEvent =
  /** A new endpoint, first seen (its application states follow as 'change' events). */
  | { type: 'join'; endpoint: Endpoint; generation: number }
  /** The endpoint answered an ECHO: it is reachable and up. */
  | { type: 'up'; endpoint: Endpoint }
  /** Convicted by the failure detector (phi over the threshold), or announced its shutdown (phi 0). */
  | { type: 'down'; endpoint: Endpoint; phi: number }
  /** An application state of the endpoint took a new value (or a new version of it). */
  | { type: 'change'; endpoint: Endpoint; key: number; value: string }
  /** The endpoint restarted: a higher generation replaced its state. */
  | { type: 'restart'; endpoint: Endpoint; generation: number }
  /** The endpoint was removed and is quarantined. */
  | { type: 'removed'; endpoint: Endpoint }
  /** The local shadow round ended (endpoint is the local node). */
  | { type: 'shadow-round-done'; endpoint: Endpoint; outcome: 'answered' | 'no-seeds' | 'timeout' };

export type GossipListener = (event: GossipEvent) => void;
