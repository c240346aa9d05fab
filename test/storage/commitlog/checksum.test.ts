// Record and block checksums hash short inputs in JavaScript and long ones in wasm: both must be
// xxHash32, bit for bit, or files written by one would read as corrupt through the other.
import t from 'tap';
import { SeededRandom } from '../../../src/seams/index.js';
import { xxh32, xxh32js, xxh32Range, xxh32wasm } from '../../../src/hash/index.js';

t.test('the JavaScript xxh32 equals the wasm one for every length, offset and seed', async (t) => {
  const r = new SeededRandom(61);
  const buf = r.bytes(4096);
  let mismatches = 0;
  for (let len = 0; len <= 300; len++) {
    for (const seed of [0, 1, 0x7fffffff, 0xffffffff]) {
      const off = r.int(64);
      const view = buf.subarray(off, off + len);
      if (xxh32js(buf, off, off + len, seed) !== xxh32wasm(view, seed)) mismatches++;
      if (xxh32Range(buf, off, off + len, seed) !== xxh32wasm(view, seed)) mismatches++;
    }
  }
  t.equal(mismatches, 0, 'no mismatches over lengths 0..300');
  t.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05, 'the published xxh32 of the empty input');
  t.equal(xxh32(Buffer.from('abc')), 0x32d153ff, 'the published xxh32 of "abc"');
  const long = r.bytes(10_000);
  t.equal(xxh32(long), xxh32wasm(long), 'long inputs (wasm) agree too');
  // Views at an offset into their ArrayBuffer, hashed whole and by range.
  const pool = Buffer.allocUnsafe(300);
  r.bytes(300).copy(pool);
  for (const [from, to] of [[3, 200], [17, 18], [0, 300], [250, 300]]) {
    const view = pool.subarray(from, to);
    t.equal(xxh32(view), xxh32wasm(view), `a view at offset ${from + pool.byteOffset} of its buffer`);
    t.equal(xxh32Range(pool, from, to), xxh32wasm(view), `the range [${from}, ${to})`);
  }
});
