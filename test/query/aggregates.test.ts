import t from 'tap';
import { TestNode } from '../helpers/cql-node.js';

t.test('count, min, max, sum and avg over rows, with nulls and empty input', async (t) => {
  const n = await TestNode.open();
  await n.exec("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await n.exec('USE ks');
  await n.exec('CREATE TABLE a (k int, c int, i int, ti tinyint, bi bigint, d double, dec decimal, vi varint, t text, PRIMARY KEY (k, c))');
  await n.exec("INSERT INTO a (k, c, i, ti, bi, d, dec, vi, t) VALUES (1, 1, 10, 100, 9223372036854775807, 1.5, 1.25, 10, 'b')");
  await n.exec("INSERT INTO a (k, c, i, ti, bi, d, dec, vi, t) VALUES (1, 2, -4, 100, 1, 2.5, 0.5, 99999999999999999999, 'a')");
  await n.exec('INSERT INTO a (k, c) VALUES (1, 3)');
  let r = await n.exec('SELECT count(*), count(i), min(i), max(i), sum(i), avg(i), min(t), max(t) FROM a WHERE k = 1');
  t.same(r.columns, ['count', 'system.count(i)', 'system.min(i)', 'system.max(i)', 'system.sum(i)', 'system.avg(i)', 'system.min(t)', 'system.max(t)']);
  t.same(r.rows, [['3', '2', '-4', '10', '6', '3', "'a'", "'b'"]]);
  r = await n.exec('SELECT sum(ti), sum(bi), sum(d), avg(d), sum(dec), sum(vi) FROM a WHERE k = 1');
  t.same(r.rows, [['-56', '-9223372036854775808', '4.0', '2.0', '1.75', '100000000000000000009']], 'integer sums wrap as Java does; varint and decimal do not');
  r = await n.exec('SELECT count(*), sum(i), min(i) FROM a WHERE k = 2');
  t.same(r.rows, [['0', '0', 'null']], 'an aggregate over no rows is still one row');
  r = await n.exec('SELECT k, count(*) FROM a WHERE k = 1');
  t.same(r.rows, [['1', '3']], 'a plain column beside an aggregate takes the first row');
  await n.close();
});
