/** Schema: keyspace and table metadata, their storage in system_schema, and the storage layout of CQL rows. */
export type { ColumnKind, ColumnMetadata, DroppedColumn, KeyspaceMetadata, TableMetadata, TableOptions } from './types.js';
export { DEFAULT_TABLE_OPTIONS, SIZE_TIERED_CLASS, alterTable, columnInputs, makeKeyspace, makeTable, withTables } from './table.js';
export type { ColumnDefinitionInput, TableInput } from './table.js';
export { configError, keyspaceOptionsFrom, tableOptionsFrom } from './options.js';
export type { KeyspaceOptions } from './options.js';
export { tableFromCreate } from './create-table.js';
export { LOCAL_KEYSPACES, SCHEMA_KEYSPACE, SYSTEM_KEYSPACE, Schema, isLocalKeyspace, nameUuid } from './schema.js';
export { SCHEMA_KEYSPACE_METADATA, SYSTEM_KEYSPACE_METADATA, schemaTable, systemTable, systemTableId } from './system-keyspaces.js';
export { cellPath, cellPathValue, clusteringOf, clusteringTypes, clusteringValues, partitionKeyOf, partitionKeyValues, valueTypeOf } from './layout.js';
export { RowUpdate, UpdateBuilder, addElements, tombstone, writeColumn } from './update-builder.js';
export type { ListPathSource, WriteOptions } from './update-builder.js';
export { cellIndex, columnValue, rowSlots, slotValue } from './row-reader.js';
export type { CellIndex, RowSlots } from './row-reader.js';
export { keyspaceMutation, keyspacesFromRows } from './schema-rows.js';
export { SchemaStore, tableSpec } from './store.js';
export type { SchemaListener, SchemaStoreOptions } from './store.js';
