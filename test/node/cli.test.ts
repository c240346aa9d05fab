// `ringtail start` as a real process: the ready line, a driver session, a clean stop on SIGTERM
// (memtables flushed, exit 0), data and schema back after a restart, bad configuration refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import cassandra from 'cassandra-driver';

const cli = new URL('../../tools/ringtail.ts', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  port: number;
  readyLine: string;
  stderr: () => string;
}

function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [...process.execArgv, cli, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s; stderr: ${err.slice(-2000)}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /connect to 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), readyLine: out.trim(), stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready; stderr: ${err.slice(-2000)}`));
    });
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

t.test('start, serve a driver, stop cleanly on SIGTERM, restart with the data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringtail-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await start(['--data', dir, '--native-port', '0', '--listen', '127.0.0.1']);
  t.match(first.readyLine, /^Ringtail ready: CQL clients connect to 127\.0\.0\.1:\d+ \(cluster 'Test Cluster', data .*, \d+ ms\)$/, 'one ready line');
  let client = new cassandra.Client({ contactPoints: [`127.0.0.1:${first.port}`], localDataCenter: 'datacenter1' });
  await client.execute("CREATE KEYSPACE cli WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await client.execute('CREATE TABLE cli.kv (k int PRIMARY KEY, v text)');
  for (let i = 0; i < 50; i++) await client.execute('INSERT INTO cli.kv (k, v) VALUES (?, ?)', [i, `v${i}`], { prepare: true });
  await client.shutdown();
  first.child.kill('SIGTERM');
  t.equal(await exited(first.child, 20_000), 0, 'exit status 0 after SIGTERM');
  t.match(first.stderr(), /"msg":"stopped"/, 'the stop is logged');

  const second = await start(['--data', dir, '--native-port', '0']);
  t.notMatch(second.stderr(), /"msg":"commit log replayed"/, 'nothing to replay: the stop flushed every memtable');
  client = new cassandra.Client({ contactPoints: [`127.0.0.1:${second.port}`], localDataCenter: 'datacenter1' });
  const r = await client.execute('SELECT count(*) FROM cli.kv');
  t.equal(r.rows[0]!['count'].toNumber(), 50);
  t.equal((await client.execute('SELECT v FROM cli.kv WHERE k = 7')).rows[0]!['v'], 'v7');
  await client.shutdown();
  second.child.kill('SIGINT');
  t.equal(await exited(second.child, 20_000), 0, 'exit status 0 after SIGINT');
});

t.test('configuration errors stop the start with a clear message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringtail-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'ringtail.yaml');
  writeFileSync(config, 'commitlog_sync: sometimes\n');
  const child = spawn(process.execPath, [...process.execArgv, cli, 'start', '--config', config, '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  t.equal(await exited(child, 30_000), 1);
  t.match(err, /commitlog_sync must be batch or periodic, got "sometimes"/);
  const bad = spawn(process.execPath, [...process.execArgv, cli, 'start', '--native-port', '99999'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let badErr = '';
  bad.stderr!.on('data', (d: Buffer) => (badErr += d.toString()));
  t.not(await exited(bad, 30_000), 0);
  t.match(badErr, /not a port number/);
});
