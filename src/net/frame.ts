/**
 * Internode framing. A connection carries a stream of frames; every frame holds one Envelope.
 *
 * All integers are big-endian.
 *
 *   frame      := length:u32 lengthCrc:u32 body:byte[length] bodyCrc:u32
 *                 (FRAME_OVERHEAD_BYTES = 12)
 *     length    = body bytes (0 ..= the receiver's maxFrameBytes)
 *     lengthCrc = xxh32(the 4 length bytes, seed FRAME_SEED)
 *     body      = an Envelope encoded with protobuf (schema.ts)
 *     bodyCrc   = xxh32(body, seed FRAME_SEED)
 *
 * The length has its own checksum so that a corrupted or foreign stream is refused on its first
 * 8 bytes, before the receiver waits for (or allocates) a body of a garbage length. The seed makes
 * a commit-log record (seed 0) never pass as a frame.
 */
import { xxh32 } from '../hash/index.js';
import { NetError } from './errors.js';

export const FRAME_OVERHEAD_BYTES = 12;
const HEADER_BYTES = 8;
export const FRAME_SEED = 0x5254_4e45; // "RTNE"
/** Default largest body accepted: big enough for any gossip state, small enough to bound memory. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Wraps an encoded envelope in a frame. */
export function encodeFrame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(body.length + FRAME_OVERHEAD_BYTES);
  out.writeUInt32BE(body.length, 0);
  out.writeUInt32BE(xxh32(out.subarray(0, 4), FRAME_SEED), 4);
  out.set(body, HEADER_BYTES);
  out.writeUInt32BE(xxh32(body, FRAME_SEED), HEADER_BYTES + body.length);
  return out;
}

/**
 * Turns a byte stream into frame bodies. push() bytes as they arrive, then call next() until it
 * returns undefined. A bad frame throws a NetError; the stream cannot be resynchronised after it,
 * so the decoder stays failed and the connection must close.
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private bodyLength = -1;
  private failure: NetError | undefined;

  constructor(private maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /**
   * Changes the largest body accepted from the next frame header on. The TCP transport accepts
   * only small frames before a handshake, so a stranger cannot make it buffer megabytes.
   */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer): void {
    if (this.failure !== undefined || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Bytes received and not yet returned as a frame. */
  bufferedBytes(): number {
    return this.buffered;
  }

  /** The next complete frame's body, or undefined if more bytes are needed. */
  next(): Buffer | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.bodyLength < 0) {
      if (this.buffered < HEADER_BYTES) return undefined;
      const header = this.take(HEADER_BYTES);
      const length = header.readUInt32BE(0);
      if (header.readUInt32BE(4) !== xxh32(header.subarray(0, 4), FRAME_SEED)) {
        return this.fail(new NetError('BAD_HEADER_CHECKSUM', 'frame length checksum mismatch'));
      }
      if (length > this.maxFrameBytes) {
        return this.fail(new NetError('FRAME_TOO_LARGE', `frame of ${length} bytes is over the maximum of ${this.maxFrameBytes}`));
      }
      this.bodyLength = length;
    }
    if (this.buffered < this.bodyLength + 4) return undefined;
    const framed = this.take(this.bodyLength + 4);
    const body = framed.subarray(0, this.bodyLength);
    const crc = framed.readUInt32BE(this.bodyLength);
    this.bodyLength = -1;
    if (crc !== xxh32(body, FRAME_SEED)) return this.fail(new NetError('BAD_CHECKSUM', 'frame body checksum mismatch'));
    return body;
  }

  private fail(error: NetError): never {
    this.failure = error;
    this.chunks.length = 0;
    this.buffered = 0;
    throw error;
  }

  /** Removes and returns the first n buffered bytes (n <= buffered), copying only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const want = n - filled;
      if (c.length <= want) {
        out.set(c, filled);
        filled += c.length;
        this.chunks.shift();
      } else {
        out.set(c.subarray(0, want), filled);
        this.chunks[0] = c.subarray(want);
        filled += want;
      }
    }
    this.buffered -= n;
    return out;
  }
}
