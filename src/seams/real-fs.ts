import * as nodeFs from 'node:fs';
import type { AppendFile, Fs, ReadFile } from './fs.js';

/** Bytes of background writes one file may have queued; past it writeDetached writes at once. */
const MAX_DETACHED_BYTES = 8 * 1024 * 1024;

class RealAppendFile implements AppendFile {
  private fd: number;
  sizeBytes: number;
  /** Background writes (writeDetached) not finished yet, and the first one that failed. */
  private inFlight = 0;
  private inFlightBytes = 0;
  private idleWaiters: Array<() => void> = [];
  private failure: Error | null = null;
  private closeWhenIdle = false;

  constructor(readonly path: string, private readonly truncate: boolean) {
    this.fd = nodeFs.openSync(path, truncate ? 'w' : 'a');
    this.sizeBytes = truncate ? 0 : nodeFs.fstatSync(this.fd).size;
  }

  write(data: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    // Positional writes, so that they and background ones land where sizeBytes says, whatever
    // order the thread pool runs the background ones in. (With O_APPEND the OS appends anyway.)
    let off = 0;
    while (off < data.length) off += nodeFs.writeSync(this.fd, data, off, data.length - off, this.truncate ? this.sizeBytes + off : null);
    this.sizeBytes += data.length;
  }

  writeDetached(data: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    // An appending file has no positions to give: its writes must happen in call order. And
    // when the disk falls behind, the caller waits rather than queueing without bound.
    if (!this.truncate || this.inFlightBytes >= MAX_DETACHED_BYTES) return this.write(data);
    const position = this.sizeBytes;
    this.sizeBytes += data.length;
    this.inFlight++;
    this.inFlightBytes += data.length;
    this.writeAt(data, 0, position);
  }

  private writeAt(data: Uint8Array, off: number, position: number): void {
    nodeFs.write(this.fd, data, off, data.length - off, position, (err, written) => {
      if (err === null && off + written < data.length) return this.writeAt(data, off + written, position + written);
      if (err !== null && this.failure === null) this.failure = err;
      this.inFlightBytes -= data.length;
      if (--this.inFlight === 0) this.becameIdle();
    });
  }

  private becameIdle(): void {
    if (this.closeWhenIdle) this.closeNow();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  async sync(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.failure !== null) throw this.failure;
    const fd = this.fd;
    return new Promise((resolve, reject) => nodeFs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    // Background writes still use the descriptor: it closes once they are done.
    if (this.inFlight > 0) this.closeWhenIdle = true;
    else this.closeNow();
  }

  private closeNow(): void {
    this.closeWhenIdle = false;
    if (this.fd >= 0) nodeFs.closeSync(this.fd);
    this.fd = -1;
  }
}

class RealReadFile implements ReadFile {
  private fd: number;
  readonly sizeBytes: number;

  constructor(readonly path: string) {
    this.fd = nodeFs.openSync(path, 'r');
    this.sizeBytes = nodeFs.fstatSync(this.fd).size;
  }

  read(position: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.sizeBytes - position));
    const buf = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const got = nodeFs.readSync(this.fd, buf, off, n - off, position + off);
      if (got === 0) break;
      off += got;
    }
    return off === n ? buf : buf.subarray(0, off);
  }

  close(): void {
    if (this.fd >= 0) nodeFs.closeSync(this.fd);
    this.fd = -1;
  }
}

/** node:fs behind the Fs seam. The only file in src/ besides the other real-* seams to import it. */
export class RealFs implements Fs {
  create(path: string): AppendFile {
    return new RealAppendFile(path, true);
  }

  openAppend(path: string): AppendFile {
    return new RealAppendFile(path, false);
  }

  openRead(path: string): ReadFile {
    return new RealReadFile(path);
  }

  readFile(path: string): Buffer {
    return nodeFs.readFileSync(path);
  }

  exists(path: string): boolean {
    return nodeFs.existsSync(path);
  }

  size(path: string): number {
    return nodeFs.statSync(path).size;
  }

  list(dir: string): string[] {
    try {
      return nodeFs.readdirSync(dir).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  mkdirp(dir: string): void {
    nodeFs.mkdirSync(dir, { recursive: true });
  }

  rename(from: string, to: string): void {
    nodeFs.renameSync(from, to);
  }

  unlink(path: string): void {
    nodeFs.unlinkSync(path);
  }

  unlinkInBackground(path: string): Promise<void> {
    return new Promise((resolve, reject) => nodeFs.unlink(path, (err) => (err ? reject(err) : resolve())));
  }

  rmrf(dir: string): void {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }

  syncDir(dir: string): Promise<void> {
    return new Promise((resolve, reject) => {
      nodeFs.open(dir, 'r', (err, fd) => {
        if (err) return reject(err);
        nodeFs.fsync(fd, (syncErr) => {
          nodeFs.close(fd, () => (syncErr ? reject(syncErr) : resolve()));
        });
      });
    });
  }
}
