/**
 * EndpointState: what one node knows about one endpoint. A heartbeat (generation = the endpoint's
 * start time in ms, version = a counter) and versioned application states. Within a generation the
 * endpoint alone writes its state, drawing every version (heartbeat and application states alike)
 * from one increasing counter, so "newer" is always "higher version".
 *
 * merge() is the one reconcile function of gossip. It is commutative, associative and idempotent
 * (test/gossip/endpoint-state.test.ts checks it), so the order and repetition in which gossip
 * delivers states never matters.
 */
import type { EndpointStateWire, VersionedValueWire } from '../net/index.js';

/**
 * One application state's value. It has the shape of its wire form (VersionedValueWire), so a
 * state received is kept and passed on without copying: values are immutable once made.
 */
export interface VersionedValue {
  readonly key: number;
  readonly value: string;
  readonly version: number;
}

export interface EndpointState {
  /** The endpoint's start time (ms since the epoch); a restart has a higher one. */
  readonly generation: number;
  readonly heartbeatVersion: number;
  /** By ApplicationState number. Replaced, never mutated: a heartbeat-only merge keeps the same map. */
  readonly states: ReadonlyMap<number, VersionedValue>;
  /** The highest version in heartbeat and states. */
  readonly maxVersion: number;
}

export function makeState(generation: number, heartbeatVersion: number, states: ReadonlyMap<number, VersionedValue>): EndpointState {
  let maxVersion = heartbeatVersion;
  for (const v of states.values()) if (v.version > maxVersion) maxVersion = v.version;
  return { generation, heartbeatVersion, states, maxVersion };
}

/** The newer of two values for one key; on a version tie (which a correct node never makes), the greater value. */
function newer(a: VersionedValue, b: VersionedValue): VersionedValue {
  if (a.version !== b.version) return a.version > b.version ? a : b;
  return a.value >= b.value ? a : b;
}

/**
 * Reconciles two states of one endpoint. A higher generation replaces the lower one entirely (the
 * endpoint restarted); within a generation the heartbeat and each application state take the
 * higher version. Returns `local` itself when `remote` adds nothing, so callers detect change by
 * identity.
 */
export function merge(local: EndpointState | undefined, remote: EndpointState): EndpointState {
  if (local === undefined) return remote;
  if (remote.generation !== local.generation) return remote.generation > local.generation ? remote : local;
  let states: Map<number, VersionedValue> | undefined;
  for (const [key, rv] of remote.states) {
    const lv = local.states.get(key);
    if (lv === undefined || newer(lv, rv) !== lv) {
      states ??= new Map(local.states);
      states.set(key, rv);
    }
  }
  const heartbeat = Math.max(local.heartbeatVersion, remote.heartbeatVersion);
  if (states === undefined && heartbeat === local.heartbeatVersion) return local;
  return makeState(local.generation, heartbeat, states ?? local.states);
}

/** Keys whose value or version differs between two states of one endpoint. */
export function changedKeys(before: EndpointState | undefined, after: EndpointState): number[] {
  const out: number[] = [];
  for (const [key, v] of after.states) {
    const b = before?.states.get(key);
    if (b === undefined || b.version !== v.version || b.value !== v.value) out.push(key);
  }
  return out;
}

/** The part of a state newer than `version` (heartbeat always included), for an ACK or ACK2. */
export function stateAbove(endpoint: string, s: EndpointState, version: number): EndpointStateWire {
  const states: VersionedValueWire[] = [];
  for (const v of s.states.values()) if (v.version > version) states.push(v);
  return { endpoint, generation: s.generation, heartbeatVersion: s.heartbeatVersion, states };
}

export function toWire(endpoint: string, s: EndpointState): EndpointStateWire {
  return stateAbove(endpoint, s, -1);
}

/**
 * A state from the wire. Its value objects are kept as they are (never mutated, here or by the
 * sender: a simulated network without the codec shares payload objects between nodes).
 */
export function fromWire(w: EndpointStateWire): EndpointState {
  const states = new Map<number, VersionedValue>();
  for (const v of w.states) {
    const prev = states.get(v.key);
    states.set(v.key, prev === undefined ? v : newer(prev, v));
  }
  return makeState(w.generation, w.heartbeatVersion, states);
}

/** A stable text form of a state's membership-relevant part (generation and application states). */
export function describeState(s: EndpointState): string {
  const keys = [...s.states.keys()].sort((a, b) => a - b);
  return `${s.generation}{${keys.map((k) => `${k}=${s.states.get(k)!.value}@${s.states.get(k)!.version}`).join(';')}}`;
}
