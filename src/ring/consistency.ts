/**
 * Consistency levels and their arithmetic: how many replicas a request blocks for in a keyspace,
 * and whether the live replicas can satisfy it (else the coordinator answers Unavailable at once).
 * Follows Cassandra's ConsistencyLevel and ReplicaPlans:
 * - QUORUM = (sum of all factors) / 2 + 1; ALL = sum of all factors.
 * - LOCAL_QUORUM = (factor of the coordinator's datacenter) / 2 + 1 under NetworkTopologyStrategy,
 *   QUORUM otherwise; LOCAL_ONE counts only replicas in the coordinator's datacenter.
 * - EACH_QUORUM = a local quorum in every datacenter with a non-zero factor (QUORUM without NTS).
 * - Writes also block for the pending endpoints (those of the coordinator's datacenter for the
 *   LOCAL levels), so a range movement never weakens the guarantee.
 * - ANY is satisfied by a hint on the coordinator: always available, writes only.
 */
import type { Endpoint } from './endpoint.js';
import { RingError } from './errors.js';
import { totalReplicationFactor, type ReplicationStrategy } from './strategy.js';

/**
 * Native protocol v4 [consistency] codes (a [short] on the wire). Never renumber: drivers send
 * these numbers.
 */
export enum ConsistencyLevel {
  ANY = 0x0000,
  ONE = 0x0001,
  TWO = 0x0002,
  THREE = 0x0003,
  QUORUM = 0x0004,
  ALL = 0x0005,
  LOCAL_QUORUM = 0x0006,
  EACH_QUORUM = 0x0007,
  SERIAL = 0x0008,
  LOCAL_SERIAL = 0x0009,
  LOCAL_ONE = 0x000a,
}

export function consistencyFromCode(code: number): ConsistencyLevel {
  if (!Number.isInteger(code) || code < 0 || code > 0x000a) {
    throw new RingError('BAD_CONSISTENCY', `Unknown code ${code} for a consistency level`);
  }
  return code as ConsistencyLevel;
}

export function consistencyFromName(name: string): ConsistencyLevel {
  const value = (ConsistencyLevel as unknown as Record<string, number | undefined>)[name.trim().toUpperCase()];
  if (typeof value !== 'number') throw new RingError('BAD_CONSISTENCY', `Unknown consistency level '${name}'`);
  return value;
}

export function consistencyName(cl: ConsistencyLevel): string {
  return ConsistencyLevel[cl];
}

export function isDatacenterLocal(cl: ConsistencyLevel): boolean {
  return cl === ConsistencyLevel.LOCAL_ONE || cl === ConsistencyLevel.LOCAL_QUORUM || cl === ConsistencyLevel.LOCAL_SERIAL;
}

export function isSerial(cl: ConsistencyLevel): boolean {
  return cl === ConsistencyLevel.SERIAL || cl === ConsistencyLevel.LOCAL_SERIAL;
}

/** The message of the InvalidRequest a read at this level gets, or null when it is allowed. */
export function readLevelError(cl: ConsistencyLevel): string | null {
  return cl === ConsistencyLevel.ANY ? 'ANY ConsistencyLevel is only supported for writes' : null;
}

/** The message of the InvalidRequest a plain write at this level gets, or null when it is allowed. */
export function writeLevelError(cl: ConsistencyLevel): string | null {
  return isSerial(cl) ? 'You must use conditional updates for serializable writes' : null;
}

export function quorumFor(strategy: ReplicationStrategy): number {
  return Math.floor(totalReplicationFactor(strategy) / 2) + 1;
}

export function localQuorumFor(strategy: ReplicationStrategy, datacenter: string): number {
  if (strategy.kind !== 'NetworkTopologyStrategy') return quorumFor(strategy);
  return Math.floor((strategy.factors[datacenter] ?? 0) / 2) + 1;
}

/** Datacenters EACH_QUORUM waits on, with their quorum. */
function eachQuorum(strategy: ReplicationStrategy, localDc: string): Map<string, number> {
  const out = new Map<string, number>();
  if (strategy.kind === 'NetworkTopologyStrategy') {
    for (const [dc, rf] of Object.entries(strategy.factors)) if (rf > 0) out.set(dc, Math.floor(rf / 2) + 1);
  } else {
    out.set(localDc, quorumFor(strategy));
  }
  return out;
}

/** Replicas a request at `cl` waits for (before counting pending endpoints). */
export function blockFor(cl: ConsistencyLevel, strategy: ReplicationStrategy, localDc: string): number {
  switch (cl) {
    case ConsistencyLevel.ANY:
    case ConsistencyLevel.ONE:
    case ConsistencyLevel.LOCAL_ONE:
      return 1;
    case ConsistencyLevel.TWO:
      return 2;
    case ConsistencyLevel.THREE:
      return 3;
    case ConsistencyLevel.QUORUM:
    case ConsistencyLevel.SERIAL:
      return quorumFor(strategy);
    case ConsistencyLevel.ALL:
      return totalReplicationFactor(strategy);
    case ConsistencyLevel.LOCAL_QUORUM:
    case ConsistencyLevel.LOCAL_SERIAL:
      return localQuorumFor(strategy, localDc);
    case ConsistencyLevel.EACH_QUORUM: {
      if (strategy.kind !== 'NetworkTopologyStrategy') return quorumFor(strategy);
      let n = 0;
      for (const q of eachQuorum(strategy, localDc).values()) n += q;
      return n;
    }
  }
}

function countIn(endpoints: readonly Endpoint[], dc: string): number {
  let n = 0;
  for (const e of endpoints) if (e.datacenter === dc) n++;
  return n;
}

/** Replicas a write at `cl` waits for: blockFor plus the pending endpoints that count for it. */
export function blockForWrite(cl: ConsistencyLevel, strategy: ReplicationStrategy, localDc: string, pending: readonly Endpoint[]): number {
  const base = blockFor(cl, strategy, localDc);
  if (cl === ConsistencyLevel.ANY) return base;
  if (isDatacenterLocal(cl)) return base + countIn(pending, localDc);
  return base + pending.length;
}

/** Whether the live replicas are enough; when not, what Unavailable reports. */
export interface Availability {
  readonly ok: boolean;
  /** Replicas required (in `datacenter` when set). */
  readonly required: number;
  /** Replicas alive (in `datacenter` when set). */
  readonly alive: number;
  /** The datacenter that falls short, for EACH_QUORUM and the LOCAL levels. */
  readonly datacenter?: string;
}

export interface AvailabilityRequest {
  readonly cl: ConsistencyLevel;
  readonly strategy: ReplicationStrategy;
  /** The coordinator's datacenter. */
  readonly localDc: string;
  /** Live replicas: natural ones, plus pending ones for a write. */
  readonly live: readonly Endpoint[];
  /** For a write: the pending endpoints, live or not (they raise the count to wait for). */
  readonly pending?: readonly Endpoint[];
  readonly write?: boolean;
}

/** Can the live endpoints satisfy the level? (Cassandra's assureSufficientLiveReplicas.) */
export function availability(req: AvailabilityRequest): Availability {
  const { cl, strategy, localDc, live } = req;
  const pending = req.write === true ? (req.pending ?? []) : [];
  const required = req.write === true ? blockForWrite(cl, strategy, localDc, pending) : blockFor(cl, strategy, localDc);
  switch (cl) {
    case ConsistencyLevel.ANY:
      return { ok: true, required, alive: live.length };
    case ConsistencyLevel.LOCAL_ONE:
    case ConsistencyLevel.LOCAL_QUORUM:
    case ConsistencyLevel.LOCAL_SERIAL: {
      const alive = countIn(live, localDc);
      return { ok: alive >= required, required, alive, datacenter: localDc };
    }
    case ConsistencyLevel.EACH_QUORUM:
      if (strategy.kind === 'NetworkTopologyStrategy') {
        for (const [dc, quorum] of eachQuorum(strategy, localDc)) {
          const need = quorum + countIn(pending, dc);
          const alive = countIn(live, dc);
          if (alive < need) return { ok: false, required: need, alive, datacenter: dc };
        }
        return { ok: true, required, alive: live.length };
      }
      return { ok: live.length >= required, required, alive: live.length };
    default:
      return { ok: live.length >= required, required, alive: live.length };
  }
}

/** availability(...).ok */
export function canSatisfy(req: AvailabilityRequest): boolean {
  return availability(req).ok;
}
