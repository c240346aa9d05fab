/**
 * Incremental frame decoder: bytes from a socket in, whole frames out (header layout in frame.ts).
 *
 * Pull-based so the connection can stop taking frames while it applies backpressure: `push`
 * buffers a chunk in O(1); `next` returns the next whole frame, a fatal FrameError, or null when
 * more bytes are needed. A frame inside one chunk is returned as a view of that chunk; a frame
 * spanning chunks is copied once, when all of its bytes have arrived (never per chunk).
 *
 * Fatal errors (the connection answers and closes, as Cassandra does for these):
 * - a version other than 4: "Invalid or unsupported protocol version (N); ..." on the stream of
 *   the request, framed in v4 — or in the client's own v1/v2 framing for those (handshake.ts);
 * - a declared frame length (header + body) above `maxFrameBytes`.
 * Everything else in the header (direction bit, flags, opcode) is the connection's to judge: the
 * frame boundary is still known, so those are answered on their stream and the connection goes on.
 */
import { HEADER_BYTES, LEGACY_HEADER_BYTES, PROTOCOL_VERSION, VERSION_MASK } from './frame.js';
import type { Frame } from './frame.js';
import { unsupportedVersionMessage } from './handshake.js';

export class FrameError {
  constructor(
    /** The stream to answer on (from the header). */
    readonly stream: number,
    readonly message: string,
    /** The protocol version whose framing the answer must use (4, or 1 / 2 for legacy clients). */
    readonly replyVersion: number,
  ) {}
}

const NO_BYTES = Buffer.alloc(0);

export class FrameDecoder {
  private head: Buffer = NO_BYTES;
  private headPos = 0;
  private readonly tail: Buffer[] = [];
  private tailBytes = 0;
  private failed = false;

  constructor(readonly maxFrameBytes: number) {
    if (!(maxFrameBytes >= HEADER_BYTES)) throw new RangeError(`maxFrameBytes must be at least ${HEADER_BYTES}, got ${maxFrameBytes}`);
  }

  /** Bytes received and not yet returned as frames. */
  get bufferedBytes(): number {
    return this.head.length - this.headPos + this.tailBytes;
  }

  /** True after a fatal error: the decoder drops everything from then on. */
  get hasFailed(): boolean {
    return this.failed;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    if (this.headPos === this.head.length) {
      this.head = chunk;
      this.headPos = 0;
    } else {
      this.tail.push(chunk);
      this.tailBytes += chunk.length;
    }
  }

  next(): Frame | FrameError | null {
    if (this.failed) return null;
    if (this.bufferedBytes === 0) return null;
    const version = this.head[this.headPos]! & VERSION_MASK;
    if (version === 1 || version === 2) {
      if (!this.contiguous(LEGACY_HEADER_BYTES)) return null;
      return this.fail(this.head.readInt8(this.headPos + 2), unsupportedVersionMessage(version), version);
    }
    if (!this.contiguous(HEADER_BYTES)) return null;
    const buf = this.head;
    const at = this.headPos;
    const stream = buf.readInt16BE(at + 2);
    if (version !== PROTOCOL_VERSION) return this.fail(stream, unsupportedVersionMessage(version), PROTOCOL_VERSION);
    const bodyBytes = buf.readUInt32BE(at + 5);
    const frameBytes = HEADER_BYTES + bodyBytes;
    if (frameBytes > this.maxFrameBytes) {
      return this.fail(stream, `Request is too big: length ${frameBytes} exceeds maximum allowed length ${this.maxFrameBytes}.`, PROTOCOL_VERSION);
    }
    if (!this.contiguous(frameBytes)) return null;
    // contiguous() may have replaced head: read everything from the current one.
    const h = this.head;
    const p = this.headPos;
    const frame: Frame = {
      version: h[p]!,
      flags: h[p + 1]!,
      stream,
      opcode: h[p + 4]!,
      body: h.subarray(p + HEADER_BYTES, p + frameBytes),
    };
    this.headPos = p + frameBytes;
    if (this.headPos === h.length) this.advanceHead();
    return frame;
  }

  /** Makes the next `n` bytes contiguous in `head` if they have all arrived; false otherwise. */
  private contiguous(n: number): boolean {
    const inHead = this.head.length - this.headPos;
    if (inHead >= n) return true;
    if (inHead + this.tailBytes < n) return false;
    const parts = [this.head.subarray(this.headPos), ...this.tail];
    this.head = Buffer.concat(parts, inHead + this.tailBytes);
    this.headPos = 0;
    this.tail.length = 0;
    this.tailBytes = 0;
    return true;
  }

  private advanceHead(): void {
    const next = this.tail.shift();
    if (next === undefined) {
      this.head = NO_BYTES;
    } else {
      this.head = next;
      this.tailBytes -= next.length;
    }
    this.headPos = 0;
  }

  private fail(stream: number, message: string, replyVersion: number): FrameError {
    this.failed = true;
    this.head = NO_BYTES;
    this.headPos = 0;
    this.tail.length = 0;
    this.tailBytes = 0;
    return new FrameError(stream, message, replyVersion);
  }
}
