import t from 'tap';
import { RealRandom } from '../../src/seams/index.js';

// Regression: next() used randomInt(0, 2 ** 48), which Node refuses (its range must be below 2^48).
t.test('RealRandom gives floats in [0, 1), integers in [0, n) and bytes', async (t) => {
  const r = new RealRandom();
  for (let i = 0; i < 1000; i++) {
    const x = r.next();
    if (!(x >= 0 && x < 1)) t.fail(`next() gave ${x}`);
    const n = r.int(7);
    if (!(Number.isInteger(n) && n >= 0 && n < 7)) t.fail(`int(7) gave ${n}`);
  }
  const big = r.int(2 ** 48);
  t.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 48, 'int() beyond randomInt range');
  t.equal(r.bytes(16).length, 16);
  t.not(r.bytes(16).toString('hex'), r.bytes(16).toString('hex'));
});
