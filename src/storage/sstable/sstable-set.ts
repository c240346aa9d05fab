/**
 * The SSTables of one table directory: which generations exist, cleanup of incomplete writes after
 * a crash, opening them all, and handing out new generation numbers.
 */
import type { Fs, Logger } from '../../seams/index.js';
import { joinPath } from '../../seams/index.js';
import { parseComponentName, TOC_COMPONENT } from './descriptor.js';
import { SSTableReader } from './reader.js';
import { SSTableWriter, type SSTableWriterOptions } from './writer.js';

export interface DirectoryListing {
  /** Generations whose final TOC exists, ascending. */
  readonly complete: number[];
  /** Generations with files but no final TOC: writes that never finished. */
  readonly incomplete: number[];
  /** Highest generation number seen in any file name, 0 when none. */
  readonly maxGeneration: number;
}

export function listGenerations(fs: Fs, dir: string): DirectoryListing {
  const seen = new Set<number>();
  const complete = new Set<number>();
  let maxGeneration = 0;
  for (const name of fs.list(dir)) {
    const p = parseComponentName(name);
    if (p === null) continue;
    seen.add(p.generation);
    if (p.generation > maxGeneration) maxGeneration = p.generation;
    if (p.component === TOC_COMPONENT && !p.temporary) complete.add(p.generation);
  }
  const asc = (a: number, b: number): number => a - b;
  return {
    complete: [...complete].sort(asc),
    incomplete: [...seen].filter((g) => !complete.has(g)).sort(asc),
    maxGeneration,
  };
}

export class SSTableSet {
  private lastHandedOut = 0;
  /** Writers this set handed out: until they settle, their files are not leftovers. */
  private readonly writers = new Set<SSTableWriter>();

  constructor(
    private readonly fs: Fs,
    readonly dir: string,
  ) {}

  list(): DirectoryListing {
    return listGenerations(this.fs, this.dir);
  }

  /**
   * Deletes the files of every incomplete generation (a crash during its write) and any leftover
   * temporary file of a complete one; returns the incomplete generations removed. The directory
   * is not synced: a removal lost in a crash only leaves the same leftovers for the next open.
   */
  removeIncomplete(): number[] {
    for (const w of this.writers) if (w.settled) this.writers.delete(w);
    const writing = new Set([...this.writers].map((w) => w.generation));
    const { complete, incomplete } = this.list();
    const completeSet = new Set(complete);
    const removed = incomplete.filter((g) => !writing.has(g));
    const drop = new Set(removed);
    for (const name of this.fs.list(this.dir)) {
      const p = parseComponentName(name);
      if (p === null || writing.has(p.generation)) continue;
      if (drop.has(p.generation) || (p.temporary && completeSet.has(p.generation))) {
        this.fs.unlink(joinPath(this.dir, name));
      }
    }
    return removed;
  }

  /** Removes incomplete generations, then opens every complete one, ascending by generation. */
  openAll(): SSTableReader[] {
    this.fs.mkdirp(this.dir);
    this.removeIncomplete();
    const readers: SSTableReader[] = [];
    try {
      for (const g of this.list().complete) readers.push(SSTableReader.open(this.fs, this.dir, g));
    } catch (err) {
      for (const r of readers) r.close();
      throw err;
    }
    return readers;
  }

  /** A generation number above every one on disk and every one handed out before. */
  nextGeneration(): number {
    const g = Math.max(this.list().maxGeneration, this.lastHandedOut) + 1;
    this.lastHandedOut = g;
    return g;
  }

  /** A writer for a fresh generation; removeIncomplete leaves its files alone until it settles. */
  newWriter(options?: SSTableWriterOptions): SSTableWriter {
    const w = new SSTableWriter(this.fs, this.dir, this.nextGeneration(), options);
    this.writers.add(w);
    return w;
  }
}

/**
 * Opens a table directory after a restart: removes incomplete generations, opens every complete
 * one (ascending by generation), and returns the next free generation number.
 */
export function openTableDirectory(fs: Fs, dir: string, logger?: Logger): { readers: SSTableReader[]; nextGeneration: number } {
  const set = new SSTableSet(fs, dir);
  fs.mkdirp(dir);
  const removed = set.removeIncomplete();
  if (removed.length > 0) logger?.info({ dir, generations: removed }, 'removed incomplete SSTable writes');
  const readers = set.openAll();
  return { readers, nextGeneration: set.nextGeneration() };
}
