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
  readonly tables: Map<string, UpdateBuilder>;
}

export class MutationCollector {
  private readonly entries = new Map<string, PartitionEntry>();

  builder(keyspace: KeyspaceMetadata, table: TableMetadata, key: Buffer, token: bigint): UpdateBuilder {
    const id = `${keyspace.name}\u0000${key.toString('latin1')}`;
    let e = this.entries.get(id);
    if (e === undefined) {
      e = { keyspace, key, token, tables: new Map() };
      this.entries.set(id, e);
    }
    let b = e.tables.get(table.id);
    if (b === undefined) {
      b = new UpdateBuilder(table, key, token);
      e.tables.set(table.id, b);
    }
    return b;
  }

  isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** The mutations, grouped by keyspace. */
  byKeyspace(): Map<string, { keyspace: KeyspaceMetadata; mutations: Mutation[] }> {
    const out = new Map<string, { keyspace: KeyspaceMetadata; mutations: Mutation[] }>();
    for (const e of this.entries.values()) {
      let group = out.get(e.keyspace.name);
      if (group === undefined) {
        group = { keyspace: e.keyspace, mutations: [] };
        out.set(e.keyspace.name, group);
      }
      group.mutations.push({ keyspace: e.keyspace.name, key: e.key, token: e.token, updates: [...e.tables.values()].map((b) => b.build()) });
    }
    return out;
  }
}
