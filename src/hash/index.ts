/**
 * xxHash for tokens, bloom filters and checksums. xxhash-wasm instantiates asynchronously, so this
 * module awaits it once at load time (top-level await) and then every function is synchronous.
 */
import xxhash from 'xxhash-wasm';

const hasher = await xxhash();

/** xxHash32 of bytes: record and block checksums. */
export function xxh32(data: Uint8Array, seed = 0): number {
  return hasher.h32Raw(data, seed) >>> 0;
}

/** xxHash64 of bytes as an unsigned 64-bit bigint. */
export function xxh64(data: Uint8Array, seed = 0n): bigint {
  return hasher.h64Raw(data, seed);
}

/** xxHash64 of bytes read as a signed 64-bit integer: Ringtail's default partitioner token. */
export function xxh64Signed(data: Uint8Array): bigint {
  return BigInt.asIntN(64, hasher.h64Raw(data, 0n));
}
