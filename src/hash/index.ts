/**
 * xxHash for tokens, bloom filters and checksums. xxhash-wasm instantiates asynchronously, so this
 * module awaits it once at load time (top-level await) and then every function is synchronous.
 *
 * A call into wasm costs about 100 ns before it hashes a byte (the input is copied into wasm
 * memory, and a range needs a view), so xxh32 of inputs up to a few kilobytes — commit-log records
 * and their length checksums, SSTable chunks and index blocks — runs in JavaScript, which measured
 * faster up to there; both give the same values (test/storage/commitlog/checksum.test.ts).
 */
import xxhash from 'xxhash-wasm';

const hasher = await xxhash();

/** Inputs up to this length are hashed in JavaScript: below it, that beats the wasm call (measured). */
const JS_XXH32_MAX_BYTES = 4096;

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
const JS_XXH32_RANGE_MAX_BYTES = 4096;

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

// Words are read through a DataView (one typed load each; reading four bytes and shifting costs
// several times more). Views are kept for the last four ArrayBuffers seen: hot callers hash a few
// buffers over and over (the commit log's scratch, an SSTable writer's buffer, the windows of the
// SSTables a scan reads in turn). They pin at most those four buffers.
const viewBuffers: Array<ArrayBufferLike | null> = [null, null, null, null];
const views: DataView[] = [new DataView(new ArrayBuffer(0)), new DataView(new ArrayBuffer(0)), new DataView(new ArrayBuffer(0)), new DataView(new ArrayBuffer(0))];
let nextView = 0;

function viewOf(b: Uint8Array): DataView {
  const ab = b.buffer;
  if (viewBuffers[0] === ab) return views[0];
  if (viewBuffers[1] === ab) return views[1];
  if (viewBuffers[2] === ab) return views[2];
  if (viewBuffers[3] === ab) return views[3];
  const k = nextView;
  nextView = (k + 1) & 3;
  viewBuffers[k] = ab;
  views[k] = new DataView(ab);
  return views[k];
}

/** xxHash32 of b[start, end), in JavaScript (the reference algorithm, 32-bit arithmetic). */
export function xxh32js(b: Uint8Array, start: number, end: number, seed = 0): number {
  if (end - start < 16) return xxh32short(b, start, end, seed);
  const dv = viewOf(b);
  const base = b.byteOffset;
  let i = base + start;
  const e = base + end;
  const len = end - start;
  let acc: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = e - 16;
    while (i <= limit) {
      v1 = (v1 + Math.imul(dv.getInt32(i, true), P2)) | 0;
      v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
      v2 = (v2 + Math.imul(dv.getInt32(i + 4, true), P2)) | 0;
      v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
      v3 = (v3 + Math.imul(dv.getInt32(i + 8, true), P2)) | 0;
      v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
      v4 = (v4 + Math.imul(dv.getInt32(i + 12, true), P2)) | 0;
      v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
      i += 16;
    }
    acc = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
  } else {
    acc = (seed + P5) | 0;
  }
  acc = (acc + len) | 0;
  while (i + 4 <= e) {
    acc = (acc + Math.imul(dv.getInt32(i, true), P3)) | 0;
    acc = Math.imul((acc << 17) | (acc >>> 15), P4);
    i += 4;
  }
  while (i < e) {
    acc = (acc + Math.imul(dv.getUint8(i), P5)) | 0;
    acc = Math.imul((acc << 11) | (acc >>> 21), P1);
    i++;
  }
  acc ^= acc >>> 15;
  acc = Math.imul(acc, P2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, P3);
  acc ^= acc >>> 16;
  return acc >>> 0;
}

/** xxh32js of fewer than 16 bytes: read bytewise (the commit log's 4-byte length checksums would otherwise take turns with the record's buffer in viewOf's one-entry cache). */
function xxh32short(b: Uint8Array, start: number, end: number, seed: number): number {
  let i = start;
  let acc = (seed + P5 + (end - start)) | 0;
  while (i + 4 <= end) {
    const w = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    acc = (acc + Math.imul(w, P3)) | 0;
    acc = Math.imul((acc << 17) | (acc >>> 15), P4);
    i += 4;
  }
  while (i < end) {
    acc = (acc + Math.imul(b[i], P5)) | 0;
    acc = Math.imul((acc << 11) | (acc >>> 21), P1);
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
