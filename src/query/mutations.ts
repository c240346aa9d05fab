/**
 * Collects the partition updates of one request (a statement, or every statement of a batch) and
 * merges those that touch the same partition, as Cassandra's BatchStatement does: one Mutation per
 * (keyspace, partition key), with one PartitionUpdate per table.
 */
import type { KeyspaceMetadata, TableMetadata } from '../schema/index.js';
import { UpdateBuilder } from '../schema/index.js';
import type { Mutation } from '../storage/index.js';

interface PartitionEntry {
  readonly keyspace: KeyspaceMetadata;
  readonly key: Buffer;
  readonly token: bigint;
  /** One builder per table written in this partition (a batch's few). */
  readonly tables: UpdateBuilder[];
}

export interface KeyspaceMutations {
  readonly keyspace: KeyspaceMetadata;
  readonly mutations: Mutation[];
}

/** Past this many partitions an index finds them; below, a scan is cheaper than keying a Map. */
const ENTRY_SCAN_MAX = 8;

function entryId(keyspace: string, key: Buffer): string {
  return `${keyspace}\u0000${key.toString('latin1')}`;
}

export class MutationCollector {
  /** Partitions in first-written order; most requests write one. */
  private readonly entries: PartitionEntry[] = [];
  private index: Map<string, PartitionEntry> | null = null;

  builder(keyspace: KeyspaceMetadata, table: TableMetadata, key: Buffer, token: bigint): UpdateBuilder {
    let e = this.find(keyspace.name, key);
    if (e === undefined) {
      e = { keyspace, key, token, tables: [] };
      this.entries.push(e);
      if (this.index !== null) this.index.set(entryId(keyspace.name, key), e);
      else if (this.entries.length > ENTRY_SCAN_MAX) this.index = new Map(this.entries.map((x) => [entryId(x.keyspace.name, x.key), x]));
    }
    for (const b of e.tables) if (b.table.id === table.id) return b;
    const b = new UpdateBuilder(table, key, token);
    e.tables.push(b);
    return b;
  }

  private find(keyspace: string, key: Buffer): PartitionEntry | undefined {
    if (this.index !== null) return this.index.get(entryId(keyspace, key));
    for (const e of this.entries) if (e.keyspace.name === keyspace && e.key.equals(key)) return e;
    return undefined;
  }

  isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The mutations, grouped by keyspace, keyspaces and partitions in first-written order. */
  groups(): KeyspaceMutations[] {
    const entries = this.entries;
    if (entries.length === 1) return [{ keyspace: entries[0]!.keyspace, mutations: [mutationOf(entries[0]!)] }];
    const out = new Map<string, KeyspaceMutations>();
    for (const e of entries) {
      let group = out.get(e.keyspace.name);
      if (group === undefined) {
        group = { keyspace: e.keyspace, mutations: [] };
        out.set(e.keyspace.name, group);
      }
      group.mutations.push(mutationOf(e));
    }
    return [...out.values()];
  }
}

function mutationOf(e: PartitionEntry): Mutation {
  return { keyspace: e.keyspace.name, key: e.key, token: e.token, updates: e.tables.map((b) => b.build()) };
}
