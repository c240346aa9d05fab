/**
 * Errors of the clustering encoding. Each carries a stable `code` that callers branch on (the CQL
 * layer maps INVALID_VALUE to an InvalidRequest; CORRUPT_ENCODING means stored bytes are damaged).
 */

/** Why an encode or decode was refused. Codes never change meaning. */
export type EncodingErrorCode =
  /** A native value that the type cannot hold: wrong fixed length, bad collection framing, ... */
  | 'INVALID_VALUE'
  /** A type description the encoding does not support, or a composite missing its element types. */
  | 'INVALID_TYPE'
  /** More clustering values than clustering columns. */
  | 'TOO_MANY_VALUES'
  /** A slice bound with no values, or one that restricts columns past the last clustering column. */
  | 'BAD_BOUND'
  /** Bytes that no encode could have produced: truncated, bad header, bad digit, ... */
  | 'CORRUPT_ENCODING';

export class EncodingError extends Error {
  readonly code: EncodingErrorCode;

  constructor(code: EncodingErrorCode, message: string) {
    super(message);
    this.name = 'EncodingError';
    this.code = code;
  }
}

export function invalidValue(kind: string, why: string): EncodingError {
  return new EncodingError('INVALID_VALUE', `invalid ${kind} value: ${why}`);
}

export function corrupt(why: string): EncodingError {
  return new EncodingError('CORRUPT_ENCODING', `corrupt clustering encoding: ${why}`);
}
