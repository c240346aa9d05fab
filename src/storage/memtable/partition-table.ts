/**
 * The memtable's map of partitions: point lookups by (token, key), and ring order —
 * (token, key bytes), as comparePositions — for flushes and scans.
 *
 * Writes only need lookups, and at a few hundred thousand partitions every structure that keeps
 * order on each insert (a B-tree, buckets of sorted arrays) cost about a microsecond per write in
 * cache misses, more than the rest of the write path. So lookups go through an open-addressing
 * hash table whose probe sequence reads one flat Int32Array, and ring order is made only when
 * asked for: partitions inserted since the last ordered read are sorted on their own and merged
 * into the ordered array, which is replaced, never changed in place (a caller may still hold it).
 * A flush sorts once; a scan page between writes costs a merge.
 *
 * Tokens are compared as two 32-bit words (hi signed, lo unsigned), never as bigints.
 */

/** What the table holds: a partition's position as numbers plus its key bytes. */
export interface TableEntry {
  readonly hi: number;
  readonly lo: number;
  /** The key bytes are keyBuf[keyStart, keyEnd). */
  readonly keyBuf: Buffer;
  readonly keyStart: number;
  readonly keyEnd: number;
}

/** Bytes per partition the table itself holds (hash slots at load <= 1/2, ordered array): for accounting. */
export const TABLE_BYTES_PER_ENTRY = 40;

const INITIAL_CAPACITY = 64;

/** key vs buf[start, end), bytewise; JavaScript beats the native call for short keys. */
function compareKey(key: Buffer, buf: Buffer, start: number, end: number): number {
  const n = key.length;
  const m = end - start;
  if (n > 48) return key.compare(buf, start, end);
  const l = n < m ? n : m;
  for (let i = 0; i < l; i++) {
    const d = key[i] - buf[start + i];
    if (d !== 0) return d;
  }
  return n - m;
}

/** Orders an entry against (hi, lo, key): negative when the entry sorts first. */
export function compareEntry(e: TableEntry, hi: number, lo: number, key: Buffer): number {
  if (e.hi !== hi) return e.hi < hi ? -1 : 1;
  if (e.lo !== lo) return e.lo < lo ? -1 : 1;
  return -compareKey(key, e.keyBuf, e.keyStart, e.keyEnd);
}

function compareEntries(a: TableEntry, b: TableEntry): number {
  if (a.hi !== b.hi) return a.hi < b.hi ? -1 : 1;
  if (a.lo !== b.lo) return a.lo < b.lo ? -1 : 1;
  const n = a.keyEnd - a.keyStart;
  const m = b.keyEnd - b.keyStart;
  const l = n < m ? n : m;
  for (let i = 0; i < l; i++) {
    const d = a.keyBuf[a.keyStart + i] - b.keyBuf[b.keyStart + i];
    if (d !== 0) return d;
  }
  return n - m;
}

/** Mixes the token words with a little of the key buf[start, end), so keys sharing a token spread out too. */
function slotHash(hi: number, lo: number, buf: Buffer, start: number, end: number): number {
  const n = end - start;
  let h = hi ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(n, 0x85ebca77);
  if (n > 0) h ^= (buf[start] << 8) ^ (buf[end - 1] << 16) ^ buf[start + (n >> 1)];
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
}

/** Below this many entries a comparison sort is as quick as the radix sort's fixed costs. */
const RADIX_SORT_MIN = 2048;

/**
 * Sorts entries into ring order: an LSD radix sort on the token words (16 bits a pass), then a
 * comparison of keys within each run of equal tokens (runs of more than one are rare).
 */
function sortEntries<E extends TableEntry>(entries: E[]): E[] {
  const n = entries.length;
  if (n < RADIX_SORT_MIN) return entries.sort(compareEntries);
  // The words are read from the entries once, in order: the passes then touch only typed arrays
  // (reading entries in a permuted order costs a cache miss each).
  const los = new Uint32Array(n);
  const his = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    los[i] = entries[i].lo;
    his[i] = entries[i].hi ^ 0x80000000;
  }
  let idx = new Uint32Array(n);
  let tmp = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const digits = new Uint32Array(n);
  const counts = new Uint32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const words = pass < 2 ? los : his;
    const shift = (pass & 1) * 16;
    for (let i = 0; i < n; i++) digits[i] = (words[idx[i]] >>> shift) & 0xffff;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[digits[i] + 1]++;
    for (let d = 1; d <= 65536; d++) counts[d] += counts[d - 1];
    for (let i = 0; i < n; i++) tmp[counts[digits[i]]++] = idx[i];
    const swap = idx;
    idx = tmp;
    tmp = swap;
  }
  const out: E[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = entries[idx[i]];
  for (let i = 1; i < n; i++) {
    // Insertion sort inside runs of equal tokens (found on the typed arrays, not the entries).
    if (his[idx[i]] !== his[idx[i - 1]] || los[idx[i]] !== los[idx[i - 1]]) continue;
    const e = out[i];
    let j = i - 1;
    while (j >= 0 && out[j].hi === e.hi && out[j].lo === e.lo && compareEntries(out[j], e) > 0) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = e;
  }
  return out;
}

export class PartitionTable<E extends TableEntry> {
  private capacity = INITIAL_CAPACITY;
  /** Slot i holds items[i] (null: empty), whose hi word is his[i]. */
  private his = new Int32Array(INITIAL_CAPACITY);
  private items: Array<E | null> = new Array<E | null>(INITIAL_CAPACITY).fill(null);
  private count = 0;
  /** Every entry in ring order except those in `unordered`. */
  private ordered: E[] = [];
  private unordered: E[] = [];

  get size(): number {
    return this.count;
  }

  get(hi: number, lo: number, key: Buffer): E | undefined {
    const mask = this.capacity - 1;
    const his = this.his;
    const items = this.items;
    for (let i = slotHash(hi, lo, key, 0, key.length) & mask; ; i = (i + 1) & mask) {
      const e = items[i];
      if (e === null) return undefined;
      if (his[i] === hi && e.lo === lo && compareKey(key, e.keyBuf, e.keyStart, e.keyEnd) === 0) return e;
    }
  }

  /** Adds an entry whose position is not in the table: the caller just found get() returns nothing. */
  insert(e: E): void {
    if ((this.count + 1) * 2 > this.capacity) this.grow();
    this.place(e);
    this.count++;
    this.unordered.push(e);
  }

  /** Puts e in the first free slot of its probe sequence. */
  private place(e: E): void {
    const mask = this.capacity - 1;
    const items = this.items;
    let i = slotHash(e.hi, e.lo, e.keyBuf, e.keyStart, e.keyEnd) & mask;
    while (items[i] !== null) i = (i + 1) & mask;
    items[i] = e;
    this.his[i] = e.hi;
  }

  private grow(): void {
    const old = this.items;
    this.capacity *= 2;
    this.his = new Int32Array(this.capacity);
    this.items = new Array<E | null>(this.capacity).fill(null);
    for (let i = 0; i < old.length; i++) {
      const e = old[i];
      if (e !== null) this.place(e);
    }
  }

  /** Every entry in ring order. The array is never changed afterwards: later inserts make a new one. */
  inOrder(): readonly E[] {
    if (this.unordered.length > 0) {
      const fresh = sortEntries(this.unordered);
      this.unordered = [];
      const old = this.ordered;
      if (old.length === 0) {
        this.ordered = fresh;
      } else {
        const merged: E[] = new Array(old.length + fresh.length);
        let i = 0;
        let j = 0;
        let k = 0;
        while (i < old.length && j < fresh.length) merged[k++] = compareEntries(old[i], fresh[j]) < 0 ? old[i++] : fresh[j++];
        while (i < old.length) merged[k++] = old[i++];
        while (j < fresh.length) merged[k++] = fresh[j++];
        this.ordered = merged;
      }
    }
    return this.ordered;
  }

  /** Index in inOrder() of the first entry after (hi, lo, key), or 0 when `after` is null. */
  indexAfter(ordered: readonly E[], after: { hi: number; lo: number; key: Buffer } | null): number {
    if (after === null) return 0;
    let a = 0;
    let z = ordered.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (compareEntry(ordered[mid], after.hi, after.lo, after.key) <= 0) a = mid + 1;
      else z = mid;
    }
    return a;
  }

  /** Entries in ring order from the first one after `after` (or from the start when null). */
  *entriesAfter(after: { hi: number; lo: number; key: Buffer } | null): IterableIterator<E> {
    const ordered = this.inOrder();
    for (let i = this.indexAfter(ordered, after); i < ordered.length; i++) yield ordered[i];
  }
}
