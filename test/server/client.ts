// A raw native-protocol client for the server tests: frames out, frames back by stream, events
// collected. Built from the server's own codec pieces, with bodies parsed by the helpers below.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { BodyReader, FrameDecoder, FrameError, FrameWriter, Opcode, REQUEST_VERSION_BYTE } from '../../src/server/index.js';
import type { Frame } from '../../src/server/index.js';

export const LOOPBACK = '127.0.0.1';

/** Polls `cond` until it holds or the deadline passes; never sleeps a fixed time to wait. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** A request frame built with FrameWriter: `body` writes the body. */
export function requestFrame(stream: number, opcode: number, body: (w: FrameWriter) => void = () => {}, flags = 0, versionByte = REQUEST_VERSION_BYTE): Buffer {
  const w = new FrameWriter(1024);
  w.begin(versionByte, stream, opcode, flags);
  body(w);
  w.end();
  return Buffer.from(w.take()!);
}

export function startupFrame(stream = 0, options: Record<string, string> = { CQL_VERSION: '3.0.0' }): Buffer {
  return requestFrame(stream, Opcode.STARTUP, (w) => {
    const entries = Object.entries(options);
    w.short(entries.length);
    for (const [k, v] of entries) {
      w.string(k);
      w.string(v);
    }
  });
}

export interface QueryParams {
  consistency?: number;
  values?: (Buffer | null | 'unset')[];
  names?: string[];
  skipMetadata?: boolean;
  pageSize?: number;
  pagingState?: Buffer;
  serialConsistency?: number;
  timestamp?: bigint;
}

export function writeQueryParams(w: FrameWriter, p: QueryParams): void {
  let flags = 0;
  if (p.values !== undefined) flags |= 0x01;
  if (p.skipMetadata) flags |= 0x02;
  if (p.pageSize !== undefined) flags |= 0x04;
  if (p.pagingState !== undefined) flags |= 0x08;
  if (p.serialConsistency !== undefined) flags |= 0x10;
  if (p.timestamp !== undefined) flags |= 0x20;
  if (p.names !== undefined) flags |= 0x40;
  w.short(p.consistency ?? 1);
  w.byte(flags);
  if (p.values !== undefined) {
    w.short(p.values.length);
    p.values.forEach((v, i) => {
      if (p.names !== undefined) w.string(p.names[i]!);
      if (v === 'unset') w.int(-2);
      else w.bytes(v);
    });
  }
  if (p.pageSize !== undefined) w.int(p.pageSize);
  if (p.pagingState !== undefined) w.bytes(p.pagingState);
  if (p.serialConsistency !== undefined) w.short(p.serialConsistency);
  if (p.timestamp !== undefined) w.long(p.timestamp);
}

export function queryFrame(stream: number, text: string, p: QueryParams = {}): Buffer {
  return requestFrame(stream, Opcode.QUERY, (w) => {
    w.longString(text);
    writeQueryParams(w, p);
  });
}

export interface ErrorBody {
  code: number;
  message: string;
  reader: BodyReader;
}

export function parseError(f: Frame): ErrorBody {
  if (f.opcode !== Opcode.ERROR) throw new Error(`expected ERROR, got opcode ${f.opcode}`);
  const r = new BodyReader(f.body);
  return { code: r.int(), message: r.string(), reader: r };
}

export class RawClient {
  readonly frames: Frame[] = [];
  readonly events: Frame[] = [];
  /** Frame errors the client's decoder hit (a server bug if ever non-empty). */
  readonly decodeErrors: FrameError[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(256 * 1024 * 1024);
  private readonly waiting = new Map<number, (f: Frame) => void>();
  private nextStream = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static connect(port: number, host = LOOPBACK): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }

  /** Connects and completes STARTUP. */
  static async ready(port: number): Promise<RawClient> {
    const c = await RawClient.connect(port);
    const f = await c.send(startupFrame(0), 0);
    if (f.opcode !== Opcode.READY) throw new Error(`STARTUP answered with opcode ${f.opcode}`);
    return c;
  }

  allocStream(): number {
    const s = this.nextStream;
    this.nextStream = (this.nextStream % 32000) + 1;
    return s;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Writes `bytes` and resolves with the response on `stream`. */
  send(bytes: Buffer, stream: number, timeoutMs = 5000): Promise<Frame> {
    const p = this.response(stream, timeoutMs);
    this.socket.write(bytes);
    return p;
  }

  response(stream: number, timeoutMs = 5000): Promise<Frame> {
    const early = this.frames.findIndex((f) => f.stream === stream);
    if (early >= 0) return Promise.resolve(this.frames.splice(early, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(stream);
        reject(new Error(`no response on stream ${stream} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(stream, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  }

  async query(text: string, p: QueryParams = {}): Promise<Frame> {
    const stream = this.allocStream();
    return this.send(queryFrame(stream, text, p), stream);
  }

  waitClosed(what = 'the server to close the connection'): Promise<void> {
    return waitUntil(() => this.closed, what);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    for (;;) {
      const f = this.decoder.next();
      if (f === null) return;
      if (f instanceof FrameError) {
        this.decodeErrors.push(f);
        return;
      }
      const copy: Frame = { ...f, body: Buffer.from(f.body) };
      if (copy.opcode === Opcode.EVENT) {
        this.events.push(copy);
        continue;
      }
      const w = this.waiting.get(copy.stream);
      if (w !== undefined) {
        this.waiting.delete(copy.stream);
        w(copy);
      } else {
        this.frames.push(copy);
      }
    }
  }
}
