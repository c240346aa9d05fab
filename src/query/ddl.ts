/**
 * Schema statements: CREATE / ALTER / DROP KEYSPACE and TABLE. Each computes a keyspace's new
 * definition from the current schema inside SchemaStore.update, so it is checked and applied
 * atomically with respect to other changes; the result is the SchemaChange drivers receive, or
 * Void when IF [NOT] EXISTS made it a no-op (as Cassandra 4 answers).
 */
import {
  AlreadyExistsError,
  CqlError,
  ErrorCode,
  invalidRequest,
  isCollection,
  typeEquals,
  typeToString,
  unsupported,
  type AlterKeyspaceStatement,
  type AlterTableStatement,
  type CreateKeyspaceStatement,
  type CreateTableStatement,
  type DropKeyspaceStatement,
  type DropTableStatement,
} from '../cql-lite/index.js';
import { RingError, replicationMap, parseReplication } from '../ring/index.js';
import {
  alterTable,
  columnInputs,
  isLocalKeyspace,
  keyspaceOptionsFrom,
  makeKeyspace,
  tableFromCreate,
  tableOptionsFrom,
  withTables,
  type KeyspaceMetadata,
  type Schema,
  type SchemaStore,
  type TableMetadata,
} from '../schema/index.js';
import type { SchemaChange } from './api.js';

export type DdlStatement =
  | CreateKeyspaceStatement
  | AlterKeyspaceStatement
  | DropKeyspaceStatement
  | CreateTableStatement
  | AlterTableStatement
  | DropTableStatement;

export interface DdlContext {
  readonly store: SchemaStore;
  readonly sessionKeyspace: string | null;
  /** Datacenters known to the ring, for NetworkTopologyStrategy's replication_factor shorthand. */
  readonly datacenters: readonly string[];
  readonly newTableId: () => string;
  readonly nowMicros: () => number;
}

const NAME = /^\w+$/;
const MAX_NAME_LENGTH = 48;

function checkName(name: string, what: 'Keyspace' | 'Table'): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    throw configError(`${what} name must not be empty, more than ${MAX_NAME_LENGTH} characters long, or contain non-alphanumeric-underscore characters (got "${name}")`);
  }
}

function configError(message: string): CqlError {
  return new CqlError(ErrorCode.CONFIG_ERROR, message, 'invalid');
}

function replicationFrom(keyspace: string, map: Record<string, string>, datacenters: readonly string[]): Record<string, string> {
  try {
    return replicationMap(parseReplication(map, { datacenters, userKeyspace: true }));
  } catch (err) {
    if (!(err instanceof RingError)) throw err;
    // Cassandra's wording: LocalStrategy is an InvalidRequest; option errors name the keyspace.
    if (err.message.includes('LocalStrategy is reserved')) throw invalidRequest(`${err.message}.`);
    if (err.message.startsWith('Unrecognized strategy option')) throw configError(`${err.message} for keyspace ${keyspace}`);
    throw configError(err.message);
  }
}

function notModifiable(keyspace: string): CqlError {
  return invalidRequest(`${keyspace} keyspace is not user-modifiable.`);
}

function keyspaceOf(ctx: DdlContext, explicit: string | null): string {
  const ks = explicit ?? ctx.sessionKeyspace;
  if (ks === null) throw invalidRequest('No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename');
  return ks;
}

type Outcome = SchemaChange | null;

/** Runs a schema statement; null means "nothing changed" (IF [NOT] EXISTS). */
export async function executeDdl(stmt: DdlStatement, ctx: DdlContext): Promise<Outcome> {
  switch (stmt.kind) {
    case 'createKeyspace': {
      checkName(stmt.keyspace, 'Keyspace');
      const opts = keyspaceOptionsFrom(stmt.options);
      if (opts.replication === null) throw configError("Missing mandatory option 'replication'");
      const replication = replicationFrom(stmt.keyspace, opts.replication, ctx.datacenters);
      return ctx.store.update((schema) => {
        if (schema.keyspace(stmt.keyspace) !== undefined) {
          if (stmt.ifNotExists) return none(stmt.keyspace, schema);
          throw new AlreadyExistsError(stmt.keyspace, '');
        }
        return {
          keyspace: stmt.keyspace,
          definition: makeKeyspace(stmt.keyspace, replication, opts.durableWrites ?? true),
          result: { change: 'CREATED', target: 'KEYSPACE', keyspace: stmt.keyspace } as Outcome,
        };
      });
    }
    case 'alterKeyspace': {
      if (isLocalKeyspace(stmt.keyspace)) throw notModifiable(stmt.keyspace);
      const opts = keyspaceOptionsFrom(stmt.options);
      return ctx.store.update((schema) => {
        const ks = schema.keyspace(stmt.keyspace);
        if (ks === undefined) {
          if (stmt.ifExists) return none(stmt.keyspace, schema);
          throw invalidRequest(`Keyspace '${stmt.keyspace}' doesn't exist`);
        }
        const replication = opts.replication === null ? ks.replication : replicationFrom(ks.name, opts.replication, ctx.datacenters);
        const next = makeKeyspace(ks.name, replication, opts.durableWrites ?? ks.durableWrites, ks.tables.values());
        return { keyspace: ks.name, definition: next, result: { change: 'UPDATED', target: 'KEYSPACE', keyspace: ks.name } as Outcome };
      });
    }
    case 'dropKeyspace': {
      if (isLocalKeyspace(stmt.keyspace)) throw notModifiable(stmt.keyspace);
      return ctx.store.update((schema) => {
        if (schema.keyspace(stmt.keyspace) === undefined) {
          if (stmt.ifExists) return none(stmt.keyspace, schema);
          throw invalidRequest(`Keyspace '${stmt.keyspace}' doesn't exist`);
        }
        return { keyspace: stmt.keyspace, definition: null, result: { change: 'DROPPED', target: 'KEYSPACE', keyspace: stmt.keyspace } as Outcome };
      });
    }
    case 'createTable': {
      const keyspace = keyspaceOf(ctx, stmt.table.keyspace);
      if (isLocalKeyspace(keyspace)) throw notModifiable(keyspace);
      checkName(stmt.table.name, 'Table');
      // Build (and so check) the definition before taking the schema lock.
      const table = tableFromCreate(stmt, keyspace, ctx.newTableId);
      return ctx.store.update((schema) => {
        const ks = schema.keyspace(keyspace);
        if (ks === undefined) throw invalidRequest(`Keyspace '${keyspace}' doesn't exist`);
        if (ks.tables.has(table.name)) {
          if (stmt.ifNotExists) return none(keyspace, schema);
          throw new AlreadyExistsError(keyspace, table.name);
        }
        if (schema.tableById(table.id) !== undefined) throw configError(`Table id ${table.id} is already used by another table`);
        return {
          keyspace,
          definition: withTables(ks, [...ks.tables.values(), table]),
          result: { change: 'CREATED', target: 'TABLE', keyspace, name: table.name } as Outcome,
        };
      });
    }
    case 'dropTable': {
      const keyspace = keyspaceOf(ctx, stmt.table.keyspace);
      if (isLocalKeyspace(keyspace)) throw notModifiable(keyspace);
      return ctx.store.update((schema) => {
        const found = existingTable(schema, keyspace, stmt.table.name, stmt.ifExists);
        if (found === null) return none(keyspace, schema);
        const { ks, t } = found;
        return {
          keyspace,
          definition: withTables(ks, [...ks.tables.values()].filter((x) => x.name !== t.name)),
          result: { change: 'DROPPED', target: 'TABLE', keyspace, name: t.name } as Outcome,
        };
      });
    }
    case 'alterTable': {
      const keyspace = keyspaceOf(ctx, stmt.table.keyspace);
      if (isLocalKeyspace(keyspace)) throw notModifiable(keyspace);
      return ctx.store.update((schema) => {
        const found = existingTable(schema, keyspace, stmt.table.name, stmt.ifExists);
        if (found === null) return none(keyspace, schema);
        const { ks, t } = found;
        const next = alteredTable(t, stmt, ctx);
        if (next === null) return none(keyspace, schema);
        return {
          keyspace,
          definition: withTables(ks, [...ks.tables.values()].map((x) => (x.name === t.name ? next : x))),
          result: { change: 'UPDATED', target: 'TABLE', keyspace, name: t.name } as Outcome,
        };
      });
    }
  }
}

/** The table DROP / ALTER TABLE names; null when it is missing and IF EXISTS was given. */
function existingTable(schema: Schema, keyspace: string, name: string, ifExists: boolean): { ks: KeyspaceMetadata; t: TableMetadata } | null {
  const ks = schema.keyspace(keyspace);
  const t = ks?.tables.get(name);
  if (ks !== undefined && t !== undefined) return { ks, t };
  if (ifExists) return null;
  throw invalidRequest(`Table '${keyspace}.${name}' doesn't exist`);
}

function isNativeBlob(t: { kind: string }): boolean {
  return t.kind === 'blob';
}

/** A no-op: nothing is written, the statement answers Void. */
function none(keyspace: string, _schema: Schema): { keyspace: string; definition: KeyspaceMetadata | null | undefined; result: Outcome } {
  return { keyspace, definition: undefined, result: null };
}

function alteredTable(t: TableMetadata, stmt: AlterTableStatement, ctx: DdlContext): TableMetadata | null {
  const a = stmt.action;
  switch (a.kind) {
    case 'add': {
      const inputs = columnInputs(t);
      const dropped = [...t.dropped.values()];
      let changed = false;
      for (const c of a.columns) {
        if (t.columns.has(c.name)) {
          if (a.ifNotExists) continue;
          throw invalidRequest(`Column with name '${c.name}' already exists`);
        }
        if (c.type.kind === 'counter') throw unsupported('Counter columns are not supported yet');
        if (c.isStatic && t.clustering.length === 0) {
          throw invalidRequest(`Static columns are only useful (and thus allowed) if the table has at least one clustering column`);
        }
        const previous = t.dropped.get(c.name);
        // Old cells of the dropped column stay hidden, but a type whose values cannot be read as
        // the old one's would be unsafe should the hiding ever fail (Cassandra: isValueCompatibleWith).
        if (previous !== undefined && !typeEquals(previous.type, c.type) && !(isNativeBlob(c.type) && !isCollection(previous.type))) {
          throw invalidRequest(`Cannot re-add previously dropped column '${c.name}' of type ${typeToString(c.type)}, incompatible with previous type ${typeToString(previous.type)}`);
        }
        inputs.push({ name: c.name, type: c.type, kind: c.isStatic ? 'static' : 'regular' });
        changed = true;
      }
      return changed ? alterTable(t, { columns: inputs, dropped }) : null;
    }
    case 'drop': {
      const droppedAt = a.timestamp === null ? ctx.nowMicros() : Number(a.timestamp.text);
      const dropped = new Map(t.dropped);
      let inputs = columnInputs(t);
      let changed = false;
      for (const name of a.columns) {
        const c = t.columns.get(name);
        if (c === undefined) {
          if (a.ifExists) continue;
          throw invalidRequest(`Column ${name} was not found in table ${t.name}`);
        }
        if (c.kind === 'partition_key' || c.kind === 'clustering') throw invalidRequest(`Cannot drop PRIMARY KEY column ${name}`);
        dropped.set(name, { name, type: c.type, kind: c.kind === 'static' ? 'static' : 'regular', droppedAtMicros: droppedAt });
        inputs = inputs.filter((i) => i.name !== name);
        changed = true;
      }
      return changed ? alterTable(t, { columns: inputs, dropped: [...dropped.values()] }) : null;
    }
    case 'rename': {
      let inputs = columnInputs(t);
      let changed = false;
      for (const [from, to] of a.renames) {
        const c = t.columns.get(from);
        if (c === undefined) {
          if (a.ifExists) continue;
          throw invalidRequest(`Column ${from} was not found in table ${t.name}`);
        }
        if (c.kind !== 'partition_key' && c.kind !== 'clustering') {
          throw invalidRequest(`Cannot rename non PRIMARY KEY column ${from}`);
        }
        if (t.columns.has(to)) throw invalidRequest(`Cannot rename column ${from} to ${to} in table ${t.name}; another column of that name already exist`);
        inputs = inputs.map((i) => (i.name === from ? { ...i, name: to } : i));
        changed = true;
      }
      return changed ? alterTable(t, { columns: inputs }) : null;
    }
    case 'alterType':
      throw invalidRequest('Altering column types is no longer supported');
    case 'dropCompactStorage':
      throw invalidRequest('Cannot DROP COMPACT STORAGE on a table without COMPACT STORAGE');
    case 'options': {
      const { options } = tableOptionsFrom(a.options, false);
      return alterTable(t, { options });
    }
  }
}
