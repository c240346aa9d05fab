/**
 * AST -> CQL text, on one line, keywords upper-case, identifiers quoted only when they must be.
 * The output parses back to the same AST (parse(print(ast)) deep-equals ast), so printing is
 * also a normal form: print(parse(print(parse(s)))) === print(parse(s)).
 */
import type {
  AlterTableAction,
  Assignment,
  ColumnDefinition,
  Condition,
  FunctionName,
  InValues,
  Literal,
  Option,
  OptionValue,
  Ordering,
  QualifiedName,
  Relation,
  Selector,
  Statement,
  Term,
  UsingClause,
} from './ast.js';
import { quoteIdentifier, quoteString } from './lexer.js';
import { typeToString } from './types.js';

export function printStatement(s: Statement): string {
  switch (s.kind) {
    case 'select': {
      let out = 'SELECT ';
      if (s.json) out += 'JSON ';
      if (s.distinct) out += 'DISTINCT ';
      out += s.selection === null ? '*' : s.selection.map((i) => printSelector(i.selector) + (i.alias === null ? '' : ` AS ${quoteIdentifier(i.alias)}`)).join(', ');
      out += ` FROM ${printName(s.table)}`;
      if (s.where.length > 0) out += ` WHERE ${s.where.map(printRelation).join(' AND ')}`;
      if (s.groupBy.length > 0) out += ` GROUP BY ${s.groupBy.map(quoteIdentifier).join(', ')}`;
      if (s.orderBy.length > 0) out += ` ORDER BY ${s.orderBy.map(printOrdering).join(', ')}`;
      if (s.perPartitionLimit !== null) out += ` PER PARTITION LIMIT ${printTerm(s.perPartitionLimit)}`;
      if (s.limit !== null) out += ` LIMIT ${printTerm(s.limit)}`;
      if (s.allowFiltering) out += ' ALLOW FILTERING';
      return out;
    }
    case 'insert': {
      let out = `INSERT INTO ${printName(s.table)} (${s.columns.map(quoteIdentifier).join(', ')}) VALUES (${s.values.map(printTerm).join(', ')})`;
      if (s.ifNotExists) out += ' IF NOT EXISTS';
      return out + printUsing(s.using);
    }
    case 'insertJson': {
      let out = `INSERT INTO ${printName(s.table)} JSON ${printTerm(s.json)}`;
      if (s.defaultUnset) out += ' DEFAULT UNSET';
      if (s.ifNotExists) out += ' IF NOT EXISTS';
      return out + printUsing(s.using);
    }
    case 'update': {
      let out = `UPDATE ${printName(s.table)}${printUsing(s.using)} SET ${s.assignments.map(printAssignment).join(', ')}`;
      out += ` WHERE ${s.where.map(printRelation).join(' AND ')}`;
      return out + printIf(s.ifExists, s.conditions);
    }
    case 'delete': {
      let out = 'DELETE ';
      if (s.targets.length > 0) {
        out += s.targets.map((d) => quoteIdentifier(d.column) + (d.element === null ? '' : `[${printTerm(d.element)}]`)).join(', ') + ' ';
      }
      out += `FROM ${printName(s.table)}${printUsing(s.using)} WHERE ${s.where.map(printRelation).join(' AND ')}`;
      return out + printIf(s.ifExists, s.conditions);
    }
    case 'batch': {
      const head = s.batchType === 'unlogged' ? 'BEGIN UNLOGGED BATCH' : s.batchType === 'counter' ? 'BEGIN COUNTER BATCH' : 'BEGIN BATCH';
      const body = s.statements.map((st) => printStatement(st) + '; ').join('');
      return `${head}${printUsing(s.using)} ${body}APPLY BATCH`;
    }
    case 'use':
      return `USE ${quoteIdentifier(s.keyspace)}`;
    case 'truncate':
      return `TRUNCATE ${printName(s.table)}`;
    case 'createKeyspace':
      return `CREATE KEYSPACE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteIdentifier(s.keyspace)} WITH ${printOptions(s.options)}`;
    case 'alterKeyspace':
      return `ALTER KEYSPACE ${s.ifExists ? 'IF EXISTS ' : ''}${quoteIdentifier(s.keyspace)} WITH ${printOptions(s.options)}`;
    case 'dropKeyspace':
      return `DROP KEYSPACE ${s.ifExists ? 'IF EXISTS ' : ''}${quoteIdentifier(s.keyspace)}`;
    case 'createTable': {
      const parts = s.columns.map(printColumnDefinition);
      const pk = s.partitionKey.length === 1 ? quoteIdentifier(s.partitionKey[0]!) : `(${s.partitionKey.map(quoteIdentifier).join(', ')})`;
      parts.push(`PRIMARY KEY (${[pk, ...s.clusteringColumns.map(quoteIdentifier)].join(', ')})`);
      let out = `CREATE TABLE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${printName(s.table)} (${parts.join(', ')})`;
      const props: string[] = [];
      if (s.clusteringOrder.length > 0) props.push(`CLUSTERING ORDER BY (${s.clusteringOrder.map(printOrdering).join(', ')})`);
      if (s.compactStorage) props.push('COMPACT STORAGE');
      for (const o of s.options) props.push(printOption(o));
      if (props.length > 0) out += ` WITH ${props.join(' AND ')}`;
      return out;
    }
    case 'alterTable':
      return `ALTER TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${printName(s.table)} ${printAlterAction(s.action)}`;
    case 'dropTable':
      return `DROP TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${printName(s.table)}`;
    case 'unsupported':
      return s.text;
  }
}

function printAlterAction(a: AlterTableAction): string {
  switch (a.kind) {
    case 'alterType':
      return `ALTER ${quoteIdentifier(a.column)} TYPE ${typeToString(a.type)}`;
    case 'add': {
      const cols = a.columns.length === 1 ? printColumnDefinition(a.columns[0]!) : `(${a.columns.map(printColumnDefinition).join(', ')})`;
      return `ADD ${a.ifNotExists ? 'IF NOT EXISTS ' : ''}${cols}`;
    }
    case 'drop': {
      const cols = a.columns.length === 1 ? quoteIdentifier(a.columns[0]!) : `(${a.columns.map(quoteIdentifier).join(', ')})`;
      return `DROP ${a.ifExists ? 'IF EXISTS ' : ''}${cols}${a.timestamp === null ? '' : ` USING TIMESTAMP ${a.timestamp.text}`}`;
    }
    case 'rename':
      return `RENAME ${a.ifExists ? 'IF EXISTS ' : ''}${a.renames.map(([f, t]) => `${quoteIdentifier(f)} TO ${quoteIdentifier(t)}`).join(' AND ')}`;
    case 'dropCompactStorage':
      return 'DROP COMPACT STORAGE';
    case 'options':
      return `WITH ${printOptions(a.options)}`;
  }
}

function printColumnDefinition(c: ColumnDefinition): string {
  return `${quoteIdentifier(c.name)} ${typeToString(c.type)}${c.isStatic ? ' STATIC' : ''}`;
}

function printOptions(options: readonly Option[]): string {
  return options.map(printOption).join(' AND ');
}

function printOption(o: Option): string {
  return `${quoteIdentifier(o.name)} = ${printOptionValue(o.value)}`;
}

function printOptionValue(v: OptionValue): string {
  switch (v.kind) {
    case 'literal':
      return printLiteral(v);
    case 'identifier':
      return quoteIdentifier(v.name);
    case 'map':
      return `{${v.entries.map(([k, val]) => `${printLiteral(k)}: ${printLiteral(val)}`).join(', ')}}`;
  }
}

export function printName(n: QualifiedName): string {
  return n.keyspace === null ? quoteIdentifier(n.name) : `${quoteIdentifier(n.keyspace)}.${quoteIdentifier(n.name)}`;
}

function printOrdering(o: Ordering): string {
  return `${quoteIdentifier(o.column)} ${o.direction}`;
}

function printUsing(u: UsingClause): string {
  const parts: string[] = [];
  if (u.ttl !== null) parts.push(`TTL ${printTerm(u.ttl)}`);
  if (u.timestamp !== null) parts.push(`TIMESTAMP ${printTerm(u.timestamp)}`);
  return parts.length === 0 ? '' : ` USING ${parts.join(' AND ')}`;
}

function printIf(ifExists: boolean, conditions: readonly Condition[]): string {
  if (ifExists) return ' IF EXISTS';
  if (conditions.length === 0) return '';
  return ` IF ${conditions.map(printCondition).join(' AND ')}`;
}

function printCondition(c: Condition): string {
  const lhs = quoteIdentifier(c.column) + (c.element === null ? '' : `[${printTerm(c.element)}]`);
  if (c.kind === 'in') return `${lhs} IN ${printInValues(c.values)}`;
  return `${lhs} ${c.op} ${printTerm(c.value)}`;
}

function printAssignment(a: Assignment): string {
  const c = quoteIdentifier(a.column);
  switch (a.kind) {
    case 'set':
      return `${c} = ${printTerm(a.value)}`;
    case 'add':
      return `${c} = ${c} + ${printTerm(a.value)}`;
    case 'subtract':
      return `${c} = ${c} - ${printTerm(a.value)}`;
    case 'prepend':
      return `${c} = ${printTerm(a.value)} + ${c}`;
    case 'setElement':
      return `${c}[${printTerm(a.key)}] = ${printTerm(a.value)}`;
  }
}

function printInValues(v: InValues): string {
  if (Array.isArray(v)) return `(${(v as readonly Term[]).map(printTerm).join(', ')})`;
  return printTerm(v as Term);
}

export function printRelation(r: Relation): string {
  switch (r.kind) {
    case 'compare':
      return `${quoteIdentifier(r.column)} ${r.op} ${printTerm(r.value)}`;
    case 'in':
      return `${quoteIdentifier(r.column)} IN ${printInValues(r.values)}`;
    case 'mapElement':
      return `${quoteIdentifier(r.column)}[${printTerm(r.key)}] ${r.op} ${printTerm(r.value)}`;
    case 'multiCompare':
      return `(${r.columns.map(quoteIdentifier).join(', ')}) ${r.op} ${printTerm(r.value)}`;
    case 'multiIn':
      return `(${r.columns.map(quoteIdentifier).join(', ')}) IN ${printInValues(r.values)}`;
    case 'token':
      return `TOKEN(${r.columns.map(quoteIdentifier).join(', ')}) ${r.op} ${printTerm(r.value)}`;
    case 'isNotNull':
      return `${quoteIdentifier(r.column)} IS NOT NULL`;
  }
}

export function printSelector(s: Selector): string {
  switch (s.kind) {
    case 'column':
      return quoteIdentifier(s.name);
    case 'countRows':
      return 'COUNT(*)';
    case 'writetime':
      return `WRITETIME(${quoteIdentifier(s.column)})`;
    case 'ttl':
      return `TTL(${quoteIdentifier(s.column)})`;
    case 'function':
      return `${printFunctionName(s.name)}(${s.args.map(printSelector).join(', ')})`;
    case 'cast':
      return `CAST(${printSelector(s.arg)} AS ${typeToString(s.type)})`;
    case 'element':
      return `${printSelector(s.arg)}[${printTerm(s.key)}]`;
    case 'slice':
      return `${printSelector(s.arg)}[${s.from === null ? '' : printTerm(s.from)}..${s.to === null ? '' : printTerm(s.to)}]`;
    case 'term':
      return printTerm(s.term);
    case 'operation':
      return `${printSelector(s.left)} ${s.op} ${printSelector(s.right)}`;
    case 'negate':
      return `-${printSelector(s.arg)}`;
  }
}

function printFunctionName(f: FunctionName): string {
  // token and count are keywords that may name a function; anything else reserved needs quotes.
  const name = f.name === 'token' || f.name === 'count' ? f.name : quoteIdentifier(f.name);
  return f.keyspace === null ? name : `${quoteIdentifier(f.keyspace)}.${name}`;
}

function printLiteral(l: Literal): string {
  return l.type === 'string' ? quoteString(l.text) : l.text;
}

export function printTerm(t: Term): string {
  switch (t.kind) {
    case 'literal':
      return printLiteral(t);
    case 'null':
      return 'NULL';
    case 'bind':
      return t.name === null ? '?' : `:${quoteIdentifier(t.name)}`;
    case 'list':
      return `[${t.elements.map(printTerm).join(', ')}]`;
    case 'set':
      return `{${t.elements.map(printTerm).join(', ')}}`;
    case 'map':
      return `{${t.entries.map(([k, v]) => `${printTerm(k)}: ${printTerm(v)}`).join(', ')}}`;
    case 'tuple':
      return `(${t.elements.map(printTerm).join(', ')})`;
    case 'function':
      return `${printFunctionName(t.name)}(${t.args.map(printTerm).join(', ')})`;
    case 'cast':
      return `(${typeToString(t.type)}) ${printTerm(t.term)}`;
    case 'operation':
      // The parser builds left-associative trees by precedence, so no parentheses are needed.
      return `${printTerm(t.left)} ${t.op} ${printTerm(t.right)}`;
  }
}
