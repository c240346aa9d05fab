import t from 'tap';
import { ErrorCode } from '../../src/cql-lite/index.js';
import { TestNode } from '../helpers/cql-node.js';

t.test('arithmetic follows Java: wrapping integers, float rounding, decimal precision, errors', async (t) => {
  const n = await TestNode.open(9);
  await n.exec("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await n.exec('USE ks');
  await n.exec('CREATE TABLE a (k int PRIMARY KEY, ti tinyint, i int, bi bigint, f float, d double, dec decimal, vi varint, s text)');
  await n.exec("INSERT INTO a (k, ti, i, bi, f, d, dec, vi, s) VALUES (1, 127, 2147483647, 9223372036854775807, 0.1, 0.1, 1, 10, 'x')");
  const r = await n.exec('SELECT ti + ti, i + 1, bi * 2, f + f, d + d, dec / 3, vi * vi * vi, -i, ti % 10, -dec FROM a WHERE k = 1');
  t.same(r.columns, ['ti + ti', 'i + 1', 'bi * 2', 'f + f', 'd + d', 'dec / 3', 'vi * vi * vi', '-i', 'ti % 10', '-dec']);
  t.same(r.rows, [['-2', '-2147483648', '-2', '0.2', '0.2', '0.3333333333333333333333333333333333', '1000', '-2147483647', '7', '-1']]);
  t.same((await n.exec('SELECT k FROM a WHERE k = 3 - 2')).rows, [['1']], 'arithmetic in WHERE terms');
  await n.exec('INSERT INTO a (k, i) VALUES (2 * 1, 7 % 4)');
  t.same((await n.exec('SELECT i FROM a WHERE k = 2')).rows, [['3']], 'arithmetic in INSERT values');
  await t.rejects(n.exec('SELECT i / 0 FROM a WHERE k = 1'), { code: ErrorCode.FUNCTION_FAILURE, message: "the operation 'int / int' failed: / by zero" });
  await t.rejects(n.exec('SELECT s + i FROM a WHERE k = 1'), /the '\+' operation is not supported between text and int/);
  t.same((await n.exec('SELECT f / 0 FROM a WHERE k = 1')).rows, [['Infinity']], 'float division by zero is Infinity, as in Java');
  await n.close();
});
