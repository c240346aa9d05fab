// The server tests' harness: a raw native-protocol client (frames out, frames back by stream,
// events collected), a scriptable CqlHandler, and response parsers written from the spec
// independently of the server's encoders.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { CqlTypes, decodeTypeOption, typeToString } from '../../src/cql-lite/index.js';
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
import { BodyReader, FrameDecoder, FrameError, FrameWriter, Opcode, REQUEST_VERSION_BYTE } from '../../src/server/index.js';
import type { Frame } from '../../src/server/index.js';

// --- raw client ---------------------------------------------------------------------------

export const LOOPBACK = '127.0.0.1';

/** Polls `cond` until it holds or the deadline passes; never sleeps a fixed time to wait. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** A request frame built with FrameWriter: `body` writes the body. */
export function requestFrame(stream: number, opcode: number, body: (w: FrameWriter) => void = () => {}, flags = 0, versionByte = REQUEST_VERSION_BYTE): Buffer {
  const w = new FrameWriter(1024);
  w.begin(versionByte, stream, opcode, flags);
  body(w);
  w.end();
  return Buffer.from(w.take()!);
}

export function startupFrame(stream = 0, options: Record<string, string> = { CQL_VERSION: '3.0.0' }): Buffer {
  return requestFrame(stream, Opcode.STARTUP, (w) => {
    const entries = Object.entries(options);
    w.short(entries.length);
    for (const [k, v] of entries) {
      w.string(k);
      w.string(v);
    }
  });
}

export interface QueryParams {
  consistency?: number;
  values?: (Buffer | null | 'unset')[];
  names?: string[];
  skipMetadata?: boolean;
  pageSize?: number;
  pagingState?: Buffer;
  serialConsistency?: number;
  timestamp?: bigint;
}

export function writeQueryParams(w: FrameWriter, p: QueryParams): void {
  let flags = 0;
  if (p.values !== undefined) flags |= 0x01;
  if (p.skipMetadata) flags |= 0x02;
  if (p.pageSize !== undefined) flags |= 0x04;
  if (p.pagingState !== undefined) flags |= 0x08;
  if (p.serialConsistency !== undefined) flags |= 0x10;
  if (p.timestamp !== undefined) flags |= 0x20;
  if (p.names !== undefined) flags |= 0x40;
  w.short(p.consistency ?? 1);
  w.byte(flags);
  if (p.values !== undefined) {
    w.short(p.values.length);
    p.values.forEach((v, i) => {
      if (p.names !== undefined) w.string(p.names[i]!);
      if (v === 'unset') w.int(-2);
      else w.bytes(v);
    });
  }
  if (p.pageSize !== undefined) w.int(p.pageSize);
  if (p.pagingState !== undefined) w.bytes(p.pagingState);
  if (p.serialConsistency !== undefined) w.short(p.serialConsistency);
  if (p.timestamp !== undefined) w.long(p.timestamp);
}

export function queryFrame(stream: number, text: string, p: QueryParams = {}): Buffer {
  return requestFrame(stream, Opcode.QUERY, (w) => {
    w.longString(text);
    writeQueryParams(w, p);
  });
}

export interface ErrorBody {
  code: number;
  message: string;
  reader: BodyReader;
}

export function parseError(f: Frame): ErrorBody {
  if (f.opcode !== Opcode.ERROR) throw new Error(`expected ERROR, got opcode ${f.opcode}`);
  const r = new BodyReader(f.body);
  return { code: r.int(), message: r.string(), reader: r };
}

export class RawClient {
  readonly frames: Frame[] = [];
  readonly events: Frame[] = [];
  /** Frame errors the client's decoder hit (a server bug if ever non-empty). */
  readonly decodeErrors: FrameError[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(256 * 1024 * 1024);
  private readonly waiting = new Map<number, (f: Frame) => void>();
  private nextStream = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static connect(port: number, host = LOOPBACK): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }

  /** Connects and completes STARTUP. */
  static async ready(port: number): Promise<RawClient> {
    const c = await RawClient.connect(port);
    const f = await c.send(startupFrame(0), 0);
    if (f.opcode !== Opcode.READY) throw new Error(`STARTUP answered with opcode ${f.opcode}`);
    return c;
  }

  allocStream(): number {
    const s = this.nextStream;
    this.nextStream = (this.nextStream % 32000) + 1;
    return s;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Writes `bytes` and resolves with the response on `stream`. */
  send(bytes: Buffer, stream: number, timeoutMs = 5000): Promise<Frame> {
    const p = this.response(stream, timeoutMs);
    this.socket.write(bytes);
    return p;
  }

  response(stream: number, timeoutMs = 5000): Promise<Frame> {
    const early = this.frames.findIndex((f) => f.stream === stream);
    if (early >= 0) return Promise.resolve(this.frames.splice(early, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(stream);
        reject(new Error(`no response on stream ${stream} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(stream, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  }

  async query(text: string, p: QueryParams = {}): Promise<Frame> {
    const stream = this.allocStream();
    return this.send(queryFrame(stream, text, p), stream);
  }

  waitClosed(what = 'the server to close the connection'): Promise<void> {
    return waitUntil(() => this.closed, what);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    for (;;) {
      const f = this.decoder.next();
      if (f === null) return;
      if (f instanceof FrameError) {
        this.decodeErrors.push(f);
        return;
      }
      const copy: Frame = { ...f, body: Buffer.from(f.body) };
      if (copy.opcode === Opcode.EVENT) {
        this.events.push(copy);
        continue;
      }
      const w = this.waiting.get(copy.stream);
      if (w !== undefined) {
        this.waiting.delete(copy.stream);
        w(copy);
      } else {
        this.frames.push(copy);
      }
    }
  }
}

// --- scriptable handler -------------------------------------------------------------------

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

// --- response parsers ----------------------------------------------------------------------

export interface ParsedColumn {
  keyspace: string;
  table: string;
  name: string;
  type: string;
}

export interface ParsedMetadata {
  flags: number;
  columnCount: number;
  pagingState: Buffer | null;
  columns: ParsedColumn[] | null;
}

export type ParsedResult =
  | { kind: 'void' }
  | { kind: 'rows'; metadata: ParsedMetadata; rows: (Buffer | null)[][] }
  | { kind: 'setKeyspace'; keyspace: string }
  | { kind: 'prepared'; id: Buffer; flags: number; pkIndexes: number[]; variables: ParsedColumn[]; result: ParsedMetadata }
  | { kind: 'schemaChange'; change: string; target: string; options: unknown[] };

function type(r: BodyReader): string {
  const { type, offset } = decodeTypeOption(r.buf, r.pos);
  r.pos = offset;
  return typeToString(type);
}

function columnSpecs(r: BodyReader, n: number, global: boolean): ParsedColumn[] {
  let ks = '';
  let table = '';
  if (global) {
    ks = r.string();
    table = r.string();
  }
  const out: ParsedColumn[] = [];
  for (let i = 0; i < n; i++) {
    const k = global ? ks : r.string();
    const tb = global ? table : r.string();
    out.push({ keyspace: k, table: tb, name: r.string(), type: type(r) });
  }
  return out;
}

export function parseMetadata(r: BodyReader): ParsedMetadata {
  const flags = r.int();
  const columnCount = r.int();
  const pagingState = flags & 0x0002 ? r.bytes() : null;
  const columns = flags & 0x0004 ? null : columnSpecs(r, columnCount, (flags & 0x0001) !== 0);
  return { flags, columnCount, pagingState, columns };
}

export function parseSchemaChange(r: BodyReader): { change: string; target: string; options: unknown[] } {
  const change = r.string();
  const target = r.string();
  const options: unknown[] = [r.string()];
  if (target === 'TABLE' || target === 'TYPE') options.push(r.string());
  if (target === 'FUNCTION' || target === 'AGGREGATE') options.push(r.string(), r.stringList());
  return { change, target, options };
}

export function parseResult(f: Frame): ParsedResult {
  if (f.opcode !== Opcode.RESULT) {
    const r = new BodyReader(f.body);
    const detail = f.opcode === Opcode.ERROR ? ` ${r.int()} ${r.string()}` : '';
    throw new Error(`expected RESULT, got opcode ${f.opcode}${detail}`);
  }
  const r = new BodyReader(f.body);
  const kind = r.int();
  let out: ParsedResult;
  switch (kind) {
    case 1:
      out = { kind: 'void' };
      break;
    case 2: {
      const metadata = parseMetadata(r);
      const n = r.int();
      const rows: (Buffer | null)[][] = [];
      for (let i = 0; i < n; i++) rows.push(Array.from({ length: metadata.columnCount }, () => r.bytes()));
      out = { kind: 'rows', metadata, rows };
      break;
    }
    case 3:
      out = { kind: 'setKeyspace', keyspace: r.string() };
      break;
    case 4: {
      const id = r.shortBytes();
      const flags = r.int();
      const n = r.int();
      const pkCount = r.int();
      const pkIndexes = Array.from({ length: pkCount }, () => r.short());
      const variables = columnSpecs(r, n, (flags & 1) !== 0);
      out = { kind: 'prepared', id, flags, pkIndexes, variables, result: parseMetadata(r) };
      break;
    }
    case 5:
      out = { kind: 'schemaChange', ...parseSchemaChange(r) };
      break;
    default:
      throw new Error(`unknown result kind ${kind}`);
  }
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after a ${out.kind} result`);
  return out;
}

export function parseEvent(f: Frame): { type: string; rest: unknown } {
  const r = new BodyReader(f.body);
  const type = r.string();
  if (type === 'SCHEMA_CHANGE') return { type, rest: parseSchemaChange(r) };
  const change = r.string();
  const inet = r.inet();
  return { type, rest: { change, address: [...inet.address].join('.'), port: inet.port } };
}
