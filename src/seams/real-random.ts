import { randomBytes, randomInt } from 'node:crypto';
import type { Random } from './random.js';

/** Production randomness from the operating system. */
export class RealRandom implements Random {
  next(): number {
    return randomInt(0, 2 ** 48) / 2 ** 48;
  }

  int(n: number): number {
    return n <= 2 ** 48 ? randomInt(0, n) : Math.floor(this.next() * n);
  }

  bytes(n: number): Buffer {
    return randomBytes(n);
  }
}
