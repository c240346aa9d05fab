// Replication maps parse as Cassandra parses them: short or full class names, clear errors for an
// unknown class, a factor that is not a non-negative integer, a missing replication_factor.
import t from 'tap';
import {
  LOCAL_STRATEGY,
  RingError,
  networkTopologyStrategy,
  parseReplication,
  replicationMap,
  simpleStrategy,
  totalReplicationFactor,
} from '../../src/ring/index.js';

t.test('class names, short and full', async (t) => {
  for (const cls of ['SimpleStrategy', 'org.apache.cassandra.locator.SimpleStrategy']) {
    t.same(parseReplication({ class: cls, replication_factor: '3' }), simpleStrategy(3), cls);
  }
  for (const cls of ['NetworkTopologyStrategy', 'org.apache.cassandra.locator.NetworkTopologyStrategy']) {
    t.same(parseReplication({ class: cls, dc1: '3', dc2: '0' }), networkTopologyStrategy({ dc1: 3, dc2: 0 }), cls);
  }
  t.equal(parseReplication({ class: 'LocalStrategy' }), LOCAL_STRATEGY);
  t.equal(parseReplication({ class: 'org.apache.cassandra.locator.LocalStrategy' }), LOCAL_STRATEGY);
});

t.test('unknown classes', async (t) => {
  t.throws(() => parseReplication({ class: 'EverywhereStrategy' }), {
    code: 'UNKNOWN_STRATEGY',
    message: "Unable to find replication strategy class 'org.apache.cassandra.locator.EverywhereStrategy'",
  });
  t.throws(() => parseReplication({ class: 'com.example.SimpleStrategy', replication_factor: '1' }), { code: 'UNKNOWN_STRATEGY' });
  t.throws(() => parseReplication({ class: 'simplestrategy', replication_factor: '1' }), { code: 'UNKNOWN_STRATEGY' }, 'case matters, as in Cassandra');
  t.throws(() => parseReplication({ replication_factor: '1' }), { code: 'BAD_REPLICATION_OPTION', message: /Missing replication strategy class/ });
});

t.test('factors must be non-negative integers', async (t) => {
  for (const bad of ['-1', 'abc', '1.5', '', ' ', '3/1', '1e3', '0x3', '9999999999']) {
    t.throws(() => parseReplication({ class: 'SimpleStrategy', replication_factor: bad }), { code: 'BAD_REPLICATION_OPTION' }, `simple '${bad}'`);
    t.throws(() => parseReplication({ class: 'NetworkTopologyStrategy', dc1: bad }), { code: 'BAD_REPLICATION_OPTION' }, `nts '${bad}'`);
  }
  t.throws(() => parseReplication({ class: 'SimpleStrategy', replication_factor: '3/1' }), /transient replication/);
  t.equal((parseReplication({ class: 'SimpleStrategy', replication_factor: ' 2 ' }) as { replicationFactor: number }).replicationFactor, 2);
  t.throws(() => simpleStrategy(-1), RingError);
  t.throws(() => simpleStrategy(1.5), RingError);
  t.throws(() => networkTopologyStrategy({ dc1: Number.NaN }), RingError);
});

t.test('SimpleStrategy needs replication_factor and nothing else', async (t) => {
  t.throws(() => parseReplication({ class: 'SimpleStrategy' }), {
    code: 'BAD_REPLICATION_OPTION',
    message: 'SimpleStrategy requires a replication_factor strategy option',
  });
  t.throws(() => parseReplication({ class: 'SimpleStrategy', replication_factor: '1', dc1: '1' }), /Unrecognized strategy option \{dc1\}/);
});

t.test('NetworkTopologyStrategy: replication_factor is a default for known datacenters only', async (t) => {
  t.throws(() => parseReplication({ class: 'NetworkTopologyStrategy', replication_factor: '3' }), { code: 'BAD_REPLICATION_OPTION' });
  const s = parseReplication({ class: 'NetworkTopologyStrategy', replication_factor: '3', dc2: '1' }, { datacenters: ['dc1', 'dc2', 'dc3'] });
  t.same(s, networkTopologyStrategy({ dc1: 3, dc2: 1, dc3: 3 }));
});

t.test('LocalStrategy is reserved for system keyspaces', async (t) => {
  t.throws(() => parseReplication({ class: 'LocalStrategy' }, { userKeyspace: true }), /reserved for internal use/);
  t.throws(() => parseReplication({ class: 'LocalStrategy', replication_factor: '1' }), /Unrecognized strategy option/);
});

t.test('replication maps round-trip with full class names; equal strategies share a key', async (t) => {
  const nts = networkTopologyStrategy({ b: 2, a: 1 });
  t.same(replicationMap(nts), { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', a: '1', b: '2' });
  t.same(parseReplication(replicationMap(nts)), nts);
  t.same(replicationMap(simpleStrategy(2)), { class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '2' });
  t.same(replicationMap(LOCAL_STRATEGY), { class: 'org.apache.cassandra.locator.LocalStrategy' });
  t.equal(nts.key, networkTopologyStrategy({ a: 1, b: 2 }).key);
  t.not(nts.key, networkTopologyStrategy({ a: 2, b: 1 }).key);
  t.not(networkTopologyStrategy({ 'a=1,b': 2 }).key, networkTopologyStrategy({ a: 1, b: 2 }).key, 'odd datacenter names cannot collide');
  t.equal(totalReplicationFactor(nts), 3);
  t.equal(totalReplicationFactor(simpleStrategy(5)), 5);
  t.equal(totalReplicationFactor(LOCAL_STRATEGY), 1);
  t.ok(Object.isFrozen(nts) && Object.isFrozen(nts.factors));
});
