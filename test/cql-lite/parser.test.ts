import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  bindMarkersOf,
  CqlError,
  CqlTypes,
  ErrorCode,
  listOf,
  mapOf,
  parseScript,
  parseStatement,
  parseTerm,
  printStatement,
  printTerm,
  setOf,
  tupleOf,
  type Statement,
} from '../../src/cql-lite/index.js';

/** [input, its printed form]: every statement form the parser knows (see README). */
const TABLE: Array<[string, string]> = JSON.parse(readFileSync(new URL('./statements.json', import.meta.url), 'utf8'));

t.test('the statement table is large and covers every statement kind', async (t) => {
  t.ok(TABLE.length >= 100, `${TABLE.length} statements`);
  const kinds = new Set(TABLE.map(([q]) => parseStatement(q).kind));
  for (const k of [
    'select', 'insert', 'insertJson', 'update', 'delete', 'batch', 'use', 'truncate', 'createKeyspace', 'alterKeyspace',
    'dropKeyspace', 'createTable', 'alterTable', 'dropTable', 'unsupported',
  ]) {
    t.ok(kinds.has(k as Statement['kind']), `covers ${k}`);
  }
});

t.test('parse -> print gives the expected text, and print -> parse gives the same AST', async (t) => {
  for (const [input, printed] of TABLE) {
    const ast = parseStatement(input);
    t.equal(printStatement(ast), printed, `printed form of ${JSON.stringify(input)}`);
    const again = parseStatement(printed);
    t.strictSame(again, ast, `re-parsed AST of ${JSON.stringify(input)}`);
    t.equal(printStatement(again), printed, `printing is stable for ${JSON.stringify(input)}`);
  }
});

const parse = parseStatement;

t.test('identifiers: unquoted fold to lower case, quoted keep case and may be keywords', async (t) => {
  const s = parse('SELECT "MixedCase", Plain, "select" FROM "Ks".Tbl WHERE "Col" = 1');
  t.match(s, {
    kind: 'select',
    table: { keyspace: 'Ks', name: 'tbl' },
    selection: [{ selector: { kind: 'column', name: 'MixedCase' } }, { selector: { name: 'plain' } }, { selector: { name: 'select' } }],
    where: [{ kind: 'compare', column: 'Col', op: '=' }],
  });
  t.match(parse('select * from KS.T'), { table: { keyspace: 'ks', name: 't' } });
  t.match(parse('SELECT "a""b" FROM t'), { selection: [{ selector: { name: 'a"b' } }] });
  // Unreserved keywords are fine as names, reserved ones are not.
  t.match(parse('SELECT key, ttl, count, type FROM t'), { selection: [{ selector: { name: 'key' } }, { selector: { name: 'ttl' } }, { selector: { name: 'count' } }, { selector: { name: 'type' } }] });
  t.throws(() => parse('SELECT from FROM t'), { code: ErrorCode.SYNTAX_ERROR });
});

t.test('literals keep their text and kind', async (t) => {
  const lit = (src: string) => parseTerm(src);
  t.strictSame(lit("'it''s'"), { kind: 'literal', type: 'string', text: "it's" });
  t.strictSame(lit("$$a 'b' $ c$$"), { kind: 'literal', type: 'string', text: "a 'b' $ c" });
  t.strictSame(lit("''"), { kind: 'literal', type: 'string', text: '' });
  t.strictSame(lit('-12'), { kind: 'literal', type: 'integer', text: '-12' });
  t.strictSame(lit('- 12'), { kind: 'literal', type: 'integer', text: '-12' });
  t.strictSame(lit('123456789012345678901234567890'), { kind: 'literal', type: 'integer', text: '123456789012345678901234567890' });
  t.strictSame(lit('1.5e-3'), { kind: 'literal', type: 'float', text: '1.5e-3' });
  t.strictSame(lit('nan'), { kind: 'literal', type: 'float', text: 'NaN' });
  t.strictSame(lit('-NaN'), { kind: 'literal', type: 'float', text: 'NaN' });
  t.strictSame(lit('Infinity'), { kind: 'literal', type: 'float', text: 'Infinity' });
  t.strictSame(lit('-infinity'), { kind: 'literal', type: 'float', text: '-Infinity' });
  t.strictSame(lit('TRUE'), { kind: 'literal', type: 'boolean', text: 'true' });
  t.strictSame(lit('0xCAFE'), { kind: 'literal', type: 'hex', text: '0xCAFE' });
  t.strictSame(lit('0x'), { kind: 'literal', type: 'hex', text: '0x' });
  t.strictSame(lit('123E4567-e89b-12d3-a456-426614174000'), { kind: 'literal', type: 'uuid', text: '123E4567-e89b-12d3-a456-426614174000' });
  t.strictSame(lit('1h30m'), { kind: 'literal', type: 'duration', text: '1h30m' });
  t.strictSame(lit('-2mo3µs'), { kind: 'literal', type: 'duration', text: '-2mo3µs' });
  t.strictSame(lit('null'), { kind: 'null' });
});

t.test('collections, tuples, functions, casts and bind markers', async (t) => {
  t.match(parseTerm("[1, 'a', [2]]"), { kind: 'list', elements: [{ text: '1' }, { text: 'a' }, { kind: 'list', elements: [{ text: '2' }] }] });
  t.strictSame(parseTerm('{}'), { kind: 'set', elements: [] });
  t.match(parseTerm("{'a', 'b'}"), { kind: 'set', elements: [{ text: 'a' }, { text: 'b' }] });
  t.match(parseTerm("{'k': 1, 'j': {2}}"), { kind: 'map', entries: [[{ text: 'k' }, { text: '1' }], [{ text: 'j' }, { kind: 'set' }]] });
  t.match(parseTerm("(1, 'x', null)"), { kind: 'tuple', elements: [{ text: '1' }, { text: 'x' }, { kind: 'null' }] });
  t.match(parseTerm('(1)'), { kind: 'tuple', elements: [{ text: '1' }] });
  t.strictSame(parseTerm('toTimestamp(now())'), {
    kind: 'function',
    name: { keyspace: null, name: 'totimestamp' },
    args: [{ kind: 'function', name: { keyspace: null, name: 'now' }, args: [] }],
  });
  t.match(parseTerm('Ks.F(1)'), { kind: 'function', name: { keyspace: 'ks', name: 'f' } });
  t.match(parseTerm('"F"(1)'), { kind: 'function', name: { keyspace: null, name: 'F' } });
  t.strictSame(parseTerm('(int) 3'), { kind: 'cast', type: CqlTypes.int, term: { kind: 'literal', type: 'integer', text: '3' } });
  t.strictSame(parseTerm('(list<int>) [1]'), {
    kind: 'cast',
    type: listOf(CqlTypes.int),
    term: { kind: 'list', elements: [{ kind: 'literal', type: 'integer', text: '1' }] },
  });
  const s = parse('SELECT * FROM t WHERE a = ? AND b = :Bee AND c = :"Cee" AND d IN ? LIMIT ?');
  t.strictSame(
    bindMarkersOf(s).map((m) => [m.index, m.name]),
    [[0, null], [1, 'bee'], [2, 'Cee'], [3, null], [4, null]],
  );
  t.equal(printTerm(parseTerm(':"Cee"')), ':"Cee"');
});

t.test('SELECT clauses', async (t) => {
  const s = parse(
    'SELECT JSON DISTINCT a AS x, COUNT(*), count(1), writetime(b), ttl(b), token(a), cast(c as text) FROM ks.t ' +
      'WHERE a = 1 AND token(a, b) > token(1, 2) AND (c, d) > (1, 2) AND (c, d) IN ((1, 2), (3, 4)) AND m CONTAINS KEY 2 AND m[3] >= 4 ' +
      'GROUP BY a ORDER BY c DESC, d PER PARTITION LIMIT 5 LIMIT 10 ALLOW FILTERING',
  );
  t.match(s, {
    kind: 'select',
    json: true,
    distinct: true,
    selection: [
      { selector: { kind: 'column', name: 'a' }, alias: 'x' },
      { selector: { kind: 'countRows' }, alias: null },
      { selector: { kind: 'function', name: { name: 'count' }, args: [{ kind: 'term', term: { text: '1' } }] } },
      { selector: { kind: 'writetime', column: 'b' } },
      { selector: { kind: 'ttl', column: 'b' } },
      { selector: { kind: 'function', name: { name: 'token' }, args: [{ kind: 'column', name: 'a' }] } },
      { selector: { kind: 'cast', arg: { kind: 'column', name: 'c' }, type: CqlTypes.text } },
    ],
    where: [
      { kind: 'compare', column: 'a', op: '=', value: { text: '1' } },
      { kind: 'token', columns: ['a', 'b'], op: '>', value: { kind: 'function', name: { name: 'token' } } },
      { kind: 'multiCompare', columns: ['c', 'd'], op: '>', value: { kind: 'tuple' } },
      { kind: 'multiIn', columns: ['c', 'd'], values: [{ kind: 'tuple' }, { kind: 'tuple' }] },
      { kind: 'compare', column: 'm', op: 'CONTAINS KEY' },
      { kind: 'mapElement', column: 'm', key: { text: '3' }, op: '>=', value: { text: '4' } },
    ],
    groupBy: ['a'],
    orderBy: [
      { column: 'c', direction: 'DESC' },
      { column: 'd', direction: 'ASC' },
    ],
    perPartitionLimit: { text: '5' },
    limit: { text: '10' },
    allowFiltering: true,
  });
  t.match(parse('SELECT * FROM t'), { selection: null, where: [], limit: null, perPartitionLimit: null, allowFiltering: false, json: false, distinct: false });
  // json and distinct are also plain column names.
  t.match(parse('SELECT json FROM t'), { json: false, selection: [{ selector: { name: 'json' } }] });
  t.match(parse('SELECT distinct, a FROM t'), { distinct: false, selection: [{ selector: { name: 'distinct' } }, {}] });
  t.match(parse('SELECT DISTINCT json FROM t'), { distinct: true, selection: [{ selector: { name: 'json' } }] });
  t.match(parse('SELECT * FROM t WHERE a IN ()'), { where: [{ kind: 'in', values: [] }] });
  t.match(parse('SELECT * FROM t WHERE a IN :list'), { where: [{ kind: 'in', values: { kind: 'bind', name: 'list' } }] });
});

t.test('INSERT, UPDATE, DELETE and BATCH', async (t) => {
  t.match(parse('INSERT INTO t (k, v) VALUES (1, 2) IF NOT EXISTS USING TTL 3 AND TIMESTAMP 4'), {
    kind: 'insert',
    columns: ['k', 'v'],
    values: [{ text: '1' }, { text: '2' }],
    ifNotExists: true,
    using: { ttl: { text: '3' }, timestamp: { text: '4' } },
  });
  t.match(parse("INSERT INTO t JSON '{}' DEFAULT UNSET"), { kind: 'insertJson', json: { text: '{}' }, defaultUnset: true, ifNotExists: false });
  const u = parse("UPDATE t SET a = 1, l = l + [1], l2 = [0] + l2, s = s - {2}, m[3] = 'x', c = c -1, d += 2, e -= 3 WHERE k = 1 IF EXISTS");
  t.match(u, {
    kind: 'update',
    assignments: [
      { kind: 'set', column: 'a' },
      { kind: 'add', column: 'l', value: { kind: 'list' } },
      { kind: 'prepend', column: 'l2', value: { kind: 'list' } },
      { kind: 'subtract', column: 's', value: { kind: 'set' } },
      { kind: 'setElement', column: 'm', key: { text: '3' }, value: { text: 'x' } },
      { kind: 'add', column: 'c', value: { text: '-1' } },
      { kind: 'add', column: 'd', value: { text: '2' } },
      { kind: 'subtract', column: 'e', value: { text: '3' } },
    ],
    ifExists: true,
    conditions: [],
  });
  t.match(parse("UPDATE t SET v = 1 WHERE k = 1 IF v = 2 AND m['a'] > 3 AND w IN (4, 5) AND s CONTAINS 6"), {
    ifExists: false,
    conditions: [
      { kind: 'compare', column: 'v', element: null, op: '=' },
      { kind: 'compare', column: 'm', element: { text: 'a' }, op: '>' },
      { kind: 'in', column: 'w', element: null, values: [{ text: '4' }, { text: '5' }] },
      { kind: 'compare', column: 's', op: 'CONTAINS' },
    ],
  });
  t.match(parse("DELETE a, l[0], m['k'] FROM t USING TIMESTAMP 9 WHERE k = 1 AND c > 2 IF a = 3"), {
    kind: 'delete',
    targets: [
      { column: 'a', element: null },
      { column: 'l', element: { text: '0' } },
      { column: 'm', element: { text: 'k' } },
    ],
    using: { ttl: null, timestamp: { text: '9' } },
    where: [{ column: 'k' }, { column: 'c', op: '>' }],
    conditions: [{ column: 'a' }],
  });
  const b = parse('BEGIN UNLOGGED BATCH USING TIMESTAMP 1 INSERT INTO t (k) VALUES (?); UPDATE t SET v = ? WHERE k = ? APPLY BATCH');
  t.match(b, { kind: 'batch', batchType: 'unlogged', using: { timestamp: { text: '1' } }, statements: [{ kind: 'insert' }, { kind: 'update' }] });
  t.strictSame(
    bindMarkersOf(b).map((m) => m.index),
    [0, 1, 2],
    'bind markers are numbered across the whole batch',
  );
  t.match(parse('BEGIN COUNTER BATCH APPLY BATCH'), { batchType: 'counter', statements: [] });
});

t.test('DDL', async (t) => {
  t.match(parse("CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3} AND durable_writes = false"), {
    kind: 'createKeyspace',
    keyspace: 'ks',
    ifNotExists: true,
    options: [
      {
        name: 'replication',
        value: {
          kind: 'map',
          entries: [
            [{ type: 'string', text: 'class' }, { type: 'string', text: 'SimpleStrategy' }],
            [{ type: 'string', text: 'replication_factor' }, { type: 'integer', text: '3' }],
          ],
        },
      },
      { name: 'durable_writes', value: { kind: 'literal', type: 'boolean', text: 'false' } },
    ],
  });
  const ct = parse(
    'CREATE TABLE ks.t (a int, b text, c timeuuid, d frozen<list<int>>, s map<text, int> STATIC, tu tuple<int, list<text>>, ' +
      "PRIMARY KEY ((a, b), c, d)) WITH CLUSTERING ORDER BY (c DESC) AND COMPACT STORAGE AND comment = 'x' AND gc_grace_seconds = 10",
  );
  t.strictSame(ct, {
    kind: 'createTable',
    table: { keyspace: 'ks', name: 't' },
    ifNotExists: false,
    columns: [
      { name: 'a', type: CqlTypes.int, isStatic: false },
      { name: 'b', type: CqlTypes.text, isStatic: false },
      { name: 'c', type: CqlTypes.timeuuid, isStatic: false },
      { name: 'd', type: listOf(CqlTypes.int, true), isStatic: false },
      { name: 's', type: mapOf(CqlTypes.text, CqlTypes.int), isStatic: true },
      { name: 'tu', type: tupleOf([CqlTypes.int, listOf(CqlTypes.text, true)]), isStatic: false },
    ],
    partitionKey: ['a', 'b'],
    clusteringColumns: ['c', 'd'],
    clusteringOrder: [{ column: 'c', direction: 'DESC' }],
    compactStorage: true,
    options: [
      { name: 'comment', value: { kind: 'literal', type: 'string', text: 'x' } },
      { name: 'gc_grace_seconds', value: { kind: 'literal', type: 'integer', text: '10' } },
    ],
  });
  t.match(parse('CREATE TABLE t (k int PRIMARY KEY, v set<text>)'), { partitionKey: ['k'], clusteringColumns: [], columns: [{}, { type: setOf(CqlTypes.text) }] });
  t.match(parse('ALTER TABLE t ADD (a int, b text STATIC)'), { kind: 'alterTable', action: { kind: 'add', columns: [{ name: 'a' }, { name: 'b', isStatic: true }] } });
  t.match(parse('ALTER TABLE t DROP (a, b) USING TIMESTAMP 5'), { action: { kind: 'drop', columns: ['a', 'b'], timestamp: { text: '5' } } });
  t.match(parse('ALTER TABLE t WITH default_time_to_live = 10'), { action: { kind: 'options', options: [{ name: 'default_time_to_live' }] } });
  t.match(parse('TRUNCATE TABLE ks.t'), { kind: 'truncate', table: { keyspace: 'ks', name: 't' } });
  t.match(parse('USE "Ks"'), { kind: 'use', keyspace: 'Ks' });
});

t.test('statements Ringtail does not implement parse to an unsupported node naming them', async (t) => {
  const cases: Array<[string, string]> = [
    ['CREATE INDEX ON t (v)', 'CREATE INDEX'],
    ['create custom index i on t (v) using \'c\'', 'CREATE INDEX'],
    ['CREATE TYPE a (b int)', 'CREATE TYPE'],
    ['CREATE OR REPLACE FUNCTION f () CALLED ON NULL INPUT RETURNS int LANGUAGE java AS $$ return 1; $$', 'CREATE FUNCTION'],
    ['CREATE AGGREGATE a (int) SFUNC f STYPE int', 'CREATE AGGREGATE'],
    ['CREATE MATERIALIZED VIEW v AS SELECT * FROM t PRIMARY KEY (k)', 'CREATE MATERIALIZED VIEW'],
    ['CREATE TRIGGER tr ON t USING \'x\'', 'CREATE TRIGGER'],
    ["CREATE ROLE r WITH PASSWORD = 'p'", 'CREATE ROLE'],
    ["CREATE USER u WITH PASSWORD 'p'", 'CREATE USER'],
    ['DROP INDEX i', 'DROP INDEX'],
    ['DROP MATERIALIZED VIEW v', 'DROP MATERIALIZED VIEW'],
    ['ALTER ROLE r WITH LOGIN = true', 'ALTER ROLE'],
    ['GRANT ALL ON KEYSPACE ks TO r', 'GRANT'],
    ['REVOKE ALL ON KEYSPACE ks FROM r', 'REVOKE'],
    ['LIST ALL PERMISSIONS', 'LIST'],
    ['DESCRIBE TABLES', 'DESCRIBE'],
    ['desc keyspace ks', 'DESCRIBE'],
  ];
  for (const [q, what] of cases) {
    t.strictSame(parse(q), { kind: 'unsupported', what, text: q }, q);
  }
});

t.test('parseScript splits on ; (also inside batches and strings correctly) and skips empty statements', async (t) => {
  const src = [
    '-- a script',
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};",
    'USE ks;;',
    "INSERT INTO t (k, v) VALUES (1, 'a;b');",
    'BEGIN BATCH',
    '  INSERT INTO t (k) VALUES (?);',
    '  DELETE FROM t WHERE k = ?;',
    'APPLY BATCH;',
    "CREATE FUNCTION f () CALLED ON NULL INPUT RETURNS int LANGUAGE java AS $$ return 1; $$;",
    'SELECT * FROM t WHERE k = ?',
  ].join('\n');
  const out = parseScript(src);
  t.strictSame(
    out.map((s) => [s.statement.kind, s.line]),
    [
      ['createKeyspace', 2],
      ['use', 3],
      ['insert', 4],
      ['batch', 5],
      ['unsupported', 9],
      ['select', 10],
    ],
  );
  t.equal(out[2]!.text, "INSERT INTO t (k, v) VALUES (1, 'a;b')");
  t.equal(out[3]!.text, 'BEGIN BATCH\n  INSERT INTO t (k) VALUES (?);\n  DELETE FROM t WHERE k = ?;\nAPPLY BATCH');
  t.strictSame(bindMarkersOf(out[5]!.statement).map((m) => m.index), [0], 'markers are numbered per statement');
  t.strictSame(parseScript(' ; ;\n'), []);
  t.throws(() => parseScript('SELECT * FROM t SELECT * FROM u'), { message: "line 1:16 mismatched input 'SELECT' expecting ';'" });
});

t.test('rules Cassandra checks right after parsing are InvalidRequest, not syntax errors', async (t) => {
  const invalid = (q: string, message: string | RegExp) => {
    try {
      parse(q);
      t.fail(`expected an error for ${q}`);
    } catch (e) {
      t.ok(e instanceof CqlError, q);
      t.equal((e as CqlError).code, ErrorCode.INVALID, q);
      t.match((e as CqlError).message, message, q);
    }
  };
  invalid('INSERT INTO t (a, b) VALUES (1)', 'Unmatched column names/values');
  invalid('CREATE TABLE t (k int)', /No PRIMARY KEY specifed for table 't'/);
  invalid('CREATE TABLE t (k int PRIMARY KEY, v int, PRIMARY KEY (v))', /Multiple PRIMARY KEY specified for table 't'/);
  invalid('CREATE TABLE t (k int PRIMARY KEY, l list<list<int>>)', 'Non-frozen collections are not allowed inside collections: list<list<int>>');
  invalid('CREATE TABLE t (k int PRIMARY KEY, l set<counter>)', 'Counters are not allowed inside collections: set<counter>');
  invalid('CREATE TABLE t (k int PRIMARY KEY, l set<duration>)', 'Durations are not allowed inside sets: set<duration>');
  invalid('CREATE TABLE t (k int PRIMARY KEY, a address)', /Unknown type address/);
  invalid("CREATE TABLE t (k int PRIMARY KEY, a 'org.Custom')", /Custom types are not supported/);
});
