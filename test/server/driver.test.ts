// The real DataStax Node.js driver (cassandra-driver 4.x, default options) against the server
// with a fake handler that serves just enough of system.local, system.peers and
// system_schema.keyspaces to connect. This proves the protocol layer only; test/compat runs the
// driver against a whole node.
import t from 'tap';
import cassandra from 'cassandra-driver';
import { CqlTypes, encodeValue, mapOf, setOf, UnavailableError } from '../../src/cql-lite/index.js';
import type { CqlType } from '../../src/cql-lite/index.js';
import type { ColumnSpec, QueryOptions, ResultMessage, RowsResult } from '../../src/query/api.js';
import { NativeServer } from '../../src/server/index.js';
import { FakeHandler, waitUntil } from './harness.js';

const SCHEMA_VERSION = '5c0b7f0e-8f54-4f5d-9a52-4c4d1b2f0a11';
const HOST_ID = '2f6ad3a1-1c7e-4a4b-8a8e-0b0f7c9d1e21';

function rows(ks: string, table: string, cols: Array<[string, CqlType]>, data: unknown[][]): RowsResult {
  const columns: ColumnSpec[] = cols.map(([name, type]) => ({ keyspace: ks, table, name, type }));
  return { kind: 'rows', columns, rows: data.map((r) => r.map((v, i) => (v === null ? null : encodeValue(columns[i]!.type, v)))), pagingState: null };
}

function systemLocal(port: number): RowsResult {
  return rows(
    'system',
    'local',
    [
      ['key', CqlTypes.text],
      ['bootstrapped', CqlTypes.text],
      ['broadcast_address', CqlTypes.inet],
      ['cluster_name', CqlTypes.text],
      ['cql_version', CqlTypes.text],
      ['data_center', CqlTypes.text],
      ['host_id', CqlTypes.uuid],
      ['listen_address', CqlTypes.inet],
      ['native_protocol_version', CqlTypes.text],
      ['partitioner', CqlTypes.text],
      ['rack', CqlTypes.text],
      ['release_version', CqlTypes.text],
      ['rpc_address', CqlTypes.inet],
      ['rpc_port', CqlTypes.int],
      ['schema_version', CqlTypes.uuid],
      ['tokens', setOf(CqlTypes.text)],
    ],
    [['local', 'COMPLETED', '127.0.0.1', 'ringtail-test', '3.4.5', 'dc1', HOST_ID, '127.0.0.1', '4', 'org.apache.cassandra.dht.Murmur3Partitioner', 'rack1', '4.0.11', '127.0.0.1', port, SCHEMA_VERSION, ['-9000000000000000000', '0']]],
  );
}

const SYSTEM_PEERS = rows(
  'system',
  'peers',
  [
    ['peer', CqlTypes.inet],
    ['data_center', CqlTypes.text],
    ['host_id', CqlTypes.uuid],
    ['rack', CqlTypes.text],
    ['release_version', CqlTypes.text],
    ['rpc_address', CqlTypes.inet],
    ['schema_version', CqlTypes.uuid],
    ['tokens', setOf(CqlTypes.text)],
  ],
  [],
);

const KEYSPACES = rows(
  'system_schema',
  'keyspaces',
  [
    ['keyspace_name', CqlTypes.text],
    ['durable_writes', CqlTypes.boolean],
    ['replication', mapOf(CqlTypes.text, CqlTypes.text)],
  ],
  [
    ['system', true, new Map([['class', 'org.apache.cassandra.locator.LocalStrategy']])],
    ['ks', true, new Map([['class', 'org.apache.cassandra.locator.SimpleStrategy'], ['replication_factor', '1']])],
  ],
);

const KV_COLUMNS: ColumnSpec[] = [
  { keyspace: 'ks', table: 'kv', name: 'k', type: CqlTypes.int },
  { keyspace: 'ks', table: 'kv', name: 'v', type: CqlTypes.text },
];

/** Serves the driver's system queries; `data` answers the test's own statements. */
class SystemTablesHandler extends FakeHandler {
  readonly texts: string[] = [];
  constructor(port: () => number, data: (text: string, options: QueryOptions) => ResultMessage | null) {
    super();
    const system = (text: string): ResultMessage | null => {
      const norm = text.replace(/\s+/g, ' ').trim();
      if (norm.startsWith("SELECT * FROM system.local")) return systemLocal(port());
      if (norm === 'SELECT schema_version FROM system.local') return rows('system', 'local', [['schema_version', CqlTypes.uuid]], [[SCHEMA_VERSION]]);
      if (norm === 'SELECT * FROM system.peers') return SYSTEM_PEERS;
      if (norm === 'SELECT schema_version FROM system.peers') return rows('system', 'peers', [['schema_version', CqlTypes.uuid]], []);
      if (norm === 'SELECT * FROM system_schema.keyspaces') return KEYSPACES;
      return null;
    };
    this.onQuery = (text, options) => {
      this.texts.push(text);
      const answer = system(text) ?? data(text, options);
      if (answer === null) throw new Error(`fake handler: unexpected query ${text}`);
      return answer;
    };
    this.onPrepare = (text) => {
      this.texts.push(`PREPARE ${text}`);
      if (text.startsWith('INSERT')) return { kind: 'prepared', id: Buffer.alloc(16, 1), variables: KV_COLUMNS, pkIndexes: [0], resultColumns: [] };
      return { kind: 'prepared', id: Buffer.alloc(16, 2), variables: [KV_COLUMNS[0]!], pkIndexes: [0], resultColumns: KV_COLUMNS };
    };
  }
}

t.test('the DataStax Node.js driver connects (downgrading from 0x42), queries, prepares, executes, batches and pages', async (t) => {
  let server: NativeServer | null = null;
  const stored = new Map<number, string>();
  const handler = new SystemTablesHandler(
    () => server!.port,
    (text, options) => {
      if (text === 'SELECT k, v FROM ks.kv') {
        // Two pages of two rows: the paging state is the index of the next page.
        const page = options.pagingState === null ? 0 : options.pagingState.readUInt8(0);
        const data = [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']].slice(page * 2, page * 2 + 2);
        const r = rows('ks', 'kv', [['k', CqlTypes.int], ['v', CqlTypes.text]], data);
        return { ...r, pagingState: page === 0 ? Buffer.from([1]) : null };
      }
      if (text === 'SELECT unavailable') throw new UnavailableError(4, 2, 1);
      if (/^SELECT \* FROM system_schema\.keyspaces where keyspace_name = 'ks2'$/i.test(text)) {
        return rows('system_schema', 'keyspaces', [['keyspace_name', CqlTypes.text], ['durable_writes', CqlTypes.boolean], ['replication', mapOf(CqlTypes.text, CqlTypes.text)]], [
          ['ks2', true, new Map([['class', 'org.apache.cassandra.locator.SimpleStrategy'], ['replication_factor', '1']])],
        ]);
      }
      if (text === 'CREATE TABLE ks.t2 (k int PRIMARY KEY)') return { kind: 'schemaChange', change: { change: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't2' } };
      return null;
    },
  );
  handler.onExecute = (id, options) => {
    if (id.equals(Buffer.alloc(16, 1))) {
      stored.set((options.values[0] as Buffer).readInt32BE(0), (options.values[1] as Buffer).toString());
      return { kind: 'void' };
    }
    const k = (options.values[0] as Buffer).readInt32BE(0);
    const v = stored.get(k);
    return rows('ks', 'kv', [['k', CqlTypes.int], ['v', CqlTypes.text]], v === undefined ? [] : [[k, v]]);
  };
  handler.onBatch = (type, entries) => {
    for (const e of entries) stored.set((e.values[0] as Buffer).readInt32BE(0), (e.values[1] as Buffer).toString());
    t.equal(type, 'logged');
    return { kind: 'void' };
  };
  server = new NativeServer({ handler, port: 0 });
  await server.start();
  t.teardown(() => server!.close());

  const client = new cassandra.Client({ contactPoints: [`127.0.0.1:${server.port}`], localDataCenter: 'dc1', refreshSchemaDelay: 10 });
  const logs: string[] = [];
  client.on('log', (level: string, _cls: string, message: string) => {
    if (level !== 'verbose') logs.push(`${level}: ${message}`);
  });
  t.teardown(() => client.shutdown());
  await client.connect();
  t.ok(logs.some((l) => /Protocol 0x42 not supported, using 0x4/.test(l)), 'the driver downgraded from DSE_V2 to v4');
  t.equal(client.getState().getConnectedHosts().length, 1);
  t.ok(client.metadata.keyspaces['ks'], 'keyspace metadata from system_schema.keyspaces');

  const q = await client.execute('SELECT k, v FROM ks.kv', [], { fetchSize: 2 });
  t.same(q.rows.map((r) => [r['k'], r['v']]), [[1, 'a'], [2, 'b']]);
  t.ok(q.pageState, 'has more pages');
  const rest = await client.execute('SELECT k, v FROM ks.kv', [], { fetchSize: 2, pageState: q.pageState });
  t.same(rest.rows.map((r) => [r['k'], r['v']]), [[3, 'c'], [4, 'd']]);
  t.notOk(rest.pageState);

  await client.execute('INSERT INTO ks.kv (k, v) VALUES (?, ?)', [7, 'seven'], { prepare: true });
  const got = await client.execute('SELECT k, v FROM ks.kv WHERE k = ?', [7], { prepare: true });
  t.same(got.rows.map((r) => [r['k'], r['v']]), [[7, 'seven']], 'prepared insert then prepared select');
  await client.batch(
    [
      { query: 'INSERT INTO ks.kv (k, v) VALUES (?, ?)', params: [8, 'eight'] },
      { query: 'INSERT INTO ks.kv (k, v) VALUES (?, ?)', params: [9, 'nine'] },
    ],
    { prepare: true },
  );
  t.same([stored.get(8), stored.get(9)], ['eight', 'nine'], 'a prepared logged batch');

  const many = await Promise.all(Array.from({ length: 300 }, (_, i) => client.execute('INSERT INTO ks.kv (k, v) VALUES (?, ?)', [1000 + i, `v${i}`], { prepare: true })));
  t.equal(many.length, 300, '300 concurrent prepared inserts');
  t.equal(stored.get(1299), 'v299');

  const unavailable = await client.execute('SELECT unavailable').then(
    () => null,
    (err: { innerErrors?: Record<string, unknown> }) => err,
  );
  // The default retry policy tries the next host on Unavailable, so the error arrives wrapped.
  const inner = Object.values(unavailable?.innerErrors ?? {})[0];
  t.match(inner, { code: 0x1000, consistencies: 4, required: 2, alive: 1 }, 'Unavailable with its fields');
  await t.rejects(client.execute('SELECT nothing'), { code: 0x0000 }, 'a handler bug is a server error');

  const changed = await client.execute('CREATE TABLE ks.t2 (k int PRIMARY KEY)');
  t.ok(changed.info, 'schema change result');
  t.equal(await (client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> }).checkSchemaAgreement(), true, 'schema agreement from system.local and system.peers');

  handler.emitSchemaChange({ change: 'CREATED', target: 'KEYSPACE', keyspace: 'ks2' });
  await waitUntil(() => client.metadata.keyspaces['ks2'] !== undefined, 'the driver to refresh ks2 after the SCHEMA_CHANGE event');

  const registered = server.broadcastEvent({ type: 'STATUS_CHANGE', change: 'UP', address: '127.0.0.1', port: server.port });
  t.equal(registered, 1, "the driver's control connection registered for status events");
});
