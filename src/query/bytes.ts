/** Fixed-width big-endian integers as native protocol values. */

export function int32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v, 0);
  return b;
}

export function uint32(v: bigint): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(Number(v), 0);
  return b;
}

export function int64(v: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(v, 0);
  return b;
}
