/**
 * cql-lite: the pure part of Ringtail's CQL layer — lexer, parser to an AST, printer, the CQL type
 * model and the native-protocol v4 value codecs. No I/O, no clock, no schema. See README.md.
 */
export type * from './ast.js';
export {
  AlreadyExistsError,
  CqlError,
  CqlSyntaxError,
  ErrorCode,
  invalidRequest,
  marshalError,
  protocolError,
  ReadTimeoutError,
  UnavailableError,
  UnpreparedError,
  unsupported,
  WriteTimeoutError,
} from './errors.js';
export type { WriteType } from './errors.js';
export type { CqlErrorReason } from './errors.js';
export { lex, quoteIdentifier, quoteString, RESERVED_KEYWORDS } from './lexer.js';
export type { Token, TokenKind } from './lexer.js';
export { bindMarkersOf, parseScript, parseStatement, parseTerm, parseTypeString } from './parser.js';
export { printName, printRelation, printSelector, printStatement, printTerm } from './printer.js';
export {
  CqlTypes,
  decodeTypeOption,
  DURATION_CLASS,
  encodeTypeOption,
  freeze,
  isCollection,
  isFrozen,
  isNative,
  listOf,
  mapOf,
  NATIVE_KINDS,
  nativeType,
  setOf,
  TYPE_OPTION_ID,
  tupleOf,
  typeEquals,
  typeRuleViolation,
  typeToString,
} from './types.js';
export type { CollectionType, CqlType, ListType, MapType, NativeKind, NativeType, SetType, TupleType } from './types.js';
export {
  acceptsEmpty,
  compareValues,
  decodeValue,
  EMPTY,
  encodeValue,
  packCollection,
  packMap,
  packSet,
  packTuple,
  unpackCollection,
  uuidFromString,
  uuidToString,
  validateValue,
} from './codec.js';
export type { CqlValue, Empty } from './codec.js';
export { assignable, formatBytes, formatValue, termToBytes } from './literal.js';
export type { TermContext } from './literal.js';
export { decimalFromBytes, decimalToBytes, formatDecimal, formatDuration, parseDecimal, parseDuration, varintFromBytes, varintToBytes } from './numbers.js';
export type { Decimal, Duration } from './numbers.js';
export { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from './temporal.js';
export { formatInet, parseInet } from './inet.js';
