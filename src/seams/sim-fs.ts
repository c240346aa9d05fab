import type { AppendFile, Fs, ReadFile } from './fs.js';
import { dirname } from './fs.js';
import type { Random } from './random.js';

/**
 * An in-memory file system with the durability rules of POSIX and a crash switch.
 *
 * Each file is an inode with its bytes and how many of them are durable (synced). Each name is
 * durable once its directory has been synced. crash() throws away everything not durable: names
 * revert to the last synced directory state, files shrink to their synced length — except that a
 * random prefix of the unsynced tail may survive, as a torn last write does on a real disk.
 * Handles opened before a crash fail afterwards, like a process that died.
 */
interface Inode {
  data: Buffer;
  length: number;
  syncedLength: number;
}

export interface CrashOptions {
  /** Keep a random prefix of each file's unsynced bytes (a torn write). Default true. */
  tornWrites?: boolean;
}

export class SimFs implements Fs {
  private current = new Map<string, Inode>();
  private durable = new Map<string, Inode>();
  private dirs = new Set<string>(['/', '.']);
  private epoch = 0;
  /** fsync calls completed, for tests that check group commit shares them. */
  syncCount = 0;
  /** Mutating operations (create, write, sync, rename, unlink, syncDir) since construction. */
  opCount = 0;
  /** Crashes performed, automatic ones included. */
  crashCount = 0;
  private crashAtOp = Infinity;
  private crashOptions: CrashOptions = {};

  constructor(private readonly random?: Random) {}

  /**
   * Cuts the power during the n-th mutating operation from now (it does not happen), so crash
   * points fall inside flushes, compactions and renames as often as between them.
   */
  crashAfterOps(n: number, options: CrashOptions = {}): void {
    this.crashAtOp = this.opCount + Math.max(1, n);
    this.crashOptions = options;
  }

  /** Counts an operation; crashes instead of performing it when its number is up. */
  tick(what: string): void {
    this.opCount++;
    if (this.opCount >= this.crashAtOp) {
      this.crashAtOp = Infinity;
      this.crash(this.crashOptions);
      throw new Error(`SimFs: power cut during ${what}`);
    }
  }

  create(path: string): AppendFile {
    this.tick(`create ${path}`);
    this.requireDir(dirname(path));
    const inode: Inode = { data: Buffer.alloc(256), length: 0, syncedLength: 0 };
    this.current.set(path, inode);
    return new SimAppendFile(this, path, inode, this.epoch);
  }

  openAppend(path: string): AppendFile {
    return new SimAppendFile(this, path, this.inode(path), this.epoch);
  }

  openRead(path: string): ReadFile {
    return new SimReadFile(this, path, this.inode(path), this.epoch);
  }

  readFile(path: string): Buffer {
    const inode = this.inode(path);
    return Buffer.from(inode.data.subarray(0, inode.length));
  }

  exists(path: string): boolean {
    return this.current.has(path) || this.dirs.has(path);
  }

  size(path: string): number {
    return this.inode(path).length;
  }

  list(dir: string): string[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = new Set<string>();
    for (const p of [...this.current.keys(), ...this.dirs]) {
      if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split('/')[0]);
    }
    return [...names].sort();
  }

  mkdirp(dir: string): void {
    // Directories are treated as durable on creation: the engine syncs the files inside them.
    let d = dir;
    while (d !== '/' && d !== '.' && d.length > 0) {
      this.dirs.add(d);
      d = dirname(d);
    }
  }

  rename(from: string, to: string): void {
    this.tick(`rename ${from}`);
    const inode = this.inode(from);
    this.requireDir(dirname(to));
    this.current.delete(from);
    this.current.set(to, inode);
  }

  unlink(path: string): void {
    this.tick(`unlink ${path}`);
    this.inode(path);
    this.current.delete(path);
  }

  rmrf(dir: string): void {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    for (const p of [...this.current.keys()]) if (p.startsWith(prefix)) this.current.delete(p);
    for (const p of [...this.durable.keys()]) if (p.startsWith(prefix)) this.durable.delete(p);
    for (const d of [...this.dirs]) if (d === dir || d.startsWith(prefix)) this.dirs.delete(d);
  }

  async syncDir(dir: string): Promise<void> {
    this.tick(`syncDir ${dir}`);
    const epoch = this.epoch;
    const snapshot = [...this.current].filter(([p]) => dirname(p) === dir);
    await Promise.resolve();
    if (epoch !== this.epoch) throw new Error('SimFs: crashed during syncDir');
    for (const p of [...this.durable.keys()]) if (dirname(p) === dir) this.durable.delete(p);
    for (const [p, inode] of snapshot) this.durable.set(p, inode);
  }

  /** Simulates power loss: only durable names and bytes remain (plus torn tails, if enabled). */
  crash(options: CrashOptions = {}): void {
    const torn = options.tornWrites ?? true;
    this.epoch++;
    this.crashCount++;
    this.crashAtOp = Infinity;
    const survivors = new Map<string, Inode>();
    const seen = new Map<Inode, Inode>();
    for (const [path, inode] of this.durable) {
      let copy = seen.get(inode);
      if (copy === undefined) {
        let keep = inode.syncedLength;
        const unsynced = inode.length - inode.syncedLength;
        if (torn && unsynced > 0 && this.random !== undefined) keep += this.random.int(unsynced + 1);
        const data = Buffer.alloc(Math.max(256, keep));
        inode.data.copy(data, 0, 0, keep);
        copy = { data, length: keep, syncedLength: keep };
        seen.set(inode, copy);
      }
      survivors.set(path, copy);
    }
    this.current = survivors;
    this.durable = new Map(survivors);
  }

  /**
   * A view of this file system for one simulated process. After crash() every call through it
   * fails, as nothing runs in a dead process: work still pending in the old process (a flush, a
   * compaction) can then never touch what the restarted process sees.
   */
  forProcess(): Fs {
    const epoch = this.epoch;
    const check = (what: string): void => this.checkEpoch(epoch, what);
    const fs = this as SimFs;
    return {
      create: (p) => (check(p), fs.create(p)),
      openAppend: (p) => (check(p), fs.openAppend(p)),
      openRead: (p) => (check(p), fs.openRead(p)),
      readFile: (p) => (check(p), fs.readFile(p)),
      exists: (p) => (check(p), fs.exists(p)),
      size: (p) => (check(p), fs.size(p)),
      list: (d) => (check(d), fs.list(d)),
      mkdirp: (d) => (check(d), fs.mkdirp(d)),
      rename: (a, b) => (check(a), fs.rename(a, b)),
      unlink: (p) => (check(p), fs.unlink(p)),
      rmrf: (d) => (check(d), fs.rmrf(d)),
      syncDir: async (d) => {
        check(d);
        await fs.syncDir(d);
        check(d);
      },
    };
  }

  /** Flips one byte of a file in place (durably), to test corruption detection. */
  corrupt(path: string, offset: number, xor = 0xff): void {
    const inode = this.inode(path);
    if (offset < 0 || offset >= inode.length) throw new RangeError(`corrupt: offset ${offset} outside ${path}`);
    inode.data[offset] ^= xor;
  }

  /** Cuts a file to a length, durably, to test truncated files. */
  truncate(path: string, length: number): void {
    const inode = this.inode(path);
    inode.length = Math.min(inode.length, length);
    inode.syncedLength = Math.min(inode.syncedLength, inode.length);
  }

  /** Total bytes held, for tests. */
  totalBytes(): number {
    let n = 0;
    for (const inode of new Set(this.current.values())) n += inode.length;
    return n;
  }

  checkEpoch(epoch: number, path: string): void {
    if (epoch !== this.epoch) throw new Error(`SimFs: handle for ${path} is from before a crash`);
  }

  async syncInode(inode: Inode, epoch: number, path: string): Promise<void> {
    this.checkEpoch(epoch, path);
    this.tick(`sync ${path}`);
    const upTo = inode.length;
    await Promise.resolve();
    this.checkEpoch(epoch, path);
    if (upTo > inode.syncedLength) inode.syncedLength = upTo;
    this.syncCount++;
  }

  private inode(path: string): Inode {
    const inode = this.current.get(path);
    if (inode === undefined) {
      const err = new Error(`ENOENT: no such file, '${path}'`) as NodeJS.ErrnoException;
      err.code = 'ENOENT';
      throw err;
    }
    return inode;
  }

  private requireDir(dir: string): void {
    if (!this.dirs.has(dir)) {
      const err = new Error(`ENOENT: no such directory, '${dir}'`) as NodeJS.ErrnoException;
      err.code = 'ENOENT';
      throw err;
    }
  }
}

class SimAppendFile implements AppendFile {
  private closed = false;

  constructor(
    private readonly fs: SimFs,
    readonly path: string,
    private readonly inode: Inode,
    private readonly epoch: number,
  ) {}

  get sizeBytes(): number {
    return this.inode.length;
  }

  write(data: Uint8Array): void {
    this.fs.checkEpoch(this.epoch, this.path);
    if (this.closed) throw new Error(`SimFs: write to closed file ${this.path}`);
    this.fs.tick(`write ${this.path}`);
    const inode = this.inode;
    const need = inode.length + data.length;
    if (need > inode.data.length) {
      const grown = Buffer.alloc(Math.max(need, inode.data.length * 2));
      inode.data.copy(grown, 0, 0, inode.length);
      inode.data = grown;
    }
    inode.data.set(data, inode.length);
    inode.length = need;
  }

  sync(): Promise<void> {
    return this.fs.syncInode(this.inode, this.epoch, this.path);
  }

  close(): void {
    this.closed = true;
  }
}

class SimReadFile implements ReadFile {
  constructor(
    private readonly fs: SimFs,
    readonly path: string,
    private readonly inode: Inode,
    private readonly epoch: number,
  ) {}

  get sizeBytes(): number {
    return this.inode.length;
  }

  read(position: number, length: number): Buffer {
    this.fs.checkEpoch(this.epoch, this.path);
    const end = Math.min(this.inode.length, position + length);
    return Buffer.from(this.inode.data.subarray(Math.min(position, end), end));
  }

  close(): void {}
}
