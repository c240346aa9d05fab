import t from 'tap';
import { TestNode } from '../helpers/cql-node.js';

t.test('create, insert, select, update, delete through the processor', async (t) => {
  const n = await TestNode.open();
  await n.exec("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await n.exec('USE ks');
  await n.exec('CREATE TABLE t (k int, c text, v int, s int static, l list<int>, m map<text, int>, st set<text>, PRIMARY KEY (k, c))');
  await n.exec("INSERT INTO t (k, c, v, s, l, m, st) VALUES (1, 'a', 10, 100, [1, 2], {'x': 1}, {'b', 'a'})");
  await n.exec("INSERT INTO t (k, c, v) VALUES (1, 'b', 20)");
  let r = await n.exec('SELECT * FROM t WHERE k = 1');
  t.same(r.columns, ['k', 'c', 's', 'l', 'm', 'st', 'v']);
  t.same(r.rows, [
    ['1', "'a'", '100', '[1, 2]', "{'x': 1}", "{'a', 'b'}", '10'],
    ['1', "'b'", '100', 'null', 'null', 'null', '20'],
  ]);
  await n.exec("UPDATE t SET l = l + [3], m['y'] = 2, st = st - {'a'} WHERE k = 1 AND c = 'a'");
  await n.exec("UPDATE t SET l = [0] + l WHERE k = 1 AND c = 'a'");
  r = await n.exec("SELECT l, m, st FROM t WHERE k = 1 AND c = 'a'");
  t.same(r.rows, [["[0, 1, 2, 3]", "{'x': 1, 'y': 2}", "{'b'}"]]);
  await n.exec("UPDATE t SET l[1] = 9 WHERE k = 1 AND c = 'a'");
  await n.exec("DELETE l[0] FROM t WHERE k = 1 AND c = 'a'");
  r = await n.exec("SELECT l FROM t WHERE k = 1 AND c = 'a'");
  t.same(r.rows, [['[9, 2, 3]']]);
  r = await n.exec("SELECT k, c FROM t WHERE k = 1 AND c > 'a'");
  t.same(r.rows, [['1', "'b'"]]);
  r = await n.exec('SELECT count(*) FROM t');
  t.same(r.rows, [['2']]);
  await n.exec("DELETE FROM t WHERE k = 1 AND c = 'a'");
  r = await n.exec('SELECT c FROM t WHERE k = 1');
  t.same(r.rows, [["'b'"]]);
  await t.rejects(n.exec('SELECT * FROM t WHERE v = 1'), /ALLOW FILTERING/);
  r = await n.exec('SELECT c FROM t WHERE v = 20 ALLOW FILTERING');
  t.same(r.rows, [["'b'"]]);
  n.session.keyspace = 'ks';
  const n2 = await n.restart();
  r = await n2.exec('SELECT k, c, v FROM ks.t');
  t.same(r.rows, [['1', "'b'", '20']]);
  await n2.close();
});

t.test('paging walks every row exactly once', async (t) => {
  const n = await TestNode.open();
  await n.exec("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await n.exec('CREATE TABLE ks.p (k int, c int, v int, PRIMARY KEY (k, c))');
  for (let k = 0; k < 20; k++) for (let c = 0; c < 7; c++) await n.exec(`INSERT INTO ks.p (k, c, v) VALUES (${k}, ${c}, ${k * 100 + c})`);
  const full = await n.exec('SELECT k, c FROM ks.p');
  t.equal(full.rows.length, 140);
  for (const size of [1, 3, 7, 10, 139, 140, 141]) {
    const paged = await n.all('SELECT k, c FROM ks.p', size);
    t.same(paged.rows, full.rows, `page size ${size}`);
  }
  const limited = await n.all('SELECT k, c FROM ks.p LIMIT 25', 10);
  t.same(limited.rows, full.rows.slice(0, 25));
  t.equal(limited.pages, 3);
  const ppl = await n.all('SELECT k, c FROM ks.p PER PARTITION LIMIT 2', 3);
  t.equal(ppl.rows.length, 40);
  await t.rejects(n.all('SELECT k, c FROM ks.p WHERE k IN (3, 1) ORDER BY c DESC', 4), /Cannot page queries with both ORDER BY and a IN restriction/);
  const ordered = await n.exec('SELECT k, c FROM ks.p WHERE k IN (3, 1) ORDER BY c DESC LIMIT 4');
  t.same(ordered.rows, [['1', '6'], ['3', '6'], ['1', '5'], ['3', '5']]);
  const inPaged = await n.all('SELECT k, c FROM ks.p WHERE k IN (3, 1, 2)', 4);
  t.same(inPaged.rows.map((r) => r[0]), [...Array(7).fill('1'), ...Array(7).fill('2'), ...Array(7).fill('3')]);
  await n.close();
});

t.test('a mutation too large for the commit log is refused as InvalidRequest', async (t) => {
  const n = await TestNode.open(4, { commitlogSegmentSizeBytes: 1024 * 1024 });
  await n.exec("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await n.exec('CREATE TABLE ks.big (k int PRIMARY KEY, v blob)');
  const big = '0x' + 'ab'.repeat(600 * 1024);
  await t.rejects(n.exec(`INSERT INTO ks.big (k, v) VALUES (1, ${big})`), { code: 0x2200, message: /^Rejected an oversized mutation \(\d+\/524288\) for keyspace: ks$/ });
  await n.exec(`INSERT INTO ks.big (k, v) VALUES (2, 0x${'ab'.repeat(100 * 1024)})`);
  t.equal((await n.exec('SELECT k FROM ks.big')).rows.length, 1, 'the node keeps working');
  await n.close();
});
