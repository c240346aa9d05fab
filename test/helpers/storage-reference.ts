/**
 * A deliberately naive reference for the storage engine: it keeps every write ever made, as-is,
 * and answers a read by brute force from Cassandra's rules. It shares no code with src/storage's
 * reconciliation, so the two can disagree — which is the point of the model-based test.
 */
import type { Cell, DeletionTime, LivenessInfo, PartitionUpdate, Row } from '../../src/storage/model/types.js';

interface Fact {
  readonly clustering: Buffer | null; // null: static row
  readonly row: Row;
}

interface RefPartition {
  deletions: DeletionTime[];
  rangeTombstones: Array<{ start: Buffer; end: Buffer; deletion: DeletionTime }>;
  facts: Fact[];
}

export interface RefCell {
  column: string;
  path: string | null;
  value: string;
  timestampMicros: number;
}

export interface RefRow {
  clustering: string;
  cells: RefCell[];
}

export class ReferenceStore {
  private readonly partitions = new Map<string, RefPartition>();

  apply(update: PartitionUpdate): void {
    const k = update.key.toString('hex');
    let p = this.partitions.get(k);
    if (p === undefined) {
      p = { deletions: [], rangeTombstones: [], facts: [] };
      this.partitions.set(k, p);
    }
    p.deletions.push(update.deletion);
    for (const rt of update.rangeTombstones) p.rangeTombstones.push(rt);
    if (update.staticRow !== null) p.facts.push({ clustering: null, row: update.staticRow });
    for (const row of update.rows) p.facts.push({ clustering: row.clustering, row });
  }

  /** Every write that touched one row (or the partition as a whole), for failure reports. */
  explain(key: Buffer, clusteringHex: string): string {
    const p = this.partitions.get(key.toString('hex'));
    if (p === undefined) return 'no writes';
    const c = Buffer.from(clusteringHex, 'hex');
    const lines: string[] = [];
    for (const d of p.deletions) if (d.markedAtMicros > Number.MIN_SAFE_INTEGER) lines.push(`partition deletion @${d.markedAtMicros}`);
    for (const rt of p.rangeTombstones) {
      if (Buffer.compare(rt.start, c) <= 0 && Buffer.compare(c, rt.end) < 0) lines.push(`range tombstone [${rt.start.toString('hex')}, ${rt.end.toString('hex')}) @${rt.deletion.markedAtMicros}`);
    }
    for (const f of p.facts) {
      if (f.clustering === null || !f.clustering.equals(c)) continue;
      const r = f.row;
      const cells = r.cells.map((x) => `${x.column}${x.path ? `[${x.path.toString('hex')}]` : ''}=${x.value?.toString('hex') ?? 'DEL'}@${x.timestampMicros}${x.ttlSec ? ` ttl ${x.ttlSec} exp ${x.localDeletionTimeSec}` : ''}`);
      lines.push(`row liveness=${r.liveness ? `${r.liveness.timestampMicros}${r.liveness.ttlSec ? ` ttl exp ${r.liveness.expiresAtSec}` : ''}` : '-'} deletion=${r.deletion.markedAtMicros > Number.MIN_SAFE_INTEGER ? r.deletion.markedAtMicros : '-'} complex=${r.complexDeletions.map((d) => `${d.column}@${d.deletion.markedAtMicros}`).join(',')} cells: ${cells.join(' ')}`);
    }
    return lines.join('\n');
  }

  truncate(): void {
    this.partitions.clear();
  }

  keys(): Buffer[] {
    return [...this.partitions.keys()].map((k) => Buffer.from(k, 'hex'));
  }

  /** Live rows in ascending clustering order (static row separately), at nowSec. */
  read(key: Buffer, nowSec: number): { staticCells: RefCell[]; rows: RefRow[] } | null {
    const p = this.partitions.get(key.toString('hex'));
    if (p === undefined) return null;
    const partitionDeletion = maxTs(p.deletions.map((d) => d.markedAtMicros));
    const staticFacts = p.facts.filter((f) => f.clustering === null).map((f) => f.row);
    const staticCells = liveCells(staticFacts, partitionDeletion, nowSec);
    const byClustering = new Map<string, Row[]>();
    for (const f of p.facts) {
      if (f.clustering === null) continue;
      const c = f.clustering.toString('hex');
      const list = byClustering.get(c) ?? [];
      list.push(f.row);
      byClustering.set(c, list);
    }
    const rows: RefRow[] = [];
    for (const c of [...byClustering.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')))) {
      const clustering = Buffer.from(c, 'hex');
      const versions = byClustering.get(c)!;
      let shadow = partitionDeletion;
      for (const rt of p.rangeTombstones) {
        if (Buffer.compare(rt.start, clustering) <= 0 && Buffer.compare(clustering, rt.end) < 0) shadow = Math.max(shadow, rt.deletion.markedAtMicros);
      }
      shadow = Math.max(shadow, maxTs(versions.map((v) => v.deletion.markedAtMicros)));
      const cells = liveCells(versions, shadow, nowSec);
      const liveness = winningLiveness(versions.map((v) => v.liveness).filter((l): l is LivenessInfo => l !== null));
      const rowAlive = liveness !== null && liveness.timestampMicros > shadow && (liveness.ttlSec === 0 || liveness.expiresAtSec > nowSec);
      if (rowAlive || cells.length > 0) rows.push({ clustering: c, cells });
    }
    if (rows.length === 0 && staticCells.length === 0) return null;
    return { staticCells, rows };
  }
}

function maxTs(values: number[]): number {
  let m = Number.MIN_SAFE_INTEGER;
  for (const v of values) if (v > m) m = v;
  return m;
}

function winningLiveness(all: LivenessInfo[]): LivenessInfo | null {
  let best: LivenessInfo | null = null;
  for (const l of all) {
    if (best === null) best = l;
    else if (l.timestampMicros !== best.timestampMicros) best = l.timestampMicros > best.timestampMicros ? l : best;
    else if ((l.ttlSec > 0) !== (best.ttlSec > 0)) best = l.ttlSec > 0 ? l : best;
    else if (l.expiresAtSec > best.expiresAtSec) best = l;
  }
  return best;
}

/** Cassandra's cell reconciliation, spelled out as a sort key: greater wins. */
function beats(a: Cell, b: Cell): boolean {
  if (a.timestampMicros !== b.timestampMicros) return a.timestampMicros > b.timestampMicros;
  const aDel = a.localDeletionTimeSec !== 0x7fffffff;
  const bDel = b.localDeletionTimeSec !== 0x7fffffff;
  if (aDel !== bDel) return aDel;
  if (aDel) {
    const aTomb = a.value === null;
    const bTomb = b.value === null;
    if (aTomb !== bTomb) return aTomb;
    if (a.localDeletionTimeSec !== b.localDeletionTimeSec) return a.localDeletionTimeSec > b.localDeletionTimeSec;
  }
  const av = a.value ?? Buffer.alloc(0);
  const bv = b.value ?? Buffer.alloc(0);
  const cmp = Buffer.compare(av, bv);
  if (cmp !== 0) return cmp > 0;
  return a.ttlSec > b.ttlSec;
}

function liveCells(versions: readonly Row[], shadowMicros: number, nowSec: number): RefCell[] {
  const winners = new Map<string, Cell>();
  const complexShadow = new Map<string, number>();
  for (const v of versions) {
    for (const cd of v.complexDeletions) complexShadow.set(cd.column, Math.max(complexShadow.get(cd.column) ?? Number.MIN_SAFE_INTEGER, cd.deletion.markedAtMicros));
    for (const cell of v.cells) {
      const id = `${cell.column}\u0000${cell.path === null ? '' : cell.path.toString('hex')}`;
      const cur = winners.get(id);
      if (cur === undefined || beats(cell, cur)) winners.set(id, cell);
    }
  }
  const out: RefCell[] = [];
  for (const cell of winners.values()) {
    const shadow = Math.max(shadowMicros, cell.path !== null ? (complexShadow.get(cell.column) ?? Number.MIN_SAFE_INTEGER) : Number.MIN_SAFE_INTEGER);
    if (cell.timestampMicros <= shadow) continue;
    if (cell.value === null) continue;
    if (cell.ttlSec > 0 && cell.localDeletionTimeSec <= nowSec) continue;
    out.push({ column: cell.column, path: cell.path === null ? null : cell.path.toString('hex'), value: cell.value.toString('hex'), timestampMicros: cell.timestampMicros });
  }
  out.sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : (a.path ?? '') < (b.path ?? '') ? -1 : (a.path ?? '') > (b.path ?? '') ? 1 : 0));
  return out;
}

/** The same shape from an engine row, for comparison. */
export function refCellsOf(row: Row): RefCell[] {
  return row.cells
    .filter((c) => c.value !== null)
    .map((c) => ({ column: c.column, path: c.path === null ? null : c.path.toString('hex'), value: c.value!.toString('hex'), timestampMicros: c.timestampMicros }));
}
