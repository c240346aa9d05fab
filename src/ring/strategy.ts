/**
 * Replication strategies: how many replicas a keyspace keeps, and where (placement.ts walks the
 * ring for them). Parsed from the CQL replication map, e.g.
 *   {'class': 'SimpleStrategy', 'replication_factor': '3'}
 *   {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '2'}
 * Class names are accepted as Cassandra accepts them: the short name, or the full
 * 'org.apache.cassandra.locator.' name.
 *
 * Strategy values are frozen and carry a canonical `key`: two equal strategies share the
 * replica memo of a Ring.
 */
import { RingError } from './errors.js';

const LOCATOR_PACKAGE = 'org.apache.cassandra.locator.';

export interface SimpleStrategy {
  readonly kind: 'SimpleStrategy';
  readonly replicationFactor: number;
  readonly key: string;
}

export interface NetworkTopologyStrategy {
  readonly kind: 'NetworkTopologyStrategy';
  /** Factor per datacenter name, zeros included (they place no replica). */
  readonly factors: Readonly<Record<string, number>>;
  readonly key: string;
}

/** The node's own system keyspaces: one replica, the local node, whatever the ring. */
export interface LocalStrategy {
  readonly kind: 'LocalStrategy';
  readonly key: string;
}

export type ReplicationStrategy = SimpleStrategy | NetworkTopologyStrategy | LocalStrategy;

export function simpleStrategy(replicationFactor: number): SimpleStrategy {
  checkFactor(replicationFactor, 'replication_factor');
  return Object.freeze({ kind: 'SimpleStrategy', replicationFactor, key: `simple:${replicationFactor}` });
}

export function networkTopologyStrategy(factors: Readonly<Record<string, number>>): NetworkTopologyStrategy {
  const names = Object.keys(factors).sort();
  const copy: Record<string, number> = {};
  for (const dc of names) {
    if (dc.length === 0) throw new RingError('BAD_REPLICATION_OPTION', 'a datacenter name cannot be empty');
    checkFactor(factors[dc]!, dc);
    copy[dc] = factors[dc]!;
  }
  const key = 'nts:' + names.map((dc) => `${JSON.stringify(dc)}=${copy[dc]}`).join(',');
  return Object.freeze({ kind: 'NetworkTopologyStrategy', factors: Object.freeze(copy), key });
}

export const LOCAL_STRATEGY: LocalStrategy = Object.freeze({ kind: 'LocalStrategy', key: 'local' });

function checkFactor(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RingError('BAD_REPLICATION_OPTION', `replication factor for ${name} must be a non-negative integer, found ${value}`);
  }
}

const FACTOR_TEXT = /^\d{1,9}$/;

function parseFactor(text: string, name: string): number {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    throw new RingError('BAD_REPLICATION_OPTION', `transient replication ('${text}' for ${name}) is not supported`);
  }
  if (!FACTOR_TEXT.test(trimmed)) {
    throw new RingError('BAD_REPLICATION_OPTION', `replication factor for ${name} must be a non-negative integer, found '${text}'`);
  }
  return Number(trimmed);
}

/** The short class name for a replication map's class, or an UNKNOWN_STRATEGY error. */
function resolveClass(cls: string): ReplicationStrategy['kind'] {
  const short = cls.startsWith(LOCATOR_PACKAGE) ? cls.slice(LOCATOR_PACKAGE.length) : cls.includes('.') ? null : cls;
  if (short === 'SimpleStrategy' || short === 'NetworkTopologyStrategy' || short === 'LocalStrategy') return short;
  const full = cls.includes('.') ? cls : LOCATOR_PACKAGE + cls;
  throw new RingError('UNKNOWN_STRATEGY', `Unable to find replication strategy class '${full}'`);
}

export interface ParseReplicationOptions {
  /**
   * The datacenters known when a NetworkTopologyStrategy map uses 'replication_factor' as a
   * default for every datacenter (Cassandra 4 expands it at CREATE / ALTER time).
   */
  readonly datacenters?: readonly string[];
  /** CREATE / ALTER KEYSPACE from a user: LocalStrategy is reserved for system keyspaces. */
  readonly userKeyspace?: boolean;
}

/** Parse a CQL replication map. Throws RingError UNKNOWN_STRATEGY or BAD_REPLICATION_OPTION. */
export function parseReplication(map: Readonly<Record<string, string>>, options: ParseReplicationOptions = {}): ReplicationStrategy {
  const cls = map['class'];
  if (cls === undefined || cls.trim() === '') {
    throw new RingError('BAD_REPLICATION_OPTION', "Missing replication strategy class: the replication map needs a 'class'");
  }
  const kind = resolveClass(cls.trim());
  const rest = Object.keys(map).filter((k) => k !== 'class');
  switch (kind) {
    case 'SimpleStrategy': {
      const rf = map['replication_factor'];
      if (rf === undefined) {
        throw new RingError('BAD_REPLICATION_OPTION', 'SimpleStrategy requires a replication_factor strategy option');
      }
      const unknown = rest.filter((k) => k !== 'replication_factor');
      if (unknown.length > 0) {
        throw new RingError('BAD_REPLICATION_OPTION', `Unrecognized strategy option {${unknown.join(', ')}} passed to SimpleStrategy`);
      }
      return simpleStrategy(parseFactor(rf, 'replication_factor'));
    }
    case 'NetworkTopologyStrategy': {
      const factors: Record<string, number> = {};
      for (const dc of rest) if (dc !== 'replication_factor') factors[dc] = parseFactor(map[dc]!, dc);
      const fallback = map['replication_factor'];
      if (fallback !== undefined) {
        const rf = parseFactor(fallback, 'replication_factor');
        if (options.datacenters === undefined || options.datacenters.length === 0) {
          throw new RingError(
            'BAD_REPLICATION_OPTION',
            'NetworkTopologyStrategy takes replication_factor only as a default for the known datacenters, and none are known; name each datacenter instead',
          );
        }
        for (const dc of options.datacenters) if (!(dc in factors)) factors[dc] = rf;
      }
      return networkTopologyStrategy(factors);
    }
    case 'LocalStrategy':
      if (options.userKeyspace === true) {
        throw new RingError('BAD_REPLICATION_OPTION', 'Unable to use given strategy class: LocalStrategy is reserved for internal use');
      }
      if (rest.length > 0) {
        throw new RingError('BAD_REPLICATION_OPTION', `Unrecognized strategy option {${rest.join(', ')}} passed to LocalStrategy`);
      }
      return LOCAL_STRATEGY;
  }
}

/** The replication map as system_schema.keyspaces.replication shows it (full class name). */
export function replicationMap(strategy: ReplicationStrategy): Record<string, string> {
  const out: Record<string, string> = { class: LOCATOR_PACKAGE + strategy.kind };
  if (strategy.kind === 'SimpleStrategy') out['replication_factor'] = String(strategy.replicationFactor);
  if (strategy.kind === 'NetworkTopologyStrategy') for (const [dc, rf] of Object.entries(strategy.factors)) out[dc] = String(rf);
  return out;
}

/** Total replicas over all datacenters (the base of QUORUM and ALL). */
export function totalReplicationFactor(strategy: ReplicationStrategy): number {
  switch (strategy.kind) {
    case 'SimpleStrategy':
      return strategy.replicationFactor;
    case 'NetworkTopologyStrategy': {
      let sum = 0;
      for (const rf of Object.values(strategy.factors)) sum += rf;
      return sum;
    }
    case 'LocalStrategy':
      return 1;
  }
}
