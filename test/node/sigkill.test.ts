// A node process killed with SIGKILL while a driver writes to it (batch commit-log sync): after a
// restart every write the driver saw acknowledged is there, with its value, and the schema too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import cassandra from 'cassandra-driver';

const cli = new URL('../../tools/ringtail.ts', import.meta.url).pathname;

function start(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...process.execArgv, cli, 'start', '--data', dir, '--native-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready within 30 s: ${err.slice(-2000)}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /connect to 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ready: ${err.slice(-2000)}`)));
  });
}

t.test('every acknowledged write survives SIGKILL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringtail-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await start(dir);
  const client = new cassandra.Client({ contactPoints: [`127.0.0.1:${first.port}`], localDataCenter: 'datacenter1', socketOptions: { readTimeout: 5000 } });
  await client.execute("CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await client.execute('CREATE TABLE k.acked (id int, part int, v text, PRIMARY KEY (part, id))');
  const acked = new Map<number, string>();
  let next = 0;
  let killed = false;
  const exited = new Promise<void>((resolve) => first.child.once('exit', () => resolve()));
  const writer = async (): Promise<void> => {
    while (!killed && next < 100_000) {
      const id = next++;
      const v = `value-${id}-${'x'.repeat(id % 50)}`;
      try {
        await client.execute('INSERT INTO k.acked (part, id, v) VALUES (?, ?, ?)', [id % 16, id, v], { prepare: true });
        if (!killed) acked.set(id, v);
      } catch {
        return; // the node is gone
      }
    }
  };
  const writers = Array.from({ length: 32 }, writer);
  // Kill mid-stream, once a good number of writes were acknowledged.
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < 6000 && acked.size < 3000 && Date.now() < deadline; i++) await new Promise((r) => setTimeout(r, 10));
  const ackedBeforeKill = new Map(acked);
  first.child.kill('SIGKILL');
  killed = true;
  await exited;
  await Promise.all(writers);
  await client.shutdown().catch(() => undefined);
  t.ok(ackedBeforeKill.size >= 1000, `${ackedBeforeKill.size} writes acknowledged before the kill`);

  const second = await start(dir);
  const reader = new cassandra.Client({ contactPoints: [`127.0.0.1:${second.port}`], localDataCenter: 'datacenter1' });
  const found = new Map<number, string>();
  for (let part = 0; part < 16; part++) {
    const rs = await reader.execute('SELECT id, v FROM k.acked WHERE part = ?', [part], { prepare: true, fetchSize: 100_000 });
    for (const r of rs.rows) found.set(r['id'] as number, r['v'] as string);
  }
  const missing = [...ackedBeforeKill.keys()].filter((id) => found.get(id) !== ackedBeforeKill.get(id));
  t.same(missing.slice(0, 20), [], `every acknowledged write is there (${missing.length} missing of ${ackedBeforeKill.size})`);
  t.ok([...found.keys()].every((id) => id < next), 'nothing appears that was never written');
  await reader.shutdown();
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});
