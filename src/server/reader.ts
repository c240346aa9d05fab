/**
 * Readers of the body notations (spec v4 section 3). Big-endian throughout:
 *
 *   [byte]            u8
 *   [short]           u16
 *   [int]             i32
 *   [long]            i64
 *   [string]          [short] n, n bytes of UTF-8
 *   [long string]     [int] n, n bytes of UTF-8
 *   [bytes]           [int] n, n bytes if n >= 0; n < 0 is null
 *   [value]           [int] n, n bytes if n >= 0; -1 null; -2 unset; n < -2 is an error
 *   [short bytes]     [short] n, n bytes
 *   [string list]     [short] n, n [string]
 *   [string map]      [short] n, n ([string] key, [string] value)
 *   [string multimap] [short] n, n ([string] key, [string list] values)
 *   [bytes map]       [short] n, n ([string] key, [bytes] value)
 *   [inet]            [byte] n (4 or 16), n address bytes, [int] port
 *   [consistency]     [short], 0x0000 ANY .. 0x000A LOCAL_ONE
 *
 * A reader never reads past its end: a short or malformed body is a CqlError with code
 * PROTOCOL_ERROR, which the connection answers on the request's stream. Byte values ([bytes],
 * [value], [short bytes]) are views into the body, not copies.
 */
import { isUtf8 } from 'node:buffer';
import { protocolError } from '../cql-lite/index.js';
import { UNSET } from '../query/index.js';
import type { BoundValue } from '../query/index.js';

/** The highest [consistency] code (LOCAL_ONE). */
const MAX_CONSISTENCY = 0x000a;

export class BodyReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw protocolError(`Not enough bytes to read ${what}`);
  }

  byte(): number {
    this.need(1, 'a [byte]');
    return this.buf[this.pos++]!;
  }

  short(): number {
    this.need(2, 'a [short]');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int(): number {
    this.need(4, 'an [int]');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  long(): bigint {
    this.need(8, 'a [long]');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  string(): string {
    const n = this.short();
    return this.utf8(n, 'a [string]');
  }

  longString(): string {
    const n = this.int();
    if (n < 0) throw protocolError(`Invalid [long string] length ${n}`);
    return this.utf8(n, 'a [long string]');
  }

  bytes(): Buffer | null {
    const n = this.int();
    if (n < 0) return null;
    return this.slice(n, '[bytes]');
  }

  value(): BoundValue {
    const n = this.int();
    if (n >= 0) return this.slice(n, 'a [value]');
    if (n === -1) return null;
    if (n === -2) return UNSET;
    throw protocolError(`Invalid [value] length ${n}`);
  }

  shortBytes(): Buffer {
    const n = this.short();
    return this.slice(n, '[short bytes]');
  }

  stringList(): string[] {
    const n = this.short();
    this.need(n * 2, 'a [string list]');
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.string();
    return out;
  }

  stringMap(): Map<string, string> {
    const n = this.short();
    this.need(n * 4, 'a [string map]');
    const out = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const k = this.string();
      out.set(k, this.string());
    }
    return out;
  }

  stringMultimap(): Map<string, string[]> {
    const n = this.short();
    this.need(n * 4, 'a [string multimap]');
    const out = new Map<string, string[]>();
    for (let i = 0; i < n; i++) {
      const k = this.string();
      out.set(k, this.stringList());
    }
    return out;
  }

  bytesMap(): Map<string, Buffer | null> {
    const n = this.short();
    this.need(n * 6, 'a [bytes map]');
    const out = new Map<string, Buffer | null>();
    for (let i = 0; i < n; i++) {
      const k = this.string();
      out.set(k, this.bytes());
    }
    return out;
  }

  inet(): { address: Buffer; port: number } {
    const n = this.byte();
    if (n !== 4 && n !== 16) throw protocolError(`Invalid [inet] address length ${n}`);
    const address = this.slice(n, 'an [inet] address');
    return { address, port: this.int() };
  }

  consistency(): number {
    const code = this.short();
    if (code > MAX_CONSISTENCY) throw protocolError(`Unknown code ${code} for a consistency level`);
    return code;
  }

  private slice(n: number, what: string): Buffer {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private utf8(n: number, what: string): string {
    this.need(n, what);
    const start = this.pos;
    this.pos += n;
    const view = this.buf.subarray(start, start + n);
    if (!isUtf8(view)) throw protocolError(`Cannot decode ${what} as UTF-8`);
    return view.toString('utf8');
  }
}
