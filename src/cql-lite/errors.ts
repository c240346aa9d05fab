/**
 * CQL errors as Cassandra classifies them. A CqlError carries the native-protocol error code
 * (spec section 9) and a message the server sends to the client as-is, plus a stable `reason`
 * for code that wants to branch without parsing messages.
 *
 * The codes are on-wire values: never renumber them.
 */

export const ErrorCode = Object.freeze({
  SERVER_ERROR: 0x0000,
  PROTOCOL_ERROR: 0x000a,
  BAD_CREDENTIALS: 0x0100,
  UNAVAILABLE: 0x1000,
  OVERLOADED: 0x1001,
  IS_BOOTSTRAPPING: 0x1002,
  TRUNCATE_ERROR: 0x1003,
  WRITE_TIMEOUT: 0x1100,
  READ_TIMEOUT: 0x1200,
  READ_FAILURE: 0x1300,
  FUNCTION_FAILURE: 0x1400,
  WRITE_FAILURE: 0x1500,
  SYNTAX_ERROR: 0x2000,
  UNAUTHORIZED: 0x2100,
  INVALID: 0x2200,
  CONFIG_ERROR: 0x2300,
  ALREADY_EXISTS: 0x2400,
  UNPREPARED: 0x2500,
} as const);

/**
 * Why a CqlError was raised, for callers that branch on it:
 * - syntax: the text does not parse (code SYNTAX_ERROR)
 * - invalid: well-formed but meaningless (a type rule, an unmatched column list, ...)
 * - marshal: a value's bytes or literal do not fit its type (code INVALID)
 * - unsupported: parsed, but Ringtail does not implement it (code INVALID)
 * - protocol: bytes from the wire that break the protocol (code PROTOCOL_ERROR)
 */
export type CqlErrorReason = 'syntax' | 'invalid' | 'marshal' | 'unsupported' | 'protocol';

export class CqlError extends Error {
  readonly code: number;
  readonly reason: CqlErrorReason;

  constructor(code: number, message: string, reason: CqlErrorReason) {
    super(message);
    this.name = 'CqlError';
    this.code = code;
    this.reason = reason;
  }
}

/**
 * A syntax error. As in Cassandra, the message starts with "line L:C" where L is 1-based and C is
 * the 0-based character offset within the line (ANTLR's convention, which Cassandra's messages use).
 */
export class CqlSyntaxError extends CqlError {
  readonly line: number;
  readonly column: number;

  constructor(line: number, column: number, detail: string) {
    super(ErrorCode.SYNTAX_ERROR, `line ${line}:${column} ${detail}`, 'syntax');
    this.name = 'CqlSyntaxError';
    this.line = line;
    this.column = column;
  }
}

export function invalidRequest(message: string, reason: CqlErrorReason = 'invalid'): CqlError {
  return new CqlError(ErrorCode.INVALID, message, reason);
}

/** A value that does not fit its type: Cassandra's MarshalException, sent as InvalidRequest. */
export function marshalError(message: string): CqlError {
  return new CqlError(ErrorCode.INVALID, message, 'marshal');
}

export function unsupported(message: string): CqlError {
  return new CqlError(ErrorCode.INVALID, message, 'unsupported');
}

export function protocolError(message: string): CqlError {
  return new CqlError(ErrorCode.PROTOCOL_ERROR, message, 'protocol');
}

/**
 * Errors whose native-protocol bodies carry more than a message (spec v4 section 9). The server
 * encodes the extra fields from these classes; everything else is a plain CqlError.
 */

/** 0x1000: not enough live replicas for the consistency level. */
export class UnavailableError extends CqlError {
  constructor(
    readonly consistency: number,
    readonly required: number,
    readonly alive: number,
    message = `Cannot achieve consistency level ${consistencyWord(consistency)}`,
  ) {
    super(ErrorCode.UNAVAILABLE, message, 'invalid');
    this.name = 'UnavailableError';
  }
}

/** The batch log / write type strings of WriteTimeout and WriteFailure bodies. */
export type WriteType = 'SIMPLE' | 'BATCH' | 'UNLOGGED_BATCH' | 'COUNTER' | 'BATCH_LOG' | 'CAS' | 'VIEW' | 'CDC';

/** 0x1100: the coordinator gave up waiting for replica acknowledgements. */
export class WriteTimeoutError extends CqlError {
  constructor(
    readonly consistency: number,
    readonly received: number,
    readonly blockFor: number,
    readonly writeType: WriteType,
    message = `Operation timed out - received only ${received} responses.`,
  ) {
    super(ErrorCode.WRITE_TIMEOUT, message, 'invalid');
    this.name = 'WriteTimeoutError';
  }
}

/** 0x1200: the coordinator gave up waiting for replica responses. */
export class ReadTimeoutError extends CqlError {
  constructor(
    readonly consistency: number,
    readonly received: number,
    readonly blockFor: number,
    readonly dataPresent: boolean,
    message = `Operation timed out - received only ${received} responses.`,
  ) {
    super(ErrorCode.READ_TIMEOUT, message, 'invalid');
    this.name = 'ReadTimeoutError';
  }
}

/** 0x2400: CREATE of a keyspace or table that exists. `table` is '' for a keyspace. */
export class AlreadyExistsError extends CqlError {
  constructor(
    readonly keyspace: string,
    readonly table: string,
  ) {
    super(
      ErrorCode.ALREADY_EXISTS,
      table === '' ? `Cannot add existing keyspace "${keyspace}"` : `Cannot add already existing table "${table}" to keyspace "${keyspace}"`,
      'invalid',
    );
    this.name = 'AlreadyExistsError';
  }
}

/** 0x2500: EXECUTE of an id this node does not know; the driver re-prepares and retries. */
export class UnpreparedError extends CqlError {
  constructor(readonly id: Buffer) {
    super(ErrorCode.UNPREPARED, `Prepared query with ID ${id.toString('hex')} not found (either the query was not prepared on this host (maybe the host has been restarted?) or you have prepared too many queries and it has been evicted from the internal cache)`, 'invalid');
    this.name = 'UnpreparedError';
  }
}

const CONSISTENCY_WORDS = ['ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'SERIAL', 'LOCAL_SERIAL', 'LOCAL_ONE'];

function consistencyWord(code: number): string {
  return CONSISTENCY_WORDS[code] ?? String(code);
}
