/**
 * The Schema: every keyspace with its tables, as one immutable value. A change returns a new
 * Schema; readers holding the old one keep a consistent view.
 *
 * The version is a digest of the replicated (non-local) keyspaces' content, as Cassandra's schema
 * version is: two nodes with the same keyspaces and tables report the same version, which is what
 * drivers compare to wait for schema agreement.
 */
import { createHash } from 'node:crypto';
import { typeToString } from '../cql-lite/index.js';
import type { KeyspaceMetadata, TableMetadata } from './types.js';

export const SYSTEM_KEYSPACE = 'system';
export const SCHEMA_KEYSPACE = 'system_schema';
/** Keyspaces that belong to one node and are never replicated nor part of the schema version. */
export const LOCAL_KEYSPACES: ReadonlySet<string> = new Set([SYSTEM_KEYSPACE, SCHEMA_KEYSPACE]);

export function isLocalKeyspace(name: string): boolean {
  return LOCAL_KEYSPACES.has(name);
}

/** A name-based (version 3) UUID of some bytes, as Java's UUID.nameUUIDFromBytes makes it. */
export function nameUuid(bytes: Buffer): string {
  const h = createHash('md5').update(bytes).digest();
  h[6] = (h[6]! & 0x0f) | 0x30;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export class Schema {
  private readonly byId: Map<string, TableMetadata>;
  readonly version: string;

  constructor(readonly keyspaces: ReadonlyMap<string, KeyspaceMetadata>) {
    this.byId = new Map();
    for (const ks of keyspaces.values()) for (const t of ks.tables.values()) this.byId.set(t.id, t);
    this.version = schemaDigest(keyspaces);
  }

  keyspace(name: string): KeyspaceMetadata | undefined {
    return this.keyspaces.get(name);
  }

  table(keyspace: string, name: string): TableMetadata | undefined {
    return this.keyspaces.get(keyspace)?.tables.get(name);
  }

  tableById(id: string): TableMetadata | undefined {
    return this.byId.get(id);
  }

  withKeyspace(ks: KeyspaceMetadata): Schema {
    const next = new Map(this.keyspaces);
    next.set(ks.name, ks);
    return new Schema(next);
  }

  withoutKeyspace(name: string): Schema {
    const next = new Map(this.keyspaces);
    next.delete(name);
    return new Schema(next);
  }

  userKeyspaces(): KeyspaceMetadata[] {
    return [...this.keyspaces.values()].filter((k) => !isLocalKeyspace(k.name));
  }
}

function sortedEntries<V>(o: Readonly<Record<string, V>>): [string, V][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function tableDigestForm(t: TableMetadata): unknown {
  return [
    t.name,
    t.id,
    t.selectOrder.map((c) => [c.name, c.kind, c.position, typeToString(c.type), c.desc]),
    sortedEntries(t.options as unknown as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'object' && v !== null ? sortedEntries(v as Record<string, unknown>) : v]),
    [...t.dropped.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((d) => [d.name, typeToString(d.type), d.kind, d.droppedAtMicros]),
  ];
}

function schemaDigest(keyspaces: ReadonlyMap<string, KeyspaceMetadata>): string {
  const form = [...keyspaces.values()]
    .filter((k) => !isLocalKeyspace(k.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((k) => [
      k.name,
      sortedEntries(k.replication),
      k.durableWrites,
      [...k.tables.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(tableDigestForm),
    ]);
  return nameUuid(Buffer.from(JSON.stringify(form), 'utf8'));
}
