/**
 * WITH options of CREATE / ALTER TABLE and KEYSPACE, checked as Cassandra's PropertyDefinitions,
 * TableAttributes and TableParams.validate check them: an unknown property or a value of the wrong
 * shape is a SyntaxError; a value out of range is a ConfigurationException (0x2300).
 */
import { CqlError, ErrorCode, type Option, type OptionValue } from '../cql-lite/index.js';
import { SIZE_TIERED_CLASS } from './table.js';
import type { TableOptions } from './types.js';

function syntax(message: string): CqlError {
  return new CqlError(ErrorCode.SYNTAX_ERROR, message, 'syntax');
}

export function configError(message: string): CqlError {
  return new CqlError(ErrorCode.CONFIG_ERROR, message, 'invalid');
}

function text(o: Option): string {
  const v = o.value;
  if (v.kind === 'literal') return v.text;
  if (v.kind === 'identifier') return v.name;
  throw syntax(`Invalid value for property '${o.name}'. It should be a string`);
}

function map(o: Option): Record<string, string> {
  const v = o.value;
  if (v.kind !== 'map') throw syntax(`Invalid value for property '${o.name}'. It should be a map.`);
  const out: Record<string, string> = {};
  for (const [k, val] of v.entries) out[k.text] = val.text;
  return out;
}

function int(o: Option): number {
  const s = text(o);
  if (!/^-?\d+$/.test(s.trim()) || !Number.isSafeInteger(Number(s))) throw syntax(`Invalid integer value ${s} for '${o.name}'`);
  const n = Number(s);
  if (n < -2147483648 || n > 2147483647) throw syntax(`Invalid integer value ${s} for '${o.name}'`);
  return n;
}

function double(o: Option): number {
  const s = text(o).trim();
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw syntax(`Invalid double value ${s} for '${o.name}'`);
  return n;
}

function bool(o: Option): boolean {
  const s = text(o).trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw syntax(`Invalid boolean value ${text(o)} for '${o.name}'`);
}

const MAX_TTL_SECONDS = 20 * 365 * 24 * 60 * 60;
/** Cassandra's BloomCalculations.minSupportedBloomFilterFpChance(). */
const MIN_BLOOM_FP = 6.71e-5;

const COMPACTION_PACKAGE = 'org.apache.cassandra.db.compaction.';
const KNOWN_COMPACTIONS = new Set(['SizeTieredCompactionStrategy', 'LeveledCompactionStrategy', 'TimeWindowCompactionStrategy', 'UnifiedCompactionStrategy']);

function compactionOption(o: Option): Record<string, string> {
  const m = map(o);
  const cls = m['class'];
  if (cls === undefined) throw configError("Missing sub-option 'class' for the 'compaction' option.");
  const short = cls.startsWith(COMPACTION_PACKAGE) ? cls.slice(COMPACTION_PACKAGE.length) : cls;
  // The engine compacts size-tiered whatever the class; other known classes are recorded so that
  // schemas written for Cassandra load unchanged.
  if (!KNOWN_COMPACTIONS.has(short)) throw configError(`Unable to find compaction strategy class '${cls.includes('.') ? cls : COMPACTION_PACKAGE + cls}'`);
  const out: Record<string, string> = { ...m, class: COMPACTION_PACKAGE + short };
  if (out['class'] === SIZE_TIERED_CLASS) {
    out['max_threshold'] ??= '32';
    out['min_threshold'] ??= '4';
  }
  return out;
}

/** Table options of a CREATE or ALTER TABLE (`id` only at CREATE). Returns the options given. */
export function tableOptionsFrom(options: readonly Option[], forCreate: boolean): { options: Partial<TableOptions>; id: string | null } {
  const out: { -readonly [K in keyof TableOptions]?: TableOptions[K] } = {};
  let id: string | null = null;
  for (const o of options) {
    switch (o.name) {
      case 'comment':
        out.comment = text(o);
        break;
      case 'default_time_to_live':
        out.defaultTimeToLive = int(o);
        break;
      case 'gc_grace_seconds':
        out.gcGraceSeconds = int(o);
        break;
      case 'bloom_filter_fp_chance':
        out.bloomFilterFpChance = double(o);
        break;
      case 'compaction':
        out.compaction = compactionOption(o);
        break;
      case 'compression':
        out.compression = map(o);
        break;
      case 'caching':
        out.caching = map(o);
        break;
      case 'crc_check_chance':
        out.crcCheckChance = double(o);
        break;
      case 'memtable_flush_period_in_ms':
        out.memtableFlushPeriodMs = int(o);
        break;
      case 'min_index_interval':
        out.minIndexInterval = int(o);
        break;
      case 'max_index_interval':
        out.maxIndexInterval = int(o);
        break;
      case 'speculative_retry':
        out.speculativeRetry = text(o);
        break;
      case 'additional_write_policy':
        out.additionalWritePolicy = text(o);
        break;
      case 'read_repair':
        out.readRepair = text(o).toUpperCase();
        break;
      case 'cdc':
        out.cdc = bool(o);
        break;
      case 'id':
        if (!forCreate) throw configError('Cannot alter table id.');
        id = text(o).toLowerCase();
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw configError(`Invalid table id ${text(o)}`);
        break;
      // Accepted and ignored, as Cassandra 4 does for options it no longer uses.
      case 'read_repair_chance':
      case 'dclocal_read_repair_chance':
        double(o);
        break;
      default:
        throw syntax(`Unknown property '${o.name}'`);
    }
  }
  validateTableOptions(out);
  return { options: out, id };
}

function validateTableOptions(o: Partial<TableOptions>): void {
  if (o.bloomFilterFpChance !== undefined && (o.bloomFilterFpChance <= MIN_BLOOM_FP || o.bloomFilterFpChance > 1)) {
    throw configError(`bloom_filter_fp_chance must be larger than ${MIN_BLOOM_FP} and less than or equal to 1.0 (got ${o.bloomFilterFpChance})`);
  }
  if (o.crcCheckChance !== undefined && (o.crcCheckChance < 0 || o.crcCheckChance > 1)) {
    throw configError(`crc_check_chance must be larger than or equal to 0 and smaller than or equal to 1.0 (got ${o.crcCheckChance})`);
  }
  if (o.defaultTimeToLive !== undefined) {
    if (o.defaultTimeToLive < 0) throw configError(`default_time_to_live must be greater than or equal to 0 (got ${o.defaultTimeToLive})`);
    if (o.defaultTimeToLive > MAX_TTL_SECONDS) throw configError(`default_time_to_live must be less than or equal to ${MAX_TTL_SECONDS} (got ${o.defaultTimeToLive})`);
  }
  if (o.gcGraceSeconds !== undefined && o.gcGraceSeconds < 0) throw configError(`gc_grace_seconds must be greater than or equal to 0 (got ${o.gcGraceSeconds})`);
  if (o.memtableFlushPeriodMs !== undefined && o.memtableFlushPeriodMs < 0) {
    throw configError(`memtable_flush_period_in_ms must be greater than or equal to 0 (got ${o.memtableFlushPeriodMs})`);
  }
  if (o.minIndexInterval !== undefined && o.minIndexInterval < 1) throw configError(`min_index_interval must be greater than or equal to 1 (got ${o.minIndexInterval})`);
  if (o.minIndexInterval !== undefined && o.maxIndexInterval !== undefined && o.maxIndexInterval < o.minIndexInterval) {
    throw configError(`max_index_interval must be greater than or equal to min_index_interval (got ${o.maxIndexInterval})`);
  }
  if (o.readRepair !== undefined && o.readRepair !== 'BLOCKING' && o.readRepair !== 'NONE') {
    throw configError(`Unknown read_repair strategy '${o.readRepair}'`);
  }
}

export interface KeyspaceOptions {
  readonly replication: Record<string, string> | null;
  readonly durableWrites: boolean | null;
}

export function keyspaceOptionsFrom(options: readonly Option[]): KeyspaceOptions {
  let replication: Record<string, string> | null = null;
  let durableWrites: boolean | null = null;
  for (const o of options) {
    if (o.name === 'replication') replication = map(o);
    else if (o.name === 'durable_writes') durableWrites = bool(o);
    else throw syntax(`Unknown property '${o.name}'`);
  }
  return { replication, durableWrites };
}

export function optionValueText(v: OptionValue): string {
  return v.kind === 'literal' ? v.text : v.kind === 'identifier' ? v.name : '{...}';
}
