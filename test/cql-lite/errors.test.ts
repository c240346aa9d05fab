import t from 'tap';
import { CqlError, CqlSyntaxError, ErrorCode, parseStatement, parseTypeString } from '../../src/cql-lite/index.js';

/**
 * [statement, line, column, message]: line is 1-based, column the 0-based offset within the line,
 * as in Cassandra's "line 1:9 mismatched input 'tbl' expecting K_FROM".
 */
const BAD: Array<[string, number, number, string]> = [
  ['SELECT * tbl', 1, 9, "mismatched input 'tbl' expecting K_FROM"],
  ['SELECT x', 1, 8, "mismatched input '<EOF>' expecting K_FROM"],
  ['SELEC * FROM t', 1, 0, "no viable alternative at input 'SELEC'"],
  ['', 1, 0, "no viable alternative at input '<EOF>'"],
  ["SELECT * FROM t WHERE a = 'x", 1, 28, "mismatched character '<EOF>' expecting '''"],
  ['SELECT *\nFROM t\nWHERE k = = 1', 3, 10, "no viable alternative at input '='"],
  ['SELECT *\r\nFROM t\r\n  WHERE', 3, 7, "no viable alternative at input '<EOF>'"],
  ['INSERT INTO t (a) VALUES (1', 1, 27, "mismatched input '<EOF>' expecting ')'"],
  ['INSERT INTO t (a) VALUE (1)', 1, 18, "mismatched input 'VALUE' expecting K_VALUES"],
  ['SELECT * FROM t WHERE k = 1 ORDER BY', 1, 36, "no viable alternative at input '<EOF>'"],
  ['UPDATE t SET a = b + 1 WHERE k = 1', 1, 17, 'Only expressions of the form X = X + <value> are supported.'],
  ['UPDATE t SET a = 1 + b WHERE k = 1', 1, 21, 'Only expressions of the form X = <value> + X are supported.'],
  ['UPDATE t SET a = a * 2 WHERE k = 1', 1, 19, "no viable alternative at input '*'"],
  ['UPDATE t SET a = 1', 1, 18, "mismatched input '<EOF>' expecting K_WHERE"],
  ['CREATE TABLE t (k frozen<int> PRIMARY KEY)', 1, 25, 'frozen<> is only allowed on collections, tuples, and user-defined types (got int)'],
  ['SELECT * FROM t WHERE a ~ 1', 1, 24, "no viable alternative at character '~'"],
  ['SELECT * FROM t; SELECT 1', 1, 17, "mismatched input 'SELECT' expecting EOF"],
  ['SELECT * FROM t /* unterminated', 1, 31, "mismatched character '<EOF>' expecting '*'"],
  ['SELECT * FROM ?', 1, 14, 'Bind variables cannot be used for table names'],
  ['USE ?', 1, 4, 'Bind variables cannot be used for keyspace names'],
  ["CREATE KEYSPACE ks WITH a = 1 AND a = 2", 1, 34, 'Multiple definition for property a'],
  ["CREATE KEYSPACE ks WITH r = {'a': 1, 'a': 2}", 1, 37, 'Multiple definition for property a'],
  ['CREATE KEYSPACE ks WITH r = {?: 1}', 1, 29, 'Invalid property name: ?'],
  ["CREATE KEYSPACE ks WITH r = {'a': now()}", 1, 34, "Invalid property value: now for property: a"],
  ['DELETE FROM t USING TTL 5 WHERE k = 1', 1, 20, "mismatched input 'TTL' expecting K_TIMESTAMP"],
  ['BEGIN BATCH SELECT * FROM t APPLY BATCH', 1, 12, "mismatched input 'SELECT' expecting K_APPLY"],
  ['BEGIN BATCH INSERT INTO t (k) VALUES (1)', 1, 40, "mismatched input '<EOF>' expecting K_APPLY"],
  ["SELECT * FROM t WHERE k = 1 LIMIT 'x'", 1, 34, "no viable alternative at input ''x''"],
  ['SELECT é FROM t', 1, 7, "no viable alternative at character 'é'"],
  ['SELECT a FROM t WHERE b = 1 AND', 1, 31, "no viable alternative at input '<EOF>'"],
  ['SELECT a FROM t WHERE (b, c) > 1', 1, 31, "no viable alternative at input '1'"],
  ['SELECT a FROM t WHERE token(b) IN (1)', 1, 31, "no viable alternative at input 'IN'"],
  ['CREATE TABLE t (k int PRIMARY KEY) WITH CLUSTERING ORDER BY (c)', 1, 62, "no viable alternative at input ')'"],
  ['CREATE TABLE t (k map<int> PRIMARY KEY)', 1, 25, "mismatched input '>' expecting ','"],
  ['CREATE TABLE t ()', 1, 16, "no viable alternative at input ')'"],
  ['DROP t', 1, 5, "no viable alternative at input 't'"],
  ['INSERT INTO t (k) VALUES (- -1)', 1, 28, "no viable alternative at input '-1'"],
  ['SELECT * FROM t WHERE k = $x', 1, 26, "no viable alternative at character '$'"],
  ['SELECT "" FROM t', 1, 7, `no viable alternative at input '""'`],
  ['SELECT * FROM t WHERE k = 1 -- comment\n  AND', 2, 5, "no viable alternative at input '<EOF>'"],
  ['ALTER TABLE t', 1, 13, "no viable alternative at input '<EOF>'"],
  ['SELECT CAST(a AS list<int>) FROM t', 1, 17, "no viable alternative at input 'list'"],
];

t.test('syntax errors carry Cassandra-style line:column messages and the SyntaxError code', async (t) => {
  for (const [q, line, column, detail] of BAD) {
    try {
      parseStatement(q);
      t.fail(`expected a syntax error for ${JSON.stringify(q)}`);
    } catch (e) {
      t.ok(e instanceof CqlSyntaxError, `${JSON.stringify(q)} throws a CqlSyntaxError (got ${(e as Error).message})`);
      const err = e as CqlSyntaxError;
      t.equal(err.code, ErrorCode.SYNTAX_ERROR, 'code 0x2000');
      t.equal(err.reason, 'syntax');
      t.equal(err.message, `line ${line}:${column} ${detail}`, JSON.stringify(q));
      t.equal(err.line, line);
      t.equal(err.column, column);
    }
  }
});

t.test('nesting is capped with a syntax error instead of a stack overflow', async (t) => {
  for (const open of ['[', '(', '{', 'f(']) {
    const close = open === '[' ? ']' : open === '{' ? '}' : ')';
    const q = `SELECT * FROM t WHERE k = ${open.repeat(100_000)}1${close.repeat(100_000)}`;
    t.throws(() => parseStatement(q), { code: ErrorCode.SYNTAX_ERROR, message: /nested more than 100 levels/ }, open);
  }
  t.throws(() => parseTypeString('frozen<'.repeat(50_000) + 'list<int>' + '>'.repeat(50_000)), { code: ErrorCode.SYNTAX_ERROR });
  t.throws(() => parseStatement('SELECT * FROM t WHERE ' + '('.repeat(50_000) + 'a = 1' + ')'.repeat(50_000)), { code: ErrorCode.SYNTAX_ERROR });
  // 50 levels are fine.
  t.doesNotThrow(() => parseStatement(`INSERT INTO t (k) VALUES (${'['.repeat(50)}1${']'.repeat(50)})`));
});

t.test('CqlError carries a code, a reason and a message the server can send as-is', async (t) => {
  const e = new CqlError(ErrorCode.INVALID, 'nope', 'invalid');
  t.ok(e instanceof Error);
  t.equal(e.code, 0x2200);
  t.equal(e.message, 'nope');
  t.strictSame(
    [ErrorCode.SERVER_ERROR, ErrorCode.PROTOCOL_ERROR, ErrorCode.SYNTAX_ERROR, ErrorCode.INVALID, ErrorCode.ALREADY_EXISTS, ErrorCode.UNPREPARED],
    [0x0000, 0x000a, 0x2000, 0x2200, 0x2400, 0x2500],
  );
});
