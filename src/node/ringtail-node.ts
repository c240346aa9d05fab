/**
 * A running node: the node core plus its native protocol listener. start() resolves once clients
 * can connect; stop() stops accepting, lets requests in flight finish, then flushes and closes
 * the storage so the next start replays nothing.
 */
import { NativeServer } from '../server/index.js';
import { NodeCore, type NodeConfig, type NodeSeams } from './node.js';

export class RingtailNode {
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly core: NodeCore,
    readonly server: NativeServer,
  ) {}

  static async start(config: NodeConfig, seams: NodeSeams): Promise<RingtailNode> {
    const core = await NodeCore.open(config, seams);
    const server = new NativeServer({
      handler: core.processor,
      host: config.rpcAddress,
      port: config.nativePort,
      clock: seams.clock,
      maxFrameBytes: config.nativeMaxFrameBytes,
      ...(seams.logger !== undefined ? { logger: seams.logger } : {}),
    });
    try {
      await server.start();
    } catch (err) {
      await core.close();
      throw err;
    }
    return new RingtailNode(core, server);
  }

  get nativeAddress(): string {
    return `${this.server.host}:${this.server.port}`;
  }

  get nativePort(): number {
    return this.server.port;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.server.close();
      await this.core.close();
    })();
    return this.stopping;
  }
}
