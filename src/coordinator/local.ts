/**
 * The coordinator of a one-node cluster: every replica is this node. It still does the
 * consistency arithmetic, so a level that needs more replicas than the keyspace can have on this
 * ring gets Unavailable with its counts, as it would on Cassandra.
 */
import { UnavailableError, invalidRequest, type WriteType } from '../cql-lite/index.js';
import { availability, readLevelError, writeLevelError, type ConsistencyLevel, type Endpoint, type Ring } from '../ring/index.js';
import type { KeyspaceMetadata, TableMetadata } from '../schema/index.js';
import { CommitLogRecordSizeError, type LivePartition, type Mutation, type ReadQuery, type ScanQuery, type ScanRange, type StorageEngine } from '../storage/index.js';
import type { Coordinator } from './types.js';

export interface LocalCoordinatorOptions {
  readonly engine: StorageEngine;
  /** The ring (this node alone) and the local endpoint's datacenter. */
  readonly ring: () => Ring;
  readonly local: Endpoint;
}

export class LocalCoordinator implements Coordinator {
  /** On a one-node ring every key has the same replicas: the answer depends on strategy and level only. */
  private readonly verdicts = new Map<string, { ok: boolean; required: number; alive: number }>();
  private verdictsRing: Ring | null = null;

  constructor(private readonly opts: LocalCoordinatorOptions) {}

  private check(keyspace: KeyspaceMetadata, key: Buffer, cl: ConsistencyLevel, write: boolean): void {
    const ring = this.opts.ring();
    if (ring !== this.verdictsRing) {
      this.verdicts.clear();
      this.verdictsRing = ring;
    }
    const memo = `${keyspace.strategy.key}|${cl}|${write ? 'w' : 'r'}`;
    let a = this.verdicts.get(memo);
    if (a === undefined) {
      const replicas = ring.replicasForKey(key, keyspace.strategy);
      const local = this.opts.local;
      const live = replicas.filter((r) => r.hostId === local.hostId);
      a = availability({ cl, strategy: keyspace.strategy, localDc: local.datacenter, live, write, pending: [] });
      this.verdicts.set(memo, a);
    }
    if (!a.ok) throw new UnavailableError(cl, a.required, a.alive);
  }

  // Not async: on the path of every write, an async frame here is a heap allocation per request.
  write(keyspace: KeyspaceMetadata, mutations: readonly Mutation[], cl: ConsistencyLevel, _writeType: WriteType): Promise<void> {
    try {
      const refused = writeLevelError(cl);
      if (refused !== null) throw invalidRequest(refused);
      for (const m of mutations) this.check(keyspace, m.key, cl, true);
      const durable = keyspace.durableWrites;
      const applied = mutations.length === 1 ? this.opts.engine.apply(mutations[0]!, durable) : Promise.all(mutations.map((m) => this.opts.engine.apply(m, durable))).then(() => undefined);
      return applied.catch((err: unknown) => {
        // A mutation the commit log cannot hold is the client's to fix, as in Cassandra.
        if (err instanceof CommitLogRecordSizeError) {
          throw invalidRequest(`Rejected an oversized mutation (${err.sizeBytes}/${err.maxBytes}) for keyspace: ${keyspace.name}`);
        }
        throw err;
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async read(table: TableMetadata, keyspace: KeyspaceMetadata, key: Buffer, token: bigint, query: ReadQuery, cl: ConsistencyLevel): Promise<LivePartition | null> {
    const refused = readLevelError(cl);
    if (refused !== null) throw invalidRequest(refused);
    this.check(keyspace, key, cl, false);
    return this.opts.engine.read(table.id, key, token, query);
  }

  async scan(table: TableMetadata, keyspace: KeyspaceMetadata, range: ScanRange, query: ScanQuery, cl: ConsistencyLevel): Promise<LivePartition[]> {
    const refused = readLevelError(cl);
    if (refused !== null) throw invalidRequest(refused);
    // Every range has the same replicas on a one-node ring: checking one key checks them all.
    this.check(keyspace, Buffer.alloc(1), cl, false);
    return this.opts.engine.scan(table.id, range, query);
  }

  async truncate(table: TableMetadata): Promise<void> {
    await this.opts.engine.truncate(table.id);
  }
}
