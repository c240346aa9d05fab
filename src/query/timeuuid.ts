/**
 * Version 1 (time-based) UUIDs, for now(), currentTimeUUID() and the element paths of lists.
 *
 *   bytes 0-3  time_low   bytes 4-5 time_mid   bytes 6-7 version 1 | time_hi (12 bits)
 *   bytes 8-9  variant 10 | clock sequence (14 bits)   bytes 10-15 node
 * The 60-bit time counts 100 ns intervals since 1582-10-15 (the Gregorian reform).
 *
 * Times from one generator strictly increase, so list appends on one coordinator keep their
 * order. Prepends use times that strictly decrease from a reference date (as Cassandra's
 * Lists.PrecisionTime does), so a later prepend sorts before an earlier one and both before any
 * append.
 */
import type { Clock, Random } from '../seams/index.js';

/** 100 ns intervals between 1582-10-15 and 1970-01-01. */
const GREGORIAN_OFFSET = 0x01b21dd213814000n;
/** 2010-01-01 in ms: prepended elements count backwards from here. */
const PREPEND_REFERENCE_MS = 1262304000000;

export function timeUuidFromTime(time100ns: bigint, clockSeqAndNode: Buffer): Buffer {
  const out = Buffer.allocUnsafe(16);
  out.writeUInt32BE(Number(time100ns & 0xffffffffn), 0);
  out.writeUInt16BE(Number((time100ns >> 32n) & 0xffffn), 4);
  out.writeUInt16BE(Number((time100ns >> 48n) & 0x0fffn) | 0x1000, 6);
  clockSeqAndNode.copy(out, 8, 0, 8);
  return out;
}

/** The 60-bit time of a version 1 UUID. */
export function timeOfUuid(b: Buffer): bigint {
  return (BigInt(b.readUInt16BE(6) & 0x0fff) << 48n) | (BigInt(b.readUInt16BE(4)) << 32n) | BigInt(b.readUInt32BE(0));
}

/** Unix milliseconds of a version 1 UUID. */
export function unixMillisOfUuid(b: Buffer): bigint {
  return (timeOfUuid(b) - GREGORIAN_OFFSET) / 10000n;
}

/** The smallest / largest timeuuid of a millisecond, as minTimeuuid / maxTimeuuid (Cassandra's bounds). */
export function boundTimeUuid(unixMs: bigint, max: boolean): Buffer {
  const t = unixMs * 10000n + GREGORIAN_OFFSET + (max ? 9999n : 0n);
  // Cassandra's min: clock sequence and node 0x8080808080808080; max: 0x7f7f7f7f7f7f7f7f (signed byte order).
  return timeUuidFromTime(t, Buffer.alloc(8, max ? 0x7f : 0x80));
}

export class TimeUuidGenerator {
  private last = 0n;
  private lastPrepend: bigint | null = null;
  private readonly clockSeqAndNode: Buffer;

  constructor(
    private readonly clock: Clock,
    random: Random,
  ) {
    const b = random.bytes(8);
    b[0] = (b[0]! & 0x3f) | 0x80; // the RFC 4122 variant
    b[2] = b[2]! | 0x01; // a random node id has its multicast bit set (RFC 4122 4.5)
    this.clockSeqAndNode = b;
  }

  /** A new timeuuid, later than every one this generator made before. */
  next(): Buffer {
    const now = BigInt(this.clock.nowMicros()) * 10n + GREGORIAN_OFFSET;
    this.last = now > this.last ? now : this.last + 1n;
    return timeUuidFromTime(this.last, this.clockSeqAndNode);
  }

  /** A timeuuid earlier than every one this generator made before, for list prepends. */
  nextPrepend(): Buffer {
    const nowMs = this.clock.nowMs();
    const t = BigInt(2 * PREPEND_REFERENCE_MS - nowMs) * 10000n + GREGORIAN_OFFSET;
    this.lastPrepend = this.lastPrepend === null || t < this.lastPrepend ? t : this.lastPrepend - 1n;
    return timeUuidFromTime(this.lastPrepend, this.clockSeqAndNode);
  }
}
