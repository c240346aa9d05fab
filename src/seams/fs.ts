/**
 * The Fs seam: the only way Ringtail code touches files, so tests can run on SimFs and crash it.
 *
 * Reads and appends are synchronous (they hit the page cache; the engine batches appends into
 * large buffers), while fsync is asynchronous so that concurrent writers can share one fsync
 * (group commit) while the next batch accumulates.
 *
 * Durability contract, as on a POSIX file system:
 * - bytes appended to a file are durable only after that file's sync() resolves;
 * - creating, renaming or unlinking a name is durable only after syncDir() of its directory resolves.
 * SimFs enforces exactly this on crash(); RealFs is node:fs.
 */
export interface AppendFile {
  readonly path: string;
  /** Bytes written so far (durable or not). */
  readonly sizeBytes: number;
  /** Appends at the end of the file. */
  write(data: Uint8Array): void;
  /**
   * Optional. Appends `data` like write(), but the OS may take it later, in the background, in
   * order with the other writes to this file: the caller hands `data` over and never changes it
   * again. sync() covers it as any write; a background write that fails fails the next write or
   * sync. For bulk writes that are made durable later anyway (SSTable components), so the copy
   * into the page cache does not hold up the caller. Implementations without it: use write().
   */
  writeDetached?(data: Uint8Array): void;
  /** Resolves once every byte written before the call is durable. */
  sync(): Promise<void>;
  close(): void;
}

export interface ReadFile {
  readonly path: string;
  readonly sizeBytes: number;
  /** Reads up to length bytes at position; fewer only at the end of the file. */
  read(position: number, length: number): Buffer;
  close(): void;
}

export interface Fs {
  /** Creates (or truncates) a file for appending. */
  create(path: string): AppendFile;
  /** Opens an existing file for appending at its end. */
  openAppend(path: string): AppendFile;
  openRead(path: string): ReadFile;
  readFile(path: string): Buffer;
  exists(path: string): boolean;
  size(path: string): number;
  /** Names (not paths) in a directory, sorted. Missing directory: empty list. */
  list(dir: string): string[];
  mkdirp(dir: string): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /**
   * Optional. unlink() off the caller's thread (freeing a large file's blocks takes a while); the
   * removal is durable, as unlink's, after syncDir() of the directory once this resolves.
   */
  unlinkInBackground?(path: string): Promise<void>;
  /** Removes a directory and everything under it. */
  rmrf(dir: string): void;
  /** Makes creations, renames and unlinks in dir durable. */
  syncDir(dir: string): Promise<void>;
}

/** Writes a whole file durably under a temporary name, then renames it into place. */
export async function writeFileAtomic(fs: Fs, path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const f = fs.create(tmp);
  f.write(data);
  await f.sync();
  f.close();
  fs.rename(tmp, path);
  await fs.syncDir(dirname(path));
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i);
}

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('/').replace(/\/+/g, '/');
}
