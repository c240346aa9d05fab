// A real process writing under `batch` sync is killed with SIGKILL; after reopening its data
// directory, every write it acknowledged is there (and nothing it never wrote).
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, RealFs } from '../../../src/seams/index.js';
import { StorageEngine } from '../../../src/storage/index.js';
import { KILL_TABLE } from '../../fixtures/engine-writer.js';

const fixture = new URL('../../fixtures/engine-writer.ts', import.meta.url).pathname;

/** Runs the writer until it has acknowledged at least `minAcks` writes, then SIGKILLs it. */
function runAndKill(dataDir: string, minAcks: number, flushOnWorkerThread: boolean, firstId: number): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fixture, dataDir, flushOnWorkerThread ? 'worker' : 'event-loop', String(firstId)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Set<number>();
    let buffered = '';
    let stderr = '';
    let killed = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer too slow: ${acked.size} acks in 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (/^\d+$/.test(line)) acked.add(Number(line));
      if (!killed && acked.size >= minAcks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited on its own (code ${code}); stderr: ${stderr}`));
    });
  });
}

t.test('every acknowledged write survives SIGKILL', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringtail-kill-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const allAcked = new Set<number>();
  // Each run numbers its writes from its own million, so a later run never rewrites (and so
  // never hides the loss of) an earlier run's rows. Flushes run on the event loop first, then on
  // the flush worker thread (killed mid-SSTable too).
  const ROUND_IDS = 1_000_000;
  const roundMax: number[] = [];
  for (let round = 0; round < 3; round++) {
    const acked = await runAndKill(dataDir, 3000 + round * 1000, round > 0, round * ROUND_IDS);
    for (const id of acked) allAcked.add(id);
    roundMax.push(Math.max(...acked));
    t.ok(acked.size >= 3000, `round ${round}: the writer acknowledged ${acked.size} writes before being killed`);
  }
  const engine = await StorageEngine.open({ fs: new RealFs(), clock: new RealClock(), dataDir });
  await engine.addTable(KILL_TABLE);
  const found = new Map<number, string>();
  for (const p of engine.scan(KILL_TABLE.id, { after: null, endToken: (1n << 63n) - 1n }, { nowSec: Math.floor(Date.now() / 1000) })) {
    for (const r of p.rows) found.set(r.clustering.readUInt32BE(1), r.cells[0]?.value?.toString() ?? '');
  }
  await engine.close();
  const missing = [...allAcked].filter((id) => found.get(id) !== `v${id}`);
  t.same(missing.slice(0, 10), [], `acknowledged writes missing after SIGKILL (${missing.length} of ${allAcked.size})`);
  // A run may have written (not acknowledged) a few rows past its last ack; anything else is invented.
  const invented = [...found.entries()].filter(([id, v]) => v !== `v${id}` || id % ROUND_IDS > (roundMax[Math.floor(id / ROUND_IDS)] ?? -Infinity) % ROUND_IDS + 64);
  t.same(invented, [], 'nothing appears that was never written');
});
