/**
 * CREATE TABLE -> TableMetadata, with Cassandra's checks and messages (CreateTableStatement.builder).
 */
import { invalidRequest, isCollection, isFrozen, typeToString, unsupported, type CqlType, type CreateTableStatement } from '../cql-lite/index.js';
import { tableOptionsFrom } from './options.js';
import { makeTable, type ColumnDefinitionInput } from './table.js';
import type { TableMetadata } from './types.js';

/** Whether a type is, or holds at any depth, a type of the given kind. */
function references(t: CqlType, kind: 'duration' | 'counter'): boolean {
  switch (t.kind) {
    case 'list':
    case 'set':
      return references(t.element, kind);
    case 'map':
      return references(t.key, kind) || references(t.value, kind);
    case 'tuple':
      return t.elements.some((e) => references(e, kind));
    default:
      return t.kind === kind;
  }
}

/**
 * The table a CREATE TABLE statement describes. `newId` is used unless the statement gives an
 * `id` option.
 */
export function tableFromCreate(stmt: CreateTableStatement, keyspace: string, newId: () => string): TableMetadata {
  const tableName = stmt.table.name;
  if (stmt.compactStorage) throw unsupported('COMPACT STORAGE tables are not supported');
  const { options, id } = tableOptionsFrom(stmt.options, true);

  const types = new Map<string, CqlType>();
  const statics = new Set<string>();
  for (const c of stmt.columns) {
    if (types.has(c.name)) throw invalidRequest(`Duplicate column '${c.name}' declaration for table '${tableName}'`);
    types.set(c.name, c.type);
    if (c.isStatic) statics.add(c.name);
  }

  const primary = new Set<string>();
  for (const column of [...stmt.partitionKey, ...stmt.clusteringColumns]) {
    const type = types.get(column);
    if (type === undefined) throw invalidRequest(`Unknown column '${column}' referenced in PRIMARY KEY for table '${tableName}'`);
    if (primary.has(column)) throw invalidRequest(`Duplicate column '${column}' in PRIMARY KEY clause for table '${tableName}'`);
    primary.add(column);
    if (isCollection(type) && !isFrozen(type)) {
      throw invalidRequest(`Invalid non-frozen collection type ${typeToString(type)} for PRIMARY KEY column '${column}'`);
    }
    if (type.kind === 'counter') throw invalidRequest(`counter type is not supported for PRIMARY KEY column '${column}'`);
    if (references(type, 'duration')) throw invalidRequest(`duration type is not supported for PRIMARY KEY column '${column}'`);
    if (statics.has(column)) throw invalidRequest(`Static column '${column}' cannot be part of the PRIMARY KEY`);
  }

  const order = new Map<string, boolean>();
  for (const o of stmt.clusteringOrder) {
    if (order.has(o.column)) throw invalidRequest(`Duplicate column '${o.column}' in CLUSTERING ORDER BY clause for table '${tableName}'`);
    order.set(o.column, o.direction === 'DESC');
  }
  if (order.size > 0) {
    const named = [...order.keys()];
    if (named.length !== stmt.clusteringColumns.length || named.some((c, i) => c !== stmt.clusteringColumns[i])) {
      throw invalidRequest('Clustering key columns must exactly match columns in CLUSTERING ORDER BY directive');
    }
  }
  if (stmt.clusteringColumns.length === 0 && statics.size > 0) {
    throw invalidRequest('Static columns are only useful (and thus allowed) if the table has at least one clustering column');
  }
  for (const [name, type] of types) {
    if (references(type, 'counter')) throw unsupported(`Counter columns are not supported yet (column '${name}')`);
  }

  const columns: ColumnDefinitionInput[] = [];
  for (const name of stmt.partitionKey) columns.push({ name, type: types.get(name)!, kind: 'partition_key' });
  for (const name of stmt.clusteringColumns) columns.push({ name, type: types.get(name)!, kind: 'clustering', desc: order.get(name) === true });
  for (const [name, type] of types) {
    if (!primary.has(name)) columns.push({ name, type, kind: statics.has(name) ? 'static' : 'regular' });
  }
  return makeTable({ keyspace, name: tableName, id: id ?? newId(), columns, options });
}
