/**
 * The commit log's on-disk format: one file per segment, `CommitLog-<segmentId>.log`.
 *
 * All integers are big-endian (as in Cassandra's commit log).
 *
 *   segment      := header record* zeroTail?
 *   header       := magic:u32 version:u16 flags:u16 segmentIdHigh:u32 segmentIdLow:u32 headerCrc:u32
 *                   (HEADER_BYTES = 20)
 *     magic      = 0x5254434c ("RTCL")
 *     version    = 1           (FORMAT_VERSION; bump on any change, never reuse a number)
 *     flags      = 0           (reserved; a reader rejects a header with unknown flags)
 *     segmentId  = the id in the file name, as a 64-bit unsigned integer (high word first)
 *     headerCrc  = xxh32(the 16 bytes before it)
 *   record       := length:u32 lengthCrc:u32 payload:byte[length] payloadCrc:u32
 *                   (RECORD_OVERHEAD_BYTES = 12)
 *     length     = payload bytes, >= 1 (0 is never written: a zero there starts a zeroed tail)
 *     lengthCrc  = xxh32(the 4 length bytes)
 *     payloadCrc = xxh32(payload)
 *   zeroTail     := 0x00*     (preallocated or torn space; a clean end of the segment)
 *
 * The length has its own checksum so that a torn or corrupted length is detected before it is
 * used to skip ahead: a wrong length would otherwise desynchronise the rest of the segment.
 * Checksum seeds are 0.
 */
import { xxh32, xxh32Range } from '../../hash/index.js';

export const SEGMENT_MAGIC = 0x5254434c;
/** On-disk format version. Never renumber: a new format gets a new number. */
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 20;
export const RECORD_OVERHEAD_BYTES = 12;
/** The largest payload length the u32 length field can carry. */
export const MAX_PAYLOAD_BYTES = 0xffffffff;

const SEGMENT_NAME = /^CommitLog-(\d+)\.log$/;
const TMP_NAME = /^CommitLog-\d+\.log\.tmp$/;

export function segmentFileName(segmentId: number): string {
  return `CommitLog-${segmentId}.log`;
}

/** The segment id in a file name, or -1 when the name is not a segment's. */
export function parseSegmentFileName(name: string): number {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return -1;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : -1;
}

/** Leftover of an interrupted rewrite of a torn segment (see replay.ts). */
export function isTempSegmentFileName(name: string): boolean {
  return TMP_NAME.test(name);
}

/** Writes a segment header into out at offset 0. */
export function encodeHeader(out: Buffer, segmentId: number): void {
  out.writeUInt32BE(SEGMENT_MAGIC, 0);
  out.writeUInt16BE(FORMAT_VERSION, 4);
  out.writeUInt16BE(0, 6);
  out.writeUInt32BE(Math.floor(segmentId / 0x100000000), 8);
  out.writeUInt32BE(segmentId >>> 0, 12);
  out.writeUInt32BE(xxh32(out.subarray(0, 16)), 16);
}

/** Why a header or record was rejected; stable strings, carried by errors and reports. */
export type BadReason =
  | 'short_header'
  | 'bad_magic'
  | 'unsupported_version'
  | 'bad_header_checksum'
  | 'segment_id_mismatch'
  | 'short_read'
  | 'bad_length_checksum'
  | 'bad_length'
  | 'bad_payload_checksum';

/** Checks the header of a segment read whole into data; null when it is good. */
export function checkHeader(data: Buffer, expectedSegmentId: number): BadReason | null {
  if (data.length < HEADER_BYTES) return 'short_header';
  if (xxh32(data.subarray(0, 16)) !== data.readUInt32BE(16)) return 'bad_header_checksum';
  if (data.readUInt32BE(0) !== SEGMENT_MAGIC) return 'bad_magic';
  if (data.readUInt16BE(4) !== FORMAT_VERSION || data.readUInt16BE(6) !== 0) return 'unsupported_version';
  const id = data.readUInt32BE(8) * 0x100000000 + data.readUInt32BE(12);
  if (id !== expectedSegmentId) return 'segment_id_mismatch';
  return null;
}

/**
 * Encodes one record into out at offset (the caller reserved RECORD_OVERHEAD_BYTES + payload.length
 * bytes). The length is hashed where it was just written; integers are stored bytewise (Buffer's
 * write methods check their arguments on every call, and this runs for every write).
 */
export function encodeRecord(out: Buffer, offset: number, payload: Uint8Array): void {
  const length = payload.length;
  put32(out, offset, length);
  put32(out, offset + 4, xxh32Range(out, offset, offset + 4));
  out.set(payload, offset + 8);
  put32(out, offset + 8 + length, xxh32(payload));
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

/** The outcome of reading the record at an offset: a record, a clean end, or a bad record. */
export type ReadStatus = 'record' | 'end' | 'bad';

export interface RecordRead {
  status: ReadStatus;
  /** Record: payload start and length. */
  payloadOffset: number;
  payloadLength: number;
  /** Record: where the next record starts. */
  nextOffset: number;
  reason: BadReason | null;
}

/**
 * Reads the record starting at offset in a segment held whole in data. The end of the data, or
 * nothing but zero bytes from offset on, is a clean end. Reuses `into` to avoid an allocation per
 * record.
 */
export function readRecord(data: Buffer, offset: number, into: RecordRead): RecordRead {
  into.reason = null;
  const remaining = data.length - offset;
  if (remaining === 0 || (data[offset] === 0 && allZero(data, offset))) {
    into.status = 'end';
    return into;
  }
  into.status = 'bad';
  if (remaining < 8) {
    into.reason = 'short_read';
    return into;
  }
  if (xxh32Range(data, offset, offset + 4) !== data.readUInt32BE(offset + 4)) {
    into.reason = 'bad_length_checksum';
    return into;
  }
  const length = data.readUInt32BE(offset);
  if (length === 0) {
    into.reason = 'bad_length';
    return into;
  }
  if (remaining < RECORD_OVERHEAD_BYTES + length) {
    into.reason = 'short_read';
    return into;
  }
  const payloadOffset = offset + 8;
  if (xxh32Range(data, payloadOffset, payloadOffset + length) !== data.readUInt32BE(payloadOffset + length)) {
    into.reason = 'bad_payload_checksum';
    return into;
  }
  into.status = 'record';
  into.payloadOffset = payloadOffset;
  into.payloadLength = length;
  into.nextOffset = payloadOffset + length + 4;
  return into;
}

function allZero(data: Buffer, from: number): boolean {
  for (let i = from; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}
