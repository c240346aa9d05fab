import t from 'tap';
import { javaFloatString } from '../../src/query/cast.js';
import { TestNode } from '../helpers/cql-node.js';

t.test("numbers print as Java's Float/Double.toString", async (t) => {
  const cases: [number, boolean, string][] = [
    [1, false, '1.0'],
    [6.3, false, '6.3'],
    [Math.fround(5.2), true, '5.2'],
    [Math.fround(5.2), false, '5.199999809265137'],
    [1e300, false, '1.0E300'],
    [1e-5, false, '1.0E-5'],
    [0.001, false, '0.001'],
    [1234567, false, '1234567.0'],
    [12345678, false, '1.2345678E7'],
    [-0, false, '-0.0'],
    [NaN, false, 'NaN'],
    [-Infinity, true, '-Infinity'],
  ];
  for (const [v, f32, want] of cases) t.equal(javaFloatString(v, f32), want, `${v}${f32 ? ' (float)' : ''}`);
});

t.test('CAST in selections', async (t) => {
  const n = await TestNode.open(5);
  await n.exec("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await n.exec('USE ks');
  await n.exec('CREATE TABLE c (k int PRIMARY KEY, d double, big bigint, vi varint, b boolean, u timeuuid)');
  await n.exec('INSERT INTO c (k, d, big, vi, b, u) VALUES (1, -300.7, 4294967297, 300, true, f2bcb700-ffa8-11e4-8123-456789abcdef)');
  const r = await n.exec('SELECT CAST(d AS tinyint), CAST(d AS int), CAST(big AS int), CAST(vi AS tinyint), CAST(b AS text), CAST(u AS date), CAST(k AS int), max(CAST(d AS bigint)) FROM c');
  t.same(r.columns, ['cast(d as tinyint)', 'cast(d as int)', 'cast(big as int)', 'cast(vi as tinyint)', 'cast(b as text)', 'cast(u as date)', 'k', 'system.max(cast(d as bigint))']);
  t.same(r.rows, [['-44', '-300', '1', '44', "'true'", "'2015-05-21'", '1', '-300']], 'Java narrowing: truncate, then keep the low bits');
  await t.rejects(n.exec('SELECT CAST(b AS int) FROM c'), /b cannot be cast to int/);
  await n.close();
});
