import { randomBytes, randomInt } from 'node:crypto';
import type { Random } from './random.js';

/** Production randomness from the operating system. */
export class RealRandom implements Random {
  next(): number {
    // 48 random bits (randomInt's range must stay below 2^48).
    return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
  }

  int(n: number): number {
    return n < 2 ** 48 ? randomInt(0, n) : Math.floor(this.next() * n);
  }

  bytes(n: number): Buffer {
    return randomBytes(n);
  }
}
