/**
 * One Ringtail node, wired from the modules: storage engine -> schema -> ring and coordinator ->
 * query processor (-> the native protocol server, in server.ts's wiring). Built from seams (Fs,
 * Clock, Random, Logger), so the same node runs on a real disk or on SimFs in a test.
 *
 * Startup order matters: the engine replays the commit log, the schema loads from system_schema
 * (registering every table with the engine), then the node's identity is read from system.local
 * or chosen (first start) and written back with the current addresses and schema version.
 */
import { LocalCoordinator } from '../coordinator/index.js';
import { QueryProcessor } from '../query/index.js';
import { Ring, allocateBalancedTokens, endpoint, partitionerByName, type Endpoint, type Partitioner } from '../ring/index.js';
import type { Clock, Fs, Logger, Random } from '../seams/index.js';
import { RealFs, joinPath, silentLogger } from '../seams/index.js';
import { SchemaStore } from '../schema/index.js';
import { StorageEngine } from '../storage/index.js';
import { validateAddresses } from './config.js';
import { readLocalIdentity, writeLocalInfo, writeSchemaVersion } from './local-info.js';

export interface NodeConfig {
  readonly clusterName: string;
  readonly numTokens: number;
  readonly listenAddress: string;
  readonly rpcAddress: string;
  /** The address peers are told (system.local broadcast_address); default listenAddress. */
  readonly broadcastAddress?: string;
  /** The address clients are told (system.local rpc_address, peers' rpc_address); default rpcAddress. */
  readonly broadcastRpcAddress?: string;
  readonly nativePort: number;
  readonly storagePort: number;
  readonly adminPort: number;
  readonly dataDir: string;
  readonly commitlogSync: 'batch' | 'periodic';
  readonly commitlogSyncPeriodMs: number;
  readonly partitioner: string;
  readonly datacenter: string;
  readonly rack: string;
  readonly seeds: readonly string[];
  /** Largest native protocol frame accepted, in bytes. */
  readonly nativeMaxFrameBytes: number;
  readonly memtableFlushThresholdBytes?: number;
  /** Commit log segment size; a mutation may take at most half of one (Cassandra's rule). */
  readonly commitlogSegmentSizeBytes?: number;
}

export const DEFAULT_CONFIG: NodeConfig = Object.freeze({
  clusterName: 'Test Cluster',
  numTokens: 16,
  listenAddress: '127.0.0.1',
  rpcAddress: '127.0.0.1',
  nativePort: 9042,
  storagePort: 7000,
  adminPort: 7199,
  dataDir: './data',
  commitlogSync: 'batch',
  commitlogSyncPeriodMs: 10000,
  partitioner: 'XxHash64Partitioner',
  datacenter: 'datacenter1',
  rack: 'rack1',
  seeds: ['127.0.0.1'],
  nativeMaxFrameBytes: 16 * 1024 * 1024,
});

export interface NodeSeams {
  readonly fs: Fs;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger?: Logger;
}

function randomUuid(random: Random): string {
  const b = random.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export class NodeCore {
  private ring: Ring;
  private closed = false;

  private constructor(
    readonly config: NodeConfig,
    readonly seams: NodeSeams,
    readonly engine: StorageEngine,
    readonly schema: SchemaStore,
    readonly partitioner: Partitioner,
    readonly local: Endpoint,
    readonly tokens: readonly bigint[],
    readonly processor: QueryProcessor,
    ring: Ring,
    private readonly logger: Logger,
  ) {
    this.ring = ring;
  }

  static async open(config: NodeConfig, seams: NodeSeams): Promise<NodeCore> {
    const logger = seams.logger ?? silentLogger();
    const { fs, clock, random } = seams;
    validateAddresses(config);
    const partitioner = partitionerByName(config.partitioner);
    const engine = await StorageEngine.open({
      fs,
      clock,
      dataDir: joinPath(config.dataDir, 'data'),
      commitlogSync: config.commitlogSync,
      commitlogSyncPeriodMs: config.commitlogSyncPeriodMs,
      logger,
      // On real disks flushes run beside the event loop; a simulation keeps one thread.
      flushOnWorkerThread: fs instanceof RealFs,
      ...(config.memtableFlushThresholdBytes !== undefined ? { memtableFlushThresholdBytes: config.memtableFlushThresholdBytes } : {}),
      ...(config.commitlogSegmentSizeBytes !== undefined ? { commitlogSegmentSizeBytes: config.commitlogSegmentSizeBytes } : {}),
    });
    try {
      const schema = await SchemaStore.open({ engine, partitioner, clock, logger });
      const stored = readLocalIdentity(engine, partitioner, clock.nowSeconds());
      if (stored !== null && stored.clusterName !== null && stored.clusterName !== config.clusterName) {
        throw new Error(`Saved cluster name ${stored.clusterName} != configured name ${config.clusterName}`);
      }
      const hostId = stored?.hostId ?? randomUuid(random);
      const local = endpoint({ hostId, address: config.broadcastAddress ?? config.listenAddress, datacenter: config.datacenter, rack: config.rack });
      const empty = Ring.create(partitioner, [], { local });
      const tokens = stored?.tokens ?? allocateBalancedTokens(empty, local, config.numTokens, 1);
      const ring = Ring.create(partitioner, [{ endpoint: local, tokens }], { local });
      const coordinator = new LocalCoordinator({ engine, ring: () => ring, local });
      const processor = new QueryProcessor({
        schema,
        coordinator,
        clock,
        random,
        partitioner,
        datacenters: () => ring.datacenters(),
        logger,
      });
      await writeLocalInfo(
        engine,
        partitioner,
        {
          hostId,
          tokens,
          clusterName: config.clusterName,
          datacenter: config.datacenter,
          rack: config.rack,
          listenAddress: config.listenAddress,
          broadcastAddress: config.broadcastAddress ?? config.listenAddress,
          storagePort: config.storagePort,
          rpcAddress: config.broadcastRpcAddress ?? config.rpcAddress,
          nativePort: config.nativePort,
          partitioner: partitioner.name,
          schemaVersion: schema.current().version,
          gossipGeneration: clock.nowSeconds(),
        },
        clock.nowMicros(),
        clock.nowSeconds(),
      );
      const node = new NodeCore(config, seams, engine, schema, partitioner, local, tokens, processor, ring, logger);
      schema.onChange((s) => {
        if (node.closed) return;
        writeSchemaVersion(engine, partitioner, s.version, clock.nowMicros(), clock.nowSeconds()).catch((err: unknown) =>
          logger.error({ err }, 'could not record the schema version in system.local'),
        );
      });
      return node;
    } catch (err) {
      await engine.close({ flush: false }).catch(() => undefined);
      throw err;
    }
  }

  currentRing(): Ring {
    return this.ring;
  }

  /** Flushes memtables (unless told not to) and closes files. */
  async close(options: { flush?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.engine.close({ flush: options.flush ?? true });
    this.logger.info('storage closed');
  }
}
