import * as nodeFs from 'node:fs';
import type { AppendFile, Fs, ReadFile } from './fs.js';

class RealAppendFile implements AppendFile {
  private fd: number;
  sizeBytes: number;

  constructor(readonly path: string, truncate: boolean) {
    this.fd = nodeFs.openSync(path, truncate ? 'w' : 'a');
    this.sizeBytes = truncate ? 0 : nodeFs.fstatSync(this.fd).size;
  }

  write(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) off += nodeFs.writeSync(this.fd, data, off, data.length - off);
    this.sizeBytes += data.length;
  }

  sync(): Promise<void> {
    const fd = this.fd;
    return new Promise((resolve, reject) => nodeFs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
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
