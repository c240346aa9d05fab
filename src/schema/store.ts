/**
 * The node's schema, kept durably in the system_schema tables of its own storage engine.
 *
 * Open: register the built-in system tables with the engine, rewrite the built-in keyspaces' rows
 * (so system_schema always describes the code that runs, as Cassandra's saveSystemKeyspacesSchema
 * does), read the user keyspaces back, register their tables. A change: compute the keyspace's new
 * definition, apply its one mutation to system_schema (durably, before anyone sees the change),
 * then make tables appear or disappear in the engine, then publish the new Schema.
 *
 * Changes run one at a time, in call order, so two concurrent CREATEs of one name cannot both
 * succeed.
 */
import type { Partitioner } from '../ring/index.js';
import type { Clock, Logger } from '../seams/index.js';
import { silentLogger } from '../seams/index.js';
import { MAX_TOKEN } from '../ring/index.js';
import type { LivePartition, Mutation, StorageEngine, TableSpec } from '../storage/index.js';
import { Schema, SCHEMA_KEYSPACE } from './schema.js';
import { keyspaceMutation, keyspacesFromRows } from './schema-rows.js';
import { SCHEMA_KEYSPACE_METADATA, SYSTEM_KEYSPACE_METADATA } from './system-keyspaces.js';
import type { KeyspaceMetadata, TableMetadata } from './types.js';

export interface SchemaStoreOptions {
  readonly engine: StorageEngine;
  readonly partitioner: Partitioner;
  readonly clock: Clock;
  readonly logger?: Logger;
}

export type SchemaListener = (schema: Schema, previous: Schema) => void;

export function tableSpec(t: TableMetadata): TableSpec {
  return {
    id: t.id,
    keyspace: t.keyspace,
    name: t.name,
    gcGraceSeconds: t.options.gcGraceSeconds,
    bloomFilterFpChance: t.options.bloomFilterFpChance,
  };
}

export class SchemaStore {
  private schema: Schema;
  private chain: Promise<unknown> = Promise.resolve();
  private lastTimestamp = 0;
  private readonly listeners = new Set<SchemaListener>();
  private readonly logger: Logger;

  private constructor(private readonly opts: SchemaStoreOptions, schema: Schema) {
    this.schema = schema;
    this.logger = opts.logger ?? silentLogger();
  }

  static async open(opts: SchemaStoreOptions): Promise<SchemaStore> {
    const { engine } = opts;
    for (const ks of [SYSTEM_KEYSPACE_METADATA, SCHEMA_KEYSPACE_METADATA]) {
      for (const t of ks.tables.values()) await engine.addTable(tableSpec(t));
    }
    const store = new SchemaStore(opts, new Schema(new Map([[SYSTEM_KEYSPACE_METADATA.name, SYSTEM_KEYSPACE_METADATA], [SCHEMA_KEYSPACE_METADATA.name, SCHEMA_KEYSPACE_METADATA]])));
    const nowSec = opts.clock.nowSeconds();
    for (const ks of [SYSTEM_KEYSPACE_METADATA, SCHEMA_KEYSPACE_METADATA]) {
      await engine.apply(keyspaceMutation(ks.name, ks, store.nextTimestamp(), nowSec, opts.partitioner));
    }
    const keyspaces = new Map(store.schema.keyspaces);
    for (const ks of keyspacesFromRows(store.readSchemaPartitions())) {
      if (keyspaces.has(ks.name) && (ks.name === SYSTEM_KEYSPACE_METADATA.name || ks.name === SCHEMA_KEYSPACE_METADATA.name)) continue;
      for (const t of ks.tables.values()) await engine.addTable(tableSpec(t));
      keyspaces.set(ks.name, ks);
    }
    store.schema = new Schema(keyspaces);
    store.logger.info({ keyspaces: store.schema.userKeyspaces().length, version: store.schema.version }, 'schema loaded');
    return store;
  }

  current(): Schema {
    return this.schema;
  }

  onChange(listener: SchemaListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `change` against the current schema, in turn with other changes; `change` returns the
   * keyspace's new definition (null to drop it, undefined to change nothing) or throws to refuse. Resolves with what `change`
   * returned once the new schema is durable and published.
   */
  update<T>(change: (schema: Schema) => { keyspace: string; definition: KeyspaceMetadata | null | undefined; result: T }): Promise<T> {
    const run = this.chain.then(async () => {
      const previous = this.schema;
      const { keyspace, definition, result } = change(previous);
      // undefined: nothing to change (IF [NOT] EXISTS found its answer).
      if (definition !== undefined) await this.applyDefinition(keyspace, definition);
      return result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies a keyspace definition mutation made elsewhere (schema propagation from a peer): the
   * same path as a local change, so both end in the same state.
   */
  async applyRemote(mutation: Mutation): Promise<void> {
    const run = this.chain.then(async () => {
      await this.opts.engine.apply(mutation);
      await this.reload();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyDefinition(name: string, definition: KeyspaceMetadata | null): Promise<void> {
    const { engine, partitioner, clock } = this.opts;
    const previous = this.schema;
    const before = previous.keyspace(name);
    // Tables first exist in the engine, then in system_schema, then in the published schema: a
    // crash in between leaves at worst an empty registered table, never rows for an unknown one.
    if (definition !== null) for (const t of definition.tables.values()) await engine.addTable(tableSpec(t));
    await engine.apply(keyspaceMutation(name, definition, this.nextTimestamp(), clock.nowSeconds(), partitioner));
    const next = definition === null ? previous.withoutKeyspace(name) : previous.withKeyspace(definition);
    this.schema = next;
    for (const t of before?.tables.values() ?? []) {
      if (definition === null || definition.tables.get(t.name)?.id !== t.id) await engine.dropTable(t.id);
    }
    this.logger.info({ keyspace: name, version: next.version }, definition === null ? 'keyspace dropped' : 'keyspace defined');
    for (const l of this.listeners) l(next, previous);
  }

  private async reload(): Promise<void> {
    const previous = this.schema;
    const keyspaces = new Map<string, KeyspaceMetadata>([[SYSTEM_KEYSPACE_METADATA.name, SYSTEM_KEYSPACE_METADATA], [SCHEMA_KEYSPACE_METADATA.name, SCHEMA_KEYSPACE_METADATA]]);
    for (const ks of keyspacesFromRows(this.readSchemaPartitions())) {
      if (keyspaces.has(ks.name)) continue;
      for (const t of ks.tables.values()) await this.opts.engine.addTable(tableSpec(t));
      keyspaces.set(ks.name, ks);
    }
    const next = new Schema(keyspaces);
    for (const ks of previous.keyspaces.values()) {
      for (const t of ks.tables.values()) if (next.tableById(t.id) === undefined) await this.opts.engine.dropTable(t.id);
    }
    this.schema = next;
    for (const l of this.listeners) l(next, previous);
  }

  private readSchemaPartitions(): Map<string, LivePartition[]> {
    const out = new Map<string, LivePartition[]>();
    const nowSec = this.opts.clock.nowSeconds();
    for (const t of SCHEMA_KEYSPACE_METADATA.tables.values()) {
      out.set(t.name, this.opts.engine.scan(t.id, { after: null, endToken: MAX_TOKEN }, { nowSec }));
    }
    return out;
  }

  /** Schema writes are ordered by their timestamps, so they must strictly increase. */
  private nextTimestamp(): number {
    const now = this.opts.clock.nowMicros();
    this.lastTimestamp = Math.max(now, this.lastTimestamp + 1);
    return this.lastTimestamp;
  }
}

export { SCHEMA_KEYSPACE };
