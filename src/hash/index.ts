/**
 * xxHash for tokens, bloom filters and checksums. xxhash-wasm instantiates asynchronously, so this
 * module awaits it once at load time (top-level await) and then every function is synchronous.
 *
 * A call into wasm costs about 100 ns before it hashes a byte (the input is copied into wasm
 * memory), so xxh32 of short inputs — the 4-byte length checksum of every commit-log record, small
 * records — runs in JavaScript; both give the same values (test/storage/commitlog/checksum.test.ts).
 */
import xxhash from 'xxhash-wasm';

const hasher = await xxhash();

/** Inputs up to this length are hashed in JavaScript: below it, that beats the wasm call. */
const JS_XXH32_MAX_BYTES = 64;

/** xxHash32 of bytes: record and block checksums. */
export function xxh32(data: Uint8Array, seed = 0): number {
  if (data.length <= JS_XXH32_MAX_BYTES) return xxh32js(data, 0, data.length, seed);
  return hasher.h32Raw(data, seed) >>> 0;
}

/**
 * xxHash32 of data[start, end), the same as xxh32(data.subarray(start, end)): short ranges are
 * hashed in place, sparing the view (an allocation per record or chunk).
 */
export function xxh32Range(data: Uint8Array, start: number, end: number, seed = 0): number {
  if (end - start <= JS_XXH32_RANGE_MAX_BYTES) return xxh32js(data, start, end, seed);
  return hasher.h32Raw(data.subarray(start, end), seed) >>> 0;
}

/** Up to here a range is hashed in JavaScript; above, a view and the wasm call cost less. */
const JS_XXH32_RANGE_MAX_BYTES = 64;

/** xxHash64 of bytes as an unsigned 64-bit bigint. */
export function xxh64(data: Uint8Array, seed = 0n): bigint {
  return hasher.h64Raw(data, seed);
}

/** xxHash64 of bytes read as a signed 64-bit integer: Ringtail's default partitioner token. */
export function xxh64Signed(data: Uint8Array): bigint {
  return BigInt.asIntN(64, hasher.h64Raw(data, 0n));
}

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function readU32LE(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** xxHash32 of b[start, end), in JavaScript (the reference algorithm, 32-bit arithmetic). */
export function xxh32js(b: Uint8Array, start: number, end: number, seed = 0): number {
  let i = start;
  const len = end - start;
  let acc: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = end - 16;
    while (i <= limit) {
      v1 = Math.imul(rotl((v1 + Math.imul(readU32LE(b, i), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(readU32LE(b, i + 4), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(readU32LE(b, i + 8), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(readU32LE(b, i + 12), P2)) | 0, 13), P1);
      i += 16;
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    acc = (seed + P5) | 0;
  }
  acc = (acc + len) | 0;
  while (i + 4 <= end) {
    acc = Math.imul(rotl((acc + Math.imul(readU32LE(b, i), P3)) | 0, 17), P4);
    i += 4;
  }
  while (i < end) {
    acc = Math.imul(rotl((acc + Math.imul(b[i], P5)) | 0, 11), P1);
    i++;
  }
  acc ^= acc >>> 15;
  acc = Math.imul(acc, P2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, P3);
  acc ^= acc >>> 16;
  return acc >>> 0;
}

/** xxHash32 of wasm, for tests comparing it with the JavaScript path. */
export function xxh32wasm(data: Uint8Array, seed = 0): number {
  return hasher.h32Raw(data, seed) >>> 0;
}
