/**
 * A node's CQL layer in one process, on a simulated disk and clock: exec() runs a statement as a
 * QUERY message would and returns the rows formatted as CQL literals, for readable assertions.
 */
import { formatBytes } from '../../src/cql-lite/index.js';
import { DEFAULT_CONFIG, NodeCore, type NodeConfig } from '../../src/node/index.js';
import type { BoundValue, QueryOptions, ResultMessage, Session } from '../../src/query/index.js';
import { SeededRandom, SimClock, SimFs } from '../../src/seams/index.js';

export interface ExecResult {
  readonly result: ResultMessage;
  readonly columns: string[];
  readonly rows: string[][];
  readonly pagingState: Buffer | null;
}

export interface ExecOptions {
  readonly consistency?: number;
  readonly pageSize?: number;
  readonly pagingState?: Buffer | null;
  readonly values?: BoundValue[];
  readonly names?: string[];
  readonly timestampMicros?: bigint;
}

export class TestNode {
  session: Session = { keyspace: null };

  private constructor(
    readonly core: NodeCore,
    readonly fs: SimFs,
    readonly clock: SimClock,
    private readonly config: NodeConfig,
  ) {}

  static async open(seed = 1, config: Partial<NodeConfig> = {}, fs?: SimFs, clock?: SimClock): Promise<TestNode> {
    const f = fs ?? new SimFs(new SeededRandom(seed));
    const c = clock ?? new SimClock(1_700_000_000_000);
    const cfg: NodeConfig = { ...DEFAULT_CONFIG, dataDir: '/node', ...config };
    const core = await NodeCore.open(cfg, { fs: f, clock: c, random: new SeededRandom(seed) });
    return new TestNode(core, f, c, cfg);
  }

  /** Closes and opens the node again on the same disk. */
  async restart(): Promise<TestNode> {
    await this.core.close();
    const n = await TestNode.open(2, this.config, this.fs, this.clock);
    n.session = { ...this.session };
    return n;
  }

  options(o: ExecOptions = {}): QueryOptions {
    return {
      consistency: o.consistency ?? 1,
      values: o.values ?? [],
      names: o.names ?? null,
      skipMetadata: false,
      pageSize: o.pageSize ?? null,
      pagingState: o.pagingState ?? null,
      serialConsistency: null,
      timestampMicros: o.timestampMicros ?? null,
    };
  }

  async exec(cql: string, o: ExecOptions = {}): Promise<ExecResult> {
    const result = await this.core.processor.query(cql, this.options(o), this.session);
    return format(result);
  }

  /** All rows of a query, following paging states. */
  async all(cql: string, pageSize: number, o: ExecOptions = {}): Promise<{ rows: string[][]; pages: number }> {
    const rows: string[][] = [];
    let state: Buffer | null = null;
    let pages = 0;
    for (let i = 0; i < 100_000; i++) {
      const r = await this.exec(cql, { ...o, pageSize, pagingState: state });
      pages++;
      rows.push(...r.rows);
      state = r.pagingState;
      if (state === null) return { rows, pages };
    }
    throw new Error('paging did not end');
  }

  close(): Promise<void> {
    return this.core.close();
  }
}

export function format(result: ResultMessage): ExecResult {
  if (result.kind !== 'rows') return { result, columns: [], rows: [], pagingState: null };
  return {
    result,
    columns: result.columns.map((c) => c.name),
    rows: result.rows.map((r) => r.map((v, i) => (v === null ? 'null' : formatBytes(result.columns[i]!.type, v)))),
    pagingState: result.pagingState,
  };
}
