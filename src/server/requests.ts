/**
 * Request bodies (spec v4 section 4.1), decoded into the types of src/query/api.ts.
 *
 *   STARTUP        := [string map]
 *   OPTIONS        := (empty)
 *   QUERY          := <query:[long string]> <query_parameters>
 *   PREPARE        := <query:[long string]>
 *   EXECUTE        := <id:[short bytes]> <query_parameters>
 *   REGISTER       := [string list] of TOPOLOGY_CHANGE | STATUS_CHANGE | SCHEMA_CHANGE
 *   AUTH_RESPONSE  := [bytes]
 *   BATCH          := <type:[byte] 0 logged | 1 unlogged | 2 counter> <n:[short]> <entry>{n}
 *                     <consistency> <flags:[byte]> [<serial_consistency>] [<timestamp:[long]>]
 *   entry          := <kind:[byte]> (0: [long string] query | 1: [short bytes] id)
 *                     <n:[short]> ([name:[string]] if flag 0x40) <[value]>){n}
 *
 *   query_parameters := <consistency> <flags:[byte]>
 *                       [<n:[short]> ([name:[string]] if 0x40) [value]){n}]   flag 0x01
 *                       [<result_page_size:[int]>]                            flag 0x04
 *                       [<paging_state:[bytes]>]                              flag 0x08
 *                       [<serial_consistency>]                                flag 0x10
 *                       [<timestamp:[long]>]                                  flag 0x20
 *                       flag 0x02 skip_metadata, 0x40 names for values
 *
 * With the CUSTOM_PAYLOAD frame flag, QUERY / PREPARE / EXECUTE / BATCH bodies start with a
 * [bytes map] that Ringtail reads past and ignores (as Cassandra's default query handler does).
 *
 * BATCH names (0x40): the flag comes after the entries it changes, which the spec itself calls
 * impossible to implement (CASSANDRA-10246). Ringtail decodes the entries without names; if the
 * flags that follow say 0x40 (or that reading fails), it decodes again with names and keeps that
 * reading only if its flags do say 0x40.
 *
 * Flag values are on-wire: never renumber them.
 */
import { protocolError } from '../cql-lite/index.js';
import type { BatchEntry, BatchOptions, BatchType, BoundValue, QueryOptions } from '../query/index.js';
import { BodyReader } from './reader.js';

export const QueryFlag = Object.freeze({
  VALUES: 0x01,
  SKIP_METADATA: 0x02,
  PAGE_SIZE: 0x04,
  WITH_PAGING_STATE: 0x08,
  WITH_SERIAL_CONSISTENCY: 0x10,
  WITH_DEFAULT_TIMESTAMP: 0x20,
  WITH_NAMES_FOR_VALUES: 0x40,
} as const);

export type EventType = 'TOPOLOGY_CHANGE' | 'STATUS_CHANGE' | 'SCHEMA_CHANGE';
export const EVENT_TYPES: readonly EventType[] = ['TOPOLOGY_CHANGE', 'STATUS_CHANGE', 'SCHEMA_CHANGE'];

const BATCH_TYPES: readonly BatchType[] = ['logged', 'unlogged', 'counter'];
const NO_VALUES: readonly BoundValue[] = Object.freeze([]);

export function decodeStartup(r: BodyReader): Map<string, string> {
  return r.stringMap();
}

export function decodeQuery(r: BodyReader): { text: string; options: QueryOptions } {
  const text = r.longString();
  return { text, options: decodeQueryParameters(r) };
}

export function decodePrepare(r: BodyReader): string {
  return r.longString();
}

export function decodeExecute(r: BodyReader): { id: Buffer; options: QueryOptions } {
  const id = r.shortBytes();
  if (id.length === 0) throw protocolError('Empty prepared statement id in EXECUTE');
  return { id, options: decodeQueryParameters(r) };
}

export function decodeRegister(r: BodyReader): EventType[] {
  const names = r.stringList();
  const out: EventType[] = [];
  for (const name of names) {
    const type = EVENT_TYPES.find((t) => t === name);
    if (type === undefined) throw protocolError(`Invalid event type ${JSON.stringify(name)} in REGISTER`);
    out.push(type);
  }
  return out;
}

/** Reads past a custom payload (the CUSTOM_PAYLOAD frame flag). */
export function skipCustomPayload(r: BodyReader): void {
  r.bytesMap();
}

export function decodeQueryParameters(r: BodyReader): QueryOptions {
  const consistency = r.consistency();
  const flags = r.byte();
  let values = NO_VALUES;
  let names: string[] | null = null;
  if (flags & QueryFlag.VALUES) {
    const withNames = (flags & QueryFlag.WITH_NAMES_FOR_VALUES) !== 0;
    if (withNames) names = [];
    values = readValues(r, names);
  }
  let pageSize: number | null = null;
  if (flags & QueryFlag.PAGE_SIZE) {
    const n = r.int();
    pageSize = n > 0 ? n : null;
  }
  const pagingState = flags & QueryFlag.WITH_PAGING_STATE ? r.bytes() : null;
  const serialConsistency = flags & QueryFlag.WITH_SERIAL_CONSISTENCY ? r.consistency() : null;
  const timestampMicros = flags & QueryFlag.WITH_DEFAULT_TIMESTAMP ? readTimestamp(r) : null;
  return {
    consistency,
    values,
    names,
    skipMetadata: (flags & QueryFlag.SKIP_METADATA) !== 0,
    pageSize,
    pagingState,
    serialConsistency,
    timestampMicros,
  };
}

export interface BatchRequest {
  readonly type: BatchType;
  readonly entries: readonly BatchEntry[];
  readonly options: BatchOptions;
}

export function decodeBatch(r: BodyReader): BatchRequest {
  const start = r.pos;
  let first: unknown;
  try {
    const plain = decodeBatchOnce(r, false);
    if (!plain.namesFlag) return plain.batch;
  } catch (err) {
    first = err;
  }
  r.pos = start;
  try {
    const named = decodeBatchOnce(r, true);
    if (named.namesFlag) return named.batch;
  } catch {
    // The reading without names gave the better message, when it failed at all.
  }
  if (first !== undefined) throw first;
  throw protocolError('Malformed BATCH: the names-for-values flag (0x40) does not match the entries');
}

function decodeBatchOnce(r: BodyReader, withNames: boolean): { batch: BatchRequest; namesFlag: boolean } {
  const typeByte = r.byte();
  const type = BATCH_TYPES[typeByte];
  if (type === undefined) throw protocolError(`Invalid BATCH message type ${typeByte}`);
  const n = r.short();
  const entries: BatchEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = r.byte();
    if (kind === 0) {
      const text = r.longString();
      const names = withNames ? [] : null;
      entries[i] = { kind: 'query', text, values: readValues(r, names), names };
    } else if (kind === 1) {
      const id = r.shortBytes();
      if (id.length === 0) throw protocolError('Empty prepared statement id in BATCH');
      const names = withNames ? [] : null;
      entries[i] = { kind: 'prepared', id, values: readValues(r, names), names };
    } else {
      throw protocolError(`Invalid query kind in BATCH messages. Must be 0 or 1 but got ${kind}`);
    }
  }
  const consistency = r.consistency();
  const flags = r.byte();
  if (flags & 0x0f) throw protocolError(`Invalid BATCH flags 0x${flags.toString(16)}: the four lowest bits must be 0`);
  const serialConsistency = flags & QueryFlag.WITH_SERIAL_CONSISTENCY ? r.consistency() : null;
  const timestampMicros = flags & QueryFlag.WITH_DEFAULT_TIMESTAMP ? readTimestamp(r) : null;
  return {
    batch: { type, entries, options: { consistency, serialConsistency, timestampMicros } },
    namesFlag: (flags & QueryFlag.WITH_NAMES_FOR_VALUES) !== 0,
  };
}

/** `<n:[short]> ([name] [value]){n}`; names (lower-cased, as CQL folds them) go into `names` when given. */
function readValues(r: BodyReader, names: string[] | null): BoundValue[] {
  const n = r.short();
  if (r.remaining < n * (names === null ? 4 : 6)) throw protocolError(`Not enough bytes to read ${n} values`);
  const values = new Array<BoundValue>(n);
  for (let i = 0; i < n; i++) {
    if (names !== null) names.push(r.string().toLowerCase());
    values[i] = r.value();
  }
  return values;
}

function readTimestamp(r: BodyReader): bigint {
  const t = r.long();
  // Cassandra: "Out of bound timestamp, must be in [-9223372036854775807, 9223372036854775807]".
  if (t === -0x8000000000000000n) throw protocolError('Out of bound timestamp, must be in [-9223372036854775807, 9223372036854775807]');
  return t;
}
