/**
 * The CQL type model: native types, collections (list, set, map; frozen or not) and tuples
 * (always frozen). Types are plain immutable values; compare them with typeEquals.
 *
 * Two textual forms:
 * - typeToString: Cassandra's CQL type name as system_schema.columns shows it ('text',
 *   'frozen<list<int>>', 'map<text, int>', 'frozen<tuple<int, text>>'); parseTypeString (in
 *   parser.ts) reads it back, as well as anything CQL accepts in a column definition.
 * - the native-protocol [option] (spec v4 section 4.2.5.2), written and read here.
 *
 * Type option grammar ([short] id, then a value depending on the id):
 *   native      <id>                                 (no value)
 *   custom      0x0000 [string class-name]            (duration in v4: DurationType)
 *   list / set  0x0020 / 0x0022 <option element>
 *   map         0x0021 <option key> <option value>
 *   tuple       0x0031 [short n] <option>{n}
 * The ids are on-wire values: never renumber them.
 */
import { protocolError } from './errors.js';

export type NativeKind =
  | 'ascii'
  | 'bigint'
  | 'blob'
  | 'boolean'
  | 'counter'
  | 'date'
  | 'decimal'
  | 'double'
  | 'duration'
  | 'float'
  | 'inet'
  | 'int'
  | 'smallint'
  | 'text'
  | 'time'
  | 'timestamp'
  | 'timeuuid'
  | 'tinyint'
  | 'uuid'
  | 'varint';

export interface NativeType {
  readonly kind: NativeKind;
}
export interface ListType {
  readonly kind: 'list';
  readonly element: CqlType;
  readonly frozen: boolean;
}
export interface SetType {
  readonly kind: 'set';
  readonly element: CqlType;
  readonly frozen: boolean;
}
export interface MapType {
  readonly kind: 'map';
  readonly key: CqlType;
  readonly value: CqlType;
  readonly frozen: boolean;
}
/** Tuples are always frozen in Cassandra; the flag is there so every non-native type has one. */
export interface TupleType {
  readonly kind: 'tuple';
  readonly elements: readonly CqlType[];
  readonly frozen: true;
}
export type CollectionType = ListType | SetType | MapType;
export type CqlType = NativeType | CollectionType | TupleType;

export const NATIVE_KINDS: readonly NativeKind[] = [
  'ascii', 'bigint', 'blob', 'boolean', 'counter', 'date', 'decimal', 'double', 'duration', 'float',
  'inet', 'int', 'smallint', 'text', 'time', 'timestamp', 'timeuuid', 'tinyint', 'uuid', 'varint',
];

const natives = new Map<string, NativeType>();
for (const k of NATIVE_KINDS) natives.set(k, Object.freeze({ kind: k }));
natives.set('varchar', natives.get('text')!);

/** The native type named `name` (lower case; 'varchar' is 'text'), or undefined. */
export function nativeType(name: string): NativeType | undefined {
  return natives.get(name);
}

/** The native types, by name: CqlTypes.int, CqlTypes.text, ... */
export const CqlTypes = Object.freeze(Object.fromEntries(NATIVE_KINDS.map((k) => [k, natives.get(k)!]))) as Readonly<
  Record<NativeKind, NativeType>
>;

export function listOf(element: CqlType, frozen = false): ListType {
  return Object.freeze({ kind: 'list', element, frozen });
}
export function setOf(element: CqlType, frozen = false): SetType {
  return Object.freeze({ kind: 'set', element, frozen });
}
export function mapOf(key: CqlType, value: CqlType, frozen = false): MapType {
  return Object.freeze({ kind: 'map', key, value, frozen });
}
export function tupleOf(elements: readonly CqlType[]): TupleType {
  return Object.freeze({ kind: 'tuple', elements: Object.freeze([...elements]), frozen: true });
}

export function isNative(t: CqlType): t is NativeType {
  return t.kind !== 'list' && t.kind !== 'set' && t.kind !== 'map' && t.kind !== 'tuple';
}
export function isCollection(t: CqlType): t is CollectionType {
  return t.kind === 'list' || t.kind === 'set' || t.kind === 'map';
}
/** Frozen: stored as one cell. Natives count as frozen; a non-frozen collection is multi-cell. */
export function isFrozen(t: CqlType): boolean {
  return isNative(t) || t.frozen;
}

/** The same type with every nested collection frozen (what frozen<...> means in Cassandra). */
export function freeze(t: CqlType): CqlType {
  switch (t.kind) {
    case 'list':
      return listOf(freeze(t.element), true);
    case 'set':
      return setOf(freeze(t.element), true);
    case 'map':
      return mapOf(freeze(t.key), freeze(t.value), true);
    case 'tuple':
      return tupleOf(t.elements.map(freeze));
    default:
      return t;
  }
}

export function typeEquals(a: CqlType, b: CqlType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list':
    case 'set': {
      const o = b as ListType | SetType;
      return a.frozen === o.frozen && typeEquals(a.element, o.element);
    }
    case 'map': {
      const o = b as MapType;
      return a.frozen === o.frozen && typeEquals(a.key, o.key) && typeEquals(a.value, o.value);
    }
    case 'tuple': {
      const o = b as TupleType;
      return a.elements.length === o.elements.length && a.elements.every((e, i) => typeEquals(e, o.elements[i]!));
    }
    default:
      return true;
  }
}

/** Cassandra's CQL name of the type, as system_schema.columns.type shows it. */
export function typeToString(t: CqlType): string {
  switch (t.kind) {
    case 'list':
      return wrapFrozen(`list<${typeToString(t.element)}>`, t.frozen);
    case 'set':
      return wrapFrozen(`set<${typeToString(t.element)}>`, t.frozen);
    case 'map':
      return wrapFrozen(`map<${typeToString(t.key)}, ${typeToString(t.value)}>`, t.frozen);
    case 'tuple':
      return `frozen<tuple<${t.elements.map(typeToString).join(', ')}>>`;
    default:
      return t.kind;
  }
}

function wrapFrozen(s: string, frozen: boolean): string {
  return frozen ? `frozen<${s}>` : s;
}

/** Cassandra's rules for what may nest where; returns the violation's message or null. */
export function typeRuleViolation(t: CqlType): string | null {
  switch (t.kind) {
    case 'list':
    case 'set':
    case 'map': {
      const inner = t.kind === 'map' ? [t.key, t.value] : [t.element];
      for (const e of inner) {
        if (e.kind === 'counter') return `Counters are not allowed inside collections: ${typeToString(t)}`;
        if (!t.frozen && isCollection(e) && !e.frozen) {
          return `Non-frozen collections are not allowed inside collections: ${typeToString(t)}`;
        }
      }
      if (t.kind === 'set' && t.element.kind === 'duration') return `Durations are not allowed inside sets: ${typeToString(t)}`;
      if (t.kind === 'map' && t.key.kind === 'duration') return `Durations are not allowed as map keys: ${typeToString(t)}`;
      for (const e of inner) {
        const v = typeRuleViolation(e);
        if (v !== null) return v;
      }
      return null;
    }
    case 'tuple':
      for (const e of t.elements) {
        if (e.kind === 'counter') return 'Counters are not allowed inside tuples';
        const v = typeRuleViolation(e);
        if (v !== null) return v;
      }
      return null;
    default:
      return null;
  }
}

// --- native-protocol type options -------------------------------------------------------------

/** Native type option ids (spec v4 4.2.5.2). On-wire: never renumber. */
export const TYPE_OPTION_ID: Readonly<Record<NativeKind, number>> = Object.freeze({
  ascii: 0x0001,
  bigint: 0x0002,
  blob: 0x0003,
  boolean: 0x0004,
  counter: 0x0005,
  decimal: 0x0006,
  double: 0x0007,
  float: 0x0008,
  int: 0x0009,
  timestamp: 0x000b,
  uuid: 0x000c,
  text: 0x000d,
  varint: 0x000e,
  timeuuid: 0x000f,
  inet: 0x0010,
  date: 0x0011,
  time: 0x0012,
  smallint: 0x0013,
  tinyint: 0x0014,
  duration: 0x0015, // v5 only; in v4 duration travels as the custom type below
});
export const OPTION_CUSTOM = 0x0000;
export const OPTION_LIST = 0x0020;
export const OPTION_MAP = 0x0021;
export const OPTION_SET = 0x0022;
export const OPTION_UDT = 0x0030;
export const OPTION_TUPLE = 0x0031;
/** v1/v2's text id; accepted when reading, never written. */
const OPTION_LEGACY_TEXT = 0x000a;
export const DURATION_CLASS = 'org.apache.cassandra.db.marshal.DurationType';

const kindById = new Map<number, NativeKind>();
for (const k of NATIVE_KINDS) kindById.set(TYPE_OPTION_ID[k], k);
kindById.set(OPTION_LEGACY_TEXT, 'text');

/** The type's [option] bytes for protocol v4. */
export function encodeTypeOption(t: CqlType): Buffer {
  const parts: Buffer[] = [];
  writeOption(t, parts);
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function writeOption(t: CqlType, parts: Buffer[]): void {
  switch (t.kind) {
    case 'list':
    case 'set':
      parts.push(u16(t.kind === 'list' ? OPTION_LIST : OPTION_SET));
      writeOption(t.element, parts);
      return;
    case 'map':
      parts.push(u16(OPTION_MAP));
      writeOption(t.key, parts);
      writeOption(t.value, parts);
      return;
    case 'tuple':
      parts.push(u16(OPTION_TUPLE), u16(t.elements.length));
      for (const e of t.elements) writeOption(e, parts);
      return;
    case 'duration': {
      const name = Buffer.from(DURATION_CLASS, 'utf8');
      parts.push(u16(OPTION_CUSTOM), u16(name.length), name);
      return;
    }
    default:
      parts.push(u16(TYPE_OPTION_ID[t.kind]));
  }
}

const MAX_OPTION_DEPTH = 64;

/**
 * Reads one [option] at `offset`; returns the type and the offset after it. Collections read from
 * the wire are non-frozen unless nested (the protocol does not say; nested ones must be frozen).
 * Throws a protocol error on truncated bytes or an id Ringtail does not know.
 */
export function decodeTypeOption(buf: Buffer, offset = 0): { type: CqlType; offset: number } {
  const r = { pos: offset };
  const type = readOption(buf, r, 0, false);
  return { type, offset: r.pos };
}

function readU16(buf: Buffer, r: { pos: number }): number {
  if (r.pos + 2 > buf.length) throw protocolError('Not enough bytes to read a type option');
  const v = buf.readUInt16BE(r.pos);
  r.pos += 2;
  return v;
}

function readOption(buf: Buffer, r: { pos: number }, depth: number, nested: boolean): CqlType {
  if (depth > MAX_OPTION_DEPTH) throw protocolError('Type option nested too deeply');
  const id = readU16(buf, r);
  const kind = kindById.get(id);
  if (kind !== undefined) return natives.get(kind)!;
  switch (id) {
    case OPTION_LIST:
      return listOf(readOption(buf, r, depth + 1, true), nested);
    case OPTION_SET:
      return setOf(readOption(buf, r, depth + 1, true), nested);
    case OPTION_MAP: {
      const k = readOption(buf, r, depth + 1, true);
      return mapOf(k, readOption(buf, r, depth + 1, true), nested);
    }
    case OPTION_TUPLE: {
      const n = readU16(buf, r);
      const elements: CqlType[] = [];
      for (let i = 0; i < n; i++) elements.push(readOption(buf, r, depth + 1, true));
      return tupleOf(elements);
    }
    case OPTION_CUSTOM: {
      const len = readU16(buf, r);
      if (r.pos + len > buf.length) throw protocolError('Not enough bytes to read a custom type name');
      const name = buf.toString('utf8', r.pos, r.pos + len);
      r.pos += len;
      if (name === DURATION_CLASS) return natives.get('duration')!;
      throw protocolError(`Unsupported custom type ${name}`);
    }
    case OPTION_UDT:
      throw protocolError('User-defined types are not supported');
    default:
      throw protocolError(`Unknown type option id 0x${id.toString(16).padStart(4, '0')}`);
  }
}
