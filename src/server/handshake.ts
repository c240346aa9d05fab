/**
 * Connection setup: OPTIONS / SUPPORTED, STARTUP checks, and the answer to a client that speaks
 * another protocol version.
 *
 *   SUPPORTED body := [string multimap] { CQL_VERSION: ["3.4.5"], COMPRESSION: [], PROTOCOL_VERSIONS: ["4/v4"] }
 *   STARTUP body   := [string map]; CQL_VERSION required (>= 3.0.0); COMPRESSION refused (none is
 *                     supported); NO_COMPACT, THROW_ON_OVERLOAD, DRIVER_NAME, ... ignored
 *
 * Unsupported version (what drivers downgrade on). Both DataStax drivers open with DSE_V2 (0x42);
 * the Python driver then walks down one version per connection (0x41, then 5, then 4). The answer,
 * as Cassandra's, is ERROR 0x000A "Invalid or unsupported protocol version (N); supported versions
 * are (...)" after which the server closes the connection:
 *
 *   v4 framing:  0x84 0x00 <stream:i16> 0x00 <length:u32> <code 0x000A:i32> <message:[string]>
 *   v1/v2:       0x80|v 0x00 <stream:i8> 0x00 <length:u32> <code:i32> <message:[string]>
 *
 * The stream is the request's. Cassandra throws before reading the header and so always answers
 * on stream 0; both drivers send their first request on stream 0, so echoing the stream is the
 * same to them and right for a client that starts elsewhere. Why each driver accepts this frame
 * (see README.md for the source lines):
 * - Node.js (cassandra-driver 4.x, lib/connection.js startup()): matches
 *   `err.message.indexOf('Invalid or unsupported protocol version') >= 0`, then takes the version
 *   of the response frame (4) as the one to retry with, since it differs from the one it sent and
 *   is supported; the response must be on the request's stream to reach that callback.
 * - Python (cassandra-driver 3.25, connection.py process_msg): needs the response version to be
 *   one it knows (4 is), the stream to be a pending request id (else the answer is dropped and
 *   the connect times out), and `'unsupported protocol version' in message`; it then raises
 *   ProtocolVersionUnsupported and Cluster.protocol_downgrade() retries one version lower.
 */
import { ErrorCode, protocolError } from '../cql-lite/index.js';
import { DIRECTION_RESPONSE, HEADER_BYTES, LEGACY_HEADER_BYTES, Opcode, PROTOCOL_VERSION } from './frame.js';

export const CQL_VERSION = '3.4.5';
export const SUPPORTED_PROTOCOL_VERSIONS = ['4/v4'] as const;

export const SUPPORTED_OPTIONS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['CQL_VERSION', [CQL_VERSION]],
  ['COMPRESSION', []],
  ['PROTOCOL_VERSIONS', SUPPORTED_PROTOCOL_VERSIONS],
]);

export function unsupportedVersionMessage(version: number): string {
  return `Invalid or unsupported protocol version (${version}); supported versions are (${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`;
}

const CQL_VERSION_PATTERN = /^(\d+)\.(\d+)(\.\d+){0,2}(-[.\w]+)?([.+][.\w]+)?$/;

/** Checks a STARTUP body's options; throws the protocol error Cassandra gives for each problem. */
export function checkStartupOptions(options: ReadonlyMap<string, string>): void {
  const cqlVersion = options.get('CQL_VERSION');
  if (cqlVersion === undefined) throw protocolError('Missing value CQL_VERSION in STARTUP message');
  const m = CQL_VERSION_PATTERN.exec(cqlVersion);
  if (m === null) throw protocolError(`Invalid CQL version ${cqlVersion}`);
  if (Number(m[1]) < 3) throw protocolError(`CQL version ${cqlVersion} is not supported by the binary protocol (supported version are >= 3.0.0)`);
  const compression = options.get('COMPRESSION');
  if (compression !== undefined && compression !== '') {
    throw protocolError(`Unsupported compression algorithm: ${compression} (this server supports none; connect without compression)`);
  }
}

/** The whole ERROR frame answering a fatal header problem, in the framing of `replyVersion`. */
export function fatalErrorFrame(replyVersion: number, stream: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8').subarray(0, 0xffff);
  const legacy = replyVersion === 1 || replyVersion === 2;
  const headerBytes = legacy ? LEGACY_HEADER_BYTES : HEADER_BYTES;
  const bodyBytes = 4 + 2 + text.length;
  const out = Buffer.allocUnsafe(headerBytes + bodyBytes);
  out[0] = DIRECTION_RESPONSE | (legacy ? replyVersion : PROTOCOL_VERSION);
  out[1] = 0;
  let at = 2;
  if (legacy) {
    out.writeInt8(stream, at);
    at += 1;
  } else {
    out.writeInt16BE(stream, at);
    at += 2;
  }
  out[at++] = Opcode.ERROR;
  out.writeUInt32BE(bodyBytes, at);
  at += 4;
  out.writeInt32BE(ErrorCode.PROTOCOL_ERROR, at);
  out.writeUInt16BE(text.length, at + 4);
  text.copy(out, at + 6);
  return out;
}
