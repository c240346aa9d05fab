/**
 * A whole node on a real disk (a temporary directory) and a real clock, listening on 127.0.0.1
 * at a free port: what the driver compatibility tests talk to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, RingtailNode, type NodeConfig } from '../../src/node/index.js';
import { RealClock, RealFs, RealRandom, silentLogger } from '../../src/seams/index.js';

export interface RealNodeHandle {
  node: RingtailNode;
  readonly dir: string;
  readonly config: NodeConfig;
  /** Stops the node and starts it again on the same directory and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRealNode(config: Partial<NodeConfig> = {}): Promise<RealNodeHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'ringtail-test-'));
  let cfg: NodeConfig = { ...DEFAULT_CONFIG, dataDir: dir, nativePort: 0, ...config };
  const seams = (): { fs: RealFs; clock: RealClock; random: RealRandom; logger: ReturnType<typeof silentLogger> } => ({
    fs: new RealFs(),
    clock: new RealClock(),
    random: new RealRandom(),
    logger: silentLogger(),
  });
  let node = await RingtailNode.start(cfg, seams());
  // Restarts reuse the port, so a connected driver finds the node where it was.
  cfg = { ...cfg, nativePort: node.nativePort };
  let stopped = false;
  const handle: RealNodeHandle = {
    node,
    dir,
    config: cfg,
    async restart() {
      await node.stop();
      node = await RingtailNode.start(cfg, seams());
      handle.node = node;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Polls `check` until it returns true or the deadline passes. */
export async function pollUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}
