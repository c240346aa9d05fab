/**
 * How a table's CQL values map onto the storage model (DESIGN.md "Data model"):
 *
 *   partition key   one column: its value bytes; composite: (u16 length, bytes, 0x00) per column
 *   clustering      byte-comparable encoding of the clustering values (storage/encoding), ASC/DESC
 *   simple cell     column name, path null, the value's native-protocol bytes
 *   list element    path = Component(timeuuid) of the element's timeuuid, value = element bytes
 *   set element     path = Component(element type) of the element, value = empty
 *   map entry       path = Component(key type) of the key, value = value bytes
 *
 * Paths use the clustering component encoding so that storage, which orders cells by path bytes,
 * keeps set elements and map keys in their type's order and list elements in time order.
 */
import type { CqlType } from '../cql-lite/index.js';
import { partitionKeyBytes, splitPartitionKey } from '../ring/index.js';
import { decodeClustering, decodeComponent, encodeClustering, encodeComponent } from '../storage/index.js';
import type { ClusteringColumnType, ValueType } from '../storage/index.js';
import type { ColumnMetadata, TableMetadata } from './types.js';

/** The storage encoding's description of a CQL type (frozen collections and tuples included). */
export function valueTypeOf(t: CqlType): ValueType {
  switch (t.kind) {
    case 'list':
    case 'set':
      return { kind: t.kind, elements: [valueTypeOf(t.element)] };
    case 'map':
      return { kind: 'map', elements: [valueTypeOf(t.key), valueTypeOf(t.value)] };
    case 'tuple':
      return { kind: 'tuple', elements: t.elements.map(valueTypeOf) };
    case 'counter':
      return { kind: 'bigint' };
    case 'duration':
      // Never a clustering column or a set element / map key (Cassandra refuses it there); a list
      // of durations uses timeuuid paths. Reaching this is a bug, not bad input.
      throw new Error('duration has no byte-comparable encoding');
    default:
      return { kind: t.kind };
  }
}

const clusteringTypesCache = new WeakMap<TableMetadata, readonly ClusteringColumnType[]>();

export function clusteringTypes(table: TableMetadata): readonly ClusteringColumnType[] {
  let types = clusteringTypesCache.get(table);
  if (types === undefined) {
    types = table.clustering.map((c) => ({ ...valueTypeOf(c.type), desc: c.desc }));
    clusteringTypesCache.set(table, types);
  }
  return types;
}

export function partitionKeyOf(table: TableMetadata, values: readonly Buffer[]): Buffer {
  if (values.length !== table.partitionKey.length) throw new Error(`${values.length} partition key values for ${table.partitionKey.length} columns`);
  return values.length === 1 ? values[0]! : partitionKeyBytes(values);
}

export function partitionKeyValues(table: TableMetadata, key: Buffer): Buffer[] {
  return table.partitionKey.length === 1 ? [key] : splitPartitionKey(key, table.partitionKey.length);
}

const EMPTY = Buffer.alloc(0);

export function clusteringOf(table: TableMetadata, values: readonly Buffer[]): Buffer {
  return table.clustering.length === 0 ? EMPTY : encodeClustering(clusteringTypes(table), values);
}

export function clusteringValues(table: TableMetadata, clustering: Buffer): Buffer[] {
  return clustering.length === 0 ? [] : decodeClustering(clusteringTypes(table), clustering);
}

const TIMEUUID_PATH: ClusteringColumnType = { kind: 'timeuuid', desc: false };
const pathTypeCache = new WeakMap<ColumnMetadata, ClusteringColumnType>();

function pathType(column: ColumnMetadata): ClusteringColumnType {
  let t = pathTypeCache.get(column);
  if (t === undefined) {
    const ct = column.type;
    if (ct.kind === 'list') t = TIMEUUID_PATH;
    else if (ct.kind === 'set') t = { ...valueTypeOf(ct.element), desc: false };
    else if (ct.kind === 'map') t = { ...valueTypeOf(ct.key), desc: false };
    else throw new Error(`column ${column.name} is not a collection`);
    pathTypeCache.set(column, t);
  }
  return t;
}

/** The cell path of a collection element: a list's timeuuid, a set's element, a map's key. */
export function cellPath(column: ColumnMetadata, element: Buffer): Buffer {
  return encodeComponent(pathType(column), element);
}

export function cellPathValue(column: ColumnMetadata, path: Buffer): Buffer {
  return decodeComponent(pathType(column), path);
}
