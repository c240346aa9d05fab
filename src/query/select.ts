/**
 * SELECT: prepared against the schema, executed page by page.
 *
 * Rows come from a set of partitions (key lookups, in the order of their key values) or from a
 * token-range scan (ring order). Within a partition rows follow the clustering order, reversed
 * by ORDER BY against it. A partition with a live static row but no rows yields one row of its
 * static values when the query does not restrict clustering columns, as Cassandra does.
 *
 * A page holds up to page_size rows. To know whether another page follows, the executor looks
 * one row ahead; the paging state then names the last row returned (paging.ts), so a resumed
 * query neither repeats nor skips a row, whatever was written in between.
 */
import { invalidRequest, unsupported, CqlTypes, type SelectStatement } from '../cql-lite/index.js';
import {
  clusteringValues,
  partitionKeyValues,
  rowSlots,
  type ColumnMetadata,
  type KeyspaceMetadata,
  type RowSlots,
  type TableMetadata,
} from '../schema/index.js';
import { exclusiveStartAfter, FULL_SLICE, type ClusteringSlice, type LivePartition, type PartitionPosition, type Row } from '../storage/index.js';
import { MIN_TOKEN } from '../ring/index.js';
import { UNSET, type ColumnSpec, type RowsResult } from './api.js';
import { currentTable, type ExecContext } from './context.js';
import { decodePagingState, encodePagingState, type PagingState } from './paging.js';
import {
  bindFilters,
  bindKeys,
  bindSlices,
  bindTokenRange,
  passes,
  prepareWhere,
  type BoundFilter,
  type BoundKey,
  type WhereClause,
} from './restrictions.js';
import { columnValueOf, prepareSelection, type RowInput, type Selection } from './selection.js';
import { prepareTerm, type TermFn, type Variables } from './terms.js';
import type { Partitioner } from '../ring/index.js';

const EMPTY = Buffer.alloc(0);
/** Rows or partitions read per step when filtering or aggregating, where no limit bounds the read. */
const CHUNK = 256;

interface Emitted {
  readonly values: (Buffer | null)[];
  readonly key: Buffer;
  /** null: the static-only row of its partition. */
  readonly clustering: Buffer | null;
  readonly inPartition: number;
  readonly partitionDone: boolean;
}

/** Where rows go: a page being filled, or an aggregate. Returns false to stop the scan. */
type Sink = (row: RowInput, key: Buffer, clustering: Buffer | null, inPartition: number, partitionDone: boolean) => boolean;

function restrictAfter(slices: readonly ClusteringSlice[], after: Buffer, reversed: boolean): ClusteringSlice[] {
  const out: ClusteringSlice[] = [];
  if (!reversed) {
    const start = exclusiveStartAfter(after);
    for (const s of slices) {
      if (Buffer.compare(s.end, start) <= 0) continue;
      out.push(Buffer.compare(s.start, start) >= 0 ? s : { start, end: s.end });
    }
  } else {
    for (const s of slices) {
      if (Buffer.compare(s.start, after) >= 0) continue;
      out.push(Buffer.compare(s.end, after) <= 0 ? s : { start: s.start, end: after });
    }
  }
  return out;
}

export class PreparedSelect {
  readonly resultColumns: readonly ColumnSpec[];
  private readonly filterEvals: ((r: RowInput) => Buffer | null)[];

  constructor(
    readonly table: TableMetadata,
    private readonly selection: Selection,
    private readonly where: WhereClause,
    private readonly distinct: boolean,
    private readonly reversed: boolean,
    private readonly hasOrderBy: boolean,
    private readonly limit: TermFn | null,
    private readonly perPartitionLimit: TermFn | null,
  ) {
    this.resultColumns = selection.columns;
    this.filterEvals = where.filters.map((f) => columnValueOf(table, f.column));
  }

  async execute(ctx: ExecContext): Promise<RowsResult> {
    const { keyspace, table } = currentTable(ctx, this.table);
    const limit = this.evalLimit(this.limit, ctx, 'LIMIT');
    const perPartition = this.evalLimit(this.perPartitionLimit, ctx, 'PER PARTITION LIMIT');
    const paged = ctx.options.pageSize !== null && ctx.options.pageSize > 0;
    const pageSize = paged ? ctx.options.pageSize! : Infinity;
    const state = ctx.options.pagingState === null || ctx.options.pagingState.length === 0 ? null : decodePagingState(ctx.options.pagingState);
    const slices = bindSlices(this.where, ctx);
    const filters = bindFilters(this.where.filters, ctx);
    const scan = new Scan(ctx, keyspace, table, this, slices, filters, perPartition, state);

    if (this.selection.isAggregate) {
      const agg = this.selection.aggregator();
      await scan.run((row) => {
        agg.add(row);
        return true;
      }, Infinity);
      return { kind: 'rows', columns: this.resultColumns, rows: [agg.result()], pagingState: null };
    }

    const keys = this.where.keyLookup ? bindKeys(this.where, ctx) : null;
    if (this.hasOrderBy && keys !== null && keys.length > 1) {
      if (paged) {
        throw invalidRequest(
          'Cannot page queries with both ORDER BY and a IN restriction on the partition key; you must either remove the ORDER BY or the IN and sort client side, or disable paging for this query',
        );
      }
      return this.orderedAcrossPartitions(scan, limit);
    }

    const already = state?.rows ?? 0;
    const budget = Math.min(pageSize, Math.max(0, limit - already));
    if (budget <= 0) return { kind: 'rows', columns: this.resultColumns, rows: [], pagingState: null };
    const out: Emitted[] = [];
    await scan.run((row, key, clustering, inPartition, partitionDone) => {
      out.push({ values: this.selection.project(row), key, clustering, inPartition, partitionDone });
      return out.length <= budget;
    }, budget + 1);
    let pagingState: Buffer | null = null;
    if (out.length > budget) {
      out.length = budget;
      const last = out[budget - 1]!;
      if (already + budget < limit) {
        pagingState = encodePagingState({
          key: last.key,
          clustering: last.clustering,
          partitionDone: last.partitionDone,
          rows: already + budget,
          inPartition: last.inPartition,
        });
      }
    }
    return { kind: 'rows', columns: this.resultColumns, rows: out.map((e) => e.values), pagingState };
  }

  private async orderedAcrossPartitions(scan: Scan, limit: number): Promise<RowsResult> {
    const all: { values: (Buffer | null)[]; clustering: Buffer }[] = [];
    await scan.run((row, _key, clustering) => {
      all.push({ values: this.selection.project(row), clustering: clustering ?? EMPTY });
      return true;
    }, Infinity);
    all.sort((a, b) => (this.reversed ? Buffer.compare(b.clustering, a.clustering) : Buffer.compare(a.clustering, b.clustering)));
    const rows = all.slice(0, Number.isFinite(limit) ? limit : all.length).map((e) => e.values);
    return { kind: 'rows', columns: this.resultColumns, rows, pagingState: null };
  }

  private evalLimit(term: TermFn | null, ctx: ExecContext, what: string): number {
    if (term === null) return Infinity;
    const v = term(ctx);
    if (v === UNSET) return Infinity;
    if (v === null) throw invalidRequest(`Invalid null value of ${what.toLowerCase() === 'limit' ? 'limit' : 'per partition limit'}`);
    const n = v.readInt32BE(0);
    if (n <= 0) throw invalidRequest(`${what} must be strictly positive`);
    return n;
  }

  /** Rows of a partition pass the filters; used by Scan. */
  accepts(row: RowInput, filters: readonly BoundFilter[]): boolean {
    for (let i = 0; i < filters.length; i++) if (!passes(filters[i]!, this.filterEvals[i]!(row))) return false;
    return true;
  }

  get isDistinct(): boolean {
    return this.distinct;
  }

  get isReversed(): boolean {
    return this.reversed;
  }

  get whereClause(): WhereClause {
    return this.where;
  }
}

/** One execution's walk over partitions and rows, feeding a sink. */
class Scan {
  private readonly staticOk: boolean;

  constructor(
    private readonly ctx: ExecContext,
    private readonly keyspace: KeyspaceMetadata,
    private readonly table: TableMetadata,
    private readonly select: PreparedSelect,
    private readonly slices: ClusteringSlice[],
    private readonly filters: BoundFilter[],
    private readonly perPartition: number,
    private readonly state: PagingState | null,
  ) {
    this.staticOk = !select.whereClause.hasClusteringRestrictions;
  }

  /** Feeds rows to `sink` until it returns false or rows run out; `want` bounds read sizes. */
  async run(sink: Sink, want: number): Promise<void> {
    if (this.slices.length === 0) return;
    const w = this.select.whereClause;
    if (w.keyLookup) {
      let keys = bindKeys(w, this.ctx);
      if (w.tokenFilter) {
        const range = bindTokenRange(w, this.ctx);
        keys = range === null ? [] : keys.filter((k) => k.token >= range.start && k.token <= range.end);
      }
      let i = 0;
      let resume: PagingState | null = null;
      if (this.state !== null) {
        i = keys.findIndex((k) => k.key.equals(this.state!.key));
        if (i < 0) throw invalidRequest('Invalid value for the paging state');
        if (this.state.partitionDone) i++;
        else resume = this.state;
      }
      for (; i < keys.length; i++) {
        const k = keys[i]!;
        const go = await this.partition(k, null, 0, resume, sink, want);
        resume = null;
        if (!go) return;
      }
      return;
    }
    const range = bindTokenRange(w, this.ctx);
    if (range === null) return;
    let after: PartitionPosition | null = range.start <= MIN_TOKEN + 1n ? null : { token: range.start, key: EMPTY };
    if (this.state !== null) {
      const token = this.ctx.partitioner.tokenOf(this.state.key);
      const k: BoundKey = { key: this.state.key, token };
      if (!this.state.partitionDone) {
        const go = await this.partition(k, null, 0, this.state, sink, want);
        if (!go) return;
      }
      after = { token, key: this.state.key };
    }
    const distinct = this.select.isDistinct;
    for (;;) {
      const partitions = Math.max(1, Math.min(CHUNK, Number.isFinite(want) ? want : CHUNK));
      const rowsPer = distinct ? 1 : this.rowWant(want);
      const batch = await this.ctx.coordinator.scan(
        this.table,
        this.keyspace,
        { after, endToken: range.end },
        { slices: this.slices, nowSec: this.ctx.nowSec, limit: rowsPer, partitionLimit: partitions },
        this.ctx.consistency,
      );
      for (const p of batch) {
        const go = await this.partition({ key: p.key, token: p.token }, p, rowsPer, null, sink, want);
        if (!go) return;
      }
      if (batch.length < partitions) return;
      const last = batch[batch.length - 1]!;
      after = { token: last.token, key: last.key };
    }
  }

  private rowWant(want: number): number {
    if (this.filters.length > 0 || !Number.isFinite(want)) return CHUNK;
    return Math.max(1, Math.min(want, this.perPartition));
  }

  /**
   * One partition: `first` is what a scan already read with a row limit of `firstWant` (its rows
   * may stop there), `resume` a paging state inside this partition.
   */
  private async partition(k: BoundKey, first: LivePartition | null, firstWant: number, resume: PagingState | null, sink: Sink, want: number): Promise<boolean> {
    const table = this.table;
    const reversed = this.select.isReversed;
    const distinct = this.select.isDistinct;
    let inPartition = resume?.inPartition ?? 0;
    let after = resume?.clustering ?? null;
    let keyValues: Buffer[] | null = null;
    let staticSlots: RowSlots | null = null;
    let chunk = first;
    let chunkWant = firstWant;
    const fn = this.ctx;
    for (let round = 0; ; round++) {
      if (chunk === null) {
        chunkWant = distinct ? 1 : this.rowWant(want);
        const slices = after === null ? this.slices : restrictAfter(this.slices, after, reversed);
        if (slices.length === 0) return true;
        chunk = await this.ctx.coordinator.read(table, this.keyspace, k.key, k.token, { slices, reversed, limit: chunkWant, nowSec: this.ctx.nowSec }, this.ctx.consistency);
        if (chunk === null) return true;
      }
      if (round === 0) {
        keyValues = partitionKeyValues(table, k.key);
        staticSlots = chunk.staticRow === null ? null : visibleSlots(chunk.staticRow, rowSlots(table, chunk.staticRow));
        const staticOnly = distinct || (chunk.rows.length === 0 && resume === null && staticSlots !== null && this.staticOk);
        if (staticOnly) {
          if (resume !== null) return true;
          const row: RowInput = { keyValues, clusteringValues: null, staticSlots, rowSlots: null, nowSec: this.ctx.nowSec, fn };
          if (!this.select.accepts(row, this.filters)) return true;
          return sink(row, k.key, null, 1, true);
        }
      }
      const rows: readonly Row[] = chunk.rows;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        after = r.clustering;
        const slots = visibleSlots(r, rowSlots(table, r));
        if (slots === null) continue;
        const row: RowInput = {
          keyValues: keyValues!,
          clusteringValues: clusteringValues(table, r.clustering),
          staticSlots,
          rowSlots: slots,
          nowSec: this.ctx.nowSec,
          fn,
        };
        if (!this.select.accepts(row, this.filters)) continue;
        inPartition++;
        const done = inPartition >= this.perPartition;
        if (!sink(row, k.key, r.clustering, inPartition, done)) return false;
        if (done) return true;
      }
      if (rows.length < chunkWant) return true;
      chunk = null;
    }
  }
}

/**
 * A row's slots, or null when nothing of it is visible: no primary-key liveness and no cell of a
 * column the table still has (a row made by UPDATE whose only column was dropped is gone).
 */
function visibleSlots(r: Row, slots: RowSlots): RowSlots | null {
  if (r.liveness !== null) return slots;
  for (let i = 0; i < slots.length; i++) if (slots[i] !== undefined) return slots;
  return null;
}

export interface SelectPrepareOptions {
  readonly partitioner: Partitioner;
}

export function prepareSelect(table: TableMetadata, stmt: SelectStatement, vars: Variables, opts: SelectPrepareOptions): PreparedSelect {
  if (stmt.json) throw unsupported('SELECT JSON is not supported yet');
  if (stmt.groupBy.length > 0) throw unsupported('GROUP BY is not supported yet');
  const selection = prepareSelection(table, stmt.selection, { partitioner: opts.partitioner });
  const where = prepareWhere(table, stmt.where, 'select', stmt.allowFiltering, vars);

  if (stmt.distinct) {
    const cols = selection.directColumns();
    for (const c of cols) {
      if (c === undefined) continue;
      if (c.kind !== 'partition_key' && c.kind !== 'static') {
        throw invalidRequest(`SELECT DISTINCT queries must only request partition key columns and/or static columns (not ${c.name})`);
      }
    }
    // A key range needs every partition key column selected (Cassandra: no post-query grouping);
    // a lookup of given partitions does not.
    const missing = table.partitionKey.filter((pk) => !cols.includes(pk)).map((c) => c.name);
    if (missing.length > 0 && !where.keyLookup && !selection.isAggregate) {
      throw invalidRequest(`SELECT DISTINCT queries must request all the partition key columns (missing ${missing.join(', ')})`);
    }
    if (where.hasClusteringRestrictions) throw invalidRequest('SELECT DISTINCT with WHERE clause only supports restriction by partition key and/or static columns.');
    if (stmt.perPartitionLimit !== null) throw invalidRequest('PER PARTITION LIMIT is not allowed with SELECT DISTINCT queries');
  }

  if (selection.isAggregate && stmt.perPartitionLimit !== null) throw invalidRequest('PER PARTITION LIMIT is not allowed with aggregate queries.');
  let reversed = false;
  if (stmt.orderBy.length > 0) {
    if (!where.keyLookup) throw invalidRequest('ORDER BY is only supported when the partition key is restricted by an EQ or an IN.');
    let expected: boolean | null = null;
    stmt.orderBy.forEach((o, i) => {
      const c: ColumnMetadata | undefined = table.columns.get(o.column);
      if (c === undefined) throw invalidRequest(`Undefined column name ${o.column} in table ${table.keyspace}.${table.name}`);
      if (c.kind !== 'clustering') throw invalidRequest(`Order by is currently only supported on the clustered columns of the PRIMARY KEY, got ${c.name}`);
      if (c.position !== i) throw invalidRequest('Order by currently only supports the ordering of columns following their declared order in the PRIMARY KEY');
      const rev = (o.direction === 'DESC') !== c.desc;
      if (expected !== null && rev !== expected) throw invalidRequest('Unsupported order by relation');
      expected = rev;
    });
    reversed = expected === true;
  }

  const base: ColumnSpec = { keyspace: table.keyspace, table: table.name, name: '', type: CqlTypes.int };
  const limit = stmt.limit === null ? null : prepareTerm(stmt.limit, { ...base, name: '[limit]' }, vars);
  const ppl = stmt.perPartitionLimit === null ? null : prepareTerm(stmt.perPartitionLimit, { ...base, name: '[per_partition_limit]' }, vars);
  return new PreparedSelect(table, selection, where, stmt.distinct, reversed, stmt.orderBy.length > 0, limit, ppl);
}

export { FULL_SLICE };
