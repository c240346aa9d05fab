import t from 'tap';
import { ConfigError, DEFAULT_CONFIG, isWildcardAddress, parseConfig, validateAddresses, type NodeConfig } from '../../src/node/index.js';
import { TestNode } from '../helpers/cql-node.js';

t.test('Cassandra option names map onto the node configuration', async (t) => {
  const { config, unknown } = parseConfig(`
cluster_name: 'Prod'
num_tokens: 8
listen_address: 127.0.0.2
native_transport_port: 9043
storage_port: 7001
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1, 127.0.0.2"
data_file_directories: [/var/lib/ringtail]
commitlog_sync: periodic
commitlog_sync_period: 5s
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
native_transport_max_frame_size: 32MiB
endpoint_snitch: SimpleSnitch
colour: blue
`);
  t.equal(config.clusterName, 'Prod');
  t.equal(config.numTokens, 8);
  t.equal(config.listenAddress, '127.0.0.2');
  t.equal(config.rpcAddress, '127.0.0.2', 'rpc_address follows listen_address');
  t.equal(config.nativePort, 9043);
  t.equal(config.storagePort, 7001);
  t.same(config.seeds, ['127.0.0.1', '127.0.0.2']);
  t.equal(config.dataDir, '/var/lib/ringtail');
  t.equal(config.commitlogSync, 'periodic');
  t.equal(config.commitlogSyncPeriodMs, 5000);
  t.equal(config.partitioner, 'Murmur3Partitioner');
  t.equal(config.nativeMaxFrameBytes, 32 * 1024 * 1024);
  t.same(unknown, ['colour'], 'an unknown option is reported, an accepted Cassandra one is not');
  t.same(parseConfig('').config, DEFAULT_CONFIG);
  t.same(parseConfig('seeds: 127.0.0.3').config.seeds, ['127.0.0.3']);
  t.equal(parseConfig('commitlog_sync_period_in_ms: 250').config.commitlogSyncPeriodMs, 250);
});

t.test('bad values are refused with the option name', async (t) => {
  t.throws(() => parseConfig('native_transport_port: 70000'), new ConfigError('native_transport_port must be a port number (0-65535), got 70000'));
  t.throws(() => parseConfig('num_tokens: 0'), /num_tokens must be a positive integer/);
  t.throws(() => parseConfig('commitlog_sync: always'), /commitlog_sync must be batch or periodic/);
  t.throws(() => parseConfig('data_file_directories: [a, b]'), /one data directory/);
  t.throws(() => parseConfig('- a list'), /must be a mapping/);
  t.throws(() => parseConfig('key: [unclosed'), /not valid YAML/);
  t.throws(() => parseConfig('commitlog_sync_period: soon'), /commitlog_sync_period must be a duration/);
});

t.test('addresses: wildcards are refused where Cassandra refuses them, broadcast addresses are what is advertised', async (t) => {
  const { config } = parseConfig('rpc_address: 0.0.0.0\nbroadcast_rpc_address: 127.0.0.5\nbroadcast_address: 127.0.0.6\n');
  t.equal(config.broadcastRpcAddress, '127.0.0.5');
  t.equal(config.broadcastAddress, '127.0.0.6');
  t.doesNotThrow(() => validateAddresses(config), 'a wildcard rpc_address with a broadcast_rpc_address is fine');
  const refused: Array<[Partial<NodeConfig>, RegExp]> = [
    [{ listenAddress: '0.0.0.0' }, /^listen_address cannot be a wildcard address \(0\.0\.0\.0\)!$/],
    [{ listenAddress: '::' }, /^listen_address cannot be a wildcard address \(::\)!$/],
    [{ broadcastAddress: '0.0.0.0' }, /^broadcast_address cannot be a wildcard address/],
    [{ rpcAddress: '0.0.0.0' }, /^If rpc_address is set to a wildcard address \(0\.0\.0\.0\), then you must set broadcast_rpc_address to a value other than 0\.0\.0\.0$/],
    [{ rpcAddress: '0.0.0.0', broadcastRpcAddress: '0:0:0:0:0:0:0:0' }, /^broadcast_rpc_address cannot be a wildcard address/],
  ];
  for (const [change, message] of refused) t.throws(() => validateAddresses({ ...DEFAULT_CONFIG, ...change }), { name: 'ConfigError', message }, JSON.stringify(change));
  t.notOk(isWildcardAddress('127.0.0.1'));
  t.notOk(isWildcardAddress('::1'));
  t.ok(isWildcardAddress('::0'));
});

t.test('a node tells clients and peers its broadcast addresses', async (t) => {
  const node = await TestNode.open(3, { rpcAddress: '0.0.0.0', broadcastRpcAddress: '127.0.0.5', broadcastAddress: '127.0.0.6' });
  t.teardown(() => node.core.close());
  const r = await node.exec('SELECT listen_address, broadcast_address, rpc_address FROM system.local');
  t.same(r.rows, [["'127.0.0.1'", "'127.0.0.6'", "'127.0.0.5'"]]);
  await t.rejects(TestNode.open(4, { listenAddress: '0.0.0.0' }), { name: 'ConfigError', message: /listen_address cannot be a wildcard address/ }, 'a node refuses to start listening on a wildcard');
});
