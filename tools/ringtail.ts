#!/usr/bin/env node
/**
 * The `ringtail` command line.
 *
 *   ringtail start [--config FILE] [--data DIR] [--listen ADDR] [--native-port N] [--storage-port N] [--admin-port N]
 *
 * Flags override ringtail.yaml (read from --config, else ./ringtail.yaml when present). Logs go to
 * stderr as pino JSON lines; stdout gets one line once clients can connect. SIGINT / SIGTERM stop
 * the node cleanly (requests in flight finish, memtables are flushed, files closed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, DEFAULT_CONFIG, parseConfig, RingtailNode, type NodeConfig } from '../src/node/index.js';
import { createLogger, RealClock, RealFs, RealRandom } from '../src/seams/index.js';

function portArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('not a port number (0-65535)');
  return n;
}

interface StartFlags {
  config?: string;
  data?: string;
  listen?: string;
  nativePort?: number;
  storagePort?: number;
  adminPort?: number;
}

function loadConfig(flags: StartFlags): { config: NodeConfig; unknown: string[]; source: string | null } {
  const path = flags.config ?? (existsSync('ringtail.yaml') ? 'ringtail.yaml' : null);
  let config = DEFAULT_CONFIG;
  let unknown: string[] = [];
  if (path !== null) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
    }
    try {
      ({ config, unknown } = parseConfig(text));
    } catch (err) {
      throw new ConfigError(`${path}: ${(err as Error).message}`);
    }
  }
  const c: { -readonly [K in keyof NodeConfig]: NodeConfig[K] } = { ...config };
  if (flags.data !== undefined) c.dataDir = flags.data;
  if (flags.listen !== undefined) {
    const rpcFollows = c.rpcAddress === c.listenAddress;
    c.listenAddress = flags.listen;
    if (rpcFollows) c.rpcAddress = flags.listen;
  }
  if (flags.nativePort !== undefined) c.nativePort = flags.nativePort;
  if (flags.storagePort !== undefined) c.storagePort = flags.storagePort;
  if (flags.adminPort !== undefined) c.adminPort = flags.adminPort;
  return { config: c, unknown, source: path };
}

async function start(flags: StartFlags): Promise<void> {
  const started = performance.now();
  const logger = createLogger('ringtail');
  const { config, unknown, source } = loadConfig(flags);
  if (unknown.length > 0) logger.warn({ options: unknown, file: source }, 'unknown configuration options ignored');
  const node = await RingtailNode.start(config, { fs: new RealFs(), clock: new RealClock(), random: new RealRandom(), logger });
  const readyMs = Math.round(performance.now() - started);
  logger.info({ readyMs, hostId: node.core.local.hostId, dataDir: config.dataDir }, 'node ready');
  process.stdout.write(`Ringtail ready: CQL clients connect to ${node.nativeAddress} (cluster '${config.clusterName}', data ${config.dataDir}, ${readyMs} ms)\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    node.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const program = new Command('ringtail').description('Ringtail: a Cassandra-style wide-column database').showHelpAfterError();

program
  .command('start')
  .description('start one node and serve CQL (native protocol v4)')
  .option('--config <file>', 'ringtail.yaml to read (default ./ringtail.yaml when present)')
  .option('--data <dir>', 'data directory')
  .option('--listen <addr>', 'listen address (also the CQL address unless rpc_address is set)')
  .option('--native-port <n>', 'CQL native protocol port', portArg)
  .option('--storage-port <n>', 'internode port', portArg)
  .option('--admin-port <n>', 'admin HTTP port', portArg)
  .action(async (flags: StartFlags) => {
    try {
      await start(flags);
    } catch (err) {
      process.stderr.write(`ringtail start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
  });

await program.parseAsync(process.argv);
