// The DataStax Node.js driver (cassandra-driver 4.x, default options, unmodified) against a whole
// Ringtail node started by this test: metadata, every type, prepared statements, paging, batches,
// schema events, TTLs, error classes, restarts.
import t from 'tap';
import cassandra from 'cassandra-driver';
import { Opcode } from '../../src/server/index.js';
import { pollUntil, startRealNode, type RealNodeHandle } from '../helpers/real-node.js';
import { parseError, RawClient, requestFrame, writeQueryParams } from '../server/harness.js';

const { types } = cassandra;
let handle: RealNodeHandle;
let client: cassandra.Client;

function newClient(keyspace?: string): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [`127.0.0.1:${handle.node.nativePort}`],
    localDataCenter: 'datacenter1',
    ...(keyspace !== undefined ? { keyspace } : {}),
  });
}

t.before(async () => {
  handle = await startRealNode();
  client = newClient();
  await client.connect();
  await client.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
});

t.teardown(async () => {
  await client?.shutdown();
  await handle?.stop();
});

t.test('connects and reads the cluster metadata', async (t) => {
  const hosts = client.getState().getConnectedHosts();
  t.equal(hosts.length, 1);
  const host = client.hosts.values()[0]!;
  t.equal(host.datacenter, 'datacenter1');
  t.equal(host.rack, 'rack1');
  t.match(host.cassandraVersion, /^4\.0\./);
  t.equal(host.tokens.length, 16);
  t.ok(await (client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> }).checkSchemaAgreement());
  const ks = client.metadata.keyspaces['ks'];
  t.ok(ks, 'the new keyspace is in the metadata');
  t.equal(ks!.strategy, 'org.apache.cassandra.locator.SimpleStrategy');
  const system = await client.execute("SELECT cluster_name, release_version, data_center FROM system.local WHERE key = 'local'");
  t.same(system.rows[0]!['cluster_name'], 'Test Cluster');
});

t.test('keyspaces and tables: create, describe through metadata, alter, drop', async (t) => {
  await client.execute(
    "CREATE TABLE ks.events (sensor text, day date, at timestamp, reading double, note text, PRIMARY KEY ((sensor, day), at)) WITH CLUSTERING ORDER BY (at DESC) AND comment = 'readings'",
  );
  const table = await client.metadata.getTable('ks', 'events');
  t.ok(table);
  t.same(table!.partitionKeys.map((c) => c.name), ['sensor', 'day']);
  t.same(table!.clusteringKeys.map((c) => c.name), ['at']);
  t.same(table!.clusteringOrder, ['DESC']);
  t.equal(table!.comment, 'readings');
  t.same(table!.columns.map((c) => c.name).sort(), ['at', 'day', 'note', 'reading', 'sensor']);
  await client.execute('ALTER TABLE ks.events ADD extra int');
  await client.execute('ALTER TABLE ks.events DROP note');
  const altered = await client.metadata.getTable('ks', 'events');
  t.same(altered!.columns.map((c) => c.name).sort(), ['at', 'day', 'extra', 'reading', 'sensor']);
  await client.execute('DROP TABLE ks.events');
  t.equal(await client.metadata.getTable('ks', 'events'), null);
  await client.execute("CREATE KEYSPACE IF NOT EXISTS ks2 WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1} AND durable_writes = false");
  await client.execute('DROP KEYSPACE ks2');
});

t.test('every type round-trips, with null and empty values', async (t) => {
  await client.execute(`CREATE TABLE ks.all_types (
    k int PRIMARY KEY, a ascii, t text, vc varchar, i int, bi bigint, si smallint, ti tinyint, b boolean,
    f float, d double, dec decimal, vi varint, u uuid, tu timeuuid, ts timestamp, dt date, tm time,
    bl blob, ip inet, du duration, li list<int>, st set<text>, mp map<text, int>, fl frozen<list<int>>,
    tp tuple<int, text>, nested map<text, frozen<list<int>>>)`);
  const uuid = types.Uuid.random();
  const tuuid = types.TimeUuid.now();
  const values = {
    k: 1,
    a: 'ascii',
    t: 'text ünïcødé ✓',
    vc: 'varchar',
    i: -42,
    bi: types.Long.fromString('-9223372036854775808'),
    si: -32768,
    ti: 127,
    b: true,
    f: 1.5,
    d: -2.25e300,
    dec: types.BigDecimal.fromString('-123.4560'),
    vi: types.Integer.fromString('123456789012345678901234567890'),
    u: uuid,
    tu: tuuid,
    ts: new Date('2024-02-29T12:34:56.789Z'),
    dt: types.LocalDate.fromString('2024-02-29'),
    tm: types.LocalTime.fromString('23:59:59.123456789'),
    bl: Buffer.from([0, 1, 2, 255]),
    ip: types.InetAddress.fromString('::ffff:10.0.0.1'),
    du: new types.Duration(1, 2, types.Long.fromNumber(3000000000)),
    li: [3, 1, 2],
    st: ['b', 'a', 'c'],
    mp: { x: 1, y: -1 },
    fl: [9, 8],
    tp: new types.Tuple(7, 'seven'),
    nested: { a: [1, 2], b: [3] },
  };
  const names = Object.keys(values);
  await client.execute(`INSERT INTO ks.all_types (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, Object.values(values), { prepare: true });
  const row = (await client.execute('SELECT * FROM ks.all_types WHERE k = ?', [1], { prepare: true })).rows[0]!;
  t.equal(row['a'], 'ascii');
  t.equal(row['t'], 'text ünïcødé ✓');
  t.equal(row['vc'], 'varchar');
  t.equal(row['i'], -42);
  t.equal(row['bi'].toString(), '-9223372036854775808');
  t.equal(row['si'], -32768);
  t.equal(row['ti'], 127);
  t.equal(row['b'], true);
  t.equal(row['f'], 1.5);
  t.equal(row['d'], -2.25e300);
  t.equal(row['dec'].toString(), '-123.4560');
  t.equal(row['vi'].toString(), '123456789012345678901234567890');
  t.equal(row['u'].toString(), uuid.toString());
  t.equal(row['tu'].toString(), tuuid.toString());
  t.equal(row['ts'].toISOString(), '2024-02-29T12:34:56.789Z');
  t.equal(row['dt'].toString(), '2024-02-29');
  t.equal(row['tm'].toString(), '23:59:59.123456789');
  t.same([...row['bl']], [0, 1, 2, 255]);
  t.equal(row['ip'].toString(), '::ffff:a00:1');
  t.equal(row['du'].toString(), new types.Duration(1, 2, types.Long.fromNumber(3000000000)).toString());
  t.same(row['li'], [3, 1, 2], 'lists keep their order');
  t.same(row['st'], ['a', 'b', 'c'], 'sets come back sorted');
  t.same(row['mp'], { x: 1, y: -1 });
  t.same(row['fl'], [9, 8]);
  t.same(row['tp'].values(), [7, 'seven']);
  t.same(row['nested'], { a: [1, 2], b: [3] });

  // Unprepared, with values typed by the driver's guesses; nulls and empty values.
  await client.execute('INSERT INTO ks.all_types (k, t, bl, li, i) VALUES (2, ?, ?, ?, ?)', ['', Buffer.alloc(0), null, null]);
  const r2 = (await client.execute('SELECT t, bl, li, i, mp FROM ks.all_types WHERE k = 2')).rows[0]!;
  t.equal(r2['t'], '', 'an empty string is not null');
  t.equal(r2['bl'].length, 0, 'an empty blob is not null');
  t.equal(r2['li'], null);
  t.equal(r2['i'], null);
  t.equal(r2['mp'], null, 'an unset collection reads as null');
  await client.execute('UPDATE ks.all_types SET mp = {} , st = {} WHERE k = 1');
  const r3 = (await client.execute('SELECT mp, st FROM ks.all_types WHERE k = 1')).rows[0]!;
  t.equal(r3['mp'], null, 'an empty collection reads as null');
  t.equal(r3['st'], null);
});

t.test('prepared statements: positional and named values, metadata, routing keys', async (t) => {
  await client.execute('CREATE TABLE ks.users (id uuid, org text, name text, age int, PRIMARY KEY ((id, org)))');
  const id = types.Uuid.random();
  await client.execute('INSERT INTO ks.users (id, org, name, age) VALUES (:id, :org, :name, :age)', { id, org: 'acme', name: 'Ann', age: 33 }, { prepare: true });
  await client.execute('INSERT INTO ks.users (id, org, name, age) VALUES (?, ?, ?, ?)', [id, 'other', 'Bob', 44], { prepare: true });
  const byNamed = await client.execute('SELECT name, age FROM ks.users WHERE id = :id AND org = :org', { id, org: 'acme' }, { prepare: true });
  t.same(byNamed.rows.map((r) => [r['name'], r['age']]), [['Ann', 33]]);
  const unpreparedNamed = await client.execute('SELECT name FROM ks.users WHERE id = :id AND org = :org', { id, org: 'other' }, { hints: { id: 'uuid', org: 'text' } } as unknown as cassandra.QueryOptions);
  t.same(unpreparedNamed.rows.map((r) => r['name']), ['Bob']);
  const inQuery = await client.execute('SELECT org FROM ks.users WHERE id = ? AND org IN ?', [id, ['other', 'acme']], { prepare: true });
  t.same(inQuery.rows.map((r) => r['org']), ['acme', 'other']);
  // Re-preparing after a schema change: the driver gets Unprepared, prepares again, sees the new column.
  await client.execute('SELECT * FROM ks.users WHERE id = ? AND org = ?', [id, 'acme'], { prepare: true });
  await client.execute('ALTER TABLE ks.users ADD email text');
  await client.execute('UPDATE ks.users SET email = ? WHERE id = ? AND org = ?', ['ann@acme', id, 'acme'], { prepare: true });
  const after = await client.execute('SELECT * FROM ks.users WHERE id = ? AND org = ?', [id, 'acme'], { prepare: true });
  t.equal(after.rows[0]!['email'], 'ann@acme');
  t.ok(after.columns.some((c) => c.name === 'email'), 'the result metadata has the new column');
});

t.test('paging through 10,000 rows at page size 100', async (t) => {
  await client.execute('CREATE TABLE ks.paged (p int, c int, v text, PRIMARY KEY (p, c))');
  const insert = 'INSERT INTO ks.paged (p, c, v) VALUES (?, ?, ?)';
  const params: [number, number, string][] = [];
  for (let p = 0; p < 50; p++) for (let c = 0; c < 200; c++) params.push([p, c, `v${p}-${c}`]);
  await cassandra.concurrent.executeConcurrent(client, insert, params, { concurrencyLevel: 64, executionProfile: undefined });
  const seen = new Set<string>();
  let pages = 0;
  let pageState: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const r = await client.execute('SELECT p, c, v FROM ks.paged', [], { prepare: true, fetchSize: 100, ...(pageState ? { pageState } : {}) });
    pages++;
    t.ok(r.rows.length <= 100);
    for (const row of r.rows) {
      const k = `${row['p']}:${row['c']}`;
      if (seen.has(k)) t.fail(`row ${k} returned twice`);
      seen.add(k);
      if (row['v'] !== `v${row['p']}-${row['c']}`) t.fail(`row ${k} has the wrong value`);
    }
    pageState = r.pageState ?? undefined;
    if (!pageState) break;
  }
  t.equal(seen.size, 10000, 'every row exactly once');
  t.equal(pages, 100);
  let eachRowCount = 0;
  await new Promise<void>((resolve, reject) => {
    client.eachRow('SELECT c FROM ks.paged WHERE p = 7', [], { prepare: true, fetchSize: 33, autoPage: true }, () => eachRowCount++, (err) => (err ? reject(err) : resolve()));
  });
  t.equal(eachRowCount, 200, 'driver auto-paging within one partition');
});

t.test('a logged batch applies all its statements', async (t) => {
  await client.execute('CREATE TABLE ks.accounts (id text PRIMARY KEY, balance int)');
  await client.batch(
    [
      { query: 'INSERT INTO ks.accounts (id, balance) VALUES (?, ?)', params: ['a', 10] },
      { query: 'INSERT INTO ks.accounts (id, balance) VALUES (?, ?)', params: ['b', 20] },
      { query: 'UPDATE ks.accounts SET balance = ? WHERE id = ?', params: [15, 'a'] },
    ],
    { prepare: true, logged: true },
  );
  const r = await client.execute('SELECT id, balance FROM ks.accounts');
  t.same(Object.fromEntries(r.rows.map((x) => [x['id'], x['balance']])), { a: 15, b: 20 });
  await client.batch(["INSERT INTO ks.accounts (id, balance) VALUES ('c', 1)", "DELETE FROM ks.accounts WHERE id = 'b'"], { logged: false });
  const r2 = await client.execute('SELECT id FROM ks.accounts');
  t.same(r2.rows.map((x) => x['id']).sort(), ['a', 'c']);
});

t.test('schema-change events reach a registered driver', async (t) => {
  // The driver refreshes its metadata when a SCHEMA_CHANGE event arrives on its control connection.
  const other = newClient();
  await other.connect();
  await other.execute("CREATE KEYSPACE evks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await other.execute('CREATE TABLE evks.t (k int PRIMARY KEY)');
  await pollUntil(async () => client.metadata.keyspaces['evks'] !== undefined && (await client.metadata.getTable('evks', 't')) !== null, 5000, 'the first client to see the new keyspace and table');
  t.ok(client.metadata.keyspaces['evks'], 'CREATED KEYSPACE reached the other client');
  await other.execute('DROP KEYSPACE evks');
  await pollUntil(() => client.metadata.keyspaces['evks'] === undefined, 5000, 'the first client to see the keyspace dropped');
  t.notOk(client.metadata.keyspaces['evks'], 'DROPPED KEYSPACE reached the other client');
  await other.shutdown();
});

t.test('TTL: a value written with a TTL expires', async (t) => {
  await client.execute('CREATE TABLE ks.sessions (id int PRIMARY KEY, tok text)');
  await client.execute('INSERT INTO ks.sessions (id, tok) VALUES (?, ?) USING TTL 1', [1, 'secret'], { prepare: true });
  await client.execute('INSERT INTO ks.sessions (id, tok) VALUES (?, ?)', [2, 'forever'], { prepare: true });
  const ttl = await client.execute('SELECT ttl(tok) FROM ks.sessions WHERE id = 1');
  t.ok(ttl.rows[0]!['ttl(tok)'] <= 1, 'ttl() reports the remaining seconds');
  await pollUntil(async () => (await client.execute('SELECT * FROM ks.sessions WHERE id = 1')).rows.length === 0, 5000, 'the row to expire');
  t.equal((await client.execute('SELECT * FROM ks.sessions WHERE id = 2')).rows.length, 1);
});

t.test('each error class surfaces with its code', async (t) => {
  const codes = types.responseErrorCodes;
  const errorOf = async (q: string, params?: unknown[], opts?: cassandra.QueryOptions): Promise<{ code: number; message: string; info?: unknown } & Record<string, unknown>> => {
    try {
      await client.execute(q, params, opts);
    } catch (err) {
      return err as { code: number; message: string } & Record<string, unknown>;
    }
    throw new Error(`${q} did not fail`);
  };
  const syntax = await errorOf('SELEKT * FROM ks.accounts');
  t.equal(syntax.code, codes.syntaxError);
  t.match(syntax.message, /line 1:0/);
  const invalid = await errorOf('SELECT * FROM ks.nope');
  t.equal(invalid.code, codes.invalid);
  t.match(invalid.message, /table nope does not exist/);
  const exists = await errorOf('CREATE TABLE ks.accounts (id text PRIMARY KEY)');
  t.equal(exists.code, codes.alreadyExists);
  t.equal(exists['keyspace'], 'ks');
  t.equal(exists['table'], 'accounts');
  const config = await errorOf("CREATE KEYSPACE bad WITH replication = {'class': 'NoSuchStrategy'}");
  t.equal(config.code, codes.configError);
  const filtering = await errorOf('SELECT * FROM ks.accounts WHERE balance = 1');
  t.equal(filtering.code, codes.invalid);
  t.match(filtering.message, /ALLOW FILTERING/);
  await client.execute("CREATE KEYSPACE rf3 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
  await client.execute('CREATE TABLE rf3.t (k int PRIMARY KEY, v int)');
  // The driver's default retry policy tries the next host on Unavailable; with one node the
  // server's error is inside the NoHostAvailableError it raises.
  const noHost = await errorOf('INSERT INTO rf3.t (k, v) VALUES (1, 1)', [], { consistency: types.consistencies.quorum });
  const unavailable = Object.values(noHost['innerErrors'] as Record<string, { code: number } & Record<string, unknown>>)[0]!;
  t.equal(unavailable.code, codes.unavailableException);
  t.equal(unavailable['required'], 2);
  t.equal(unavailable['alive'], 1);
  await client.execute('INSERT INTO rf3.t (k, v) VALUES (1, 1)', [], { consistency: types.consistencies.one });
  const lwt = await errorOf('INSERT INTO ks.accounts (id, balance) VALUES (?, ?) IF NOT EXISTS', ['z', 1], { prepare: true });
  t.equal(lwt.code, codes.invalid);
  t.match(lwt.message, /not supported/);
  const badValue = await errorOf('INSERT INTO ks.accounts (id, balance) VALUES (?, ?)', ['x', 'not a number'], { prepare: true });
  t.ok(badValue instanceof TypeError || badValue.code === codes.invalid, 'a value of the wrong type is refused');
  // Unprepared: an id the node does not know, sent on a raw connection (the driver would re-prepare).
  const raw = await RawClient.ready(handle.node.nativePort);
  const stream = raw.allocStream();
  const unknownId = Buffer.alloc(16, 7);
  const f = await raw.send(requestFrame(stream, Opcode.EXECUTE, (w) => {
    w.shortBytes(unknownId);
    writeQueryParams(w, {});
  }), stream);
  const err = parseError(f);
  t.equal(err.code, codes.unprepared);
  t.same(err.reader.shortBytes(), unknownId, 'the error body carries the unknown id');
  raw.destroy();
});

t.test('a node restart keeps schema and data', async (t) => {
  await client.execute('CREATE TABLE ks.durable (k int PRIMARY KEY, v text)');
  for (let i = 0; i < 100; i++) await client.execute('INSERT INTO ks.durable (k, v) VALUES (?, ?)', [i, `v${i}`], { prepare: true });
  await client.shutdown();
  await handle.restart();
  client = newClient('ks');
  await client.connect();
  const r = await client.execute('SELECT count(*) FROM durable');
  t.equal(r.rows[0]!['count'].toNumber(), 100);
  const one = await client.execute('SELECT v FROM durable WHERE k = ?', [42], { prepare: true });
  t.equal(one.rows[0]!['v'], 'v42');
  const table = await client.metadata.getTable('ks', 'all_types');
  t.equal(table!.columns.length, 27, 'table definitions survive');
});
