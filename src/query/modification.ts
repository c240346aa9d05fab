/**
 * INSERT, UPDATE and DELETE: prepared once against the schema (columns, key restrictions,
 * operations, bind variables), then executed into partition updates.
 *
 * Semantics that matter (Cassandra's):
 * - INSERT writes primary-key liveness, UPDATE does not: a row made only by UPDATE disappears once
 *   its cells are gone; one made by INSERT stays, with nulls.
 * - `c = v` on a non-frozen collection deletes the old collection just below the write's
 *   timestamp, then writes the elements; `c = null` and `c = {}` are that deletion alone.
 * - Operations on list indexes and list element removal read the current list first.
 * - USING TTL applies to every cell and the liveness; without it the table's
 *   default_time_to_live does; TTL 0 means none.
 */
import {
  invalidRequest,
  isCollection,
  isFrozen,
  printTerm,
  setOf,
  unpackCollection,
  CqlTypes,
  type Assignment,
  type DeleteStatement,
  type InsertStatement,
  type UpdateStatement,
  type UsingClause,
} from '../cql-lite/index.js';
import {
  addElements,
  cellPath,
  clusteringOf,
  tombstone,
  writeColumn,
  type ColumnMetadata,
  type RowUpdate,
  type TableMetadata,
  type WriteOptions,
} from '../schema/index.js';
import { NO_DELETION_TIME, type Cell, type LivePartition } from '../storage/index.js';
import { UNSET, type BoundValue, type ColumnSpec } from './api.js';
import { currentTable, type ExecContext } from './context.js';
import type { MutationCollector } from './mutations.js';
import { bindClusterings, bindKeys, bindSlices, prepareWhere, type WhereClause } from './restrictions.js';
import { prepareTerm, spec, Variables, type TermFn } from './terms.js';

/** Cassandra's Attributes.MAX_TTL: 20 years. */
export const MAX_TTL_SECONDS = 20 * 365 * 24 * 60 * 60;

type Operation =
  | { readonly kind: 'set'; readonly column: ColumnMetadata; readonly value: TermFn }
  | { readonly kind: 'append'; readonly column: ColumnMetadata; readonly value: TermFn }
  | { readonly kind: 'prepend'; readonly column: ColumnMetadata; readonly value: TermFn }
  | { readonly kind: 'discard'; readonly column: ColumnMetadata; readonly value: TermFn }
  | { readonly kind: 'setElement'; readonly column: ColumnMetadata; readonly key: TermFn; readonly value: TermFn }
  | { readonly kind: 'deleteColumn'; readonly column: ColumnMetadata }
  | { readonly kind: 'deleteElement'; readonly column: ColumnMetadata; readonly key: TermFn };

function needsRead(op: Operation): boolean {
  return op.column.type.kind === 'list' && (op.kind === 'discard' || op.kind === 'setElement' || op.kind === 'deleteElement');
}

function columnSpecOf(table: TableMetadata, c: ColumnMetadata): ColumnSpec {
  return { keyspace: table.keyspace, table: table.name, name: c.name, type: c.type };
}

function requireColumn(table: TableMetadata, name: string): ColumnMetadata {
  const c = table.columns.get(name);
  if (c === undefined) throw invalidRequest(`Undefined column name ${name} in table ${table.keyspace}.${table.name}`);
  return c;
}

export interface Attributes {
  readonly ttl: TermFn | null;
  readonly timestamp: TermFn | null;
}

export function prepareAttributes(using: UsingClause, table: TableMetadata | null, vars: Variables): Attributes {
  const base: ColumnSpec = { keyspace: table?.keyspace ?? '', table: table?.name ?? '', name: '', type: CqlTypes.int };
  return {
    ttl: using.ttl === null ? null : prepareTerm(using.ttl, { ...base, name: '[ttl]', type: CqlTypes.int }, vars),
    timestamp: using.timestamp === null ? null : prepareTerm(using.timestamp, { ...base, name: '[timestamp]', type: CqlTypes.bigint }, vars),
  };
}

/** The write timestamp of a statement: its USING TIMESTAMP, else the request's default. */
export function timestampOf(attrs: Attributes, ctx: ExecContext): number {
  if (attrs.timestamp === null) return ctx.defaultTimestampMicros;
  const v = attrs.timestamp(ctx);
  if (v === UNSET) return ctx.defaultTimestampMicros;
  if (v === null) throw invalidRequest('Invalid null value of timestamp');
  const ts = v.readBigInt64BE(0);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER) || ts < BigInt(Number.MIN_SAFE_INTEGER)) throw invalidRequest(`Timestamp ${ts} is out of the supported range`);
  return Number(ts);
}

function ttlOf(attrs: Attributes, ctx: ExecContext, table: TableMetadata): number {
  if (attrs.ttl === null) return table.options.defaultTimeToLive;
  const v = attrs.ttl(ctx);
  if (v === UNSET) return table.options.defaultTimeToLive;
  if (v === null) return 0;
  const ttl = v.readInt32BE(0);
  if (ttl < 0) throw invalidRequest(`A TTL must be greater or equal to 0, but was ${ttl}`);
  if (ttl > MAX_TTL_SECONDS) throw invalidRequest(`ttl is too large. requested (${ttl}) maximum (${MAX_TTL_SECONDS})`);
  return ttl;
}

function invalidOperation(a: string, column: ColumnMetadata, what: string): Error {
  return invalidRequest(`Invalid operation (${a}) for ${what} column ${column.name}`);
}

function prepareAssignment(table: TableMetadata, a: Assignment, vars: Variables): Operation {
  const column = requireColumn(table, a.column);
  if (column.kind === 'partition_key' || column.kind === 'clustering') throw invalidRequest(`PRIMARY KEY part ${column.name} found in SET part`);
  const receiver = columnSpecOf(table, column);
  const t = column.type;
  const text = (): string => {
    switch (a.kind) {
      case 'set':
        return `${a.column} = ${printTerm(a.value)}`;
      case 'add':
        return `${a.column} = ${a.column} + ${printTerm(a.value)}`;
      case 'subtract':
        return `${a.column} = ${a.column} - ${printTerm(a.value)}`;
      case 'prepend':
        return `${a.column} = ${printTerm(a.value)} + ${a.column}`;
      case 'setElement':
        return `${a.column}[${printTerm(a.key)}] = ${printTerm(a.value)}`;
    }
  };
  if (t.kind === 'counter') throw invalidRequest('Counter columns are not supported yet');
  switch (a.kind) {
    case 'set':
      return { kind: 'set', column, value: prepareTerm(a.value, receiver, vars) };
    case 'add':
    case 'subtract': {
      if (!isCollection(t)) throw invalidOperation(text(), column, 'non counter');
      if (isFrozen(t)) throw invalidOperation(text(), column, 'frozen collection');
      if (a.kind === 'subtract' && t.kind === 'map') {
        // m = m - {k1, k2}: a set of keys.
        return { kind: 'discard', column, value: prepareTerm(a.value, spec(receiver, column.name, setOf(t.key)), vars) };
      }
      return { kind: a.kind === 'add' ? 'append' : 'discard', column, value: prepareTerm(a.value, receiver, vars) };
    }
    case 'prepend':
      if (t.kind !== 'list') throw invalidOperation(text(), column, 'non list');
      if (isFrozen(t)) throw invalidOperation(text(), column, 'frozen collection');
      return { kind: 'prepend', column, value: prepareTerm(a.value, receiver, vars) };
    case 'setElement': {
      if (t.kind === 'list') {
        if (isFrozen(t)) throw invalidOperation(text(), column, 'frozen collection');
        return {
          kind: 'setElement',
          column,
          key: prepareTerm(a.key, spec(receiver, `idx(${column.name})`, CqlTypes.int), vars),
          value: prepareTerm(a.value, spec(receiver, `value(${column.name})`, t.element), vars),
        };
      }
      if (t.kind === 'map') {
        if (isFrozen(t)) throw invalidOperation(text(), column, 'frozen collection');
        return {
          kind: 'setElement',
          column,
          key: prepareTerm(a.key, spec(receiver, `key(${column.name})`, t.key), vars),
          value: prepareTerm(a.value, spec(receiver, `value(${column.name})`, t.value), vars),
        };
      }
      throw invalidOperation(text(), column, 'non list/map');
    }
  }
}

/** The one row a write to a table without clustering columns touches (shared: zero bytes cannot change). */
const ONLY_EMPTY_CLUSTERING: readonly Buffer[] = Object.freeze([Buffer.alloc(0)]);

type Kind = 'insert' | 'update' | 'delete';

export class PreparedModification {
  readonly table: TableMetadata;
  private readonly ops: Operation[];
  private readonly where: WhereClause | null;
  /** INSERT: the key columns' values by column name. */
  private readonly insertKey: Map<string, TermFn> | null;
  readonly attrs: Attributes;
  private readonly readsBeforeWrite: boolean;

  constructor(
    readonly kind: Kind,
    table: TableMetadata,
    parts: { ops: Operation[]; where: WhereClause | null; insertKey: Map<string, TermFn> | null; attrs: Attributes },
  ) {
    this.table = table;
    this.ops = parts.ops;
    this.where = parts.where;
    this.insertKey = parts.insertKey;
    this.attrs = parts.attrs;
    this.readsBeforeWrite = parts.ops.some(needsRead);
  }

  /**
   * Adds this statement's changes for the bound values to `out`. Synchronous (undefined) unless
   * the statement reads before it writes (a list element set or removal): most writes then make
   * no async frame here.
   */
  addTo(ctx: ExecContext, out: MutationCollector): Promise<void> | undefined {
    const { keyspace, table } = currentTable(ctx, this.table);
    const timestampMicros = timestampOf(this.attrs, ctx);
    const ttlSec = this.kind === 'delete' ? 0 : ttlOf(this.attrs, ctx, table);
    const o: WriteOptions = { timestampMicros, ttlSec, nowSec: ctx.nowSec, listPath: ctx.listPath };
    const keys = this.insertKey !== null ? [this.insertKeyOf(ctx)] : bindKeys(this.where!, ctx);
    const clusterings = this.clusteringsFor(ctx);
    if (this.readsBeforeWrite) return this.addReadingFirst(ctx, out, keys, clusterings, o);
    for (const { key, token } of keys) this.addPartition(ctx, out.builder(keyspace, table, key, token), clusterings, null, o);
    return undefined;
  }

  private async addReadingFirst(ctx: ExecContext, out: MutationCollector, keys: readonly { key: Buffer; token: bigint }[], clusterings: readonly (Buffer | null)[], o: WriteOptions): Promise<void> {
    const { keyspace, table } = currentTable(ctx, this.table);
    for (const { key, token } of keys) {
      const b = out.builder(keyspace, table, key, token);
      this.addPartition(ctx, b, clusterings, await this.readExisting(ctx, key, token), o);
    }
  }

  private addPartition(ctx: ExecContext, b: ReturnType<MutationCollector['builder']>, targets: readonly (Buffer | null)[], existing: LivePartition | null, o: WriteOptions): void {
    if (this.kind === 'delete' && this.ops.length === 0) {
      this.deleteRows(ctx, b, o);
      return;
    }
    const rowFor = (clustering: Buffer | null): RowUpdate => (clustering === null ? b.staticRow() : b.row(clustering));
    // INSERT marks the row as existing; an INSERT of only static columns writes the static row,
    // which never carries that mark (Cassandra: a partition made of statics alone disappears with them).
    if (this.kind === 'insert' && targets[0] !== null && targets[0] !== undefined) {
      const { timestampMicros, ttlSec } = o;
      b.row(targets[0]).setLiveness({ timestampMicros, ttlSec, expiresAtSec: ttlSec > 0 ? ctx.nowSec + ttlSec : NO_DELETION_TIME });
    }
    for (const op of this.ops) {
      const onStatic = op.column.kind === 'static';
      if (onStatic) this.apply(op, b.staticRow(), existing?.staticRow?.cells ?? null, o, ctx);
      else for (const c of targets) this.apply(op, rowFor(c), existing === null ? null : rowCells(existing, c), o, ctx);
    }
  }

  private insertKeyOf(ctx: ExecContext): { key: Buffer; token: bigint } {
    const pk = this.table.partitionKey;
    const key = pk.length === 1 ? keyValue(this.insertKey!.get(pk[0]!.name)!(ctx), pk[0]!) : partitionKeyOfValues(pk.map((c) => keyValue(this.insertKey!.get(c.name)!(ctx), c)));
    if (key.length === 0) throw invalidRequest('Key may not be empty');
    if (key.length > 0xffff) throw invalidRequest(`Key length of ${key.length} is longer than maximum of 65535`);
    return { key, token: ctx.partitioner.tokenOf(key) };
  }

  /** The rows an INSERT / UPDATE writes; [null] for only the static row (or a table without clustering writes the empty clustering). */
  private clusteringsFor(ctx: ExecContext): readonly (Buffer | null)[] {
    const table = this.table;
    if (this.kind === 'delete') return this.where === null ? [] : this.where.clusteringFullyEq() && this.where.hasClusteringRestrictions ? bindClusterings(this.where, ctx) : table.clustering.length === 0 ? ONLY_EMPTY_CLUSTERING : [];
    if (table.clustering.length === 0) return ONLY_EMPTY_CLUSTERING;
    if (this.insertKey !== null) {
      if (table.clustering.every((c) => !this.insertKey!.has(c.name))) return [null];
      return [clusteringOf(table, table.clustering.map((c) => keyValue(this.insertKey!.get(c.name)!(ctx), c)))];
    }
    if (!this.where!.hasClusteringRestrictions) return [null];
    return bindClusterings(this.where!, ctx);
  }

  private deleteRows(ctx: ExecContext, b: ReturnType<MutationCollector['builder']>, o: WriteOptions): void {
    const d = { markedAtMicros: o.timestampMicros, localDeletionTimeSec: o.nowSec };
    const w = this.where!;
    if (!w.hasClusteringRestrictions) {
      b.deletePartition(d);
      return;
    }
    if (w.clusteringFullyEq()) {
      for (const c of bindClusterings(w, ctx)) b.row(c).deleteRow(d);
      return;
    }
    for (const s of bindSlices(w, ctx)) b.deleteRange(s.start, s.end, d);
  }

  private async readExisting(ctx: ExecContext, key: Buffer, token: bigint): Promise<LivePartition | null> {
    const { keyspace, table } = currentTable(ctx, this.table);
    return ctx.coordinator.read(table, keyspace, key, token, { nowSec: ctx.nowSec }, ctx.consistency);
  }

  private apply(op: Operation, r: RowUpdate, existing: readonly Cell[] | null, o: WriteOptions, ctx: ExecContext): void {
    const column = op.column;
    switch (op.kind) {
      case 'set': {
        const v = op.value(ctx);
        if (v === UNSET) return;
        writeColumn(r, column, v === null || (column.complex && isEmptyCollection(v)) ? null : v, o);
        return;
      }
      case 'append': {
        const v = op.value(ctx);
        if (v === UNSET || v === null) return;
        addElements(r, column, v, o);
        return;
      }
      case 'prepend': {
        const v = op.value(ctx);
        if (v === UNSET || v === null) return;
        const parts = unpackCollection(v, false);
        // Later elements of the prepended list get earlier paths made first, so they all land, in order, before everything.
        const paths: Buffer[] = new Array(parts.length);
        for (let i = parts.length - 1; i >= 0; i--) paths[i] = ctx.timeUuids.nextPrepend();
        for (let i = 0; i < parts.length; i++) r.addCell(cellAt(column, cellPath(column, paths[i]!), parts[i]!, o));
        return;
      }
      case 'discard': {
        const v = op.value(ctx);
        if (v === UNSET || v === null) return;
        const kind = column.type.kind;
        const parts = unpackCollection(v, false);
        if (kind === 'list') {
          const removed = new Set(parts.map((p) => p.toString('latin1')));
          for (const c of listCells(existing, column)) if (removed.has(c.value!.toString('latin1'))) r.addCell(tombstone(column.name, c.path, o));
        } else {
          for (const p of parts) r.addCell(tombstone(column.name, cellPath(column, p), o));
        }
        return;
      }
      case 'setElement': {
        const k = op.key(ctx);
        const v = op.value(ctx);
        if (v === UNSET) return;
        if (column.type.kind === 'map') {
          if (k === null || k === UNSET) throw invalidRequest(`Invalid ${k === null ? 'null' : 'unset'} map key`);
          const path = cellPath(column, k);
          r.addCell(v === null ? tombstone(column.name, path, o) : cellAt(column, path, v, o));
          return;
        }
        if (k === null || k === UNSET) throw invalidRequest('Invalid null value for list index');
        const idx = k.readInt32BE(0);
        const cells = listCells(existing, column);
        if (cells.length === 0) throw invalidRequest('Attempted to set an element on a list which is null');
        if (idx < 0 || idx >= cells.length) throw invalidRequest(`List index ${idx} out of bound, list has size ${cells.length}`);
        const path = cells[idx]!.path;
        r.addCell(v === null ? tombstone(column.name, path, o) : cellAt(column, path!, v, o));
        return;
      }
      case 'deleteColumn':
        if (column.complex) r.deleteCollection(column.name, { markedAtMicros: o.timestampMicros, localDeletionTimeSec: o.nowSec });
        else r.addCell(tombstone(column.name, null, o));
        return;
      case 'deleteElement': {
        const k = op.key(ctx);
        if (k === UNSET) return;
        if (column.type.kind === 'map' || column.type.kind === 'set') {
          if (k === null) throw invalidRequest(`Invalid null ${column.type.kind === 'map' ? 'map key' : 'set element'}`);
          r.addCell(tombstone(column.name, cellPath(column, k), o));
          return;
        }
        if (k === null) throw invalidRequest('Invalid null value for list index');
        const idx = k.readInt32BE(0);
        const cells = listCells(existing, column);
        if (cells.length === 0) throw invalidRequest('Attempted to delete an element from a list which is null');
        if (idx < 0 || idx >= cells.length) throw invalidRequest(`List index ${idx} out of bound, list has size ${cells.length}`);
        r.addCell(tombstone(column.name, cells[idx]!.path, o));
        return;
      }
    }
  }
}

function isEmptyCollection(v: Buffer): boolean {
  return v.length >= 4 && v.readInt32BE(0) === 0;
}

function cellAt(column: ColumnMetadata, path: Buffer, value: Buffer, o: WriteOptions): Cell {
  return {
    column: column.name,
    path,
    timestampMicros: o.timestampMicros,
    ttlSec: o.ttlSec,
    localDeletionTimeSec: o.ttlSec > 0 ? o.nowSec + o.ttlSec : NO_DELETION_TIME,
    value,
  };
}

function rowCells(p: LivePartition, clustering: Buffer | null): readonly Cell[] | null {
  if (clustering === null) return p.staticRow?.cells ?? null;
  const row = p.rows.find((r) => r.clustering.equals(clustering));
  return row?.cells ?? null;
}

function listCells(cells: readonly Cell[] | null, column: ColumnMetadata): Cell[] {
  if (cells === null) return [];
  return cells.filter((c) => c.column === column.name && c.value !== null);
}

function keyValue(v: BoundValue, c: ColumnMetadata): Buffer {
  if (v === UNSET) throw invalidRequest(`Invalid unset value for column ${c.name}`);
  if (v === null) throw invalidRequest(`Invalid null value in condition for column ${c.name}`);
  return v;
}

function partitionKeyOfValues(values: Buffer[]): Buffer {
  let size = 0;
  for (const v of values) size += 3 + v.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const v of values) {
    if (v.length > 0xffff) throw invalidRequest(`Key length of ${v.length} is longer than maximum of 65535`);
    out.writeUInt16BE(v.length, pos);
    v.copy(out, pos + 2);
    out[pos + 2 + v.length] = 0;
    pos += 3 + v.length;
  }
  return out;
}

function checkLwt(ifExists: boolean, conditions: readonly unknown[], ifNotExists = false): void {
  if (ifExists || ifNotExists || conditions.length > 0) {
    throw invalidRequest('Lightweight transactions (IF NOT EXISTS, IF EXISTS and IF conditions) are not supported yet');
  }
}

export function prepareInsert(table: TableMetadata, stmt: InsertStatement, vars: Variables): PreparedModification {
  checkLwt(false, [], stmt.ifNotExists);
  const insertKey = new Map<string, TermFn>();
  const ops: Operation[] = [];
  const seen = new Set<string>();
  stmt.columns.forEach((name, i) => {
    const column = requireColumn(table, name);
    if (seen.has(name)) throw invalidRequest('The column names contains duplicates');
    seen.add(name);
    if (column.type.kind === 'counter') throw invalidRequest('Counter columns are not supported yet');
    const value = prepareTerm(stmt.values[i]!, columnSpecOf(table, column), vars);
    if (column.kind === 'partition_key' || column.kind === 'clustering') insertKey.set(name, value);
    else ops.push({ kind: 'set', column, value });
  });
  const missingPk = table.partitionKey.filter((c) => !insertKey.has(c.name)).map((c) => c.name);
  if (missingPk.length > 0) throw invalidRequest(`Some partition key parts are missing: ${missingPk.join(', ')}`);
  const givenCk = table.clustering.filter((c) => insertKey.has(c.name));
  const onlyStatics = ops.length > 0 && ops.every((o) => o.column.kind === 'static');
  if (givenCk.length < table.clustering.length && !(givenCk.length === 0 && onlyStatics)) {
    const missing = table.clustering.filter((c) => !insertKey.has(c.name)).map((c) => c.name);
    throw invalidRequest(`Some clustering keys are missing: ${missing.join(', ')}`);
  }
  return new PreparedModification('insert', table, { ops, where: null, insertKey, attrs: prepareAttributes(stmt.using, table, vars) });
}

export function prepareUpdate(table: TableMetadata, stmt: UpdateStatement, vars: Variables): PreparedModification {
  checkLwt(stmt.ifExists, stmt.conditions);
  const attrs = prepareAttributes(stmt.using, table, vars);
  const ops: Operation[] = [];
  const seen = new Set<string>();
  for (const a of stmt.assignments) {
    const op = prepareAssignment(table, a, vars);
    // Several element operations on one collection are fine; setting a column twice is not.
    if (op.kind === 'set' && seen.has(op.column.name)) throw invalidRequest(`Multiple incompatible setting of column ${op.column.name}`);
    if (op.kind === 'set') seen.add(op.column.name);
    ops.push(op);
  }
  const where = prepareWhere(table, stmt.where, 'update', false, vars);
  checkClusteringForWrite(table, where, ops, 'UPDATE');
  return new PreparedModification('update', table, { ops, where, insertKey: null, attrs });
}

function checkClusteringForWrite(table: TableMetadata, where: WhereClause, ops: readonly Operation[], verb: 'UPDATE' | 'DELETE'): void {
  if (table.clustering.length === 0) return;
  const onlyStatics = ops.length > 0 && ops.every((o) => o.column.kind === 'static');
  const restricted = where.restrictedClustering.size > 0;
  if (onlyStatics) {
    if (restricted) throw invalidRequest(`Invalid restrictions on clustering columns since the ${verb} statement modifies only static columns`);
    return;
  }
  if (where.clusteringFullyEq()) return;
  if (verb === 'DELETE') throw invalidRequest('Range deletions are not supported for specific columns');
  const missing = table.clustering.filter((c) => !where.restrictedClustering.has(c.position)).map((c) => c.name);
  throw invalidRequest(`Some clustering keys are missing: ${missing.join(', ')}`);
}

export function prepareDelete(table: TableMetadata, stmt: DeleteStatement, vars: Variables): PreparedModification {
  checkLwt(stmt.ifExists, stmt.conditions);
  const attrs = prepareAttributes(stmt.using, table, vars);
  const ops: Operation[] = [];
  for (const target of stmt.targets) {
    const column = requireColumn(table, target.column);
    if (column.kind === 'partition_key' || column.kind === 'clustering') {
      throw invalidRequest(`Invalid identifier ${column.name} for deletion (should not be a PRIMARY KEY part)`);
    }
    if (target.element === null) {
      ops.push({ kind: 'deleteColumn', column });
      continue;
    }
    const t = column.type;
    if (!isCollection(t)) throw invalidRequest(`Invalid deletion operation for non collection column ${column.name}`);
    if (isFrozen(t)) throw invalidRequest(`Invalid deletion operation for frozen collection column ${column.name}`);
    const receiver = columnSpecOf(table, column);
    const keyReceiver =
      t.kind === 'list' ? spec(receiver, `idx(${column.name})`, CqlTypes.int) : t.kind === 'map' ? spec(receiver, `key(${column.name})`, t.key) : spec(receiver, `value(${column.name})`, t.element);
    ops.push({ kind: 'deleteElement', column, key: prepareTerm(target.element, keyReceiver, vars) });
  }
  const where = prepareWhere(table, stmt.where, 'delete', false, vars);
  if (ops.length > 0) checkClusteringForWrite(table, where, ops, 'DELETE');
  return new PreparedModification('delete', table, { ops, where, insertKey: null, attrs });
}

