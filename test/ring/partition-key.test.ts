// Partition key bytes: one column is its bytes; a composite is, per component, a u16 length, the
// bytes and 0x00 — the same bytes the DataStax driver builds as a composite routing key, so its
// token-aware routing agrees with the server.
import t from 'tap';
import { createRequire } from 'node:module';
import { SeededRandom } from '../../src/seams/index.js';
import { partitionKeyBytes, splitPartitionKey } from '../../src/ring/index.js';

const require = createRequire(import.meta.url);
const Encoder = require('cassandra-driver/lib/encoder.js') as new (version: number, options: object) => {
  setRoutingKeyFromUser(params: unknown[], execOptions: object): void;
};

/** The routing key the driver builds from routing key parts given by the user. */
function driverRoutingKey(parts: Buffer[]): Buffer {
  const state: { key: unknown } = { key: parts };
  const execOptions = {
    getRoutingKey: () => state.key,
    setRoutingKey: (k: unknown) => (state.key = k),
  };
  new Encoder(4, {}).setRoutingKeyFromUser([], execOptions);
  return state.key as Buffer;
}

t.test('one component: the bytes themselves', async (t) => {
  const b = Buffer.from('abc');
  t.equal(partitionKeyBytes([b]), b, 'no copy for a Buffer');
  t.same(partitionKeyBytes([new Uint8Array([1, 2, 3])]), Buffer.from([1, 2, 3]));
  t.same(splitPartitionKey(b, 1), [b]);
});

t.test('composite: u16 length, bytes, 0x00 per component', async (t) => {
  const key = partitionKeyBytes([Buffer.from([0xaa]), Buffer.alloc(0), Buffer.from('xy')]);
  t.same(key, Buffer.from([0, 1, 0xaa, 0, 0, 0, 0, 0, 2, 0x78, 0x79, 0]));
  t.same(splitPartitionKey(key, 3), [Buffer.from([0xaa]), Buffer.alloc(0), Buffer.from('xy')]);
});

t.test('composite keys equal the driver routing keys and round-trip (random)', async (t) => {
  const seed = 99;
  const random = new SeededRandom(seed);
  for (let i = 0; i < 300; i++) {
    const parts = Array.from({ length: 2 + random.int(4) }, () => random.bytes(random.int(40)));
    const key = partitionKeyBytes(parts);
    t.same(key, driverRoutingKey(parts), `seed ${seed} case ${i}`);
    t.same(splitPartitionKey(key, parts.length), parts);
  }
});

t.test('bad composite bytes and oversize components are refused', async (t) => {
  t.throws(() => partitionKeyBytes([]), { code: 'BAD_PARTITION_KEY' });
  t.throws(() => partitionKeyBytes([Buffer.alloc(70000), Buffer.alloc(1)]), { code: 'BAD_PARTITION_KEY' });
  const good = partitionKeyBytes([Buffer.from('a'), Buffer.from('b')]);
  t.throws(() => splitPartitionKey(good.subarray(0, good.length - 1), 2), /truncated/);
  const badEnd = Buffer.from(good);
  badEnd[3] = 1;
  t.throws(() => splitPartitionKey(badEnd, 2), /does not end with 0x00/);
  t.throws(() => splitPartitionKey(Buffer.concat([good, Buffer.from([0])]), 2), /trailing/);
});
