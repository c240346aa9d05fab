import t from 'tap';
import { parseStatement, type CreateTableStatement, listOf, CqlTypes } from '../../src/cql-lite/index.js';
import { DEFAULT_PARTITIONER } from '../../src/ring/index.js';
import { SeededRandom, SimClock, SimFs } from '../../src/seams/index.js';
import { StorageEngine } from '../../src/storage/index.js';
import { SchemaStore, makeKeyspace, tableFromCreate, withTables, type Schema } from '../../src/schema/index.js';

async function openStore(fs: SimFs, clock: SimClock): Promise<{ engine: StorageEngine; store: SchemaStore }> {
  const engine = await StorageEngine.open({ fs, clock, dataDir: '/data' });
  const store = await SchemaStore.open({ engine, partitioner: DEFAULT_PARTITIONER, clock });
  return { engine, store };
}

let ids = 0;
const newId = (): string => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

t.test('keyspaces and tables survive a restart, with the same schema version', async (t) => {
  const fs = new SimFs(new SeededRandom(1));
  const clock = new SimClock(1_700_000_000_000);
  let { engine, store } = await openStore(fs, clock);
  const builtIn = store.current().version;
  const create = parseStatement(
    "CREATE TABLE ks.t (k int, c text, s int static, v list<int>, m map<text, frozen<set<int>>>, PRIMARY KEY ((k), c)) WITH CLUSTERING ORDER BY (c DESC) AND comment = 'hi' AND default_time_to_live = 5",
  ) as CreateTableStatement;
  await store.update(() => ({ keyspace: 'ks', definition: makeKeyspace('ks', { class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' }, true), result: null }));
  await store.update((s: Schema) => ({ keyspace: 'ks', definition: withTables(s.keyspace('ks')!, [tableFromCreate(create, 'ks', newId)]), result: null }));
  const before = store.current();
  t.not(before.version, builtIn, 'a change changes the version');
  const table = before.table('ks', 't')!;
  t.same(table.clustering.map((c) => [c.name, c.desc]), [['c', true]]);
  t.same(table.statics.map((c) => c.name), ['s']);
  t.same(table.regulars.map((c) => c.name), ['m', 'v']);
  t.equal(table.options.comment, 'hi');
  t.equal(table.options.defaultTimeToLive, 5);
  t.ok(engine.hasTable(table.id));
  await engine.close();

  ({ engine, store } = await openStore(fs, clock));
  const after = store.current();
  t.equal(after.version, before.version, 'same content, same version');
  const reloaded = after.table('ks', 't')!;
  t.same(reloaded.selectOrder.map((c) => [c.name, c.kind, c.position, c.desc]), table.selectOrder.map((c) => [c.name, c.kind, c.position, c.desc]));
  t.same(reloaded.columns.get('v')!.type, listOf(CqlTypes.int));
  t.equal(reloaded.id, table.id);
  t.same(reloaded.options, table.options);

  await store.update(() => ({ keyspace: 'ks', definition: null, result: null }));
  t.equal(store.current().keyspace('ks'), undefined);
  t.notOk(engine.hasTable(table.id), 'dropping the keyspace drops its tables');
  await engine.close();
  ({ engine, store } = await openStore(fs, clock));
  t.equal(store.current().keyspace('ks'), undefined, 'the drop is durable');
  t.equal(store.current().version, builtIn);
  await engine.close();
});

t.test('changes run one at a time: a refused change leaves the schema alone', async (t) => {
  const fs = new SimFs(new SeededRandom(2));
  const clock = new SimClock(1_700_000_000_000);
  const { engine, store } = await openStore(fs, clock);
  const ks = makeKeyspace('a', { class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' }, true);
  const first = store.update((s) => {
    if (s.keyspace('a')) throw new Error('exists');
    return { keyspace: 'a', definition: ks, result: 1 };
  });
  const second = store.update((s) => {
    if (s.keyspace('a')) throw new Error('exists');
    return { keyspace: 'a', definition: ks, result: 2 };
  });
  t.equal(await first, 1);
  await t.rejects(second, /exists/);
  t.ok(store.current().keyspace('a'));
  await engine.close();
});
