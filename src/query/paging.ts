/**
 * The paging state: where the next page resumes. It names rows, not node-local positions, so any
 * node can continue a query another node started (drivers send it to whichever node they pick).
 *
 *   PagingState := 0x01 flags:u8 [short bytes key] [short bytes clustering]? rows:u32 inPartition:u32
 *   flags: 0x01 a clustering follows: resume after that row of the partition
 *          0x02 the partition is done: resume at the next partition
 *   rows          rows returned so far by the whole query (for LIMIT)
 *   inPartition   rows returned so far from the last partition (for PER PARTITION LIMIT)
 * The version byte must be bumped, never reused, when the layout changes.
 */
import { invalidRequest } from '../cql-lite/index.js';

export interface PagingState {
  readonly key: Buffer;
  /** The last row returned (resume strictly after it), or null. */
  readonly clustering: Buffer | null;
  /** True when the last partition has nothing more to give. */
  readonly partitionDone: boolean;
  readonly rows: number;
  readonly inPartition: number;
}

const VERSION = 0x01;
const HAS_CLUSTERING = 0x01;
const PARTITION_DONE = 0x02;

export function encodePagingState(s: PagingState): Buffer {
  const size = 2 + 2 + s.key.length + (s.clustering === null ? 0 : 2 + s.clustering.length) + 8;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  out[pos++] = VERSION;
  out[pos++] = (s.clustering !== null ? HAS_CLUSTERING : 0) | (s.partitionDone ? PARTITION_DONE : 0);
  out.writeUInt16BE(s.key.length, pos);
  pos += 2;
  pos += s.key.copy(out, pos);
  if (s.clustering !== null) {
    out.writeUInt16BE(s.clustering.length, pos);
    pos += 2;
    pos += s.clustering.copy(out, pos);
  }
  out.writeUInt32BE(s.rows, pos);
  out.writeUInt32BE(s.inPartition, pos + 4);
  return out;
}

const bad = (): Error => invalidRequest('Invalid value for the paging state');

export function decodePagingState(b: Buffer): PagingState {
  if (b.length < 4 || b[0] !== VERSION) throw bad();
  const flags = b[1]!;
  if ((flags & ~(HAS_CLUSTERING | PARTITION_DONE)) !== 0) throw bad();
  let pos = 2;
  const keyLen = b.readUInt16BE(pos);
  pos += 2;
  if (pos + keyLen > b.length) throw bad();
  const key = Buffer.from(b.subarray(pos, pos + keyLen));
  pos += keyLen;
  let clustering: Buffer | null = null;
  if (flags & HAS_CLUSTERING) {
    if (pos + 2 > b.length) throw bad();
    const len = b.readUInt16BE(pos);
    pos += 2;
    if (pos + len > b.length) throw bad();
    clustering = Buffer.from(b.subarray(pos, pos + len));
    pos += len;
  }
  if (pos + 8 !== b.length) throw bad();
  return { key, clustering, partitionDone: (flags & PARTITION_DONE) !== 0, rows: b.readUInt32BE(pos), inPartition: b.readUInt32BE(pos + 4) };
}
