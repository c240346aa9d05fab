/**
 * Errors of the messaging layer. Each carries a stable `code`: a connection closed for bad input is
 * logged and counted under its code, and callers branch on it (a request timeout is not a refusal).
 */

/** Why a frame, a message or a connection was refused. Codes never change meaning. */
export type NetErrorCode =
  /** A frame's declared body length is over the configured maximum. */
  | 'FRAME_TOO_LARGE'
  /** The checksum over a frame's length field does not match: the stream is not ours or is corrupt. */
  | 'BAD_HEADER_CHECKSUM'
  /** The checksum over a frame's body does not match. */
  | 'BAD_CHECKSUM'
  /** The envelope itself does not decode. */
  | 'BAD_ENVELOPE'
  /** A verb number this node does not know (a newer peer, or garbage). */
  | 'UNKNOWN_VERB'
  /** The payload does not decode as the verb's message, or fails its checks. */
  | 'BAD_PAYLOAD'
  /** An envelope's messaging version differs from the one agreed in the handshake. */
  | 'VERSION_MISMATCH'
  /** The first frame on an inbound connection was not a handshake, or a handshake came twice. */
  | 'HANDSHAKE_EXPECTED'
  /** The peer belongs to another cluster. */
  | 'CLUSTER_MISMATCH'
  /** The peer speaks a messaging version we cannot. */
  | 'INCOMPATIBLE_VERSION'
  /** The peer sent bytes on a connection on which it must only listen. */
  | 'UNEXPECTED_DATA'
  /** No response arrived within the request's timeout. */
  | 'REQUEST_TIMEOUT'
  /** The message could not be queued: the queue towards that peer is full. */
  | 'QUEUE_FULL'
  /** The transport is closed. */
  | 'CLOSED';

export class NetError extends Error {
  readonly code: NetErrorCode;

  constructor(code: NetErrorCode, message: string) {
    super(message);
    this.name = 'NetError';
    this.code = code;
  }
}
