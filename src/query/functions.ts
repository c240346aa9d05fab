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

/** The signature of `name` whose argument types are exactly `argTypes`. */
export function resolveSignature(name: string, argTypes: readonly CqlType[]): Signature {
  const sigs = FUNCTIONS.get(name);
  if (sigs === undefined) throw invalidRequest(`Unknown function '${name}'`);
  const match = sigs.find((s) => s.args.length === argTypes.length && s.args.every((a, i) => typeEquals(a, argTypes[i]!) || (a.kind === 'text' && argTypes[i]!.kind === 'ascii')));
  if (match === undefined) {
    throw invalidRequest(`Invalid call to function ${name}, none of its type signatures match (known type signatures: ${sigs.map((s) => `system.${name} : (${s.args.map(typeToString).join(', ')}) -> ${typeToString(s.returns)}`).join(', ')})`);
  }
  return match;
}
