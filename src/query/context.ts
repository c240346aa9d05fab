/**
 * What executing a prepared statement needs: the bound values and clock readings (BindContext),
 * the schema, the coordinator and the request's options.
 */
import { invalidRequest } from '../cql-lite/index.js';
import type { Coordinator } from '../coordinator/index.js';
import type { ConsistencyLevel } from '../ring/index.js';
import type { KeyspaceMetadata, Schema, TableMetadata } from '../schema/index.js';
import type { ListPathSource } from '../schema/index.js';
import type { QueryOptions, Session } from './api.js';
import type { BindContext } from './restrictions.js';
import type { TimeUuidGenerator } from './timeuuid.js';

export interface ExecContext extends BindContext {
  readonly schema: Schema;
  readonly coordinator: Coordinator;
  readonly consistency: ConsistencyLevel;
  /** The write timestamp when the statement gives none: the client's, or the coordinator's clock. */
  readonly defaultTimestampMicros: number;
  readonly nowSec: number;
  readonly session: Session;
  readonly options: QueryOptions;
  readonly timeUuids: TimeUuidGenerator;
  readonly listPath: ListPathSource;
}

/** The keyspace and table a prepared statement names, as the schema has them now. */
export function currentTable(ctx: ExecContext, table: TableMetadata): { keyspace: KeyspaceMetadata; table: TableMetadata } {
  const ks = ctx.schema.keyspace(table.keyspace);
  const t = ks?.tables.get(table.name);
  if (ks === undefined || t === undefined || t.id !== table.id) throw invalidRequest(`table ${table.name} does not exist`);
  return { keyspace: ks, table: t };
}
