import t from 'tap';
import { TestNode } from '../helpers/cql-node.js';

async function node(): Promise<TestNode> {
  const n = await TestNode.open(3);
  await n.exec("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await n.exec('USE ks');
  return n;
}

t.test('time and uuid functions, in terms and in selectors', async (t) => {
  const n = await node();
  await n.exec('CREATE TABLE f (k int PRIMARY KEY, tu timeuuid, ts timestamp, d date, u uuid, b blob)');
  // The simulated clock reads 2023-11-14T22:13:20.000Z.
  await n.exec('INSERT INTO f (k, tu, ts, d, u, b) VALUES (1, now(), toTimestamp(now()), currentDate(), uuid(), intAsBlob(258))');
  const r = await n.exec('SELECT ts, d, toUnixTimestamp(ts), toDate(ts), blobAsInt(b), dateOf(tu), toTimestamp(d) FROM f WHERE k = 1');
  t.same(r.columns, ['ts', 'd', 'system.tounixtimestamp(ts)', 'system.todate(ts)', 'system.blobasint(b)', 'system.dateof(tu)', 'system.totimestamp(d)']);
  t.same(r.rows, [["'2023-11-14T22:13:20.000Z'", "'2023-11-14'", '1700000000000', "'2023-11-14'", '258', "'2023-11-14T22:13:20.000Z'", "'2023-11-14T00:00:00.000Z'"]]);
  const u = await n.exec('SELECT u, tu FROM f WHERE k = 1');
  t.match(u.rows[0]![0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'uuid() is a random (version 4) UUID');
  t.match(u.rows[0]![1], /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'now() is a time (version 1) UUID');
  await n.exec("INSERT INTO f (k, tu) VALUES (2, minTimeuuid('2023-11-14T22:13:20.000Z'))");
  await n.exec("INSERT INTO f (k, tu) VALUES (3, maxTimeuuid('2023-11-14T22:13:20.000Z'))");
  const bounds = await n.exec('SELECT toUnixTimestamp(tu) FROM f WHERE k IN (1, 2, 3)');
  t.same(bounds.rows, [['1700000000000'], ['1700000000000'], ['1700000000000']], 'min/maxTimeuuid bound the millisecond of now()');
  await t.rejects(n.exec('INSERT INTO f (k, ts) VALUES (4, now())'), /Type error: cannot assign result of function system.now \(type timeuuid\) to ts \(type timestamp\)/);
  await t.rejects(n.exec('SELECT blobAsInt(u) FROM f WHERE k = 1'), /Type error: u cannot be passed as argument 0 of function system.blobasint of type blob/);
  await n.exec('INSERT INTO f (k, u, ts) VALUES (6, now(), toUnixTimestamp(now()))');
  t.equal((await n.exec('SELECT toUnixTimestamp(ts) FROM f WHERE k = 6')).rows[0]![0], '1700000000000', 'a timeuuid fits a uuid and a bigint a timestamp, as Cassandra allows');
  await t.rejects(n.exec("SELECT toUnixTimestamp('2015-05-21 11:03:02+0000') FROM f WHERE k = 1"), /Ambiguous call to function tounixtimestamp/);
  t.same((await n.exec("SELECT toDate('2015-05-21 11:03:02+0000') FROM f WHERE k = 1")).rows, [["'2015-05-21'"]], 'a constant argument takes its type from the only signature it fits');
  await t.rejects(n.exec('SELECT 42 FROM f'), /Cannot infer type for term 42 in selection clause/);
  await t.rejects(n.exec('INSERT INTO f (k, b) VALUES (5, nosuch(1))'), /Unknown function 'nosuch'/);
  await t.rejects(n.exec('SELECT blobAsBigint(b) FROM f WHERE k = 1'), /is not a valid binary representation for type bigint/);
  await n.close();
});

t.test('TTL expiry, ttl() and writetime() follow the clock', async (t) => {
  const n = await node();
  await n.exec('CREATE TABLE e (k int, c int, v text, w text, PRIMARY KEY (k, c)) WITH default_time_to_live = 100');
  await n.exec("INSERT INTO e (k, c, v, w) VALUES (1, 1, 'short', 'x') USING TTL 10 AND TIMESTAMP 42");
  await n.exec("INSERT INTO e (k, c, v) VALUES (1, 2, 'default')");
  await n.exec("INSERT INTO e (k, c, v) VALUES (1, 3, 'forever') USING TTL 0");
  let r = await n.exec('SELECT c, ttl(v), writetime(v), writetime(w) FROM e WHERE k = 1');
  t.same(r.rows[0], ['1', '10', '42', '42']);
  t.same([r.rows[1]![1], r.rows[1]![3], r.rows[2]![1], r.rows[2]![3]], ['100', 'null', 'null', 'null']);
  t.ok(BigInt(r.rows[1]![2]!) >= 1_700_000_000_000_000n, 'writetime defaults to the clock in microseconds');
  await n.clock.advance(9_000);
  r = await n.exec('SELECT c, ttl(v) FROM e WHERE k = 1');
  t.same(r.rows, [['1', '1'], ['2', '91'], ['3', 'null']]);
  await n.clock.advance(1_000);
  r = await n.exec('SELECT c FROM e WHERE k = 1');
  t.same(r.rows, [['2'], ['3']], 'the row with TTL 10 is gone at 10 s, liveness and cells alike');
  await n.clock.advance(90_000);
  r = await n.exec('SELECT c FROM e WHERE k = 1');
  t.same(r.rows, [['3']], 'the table default TTL applies; TTL 0 means none');
  await t.rejects(n.exec("INSERT INTO e (k, c, v) VALUES (1, 4, 'x') USING TTL -1"), /A TTL must be greater or equal to 0, but was -1/);
  await t.rejects(n.exec("INSERT INTO e (k, c, v) VALUES (1, 4, 'x') USING TTL 630720001"), /ttl is too large. requested \(630720001\) maximum \(630720000\)/);
  await n.close();
});

t.test('USING TIMESTAMP orders writes; a tie goes to the tombstone', async (t) => {
  const n = await node();
  await n.exec('CREATE TABLE w (k int PRIMARY KEY, v int)');
  await n.exec('INSERT INTO w (k, v) VALUES (1, 1) USING TIMESTAMP 100');
  await n.exec('INSERT INTO w (k, v) VALUES (1, 2) USING TIMESTAMP 50');
  t.same((await n.exec('SELECT v FROM w WHERE k = 1')).rows, [['1']], 'an older write does not win');
  await n.exec('DELETE FROM w USING TIMESTAMP 100 WHERE k = 1');
  t.same((await n.exec('SELECT v FROM w WHERE k = 1')).rows, [], 'a deletion at the same timestamp wins');
  await n.exec('INSERT INTO w (k, v) VALUES (1, 3) USING TIMESTAMP 101');
  t.same((await n.exec('SELECT v FROM w WHERE k = 1')).rows, [['3']]);
  await n.exec('BEGIN BATCH USING TIMESTAMP 200 INSERT INTO w (k, v) VALUES (2, 1); DELETE FROM w WHERE k = 2; APPLY BATCH');
  t.same((await n.exec('SELECT v FROM w WHERE k = 2')).rows, [], 'a batch shares one timestamp, so its delete wins');
  await n.close();
});
