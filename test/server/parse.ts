// Test-side parsers of response bodies, written from the spec independently of the encoders.
import { decodeTypeOption, typeToString } from '../../src/cql-lite/index.js';
import { BodyReader, Opcode } from '../../src/server/index.js';
import type { Frame } from '../../src/server/index.js';

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
