/**
 * The native protocol v4 frame header (spec v4 sections 1 and 2).
 *
 *   frame   := header body
 *   header  := version:u8 flags:u8 stream:i16 opcode:u8 length:u32      (9 bytes, big-endian)
 *   version := direction:1 bit (0 request, 1 response) | number:7 bits   (0x04 request, 0x84 response)
 *   body    := length bytes; when flags has CUSTOM_PAYLOAD a request body starts with a [bytes map]
 *
 * Protocol versions 1 and 2 had an 8-byte header with a one-byte stream (version flags stream:i8
 * opcode length); Ringtail reads that shape only to answer such a client in its own framing.
 *
 * Opcodes, flags and version numbers are on-wire values: never renumber them.
 */

export const PROTOCOL_VERSION = 4;
export const REQUEST_VERSION_BYTE = 0x04;
export const RESPONSE_VERSION_BYTE = 0x84;
export const DIRECTION_RESPONSE = 0x80;
export const VERSION_MASK = 0x7f;

export const HEADER_BYTES = 9;
/** Header length of protocol versions 1 and 2. */
export const LEGACY_HEADER_BYTES = 8;

/** The stream of server-initiated EVENT frames (spec v4 section 4.2.6). */
export const EVENT_STREAM = -1;

export const Opcode = Object.freeze({
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  AUTHENTICATE: 0x03,
  OPTIONS: 0x05,
  SUPPORTED: 0x06,
  QUERY: 0x07,
  RESULT: 0x08,
  PREPARE: 0x09,
  EXECUTE: 0x0a,
  REGISTER: 0x0b,
  EVENT: 0x0c,
  BATCH: 0x0d,
  AUTH_CHALLENGE: 0x0e,
  AUTH_RESPONSE: 0x0f,
  AUTH_SUCCESS: 0x10,
} as const);

export const FrameFlag = Object.freeze({
  COMPRESSION: 0x01,
  TRACING: 0x02,
  CUSTOM_PAYLOAD: 0x04,
  WARNING: 0x08,
} as const);

const OPCODE_NAMES = new Map<number, string>(Object.entries(Opcode).map(([name, code]) => [code, name]));

/** The opcode's name for messages and logs, e.g. `QUERY`, or `0x1f` when unknown. */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES.get(opcode) ?? `0x${opcode.toString(16).padStart(2, '0')}`;
}

/** A decoded request frame. `body` is a view into the received bytes, not a copy. */
export interface Frame {
  readonly version: number;
  readonly flags: number;
  readonly stream: number;
  readonly opcode: number;
  readonly body: Buffer;
}

/** Writes a v4 header at `offset`. */
export function writeHeader(buf: Buffer, offset: number, versionByte: number, flags: number, stream: number, opcode: number, bodyBytes: number): void {
  buf[offset] = versionByte;
  buf[offset + 1] = flags;
  buf.writeInt16BE(stream, offset + 2);
  buf[offset + 4] = opcode;
  buf.writeUInt32BE(bodyBytes, offset + 5);
}

/** A whole frame (header and body) in a new buffer; for tests, clients and one-off replies. */
export function encodeFrame(versionByte: number, flags: number, stream: number, opcode: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  writeHeader(out, 0, versionByte, flags, stream, opcode, body.length);
  body.copy(out, HEADER_BYTES);
  return out;
}
