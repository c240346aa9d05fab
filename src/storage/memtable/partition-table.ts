/**
 * The memtable's index of partitions: point lookups by (token, key), and ring order —
 * (token, key bytes), as comparePositions — for flushes and scans.
 *
 * Partitions are numbered 0, 1, 2, … in arrival order and described by parallel typed arrays
 * (token words, key location): no object per partition, so the garbage collector has nothing to
 * trace or copy however many partitions a memtable holds, and what the table costs is what the
 * arrays hold. Writes only need lookups, and every structure that keeps order on each insert (a
 * B-tree, buckets of sorted arrays) cost about a microsecond per write in cache misses at a few
 * hundred thousand partitions. So lookups go through an open-addressing hash table of partition
 * numbers, and ring order is made only when asked for: partitions added since the last ordered
 * read are radix-sorted on their token words and merged into the ordered array, which is
 * replaced, never changed in place (a scan may still hold it). A flush sorts once; a scan page
 * between writes costs a merge.
 *
 * Tokens are kept as two 32-bit words (hi signed, lo unsigned), never as bigints.
 */

/** Where the key bytes of the partitions live: the memtable's slabs. */
export interface KeyStore {
  /** The buffer holding the key at location loc, and the key's offset in it. */
  slabAt(loc: number): Buffer;
  offsetAt(loc: number): number;
}

/** Small: most memtables of a node (system tables, idle tables) hold a handful of partitions. */
const INITIAL_CAPACITY = 8;


/** Mixes the token words with a little of the key, so keys sharing a token spread out too. */
function slotHash(hi: number, lo: number, buf: Uint8Array, start: number, n: number): number {
  let h = hi ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(n, 0x85ebca77);
  if (n > 0) h ^= (buf[start] << 8) ^ (buf[start + n - 1] << 16) ^ buf[start + (n >> 1)];
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
}

/** a[aStart, aStart + n) vs b[bStart, bStart + m), bytewise. */
function compareBytes(a: Uint8Array, aStart: number, n: number, b: Uint8Array, bStart: number, m: number): number {
  const l = n < m ? n : m;
  for (let i = 0; i < l; i++) {
    const d = a[aStart + i] - b[bStart + i];
    if (d !== 0) return d;
  }
  return n - m;
}

/** Below this many partitions a comparison sort is as quick as the radix sort's fixed costs. */
const RADIX_SORT_MIN = 2048;

/**
 * Sorts partition numbers into ring order: an LSD radix sort on the token words, 16 bits a pass,
 * reading only the typed arrays; then `compare` (the full order, keys included) decides within
 * runs of equal tokens (rare). Small inputs take a comparison sort. Sorts `ids` or a copy.
 */
export function sortRingOrder(ids: Int32Array<ArrayBuffer>, his: Int32Array, los: Uint32Array, compare: (i: number, j: number) => number): Int32Array<ArrayBuffer> {
  const n = ids.length;
  if (n < RADIX_SORT_MIN) return ids.sort(compare);
  let idx = ids;
  let tmp: Int32Array<ArrayBuffer> = new Int32Array(n);
  const counts = new Uint32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    counts.fill(0);
    const shift = (pass & 1) * 16;
    // The low word's halves first, then the high word's, its sign bit flipped to order as unsigned.
    if (pass < 2) {
      for (let k = 0; k < n; k++) counts[((los[idx[k]] >>> shift) & 0xffff) + 1]++;
    } else {
      for (let k = 0; k < n; k++) counts[((((his[idx[k]] ^ 0x80000000) >>> 0) >>> shift) & 0xffff) + 1]++;
    }
    for (let d = 1; d <= 65536; d++) counts[d] += counts[d - 1];
    if (pass < 2) {
      for (let k = 0; k < n; k++) tmp[counts[(los[idx[k]] >>> shift) & 0xffff]++] = idx[k];
    } else {
      for (let k = 0; k < n; k++) tmp[counts[(((his[idx[k]] ^ 0x80000000) >>> 0) >>> shift) & 0xffff]++] = idx[k];
    }
    const swap = idx;
    idx = tmp;
    tmp = swap;
  }
  for (let k = 1; k < n; k++) {
    // Insertion sort inside runs of equal tokens.
    const e = idx[k];
    if (his[e] !== his[idx[k - 1]] || los[e] !== los[idx[k - 1]]) continue;
    let j = k - 1;
    while (j >= 0 && his[idx[j]] === his[e] && los[idx[j]] === los[e] && compare(idx[j], e) > 0) {
      idx[j + 1] = idx[j];
      j--;
    }
    idx[j + 1] = e;
  }
  return idx;
}

/** Partitions 0 … his.length - 1, described by these arrays and keys, in ring order. */
export function ringOrderOf(his: Int32Array, los: Uint32Array, keyLocs: Float64Array, keyLens: Uint32Array, keys: KeyStore): Int32Array {
  const ids = new Int32Array(his.length);
  for (let i = 0; i < ids.length; i++) ids[i] = i;
  return sortRingOrder(ids, his, los, (i, j) => {
    if (his[i] !== his[j]) return his[i] < his[j] ? -1 : 1;
    if (los[i] !== los[j]) return los[i] < los[j] ? -1 : 1;
    const a = keyLocs[i];
    const b = keyLocs[j];
    return compareBytes(keys.slabAt(a), keys.offsetAt(a), keyLens[i], keys.slabAt(b), keys.offsetAt(b), keyLens[j]);
  });
}

export class PartitionTable {
  private count = 0;
  private his = new Int32Array(INITIAL_CAPACITY);
  private los = new Uint32Array(INITIAL_CAPACITY);
  private keyLocs = new Float64Array(INITIAL_CAPACITY);
  private keyLens = new Uint32Array(INITIAL_CAPACITY);
  /** slotHash of each partition, kept so that growing the slots never reads a key again. */
  private hashes = new Int32Array(INITIAL_CAPACITY);
  /**
   * Hash slots, two words each: partition number + 1 (0 when free), then its token's high word,
   * so that a probe reads one cache line, not the slot and then the partition's arrays.
   */
  private slots = new Int32Array(4 * INITIAL_CAPACITY);
  /**
   * Where the last unsuccessful find() stopped, for which table size and position: an add() of
   * that position right after takes the slot without probing again.
   */
  private freeSlot = -1;
  private freeSlotFor = -1;
  private freeHi = 0;
  private freeLo = 0;
  private freeLen = -1;
  private freeHash = 0;
  /** Every partition in ring order except those in `unordered`. */
  private ordered: Int32Array = new Int32Array(0);
  private unordered: number[] = [];

  constructor(private readonly keys: KeyStore) {
    this.countArrays();
  }

  get size(): number {
    return this.count;
  }

  /** Bytes the table's arrays hold (capacity, not just what is used). Read twice per write: kept up to date, not summed. */
  get memoryBytes(): number {
    return this.arrayBytes + 8 * this.unordered.length;
  }

  private arrayBytes = 0;

  private countArrays(): void {
    this.arrayBytes = this.his.byteLength + this.los.byteLength + this.keyLocs.byteLength + this.keyLens.byteLength + this.hashes.byteLength + this.slots.byteLength + this.ordered.byteLength;
  }

  hiOf(i: number): number {
    return this.his[i];
  }

  loOf(i: number): number {
    return this.los[i];
  }

  keyLocOf(i: number): number {
    return this.keyLocs[i];
  }

  keyLengthOf(i: number): number {
    return this.keyLens[i];
  }

  /** The partition number of (hi, lo, key), or -1. */
  find(hi: number, lo: number, key: Buffer): number {
    const mask = (this.slots.length >> 1) - 1;
    const slots = this.slots;
    const n = key.length;
    const h = slotHash(hi, lo, key, 0, n);
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = slots[2 * s];
      if (v === 0) {
        this.freeHash = h;
        this.freeSlot = s;
        this.freeSlotFor = this.count;
        this.freeHi = hi;
        this.freeLo = lo;
        this.freeLen = n;
        return -1;
      }
      if (slots[2 * s + 1] !== hi) continue;
      const i = v - 1;
      if (this.los[i] === lo && this.keyLens[i] === n) {
        const loc = this.keyLocs[i];
        if (compareBytes(key, 0, n, this.keys.slabAt(loc), this.keys.offsetAt(loc), n) === 0) return i;
      }
    }
  }

  /**
   * Adds a partition whose position is not in the table (the caller just had find() return -1),
   * its key stored at keyLoc; returns its number.
   */
  add(hi: number, lo: number, keyLoc: number, keyLength: number): number {
    const i = this.count;
    if (i === this.his.length) this.growArrays();
    this.his[i] = hi;
    this.los[i] = lo;
    this.keyLocs[i] = keyLoc;
    this.keyLens[i] = keyLength;
    const known = this.freeSlotFor === i && this.freeHi === hi && this.freeLo === lo && this.freeLen === keyLength;
    if (known) {
      this.hashes[i] = this.freeHash;
    } else {
      const keys = this.keys;
      this.hashes[i] = slotHash(hi, lo, keys.slabAt(keyLoc), keys.offsetAt(keyLoc), keyLength);
    }
    if ((i + 1) * 4 > this.slots.length) {
      this.growSlots();
      this.place(i);
    } else if (known) {
      // The slot the caller's find() ended on: nothing was added since.
      this.slots[2 * this.freeSlot] = i + 1;
      this.slots[2 * this.freeSlot + 1] = hi;
    } else {
      this.place(i);
    }
    this.freeSlotFor = -1;
    this.count = i + 1;
    this.unordered.push(i);
    return i;
  }

  private place(i: number): void {
    const mask = (this.slots.length >> 1) - 1;
    let s = this.hashes[i] & mask;
    while (this.slots[2 * s] !== 0) s = (s + 1) & mask;
    this.slots[2 * s] = i + 1;
    this.slots[2 * s + 1] = this.his[i];
  }

  private growArrays(): void {
    const n = this.his.length * 2;
    const his = new Int32Array(n);
    his.set(this.his);
    this.his = his;
    const los = new Uint32Array(n);
    los.set(this.los);
    this.los = los;
    const keyLocs = new Float64Array(n);
    keyLocs.set(this.keyLocs);
    this.keyLocs = keyLocs;
    const keyLens = new Uint32Array(n);
    keyLens.set(this.keyLens);
    this.keyLens = keyLens;
    const hashes = new Int32Array(n);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.countArrays();
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.countArrays();
    for (let i = 0; i < this.count; i++) this.place(i);
  }

  /** Orders partitions i and j: negative when i sorts first. */
  compare(i: number, j: number): number {
    if (this.his[i] !== this.his[j]) return this.his[i] < this.his[j] ? -1 : 1;
    if (this.los[i] !== this.los[j]) return this.los[i] < this.los[j] ? -1 : 1;
    const a = this.keyLocs[i];
    const b = this.keyLocs[j];
    return compareBytes(this.keys.slabAt(a), this.keys.offsetAt(a), this.keyLens[i], this.keys.slabAt(b), this.keys.offsetAt(b), this.keyLens[j]);
  }

  /** Orders partition i against (hi, lo, key): negative when i sorts first. */
  compareTo(i: number, hi: number, lo: number, key: Buffer): number {
    if (this.his[i] !== hi) return this.his[i] < hi ? -1 : 1;
    if (this.los[i] !== lo) return this.los[i] < lo ? -1 : 1;
    const a = this.keyLocs[i];
    return compareBytes(this.keys.slabAt(a), this.keys.offsetAt(a), this.keyLens[i], key, 0, key.length);
  }

  /** Partition numbers in ring order. The array is never changed afterwards: later adds make a new one. */
  inOrder(): Int32Array {
    if (this.unordered.length > 0) {
      const fresh = this.sort(this.unordered);
      this.unordered = [];
      const old = this.ordered;
      if (old.length === 0) {
        this.ordered = fresh;
      } else {
        const merged = new Int32Array(old.length + fresh.length);
        let i = 0;
        let j = 0;
        let k = 0;
        while (i < old.length && j < fresh.length) merged[k++] = this.compare(old[i], fresh[j]) < 0 ? old[i++] : fresh[j++];
        while (i < old.length) merged[k++] = old[i++];
        while (j < fresh.length) merged[k++] = fresh[j++];
        this.ordered = merged;
      }
      this.countArrays();
    }
    return this.ordered;
  }

  private sort(ids: number[]): Int32Array {
    return sortRingOrder(Int32Array.from(ids), this.his, this.los, (a, b) => this.compare(a, b));
  }

  /** Copies of the table's arrays, one entry per partition (for a flush snapshot). */
  copyArrays(): { his: Int32Array; los: Uint32Array; keyLocs: Float64Array; keyLens: Uint32Array } {
    const n = this.count;
    return { his: this.his.slice(0, n), los: this.los.slice(0, n), keyLocs: this.keyLocs.slice(0, n), keyLens: this.keyLens.slice(0, n) };
  }

  /** Index in `ordered` of the first partition after (hi, lo, key), or 0 when `after` is null. */
  indexAfter(ordered: Int32Array, after: { hi: number; lo: number; key: Buffer } | null): number {
    if (after === null) return 0;
    let a = 0;
    let z = ordered.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (this.compareTo(ordered[mid], after.hi, after.lo, after.key) <= 0) a = mid + 1;
      else z = mid;
    }
    return a;
  }
}
