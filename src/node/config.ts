/**
 * ringtail.yaml: Cassandra's option names where one exists (cassandra.yaml), so an operator's
 * habits carry over. Unknown options are reported (a typo must not pass silently) but do not stop
 * the node; a known option with a bad value does, with the option's name in the message.
 *
 *   cluster_name: 'Test Cluster'          num_tokens: 16
 *   listen_address: 127.0.0.1             rpc_address: 127.0.0.1 (defaults to listen_address)
 *   broadcast_address, broadcast_rpc_address: the addresses advertised (default: listen / rpc);
 *   a wildcard rpc_address (0.0.0.0) needs broadcast_rpc_address, as in Cassandra
 *   native_transport_port: 9042           storage_port: 7000            admin_port: 7199
 *   seed_provider: [{class_name: ..., parameters: [{seeds: "127.0.0.1,127.0.0.2"}]}]  (or seeds: [...])
 *   data_file_directories: [./data]       commitlog_sync: batch | periodic
 *   commitlog_sync_period: 10000ms (or commitlog_sync_period_in_ms: 10000)
 *   partitioner: Murmur3Partitioner | XxHash64Partitioner (short or full class name)
 *   dc: datacenter1                       rack: rack1
 *   native_transport_max_frame_size: 16MiB (or native_transport_max_frame_size_in_mb: 16)
 *   commitlog_segment_size: 32MiB (or commitlog_segment_size_in_mb: 32); a mutation may be half of it
 */
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG, type NodeConfig } from './node.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Options Cassandra has that Ringtail accepts without acting on them yet. */
const ACCEPTED_UNUSED = new Set([
  'commitlog_directory',
  'saved_caches_directory',
  'hints_directory',
  'endpoint_snitch',
  'hinted_handoff_enabled',
  'max_hint_window',
  'max_hint_window_in_ms',
  'authenticator',
  'authorizer',
  'write_request_timeout',
  'write_request_timeout_in_ms',
  'read_request_timeout',
  'read_request_timeout_in_ms',
  'phi_convict_threshold',
  'start_native_transport',
  'concurrent_reads',
  'concurrent_writes',
  'allocate_tokens_for_local_replication_factor',
]);

function str(v: unknown, name: string): string {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  throw new ConfigError(`${name} must be a non-empty string, got ${JSON.stringify(v)}`);
}

function port(v: unknown, name: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number (0-65535), got ${JSON.stringify(v)}`);
  return n;
}

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** "10000ms", "10s", "2m" or a number of ms. */
function durationMs(v: unknown, name: string): number {
  if (typeof v === 'number' && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+)\s*(ms|s|m|h)?$/i.exec(v.trim()) : null;
  if (m === null) throw new ConfigError(`${name} must be a duration such as 10000ms or 10s, got ${JSON.stringify(v)}`);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60000 : 3600000);
}

/** "16MiB", "512KiB", "1GiB" or a number of bytes. */
function sizeBytes(v: unknown, name: string): number {
  if (typeof v === 'number' && v > 0) return v;
  const m = typeof v === 'string' ? /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(v.trim()) : null;
  if (m === null) throw new ConfigError(`${name} must be a size such as 16MiB, got ${JSON.stringify(v)}`);
  const unit = (m[2] ?? 'B').toLowerCase();
  return Number(m[1]) * (unit === 'b' ? 1 : unit === 'kib' ? 1024 : unit === 'mib' ? 1024 * 1024 : 1024 * 1024 * 1024);
}

function seedsOf(doc: Record<string, unknown>): string[] | undefined {
  if (doc['seeds'] !== undefined) {
    const s = doc['seeds'];
    if (Array.isArray(s)) return s.map((x) => str(x, 'seeds'));
    return str(s, 'seeds').split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  }
  const provider = doc['seed_provider'];
  if (provider === undefined) return undefined;
  // cassandra.yaml: seed_provider: [{class_name: ..., parameters: [{seeds: "a,b"}]}]
  const first = Array.isArray(provider) ? provider[0] : provider;
  const params = (first as { parameters?: unknown } | undefined)?.parameters;
  const p0 = Array.isArray(params) ? params[0] : params;
  const seeds = (p0 as { seeds?: unknown } | undefined)?.seeds;
  if (seeds === undefined) throw new ConfigError('seed_provider needs parameters: [{seeds: "host,host"}]');
  return str(seeds, 'seed_provider seeds').split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

export interface ParsedConfig {
  readonly config: NodeConfig;
  readonly unknown: string[];
}

/** Reads ringtail.yaml text over the defaults. */
export function parseConfig(text: string, base: NodeConfig = DEFAULT_CONFIG): ParsedConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return { config: base, unknown: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('the configuration must be a mapping of option names to values');
  const d = doc as Record<string, unknown>;
  const c: { -readonly [K in keyof NodeConfig]: NodeConfig[K] } = { ...base };
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    switch (k) {
      case 'cluster_name':
        c.clusterName = str(v, k);
        break;
      case 'num_tokens':
        c.numTokens = positiveInt(v, k);
        break;
      case 'listen_address':
        c.listenAddress = str(v, k);
        break;
      case 'rpc_address':
        c.rpcAddress = str(v, k);
        break;
      case 'broadcast_address':
        c.broadcastAddress = str(v, k);
        break;
      case 'broadcast_rpc_address':
        c.broadcastRpcAddress = str(v, k);
        break;
      case 'native_transport_port':
        c.nativePort = port(v, k);
        break;
      case 'storage_port':
        c.storagePort = port(v, k);
        break;
      case 'admin_port':
        c.adminPort = port(v, k);
        break;
      case 'seeds':
      case 'seed_provider':
        c.seeds = seedsOf(d) ?? c.seeds;
        break;
      case 'data_file_directories': {
        const dirs = Array.isArray(v) ? v : [v];
        if (dirs.length === 0) throw new ConfigError('data_file_directories must name a directory');
        if (dirs.length > 1) throw new ConfigError('data_file_directories: Ringtail uses one data directory per node; list just one');
        c.dataDir = str(dirs[0], k);
        break;
      }
      case 'commitlog_sync':
        if (v !== 'batch' && v !== 'periodic') throw new ConfigError(`commitlog_sync must be batch or periodic, got ${JSON.stringify(v)}`);
        c.commitlogSync = v;
        break;
      case 'commitlog_sync_period':
      case 'commitlog_sync_period_in_ms':
        c.commitlogSyncPeriodMs = durationMs(v, k);
        break;
      case 'partitioner': {
        const name = str(v, k);
        c.partitioner = name.slice(name.lastIndexOf('.') + 1);
        break;
      }
      case 'dc':
        c.datacenter = str(v, k);
        break;
      case 'rack':
        c.rack = str(v, k);
        break;
      case 'native_transport_max_frame_size':
        c.nativeMaxFrameBytes = sizeBytes(v, k);
        break;
      case 'commitlog_segment_size':
        c.commitlogSegmentSizeBytes = sizeBytes(v, k);
        break;
      case 'commitlog_segment_size_in_mb':
        c.commitlogSegmentSizeBytes = positiveInt(v, k) * 1024 * 1024;
        break;
      case 'native_transport_max_frame_size_in_mb':
        c.nativeMaxFrameBytes = positiveInt(v, k) * 1024 * 1024;
        break;
      default:
        if (!ACCEPTED_UNUSED.has(k)) unknown.push(k);
    }
  }
  if (d['rpc_address'] === undefined && d['listen_address'] !== undefined) c.rpcAddress = c.listenAddress;
  return { config: c, unknown };
}

/** 0.0.0.0 or ::, however written: an address to bind every interface, never one to advertise. */
export function isWildcardAddress(address: string): boolean {
  const a = address.trim();
  return a === '0.0.0.0' || (a.includes(':') && /^[0:]+$/.test(a));
}

/**
 * Cassandra's checks of the addresses (DatabaseDescriptor.applyAddressConfig), with its
 * messages: a node must know one address of its own to tell peers and clients.
 */
export function validateAddresses(c: NodeConfig): void {
  if (isWildcardAddress(c.listenAddress)) throw new ConfigError(`listen_address cannot be a wildcard address (${c.listenAddress})!`);
  if (c.broadcastAddress !== undefined && isWildcardAddress(c.broadcastAddress)) throw new ConfigError(`broadcast_address cannot be a wildcard address (${c.broadcastAddress})!`);
  if (c.broadcastRpcAddress !== undefined) {
    if (isWildcardAddress(c.broadcastRpcAddress)) throw new ConfigError(`broadcast_rpc_address cannot be a wildcard address (${c.broadcastRpcAddress})!`);
  } else if (isWildcardAddress(c.rpcAddress)) {
    throw new ConfigError(`If rpc_address is set to a wildcard address (${c.rpcAddress}), then you must set broadcast_rpc_address to a value other than ${c.rpcAddress}`);
  }
}
