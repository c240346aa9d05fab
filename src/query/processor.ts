/**
 * The query processor: the CqlHandler the native protocol server calls. It parses and prepares
 * statements against the current schema, binds values, and runs them through the coordinator.
 *
 * Prepared statements are cached by id (MD5 of keyspace and text, as Cassandra computes it); a
 * schema change that alters or drops a table evicts the statements that use it, so the next
 * EXECUTE answers Unprepared and the driver prepares again with the new metadata. QUERY texts
 * are cached the same way, so a repeated unprepared statement is parsed once.
 */
import { createHash } from 'node:crypto';
import {
  CqlError,
  ErrorCode,
  UnpreparedError,
  bindMarkersOf,
  invalidRequest,
  parseStatement,
  protocolError,
  unsupported,
  type BatchStatement,
  type ModificationStatement,
  type QualifiedName,
  type Statement,
} from '../cql-lite/index.js';
import type { Coordinator } from '../coordinator/index.js';
import { ConsistencyLevel, RingError, consistencyFromCode, type Partitioner } from '../ring/index.js';
import type { Clock, Logger, Random } from '../seams/index.js';
import { silentLogger } from '../seams/index.js';
import { isLocalKeyspace, type Schema, type SchemaStore, type TableMetadata } from '../schema/index.js';
import type {
  BatchEntry,
  BatchOptions,
  BatchType,
  BoundValue,
  ColumnSpec,
  CqlHandler,
  PreparedResult,
  QueryOptions,
  ResultMessage,
  SchemaChange,
  Session,
} from './api.js';
import type { ExecContext } from './context.js';
import { executeDdl, type DdlStatement } from './ddl.js';
import { prepareAttributes, prepareDelete, prepareInsert, prepareUpdate, timestampOf, type PreparedModification } from './modification.js';
import { MutationCollector } from './mutations.js';
import { prepareSelect } from './select.js';
import { Variables } from './terms.js';
import { TimeUuidGenerator } from './timeuuid.js';

export interface QueryProcessorOptions {
  readonly schema: SchemaStore;
  readonly coordinator: Coordinator;
  readonly clock: Clock;
  readonly random: Random;
  readonly partitioner: Partitioner;
  /** Datacenters of the ring (for NetworkTopologyStrategy's replication_factor shorthand). */
  readonly datacenters: () => readonly string[];
  readonly logger?: Logger;
  /** Prepared statements kept (least recently used evicted first). Default 10,000. */
  readonly preparedCacheSize?: number;
}

interface Prepared {
  readonly variables: readonly ColumnSpec[];
  readonly pkIndexes: readonly number[];
  readonly resultColumns: readonly ColumnSpec[];
  /** Tables the statement was prepared against; a change to any of them evicts it. */
  readonly tables: readonly TableMetadata[];
  /** Set for INSERT / UPDATE / DELETE: the part a batch can run. */
  readonly modification: PreparedModification | null;
  /** Whether the statement has its own USING TIMESTAMP (refused inside a timestamped batch). */
  readonly hasTimestamp: boolean;
  readonly run: (ctx: ExecContext) => Promise<ResultMessage>;
}

const VOID: ResultMessage = Object.freeze({ kind: 'void' });
const RESOLVED: Promise<void> = Promise.resolve();
const toVoid = (): ResultMessage => VOID;
const toUndefined = (): void => undefined;

/** A small LRU over Map's insertion order. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }

  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  deleteWhere(pred: (v: V) => boolean): void {
    for (const [k, v] of this.map) if (pred(v)) this.map.delete(k);
  }
}

/**
 * Copies bound values out of the received frame into one buffer of their own: the memtable keeps
 * the values it is given, and a slice would keep the whole network chunk it came in alive.
 */
function detach(values: readonly BoundValue[]): BoundValue[] {
  let size = 0;
  for (const v of values) if (v instanceof Buffer) size += v.length;
  if (size === 0) return values as BoundValue[];
  const block = Buffer.allocUnsafe(size);
  let pos = 0;
  return values.map((v) => {
    if (!(v instanceof Buffer)) return v;
    v.copy(block, pos);
    const out = block.subarray(pos, pos + v.length);
    pos += v.length;
    return out;
  });
}

function statementId(text: string, keyspace: string | null): Buffer {
  return createHash('md5').update((keyspace ?? '') + text, 'utf8').digest();
}

/** Indexes of the markers binding each partition key column by `=` (or an INSERT value), for token-aware routing. */
function partitionKeyIndexes(stmt: Statement, table: TableMetadata): number[] {
  const byColumn = new Map<string, number>();
  if (stmt.kind === 'insert') {
    stmt.columns.forEach((c, i) => {
      const v = stmt.values[i]!;
      if (v.kind === 'bind') byColumn.set(c, v.index);
    });
  } else if (stmt.kind === 'select' || stmt.kind === 'update' || stmt.kind === 'delete') {
    for (const r of stmt.where) if (r.kind === 'compare' && r.op === '=' && r.value.kind === 'bind') byColumn.set(r.column, r.value.index);
  }
  const out: number[] = [];
  for (const c of table.partitionKey) {
    const i = byColumn.get(c.name);
    if (i === undefined) return [];
    out.push(i);
  }
  return out;
}

/** How many bind variables a statement has (marker indexes count across a batch). */
function markerCount(stmt: Statement): number {
  let max = -1;
  for (const m of bindMarkersOf(stmt)) if (m.index > max) max = m.index;
  return max + 1;
}

export class QueryProcessor implements CqlHandler {
  private readonly prepared: Lru<Prepared>;
  private readonly queries: Lru<Prepared>;
  private readonly listeners = new Set<(change: SchemaChange) => void>();
  private readonly timeUuids: TimeUuidGenerator;
  /** Made once: every request's context carries it. */
  private readonly listPath = (): Buffer => this.timeUuids.next();
  private readonly logger: Logger;

  constructor(private readonly opts: QueryProcessorOptions) {
    const size = opts.preparedCacheSize ?? 10_000;
    this.prepared = new Lru(size);
    this.queries = new Lru(size);
    this.timeUuids = new TimeUuidGenerator(opts.clock, opts.random);
    this.logger = opts.logger ?? silentLogger();
    opts.schema.onChange((schema) => {
      const stale = (p: Prepared): boolean => p.tables.some((t) => schema.tableById(t.id) !== t);
      this.prepared.deleteWhere(stale);
      this.queries.deleteWhere(stale);
    });
  }

  onSchemaChange(listener: (change: SchemaChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async query(text: string, options: QueryOptions, session: Session): Promise<ResultMessage> {
    const key = `${session.keyspace ?? ''}\u0000${text}`;
    let p = this.queries.get(key);
    if (p === undefined) {
      p = this.prepareText(text, session.keyspace);
      this.queries.set(key, p);
    }
    return p.run(this.context(p, options, session));
  }

  async prepare(text: string, session: Session): Promise<PreparedResult> {
    const p = this.prepareText(text, session.keyspace);
    const id = statementId(text, session.keyspace);
    this.prepared.set(id.toString('hex'), p);
    return { kind: 'prepared', id, variables: p.variables, pkIndexes: p.pkIndexes, resultColumns: p.resultColumns };
  }

  execute(id: Buffer, options: QueryOptions, session: Session): Promise<ResultMessage> {
    try {
      const p = this.prepared.get(id.toString('hex'));
      if (p === undefined) throw new UnpreparedError(id);
      return p.run(this.context(p, options, session));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async batch(type: BatchType, entries: readonly BatchEntry[], options: BatchOptions, session: Session): Promise<ResultMessage> {
    if (type === 'counter') throw unsupported('Counter batches are not supported yet');
    if (entries.length === 0) return VOID;
    const statements = entries.map((e) => {
      let p: Prepared | undefined;
      if (e.kind === 'prepared') {
        p = this.prepared.get(e.id.toString('hex'));
        if (p === undefined) throw new UnpreparedError(e.id);
      } else {
        p = this.prepareText(e.text, session.keyspace);
      }
      if (p.modification === null) throw invalidRequest('Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.');
      return { p, values: this.bindValues(p, e.values, e.names) };
    });
    if (options.timestampMicros !== null && statements.some((s) => s.p.hasTimestamp)) {
      throw invalidRequest('Timestamp must be set either on BATCH or individual statements');
    }
    const queryOptions: QueryOptions = {
      consistency: options.consistency,
      values: [],
      names: null,
      skipMetadata: false,
      pageSize: null,
      pagingState: null,
      serialConsistency: options.serialConsistency,
      timestampMicros: options.timestampMicros,
    };
    const base = this.context(null, queryOptions, session);
    const out = new MutationCollector();
    for (const s of statements) await s.p.modification!.addTo({ ...base, values: s.values }, out);
    await this.write(out, base, type === 'logged' ? 'BATCH' : 'UNLOGGED_BATCH');
    return VOID;
  }

  // --- preparation --------------------------------------------------------------------------------

  private prepareText(text: string, keyspace: string | null): Prepared {
    if (text.length === 0 || text.trim().length === 0) throw new CqlError(ErrorCode.SYNTAX_ERROR, 'line 0:-1 no viable alternative at input \'<EOF>\'', 'syntax');
    const stmt = parseStatement(text);
    return this.prepareStatement(stmt, keyspace, markerCount(stmt));
  }

  private resolveTable(schema: Schema, name: QualifiedName, keyspace: string | null): TableMetadata {
    const ks = name.keyspace ?? keyspace;
    if (ks === null) throw invalidRequest('No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename');
    const k = schema.keyspace(ks);
    if (k === undefined) throw invalidRequest(`keyspace ${ks} does not exist`);
    const t = k.tables.get(name.name);
    if (t === undefined) throw invalidRequest(`table ${name.name} does not exist`);
    return t;
  }

  private prepareStatement(stmt: Statement, keyspace: string | null, markers: number): Prepared {
    const schema = this.opts.schema.current();
    const vars = new Variables(markers);
    const common = { pkIndexes: [] as number[], resultColumns: [] as ColumnSpec[], modification: null, hasTimestamp: false };
    switch (stmt.kind) {
      case 'select': {
        const table = this.resolveTable(schema, stmt.table, keyspace);
        const s = prepareSelect(table, stmt, vars, { partitioner: this.opts.partitioner });
        return {
          ...common,
          variables: vars.list(),
          pkIndexes: partitionKeyIndexes(stmt, table),
          resultColumns: s.resultColumns,
          tables: [table],
          run: (ctx) => s.execute(ctx),
        };
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const table = this.resolveTable(schema, stmt.table, keyspace);
        if (isLocalKeyspace(table.keyspace)) throw invalidRequest(`${table.keyspace} keyspace is not user-modifiable.`);
        const m = stmt.kind === 'insert' ? prepareInsert(table, stmt, vars) : stmt.kind === 'update' ? prepareUpdate(table, stmt, vars) : prepareDelete(table, stmt, vars);
        return {
          ...common,
          variables: vars.list(),
          pkIndexes: partitionKeyIndexes(stmt, table),
          tables: [table],
          modification: m,
          hasTimestamp: stmt.using.timestamp !== null,
          // Not async: a write that reads nothing first goes to the coordinator without an
          // async frame of its own at each level (most of a node's writes).
          run: (ctx) => {
            const out = new MutationCollector();
            const reading = m.addTo(ctx, out);
            if (reading !== undefined) return reading.then(() => this.write(out, ctx, 'SIMPLE')).then(toVoid);
            return this.write(out, ctx, 'SIMPLE').then(toVoid);
          },
        };
      }
      case 'insertJson':
        throw unsupported('INSERT JSON is not supported yet');
      case 'batch':
        return this.prepareBatch(stmt, keyspace, vars);
      case 'use':
        return {
          ...common,
          variables: [],
          tables: [],
          run: async (ctx) => {
            if (ctx.schema.keyspace(stmt.keyspace) === undefined) throw invalidRequest(`Keyspace '${stmt.keyspace}' does not exist`);
            ctx.session.keyspace = stmt.keyspace;
            return { kind: 'setKeyspace', keyspace: stmt.keyspace };
          },
        };
      case 'truncate': {
        const table = this.resolveTable(schema, stmt.table, keyspace);
        if (isLocalKeyspace(table.keyspace)) throw invalidRequest(`${table.keyspace} keyspace is not user-modifiable.`);
        return {
          ...common,
          variables: [],
          tables: [table],
          run: async (ctx) => {
            const t = ctx.schema.tableById(table.id);
            if (t === undefined) throw invalidRequest(`table ${table.name} does not exist`);
            await ctx.coordinator.truncate(t);
            return VOID;
          },
        };
      }
      case 'createKeyspace':
      case 'alterKeyspace':
      case 'dropKeyspace':
      case 'createTable':
      case 'alterTable':
      case 'dropTable':
        return { ...common, variables: [], tables: [], run: () => this.runDdl(stmt, keyspace) };
      case 'unsupported':
        throw unsupported(`${stmt.what} is not supported`);
    }
  }

  private prepareBatch(stmt: BatchStatement, keyspace: string | null, vars: Variables): Prepared {
    if (stmt.batchType === 'counter') throw unsupported('Counter batches are not supported yet');
    const schema = this.opts.schema.current();
    const hasBatchTimestamp = stmt.using.timestamp !== null;
    if (stmt.using.ttl !== null) throw invalidRequest('Global TTL on the BATCH statement is not supported.');
    const parts: PreparedModification[] = [];
    const tables: TableMetadata[] = [];
    for (const s of stmt.statements as readonly ModificationStatement[]) {
      if (s.kind === 'insertJson') throw unsupported('INSERT JSON is not supported yet');
      if (hasBatchTimestamp && s.using.timestamp !== null) throw invalidRequest('Timestamp must be set either on BATCH or individual statements');
      const table = this.resolveTable(schema, s.table, keyspace);
      if (isLocalKeyspace(table.keyspace)) throw invalidRequest(`${table.keyspace} keyspace is not user-modifiable.`);
      tables.push(table);
      parts.push(s.kind === 'insert' ? prepareInsert(table, s, vars) : s.kind === 'update' ? prepareUpdate(table, s, vars) : prepareDelete(table, s, vars));
    }
    // The batch's USING TIMESTAMP becomes every statement's default timestamp.
    const batchTs = stmt.using.timestamp === null ? null : prepareAttributes({ ttl: null, timestamp: stmt.using.timestamp }, null, vars);
    let tsFn: ((ctx: ExecContext) => number) | null = null;
    if (batchTs !== null) tsFn = (ctx) => timestampOf(batchTs, ctx);
    return {
      pkIndexes: [],
      resultColumns: [],
      variables: vars.list(),
      tables,
      modification: null,
      hasTimestamp: false,
      run: async (ctx) => {
        const c = tsFn === null ? ctx : { ...ctx, defaultTimestampMicros: tsFn(ctx) };
        const out = new MutationCollector();
        for (const m of parts) await m.addTo(c, out);
        await this.write(out, c, stmt.batchType === 'logged' ? 'BATCH' : 'UNLOGGED_BATCH');
        return VOID;
      },
    };
  }

  private async runDdl(stmt: DdlStatement, keyspace: string | null): Promise<ResultMessage> {
    const change = await executeDdl(stmt, {
      store: this.opts.schema,
      sessionKeyspace: keyspace,
      datacenters: this.opts.datacenters(),
      newTableId: () => {
        const b = this.timeUuids.next().toString('hex');
        return `${b.slice(0, 8)}-${b.slice(8, 12)}-${b.slice(12, 16)}-${b.slice(16, 20)}-${b.slice(20)}`;
      },
      nowMicros: () => this.opts.clock.nowMicros(),
    });
    if (change === null) return VOID;
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.logger.warn({ err }, 'schema change listener failed');
      }
    }
    return { kind: 'schemaChange', change };
  }

  // --- execution ----------------------------------------------------------------------------------

  private bindValues(p: Prepared, received: readonly BoundValue[], names: readonly string[] | null): BoundValue[] {
    const expected = p.variables.length;
    const values = detach(received);
    if (names === null) {
      if (values.length !== expected) throw invalidRequest(`Invalid amount of bind variables: expected ${expected}, got ${values.length}`);
      return values;
    }
    if (values.length !== expected) throw invalidRequest(`Invalid amount of bind variables: expected ${expected}, got ${values.length}`);
    const byName = new Map<string, BoundValue>();
    names.forEach((n, i) => byName.set(n.toLowerCase(), values[i]!));
    return p.variables.map((v) => {
      const value = byName.get(v.name.toLowerCase());
      if (value === undefined) throw invalidRequest(`No value found for bind variable ${v.name}`);
      return value;
    });
  }

  private context(p: Prepared | null, options: QueryOptions, session: Session): ExecContext {
    let consistency: ConsistencyLevel;
    try {
      consistency = consistencyFromCode(options.consistency);
    } catch (err) {
      if (err instanceof RingError) throw protocolError(err.message);
      throw err;
    }
    const clock = this.opts.clock;
    const nowMs = clock.nowMs();
    const ts = options.timestampMicros;
    return {
      values: p === null ? [] : this.bindValues(p, options.values, options.names),
      nowMs,
      nowSec: Math.floor(nowMs / 1000),
      timeUuids: this.timeUuids,
      random: this.opts.random,
      partitioner: this.opts.partitioner,
      schema: this.opts.schema.current(),
      coordinator: this.opts.coordinator,
      consistency,
      defaultTimestampMicros: ts !== null ? Number(ts) : clock.nowMicros(),
      session,
      options,
      listPath: this.listPath,
    };
  }

  private write(out: MutationCollector, ctx: ExecContext, writeType: 'SIMPLE' | 'BATCH' | 'UNLOGGED_BATCH'): Promise<void> {
    try {
      if (out.isEmpty()) return RESOLVED;
      const groups = out.groups();
      if (groups.length === 1) return ctx.coordinator.write(groups[0]!.keyspace, groups[0]!.mutations, ctx.consistency, writeType);
      return Promise.all(groups.map((g) => ctx.coordinator.write(g.keyspace, g.mutations, ctx.consistency, writeType))).then(toUndefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
