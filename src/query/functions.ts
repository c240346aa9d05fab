/**
 * Cassandra's native scalar functions (system keyspace): time and UUID functions and the blob
 * conversions. A function has one or more signatures; values in and out are serialized bytes.
 * Aggregates live in aggregates.ts, token() in the selection and restriction code.
 */
import { CqlTypes, NATIVE_KINDS, invalidRequest, typeEquals, typeToString, validateValue, type CqlType, type NativeKind } from '../cql-lite/index.js';
import { boundTimeUuid, unixMillisOfUuid, type TimeUuidGenerator } from './timeuuid.js';
import type { Random } from '../seams/index.js';
import { int64, uint32 } from './bytes.js';

export interface FunctionContext {
  readonly nowMs: number;
  readonly timeUuids: TimeUuidGenerator;
  readonly random: Random;
}

export interface Signature {
  readonly args: readonly CqlType[];
  readonly returns: CqlType;
  /** null in, null out, unless a function says otherwise. */
  readonly exec: (args: readonly (Buffer | null)[], ctx: FunctionContext) => Buffer | null;
  /** Depends on when it runs (now(), uuid()): never folded into a prepared statement. */
  readonly volatile?: boolean;
}

const MS_PER_DAY = 86400000n;
const DATE_EPOCH = 0x80000000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function nullSafe(f: (args: readonly Buffer[], ctx: FunctionContext) => Buffer | null): Signature['exec'] {
  return (args, ctx) => (args.some((a) => a === null || a.length === 0) ? null : f(args as Buffer[], ctx));
}

const timestampOf = {
  timeuuid: (b: Buffer): bigint => unixMillisOfUuid(b),
  timestamp: (b: Buffer): bigint => b.readBigInt64BE(0),
  date: (b: Buffer): bigint => (BigInt(b.readUInt32BE(0)) - DATE_EPOCH) * MS_PER_DAY,
};

const T = CqlTypes;

function sig(args: CqlType[], returns: CqlType, exec: Signature['exec'], volatile = false): Signature {
  return { args, returns, exec, volatile };
}

const FUNCTIONS = new Map<string, readonly Signature[]>([
  ['now', [sig([], T.timeuuid, (_a, c) => c.timeUuids.next(), true)]],
  ['currenttimeuuid', [sig([], T.timeuuid, (_a, c) => c.timeUuids.next(), true)]],
  [
    'uuid',
    [
      sig(
        [],
        T.uuid,
        (_a, c) => {
          const b = c.random.bytes(16);
          b[6] = (b[6]! & 0x0f) | 0x40;
          b[8] = (b[8]! & 0x3f) | 0x80;
          return b;
        },
        true,
      ),
    ],
  ],
  ['currenttimestamp', [sig([], T.timestamp, (_a, c) => int64(BigInt(c.nowMs)), true)]],
  ['currentdate', [sig([], T.date, (_a, c) => uint32(floorDiv(BigInt(c.nowMs), MS_PER_DAY) + DATE_EPOCH), true)]],
  ['currenttime', [sig([], T.time, (_a, c) => int64((((BigInt(c.nowMs) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) * 1000000n), true)]],
  [
    'totimestamp',
    [
      sig([T.timeuuid], T.timestamp, nullSafe(([a]) => int64(timestampOf.timeuuid(a!)))),
      sig([T.date], T.timestamp, nullSafe(([a]) => int64(timestampOf.date(a!)))),
    ],
  ],
  ['dateof', [sig([T.timeuuid], T.timestamp, nullSafe(([a]) => int64(timestampOf.timeuuid(a!))))]],
  [
    'todate',
    [
      sig([T.timeuuid], T.date, nullSafe(([a]) => uint32(floorDiv(timestampOf.timeuuid(a!), MS_PER_DAY) + DATE_EPOCH))),
      sig([T.timestamp], T.date, nullSafe(([a]) => uint32(floorDiv(timestampOf.timestamp(a!), MS_PER_DAY) + DATE_EPOCH))),
    ],
  ],
  [
    'tounixtimestamp',
    [
      sig([T.timeuuid], T.bigint, nullSafe(([a]) => int64(timestampOf.timeuuid(a!)))),
      sig([T.timestamp], T.bigint, nullSafe(([a]) => int64(timestampOf.timestamp(a!)))),
      sig([T.date], T.bigint, nullSafe(([a]) => int64(timestampOf.date(a!)))),
    ],
  ],
  ['unixtimestampof', [sig([T.timeuuid], T.bigint, nullSafe(([a]) => int64(timestampOf.timeuuid(a!))))]],
  ['mintimeuuid', [sig([T.timestamp], T.timeuuid, nullSafe(([a]) => boundTimeUuid(a!.readBigInt64BE(0), false)))]],
  ['maxtimeuuid', [sig([T.timestamp], T.timeuuid, nullSafe(([a]) => boundTimeUuid(a!.readBigInt64BE(0), true)))]],
]);

// blobAsX / XAsBlob for every native type but counter and duration-less oddities Cassandra lacks.
for (const kind of NATIVE_KINDS as readonly NativeKind[]) {
  if (kind === 'blob' || kind === 'counter') continue;
  const t = T[kind];
  FUNCTIONS.set(`${kind}asblob`, [sig([t], T.blob, (a) => a[0] ?? null)]);
  FUNCTIONS.set(`blobas${kind}`, [
    sig([T.blob], t, (a) => {
      const b = a[0] ?? null;
      if (b === null) return null;
      try {
        validateValue(t, b);
      } catch {
        throw invalidRequest(`In call to function system.blobas${kind}, value 0x${b.toString('hex')} is not a valid binary representation for type ${typeToString(t)}`);
      }
      return b;
    }),
  ]);
}
FUNCTIONS.set('varcharasblob', FUNCTIONS.get('textasblob')!);
FUNCTIONS.set('blobasvarchar', FUNCTIONS.get('blobastext')!);

export function functionSignatures(name: string): readonly Signature[] | undefined {
  return FUNCTIONS.get(name);
}

/**
 * Whether bytes of type `value` can be read as `receiver` (Cassandra's isValueCompatibleWith):
 * what a function's result may be assigned to, and what a column may be passed as.
 */
export function valueCompatible(receiver: CqlType, value: CqlType): boolean {
  if (typeEquals(receiver, value)) return true;
  const r = receiver.kind;
  const v = value.kind;
  switch (r) {
    case 'blob':
      return true;
    case 'text':
      return v === 'ascii';
    case 'uuid':
      return v === 'timeuuid';
    case 'bigint':
    case 'timestamp':
      return v === 'bigint' || v === 'timestamp';
    case 'varint':
      return v === 'int' || v === 'bigint' || v === 'smallint' || v === 'tinyint' || v === 'timestamp';
    default:
      return false;
  }
}

/**
 * Whether a typed argument may be passed for a parameter. Narrower than valueCompatible: a blob
 * parameter takes a blob, not any column (Cassandra refuses blobAsInt(an_int_column)).
 */
function argCompatible(param: CqlType, arg: CqlType): boolean {
  return typeEquals(param, arg) || (param.kind === 'text' && arg.kind === 'ascii') || (param.kind === 'uuid' && arg.kind === 'timeuuid');
}

/** One argument of a call: a typed value (a column, another call), or a term whose type is inferred. */
export interface CallArg {
  /** Printed as the argument in messages. */
  readonly text: string;
  /** Known type, or null when the argument is a term. */
  readonly type: CqlType | null;
  /** For a term: whether it can be a value of the type. */
  readonly fits?: (t: CqlType) => boolean;
  /** A bind marker: fits anything, so several candidate signatures are ambiguous. */
  readonly marker?: boolean;
}

function describe(name: string, sigs: readonly Signature[]): string {
  return sigs.map((s) => `system.${name} : (${s.args.map(typeToString).join(', ')}) -> ${typeToString(s.returns)}`).join(', ');
}

/**
 * The signature of `name` a call with these arguments resolves to (Cassandra's FunctionResolver),
 * optionally restricted to results assignable to `receiver`; Cassandra's messages when none or
 * several match.
 */
export function resolveCall(name: string, args: readonly CallArg[], receiver: { name: string; type: CqlType } | null = null): Signature {
  const sigs = FUNCTIONS.get(name);
  if (sigs === undefined) throw invalidRequest(`Unknown function '${name}'`);
  const arity = sigs.filter((s) => s.args.length === args.length);
  if (arity.length === 0) {
    throw invalidRequest(`Invalid number of arguments in call to function system.${name}: ${sigs[0]!.args.length} required but ${args.length} provided`);
  }
  const argFits = (s: Signature, i: number): boolean => {
    const a = args[i]!;
    return a.type !== null ? argCompatible(s.args[i]!, a.type) : a.fits === undefined || a.fits(s.args[i]!);
  };
  let candidates = arity.filter((s) => args.every((_, i) => argFits(s, i)));
  if (receiver !== null) {
    const assignable = candidates.filter((s) => valueCompatible(receiver.type, s.returns));
    if (assignable.length === 0 && candidates.length > 0) {
      throw invalidRequest(`Type error: cannot assign result of function system.${name} (type ${typeToString(candidates[0]!.returns)}) to ${receiver.name} (type ${typeToString(receiver.type)})`);
    }
    candidates = assignable;
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    if (arity.length === 1) {
      const i = args.findIndex((_, j) => !argFits(arity[0]!, j));
      throw invalidRequest(`Type error: ${args[i]!.text} cannot be passed as argument ${i} of function system.${name} of type ${typeToString(arity[0]!.args[i]!)}`);
    }
    throw invalidRequest(`Invalid call to function ${name}, none of its type signatures match (known type signatures: ${describe(name, arity)})`);
  }
  // Several fit: exact argument types decide; terms and markers cannot.
  const exact = candidates.filter((s) => args.every((a, i) => a.type !== null && typeEquals(s.args[i]!, a.type)));
  if (exact.length === 1) return exact[0]!;
  if (args.some((a) => a.type === null)) {
    throw invalidRequest(`Ambiguous call to function ${name} (can be matched by following signatures: ${describe(name, candidates)}): use type casts to disambiguate`);
  }
  return candidates[0]!;
}
