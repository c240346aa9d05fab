/**
 * ERROR bodies (spec v4 sections 4.2.1 and 9), from the exceptions a CqlHandler throws.
 *
 *   ERROR          := <code:[int]> <message:[string]> <extra>
 *   Unavailable    0x1000: <cl:[consistency]> <required:[int]> <alive:[int]>
 *   Write_timeout  0x1100: <cl:[consistency]> <received:[int]> <blockfor:[int]> <writeType:[string]>
 *   Read_timeout   0x1200: <cl:[consistency]> <received:[int]> <blockfor:[int]> <data_present:[byte]>
 *   Read_failure   0x1300: <cl:[consistency]> <received:[int]> <blockfor:[int]> <numfailures:[int]> <data_present:[byte]>
 *   Function_failure 0x1400: <keyspace:[string]> <function:[string]> <arg_types:[string list]>
 *   Write_failure  0x1500: <cl:[consistency]> <received:[int]> <blockfor:[int]> <numfailures:[int]> <writeType:[string]>
 *   Already_exists 0x2400: <keyspace:[string]> <table:[string]> ('' for a keyspace)
 *   Unprepared     0x2500: <id:[short bytes]>
 *   everything else: no extra
 *
 * A CqlError whose code needs extra fields but that is not the subclass carrying them (only
 * Unavailable, WriteTimeout, ReadTimeout, AlreadyExists and Unprepared have subclasses) gets
 * zeros and empty strings for them, so the client can still parse the frame; `describeError`
 * reports it so the server can log the mismatch. Any exception that is not a CqlError is a Server
 * error (0x0000) with its name and message.
 */
import {
  AlreadyExistsError,
  CqlError,
  ErrorCode,
  ReadTimeoutError,
  UnavailableError,
  UnpreparedError,
  WriteTimeoutError,
} from '../cql-lite/index.js';
import type { FrameWriter } from './writer.js';

/** The [string] limit, in UTF-16 units so that truncation never splits a pair (3 bytes each at worst). */
const MAX_MESSAGE_UNITS = Math.floor(0xffff / 3);

export interface ErrorDescription {
  readonly code: number;
  readonly message: string;
  /** Set when the exception was not a CqlError (a bug to log) or did not carry its code's fields. */
  readonly unexpected: boolean;
}

export function describeError(err: unknown): ErrorDescription {
  if (err instanceof CqlError) {
    return { code: err.code, message: err.message, unexpected: needsFields(err) };
  }
  if (err instanceof Error) return { code: ErrorCode.SERVER_ERROR, message: `${err.name}: ${err.message}`, unexpected: true };
  return { code: ErrorCode.SERVER_ERROR, message: `Unexpected exception: ${String(err)}`, unexpected: true };
}

/** Writes the body of an ERROR for `err`. */
export function writeError(w: FrameWriter, err: unknown): void {
  const { code, message } = describeError(err);
  w.int(code);
  w.string(message.length > MAX_MESSAGE_UNITS ? message.slice(0, MAX_MESSAGE_UNITS) : message);
  switch (code) {
    case ErrorCode.UNAVAILABLE: {
      const e = err instanceof UnavailableError ? err : null;
      w.short(e?.consistency ?? 0);
      w.int(e?.required ?? 0);
      w.int(e?.alive ?? 0);
      return;
    }
    case ErrorCode.WRITE_TIMEOUT: {
      const e = err instanceof WriteTimeoutError ? err : null;
      w.short(e?.consistency ?? 0);
      w.int(e?.received ?? 0);
      w.int(e?.blockFor ?? 0);
      w.string(e?.writeType ?? 'SIMPLE');
      return;
    }
    case ErrorCode.READ_TIMEOUT: {
      const e = err instanceof ReadTimeoutError ? err : null;
      w.short(e?.consistency ?? 0);
      w.int(e?.received ?? 0);
      w.int(e?.blockFor ?? 0);
      w.byte(e?.dataPresent ? 1 : 0);
      return;
    }
    case ErrorCode.READ_FAILURE:
      w.short(0);
      w.int(0);
      w.int(0);
      w.int(0);
      w.byte(0);
      return;
    case ErrorCode.FUNCTION_FAILURE:
      w.string('');
      w.string('');
      w.short(0);
      return;
    case ErrorCode.WRITE_FAILURE:
      w.short(0);
      w.int(0);
      w.int(0);
      w.int(0);
      w.string('SIMPLE');
      return;
    case ErrorCode.ALREADY_EXISTS: {
      const e = err instanceof AlreadyExistsError ? err : null;
      w.string(e?.keyspace ?? '');
      w.string(e?.table ?? '');
      return;
    }
    case ErrorCode.UNPREPARED: {
      const e = err instanceof UnpreparedError ? err : null;
      w.shortBytes(e?.id ?? Buffer.alloc(0));
      return;
    }
    default:
      return;
  }
}

function needsFields(err: CqlError): boolean {
  switch (err.code) {
    case ErrorCode.UNAVAILABLE:
      return !(err instanceof UnavailableError);
    case ErrorCode.WRITE_TIMEOUT:
      return !(err instanceof WriteTimeoutError);
    case ErrorCode.READ_TIMEOUT:
      return !(err instanceof ReadTimeoutError);
    case ErrorCode.ALREADY_EXISTS:
      return !(err instanceof AlreadyExistsError);
    case ErrorCode.UNPREPARED:
      return !(err instanceof UnpreparedError);
    case ErrorCode.READ_FAILURE:
    case ErrorCode.WRITE_FAILURE:
    case ErrorCode.FUNCTION_FAILURE:
      return true;
    default:
      return false;
  }
}
