// A scriptable CqlHandler for the server tests: each call is recorded, and the test decides the
// answer per call (a value, a thrown error, or a promise it resolves later).
import { CqlTypes } from '../../src/cql-lite/index.js';
import type {
  BatchEntry,
  BatchOptions,
  BatchType,
  ColumnSpec,
  CqlHandler,
  PreparedResult,
  QueryOptions,
  ResultMessage,
  SchemaChange,
  Session,
} from '../../src/query/api.js';

export type Call =
  | { op: 'query'; text: string; options: QueryOptions; session: Session }
  | { op: 'prepare'; text: string; session: Session }
  | { op: 'execute'; id: Buffer; options: QueryOptions; session: Session }
  | { op: 'batch'; type: BatchType; entries: readonly BatchEntry[]; options: BatchOptions; session: Session };

export const VOID: ResultMessage = { kind: 'void' };

export function textColumns(ks: string, table: string, ...names: string[]): ColumnSpec[] {
  return names.map((name) => ({ keyspace: ks, table, name, type: CqlTypes.text }));
}

export class FakeHandler implements CqlHandler {
  readonly calls: Call[] = [];
  private readonly listeners = new Set<(c: SchemaChange) => void>();
  onQuery: (text: string, options: QueryOptions, session: Session) => ResultMessage | Promise<ResultMessage> = () => VOID;
  onPrepare: (text: string, session: Session) => PreparedResult | Promise<PreparedResult> = (text) => ({
    kind: 'prepared',
    id: Buffer.from(text.padEnd(16, '.').slice(0, 16)),
    variables: [],
    pkIndexes: [],
    resultColumns: [],
  });
  onExecute: (id: Buffer, options: QueryOptions, session: Session) => ResultMessage | Promise<ResultMessage> = () => VOID;
  onBatch: (type: BatchType, entries: readonly BatchEntry[], options: BatchOptions) => ResultMessage | Promise<ResultMessage> = () => VOID;

  async query(text: string, options: QueryOptions, session: Session): Promise<ResultMessage> {
    this.calls.push({ op: 'query', text, options, session });
    return this.onQuery(text, options, session);
  }

  async prepare(text: string, session: Session): Promise<PreparedResult> {
    this.calls.push({ op: 'prepare', text, session });
    return this.onPrepare(text, session);
  }

  async execute(id: Buffer, options: QueryOptions, session: Session): Promise<ResultMessage> {
    this.calls.push({ op: 'execute', id, options, session });
    return this.onExecute(id, options, session);
  }

  async batch(type: BatchType, entries: readonly BatchEntry[], options: BatchOptions, session: Session): Promise<ResultMessage> {
    this.calls.push({ op: 'batch', type, entries, options, session });
    return this.onBatch(type, entries, options);
  }

  onSchemaChange(listener: (change: SchemaChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get schemaListeners(): number {
    return this.listeners.size;
  }

  emitSchemaChange(change: SchemaChange): void {
    for (const l of this.listeners) l(change);
  }
}
