/**
 * The outbound side of a connection: frames are written straight into one growing chunk, and
 * `take()` hands everything written since the last take to the socket as one buffer, so the
 * responses that complete in one tick leave in one write. Notations as in reader.ts.
 *
 * Invariant: bytes before `flushedTo` belong to the socket (handed out by take) and are never
 * written again; a new chunk is started when the current one is full.
 */
import { HEADER_BYTES, writeHeader } from './frame.js';

const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Largest [string] payload: its length is a [short]. */
const MAX_STRING_BYTES = 0xffff;

export class FrameWriter {
  private buf: Buffer;
  private pos = 0;
  private flushedTo = 0;
  private frameStart = -1;
  private frameStream = 0;
  private frameOpcode = 0;
  private frameFlags = 0;
  private frameVersion = 0;

  constructor(private readonly chunkBytes = DEFAULT_CHUNK_BYTES) {
    // Allocated on first write, so an idle connection costs no chunk.
    this.buf = Buffer.alloc(0);
  }

  /** Bytes written and not yet taken. */
  get pendingBytes(): number {
    return this.pos - this.flushedTo;
  }

  get inFrame(): boolean {
    return this.frameStart >= 0;
  }

  /** Starts a frame; its header is written by `end()` once the body length is known. */
  begin(versionByte: number, stream: number, opcode: number, flags = 0): void {
    if (this.frameStart >= 0) throw new Error('FrameWriter.begin: a frame is already open');
    this.ensure(HEADER_BYTES);
    this.frameStart = this.pos;
    this.frameVersion = versionByte;
    this.frameStream = stream;
    this.frameOpcode = opcode;
    this.frameFlags = flags;
    this.pos += HEADER_BYTES;
  }

  end(): void {
    if (this.frameStart < 0) throw new Error('FrameWriter.end: no frame is open');
    const bodyBytes = this.pos - this.frameStart - HEADER_BYTES;
    writeHeader(this.buf, this.frameStart, this.frameVersion, this.frameFlags, this.frameStream, this.frameOpcode, bodyBytes);
    this.frameStart = -1;
  }

  /** Drops the open frame (an encoding error part way): nothing of it is sent. */
  abort(): void {
    if (this.frameStart < 0) return;
    this.pos = this.frameStart;
    this.frameStart = -1;
  }

  /** Everything written since the last take, or null. Never called with a frame open. */
  take(): Buffer | null {
    if (this.frameStart >= 0) throw new Error('FrameWriter.take: a frame is open');
    if (this.pos === this.flushedTo) return null;
    const out = this.buf.subarray(this.flushedTo, this.pos);
    this.flushedTo = this.pos;
    // Less than a small frame's worth left, or a chunk grown for one big result: start afresh.
    if (this.buf.length - this.pos < 256 || this.buf.length > 4 * this.chunkBytes) this.renew(0);
    return out;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  short(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  long(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  /** A [string]; throws a RangeError over 65535 UTF-8 bytes. */
  string(s: string): void {
    // Reserve the worst case (3 bytes per UTF-16 unit) so write() never truncates.
    this.ensure(2 + s.length * 3);
    const n = this.buf.write(s, this.pos + 2, 'utf8');
    if (n > MAX_STRING_BYTES) throw new RangeError(`[string] of ${n} bytes exceeds ${MAX_STRING_BYTES}`);
    this.buf.writeUInt16BE(n, this.pos);
    this.pos += 2 + n;
  }

  longString(s: string): void {
    this.ensure(4 + s.length * 3);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4 + n;
  }

  /** [bytes]; null is length -1. */
  bytes(b: Buffer | null): void {
    if (b === null) {
      this.int(-1);
      return;
    }
    this.ensure(4 + b.length);
    this.buf.writeInt32BE(b.length, this.pos);
    b.copy(this.buf, this.pos + 4);
    this.pos += 4 + b.length;
  }

  shortBytes(b: Buffer): void {
    if (b.length > 0xffff) throw new RangeError(`[short bytes] of ${b.length} bytes exceeds 65535`);
    this.ensure(2 + b.length);
    this.buf.writeUInt16BE(b.length, this.pos);
    b.copy(this.buf, this.pos + 2);
    this.pos += 2 + b.length;
  }

  stringList(list: readonly string[]): void {
    this.short(list.length);
    for (const s of list) this.string(s);
  }

  stringMultimap(map: ReadonlyMap<string, readonly string[]>): void {
    this.short(map.size);
    for (const [k, v] of map) {
      this.string(k);
      this.stringList(v);
    }
  }

  /** [inet]: the 4 or 16 address bytes and a port. */
  inet(address: Buffer, port: number): void {
    this.byte(address.length);
    this.raw(address);
    this.int(port);
  }

  raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.renew(n);
  }

  /** Moves the untaken bytes (completed frames and the open one) to a fresh chunk with room for n more. */
  private renew(n: number): void {
    const keep = this.pos - this.flushedTo;
    const size = Math.max(this.chunkBytes, 2 * (keep + n));
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.flushedTo, this.pos);
    if (this.frameStart >= 0) this.frameStart -= this.flushedTo;
    this.buf = next;
    this.pos = keep;
    this.flushedTo = 0;
  }
}
