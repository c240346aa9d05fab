/**
 * Partition key bytes: what the partitioner hashes, what the memtable and SSTables key on.
 *
 * Grammar (DESIGN.md, "Data model"):
 *   one column:  key       := value-bytes
 *   composite:   key       := component{n}          (n >= 2)
 *                component := length:u16be value-bytes[length] 0x00
 * This is Cassandra's CompositeType encoding, so stock drivers that compute routing keys for
 * composite partition keys hash the same bytes and route to the same replicas.
 */
import { RingError } from './errors.js';

const MAX_COMPONENT_BYTES = 0xffff;

/** Build the partition key bytes from the serialized value of each partition key column. */
export function partitionKeyBytes(components: readonly Uint8Array[]): Buffer {
  if (components.length === 0) throw new RingError('BAD_PARTITION_KEY', 'a partition key has at least one component');
  if (components.length === 1) {
    const only = components[0]!;
    return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
  }
  let total = 0;
  for (const c of components) {
    if (c.length > MAX_COMPONENT_BYTES) {
      throw new RingError('BAD_PARTITION_KEY', `a composite partition key component is ${c.length} bytes; the limit is ${MAX_COMPONENT_BYTES}`);
    }
    total += 3 + c.length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const c of components) {
    out.writeUInt16BE(c.length, at);
    out.set(c, at + 2);
    at += 2 + c.length;
    out[at++] = 0;
  }
  return out;
}

/**
 * Split partition key bytes back into its components, given how many the table's key has.
 * Throws BAD_RING on bytes that do not follow the grammar (truncated, or a non-zero end byte).
 */
export function splitPartitionKey(key: Uint8Array, componentCount: number): Buffer[] {
  const buf = Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  if (componentCount === 1) return [buf];
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < componentCount; i++) {
    if (at + 2 > buf.length) throw new RingError('BAD_PARTITION_KEY', `composite partition key truncated in component ${i}`);
    const length = buf.readUInt16BE(at);
    if (at + 2 + length + 1 > buf.length) throw new RingError('BAD_PARTITION_KEY', `composite partition key truncated in component ${i}`);
    out.push(buf.subarray(at + 2, at + 2 + length));
    if (buf[at + 2 + length] !== 0) throw new RingError('BAD_PARTITION_KEY', `composite partition key component ${i} does not end with 0x00`);
    at += 3 + length;
  }
  if (at !== buf.length) throw new RingError('BAD_PARTITION_KEY', `composite partition key has ${buf.length - at} trailing bytes`);
  return out;
}
