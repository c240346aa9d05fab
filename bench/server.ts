// bench:server — one Ringtail node in its own process (`ringtail start`, batch commit-log sync),
// the DataStax Node.js driver in this one, 128 requests in flight: prepared INSERT of a 100-byte
// text value, prepared SELECT by partition key, a 10-row clustering slice. Each case runs 10 s
// after a 2 s warm-up. Also: time from spawning the node to its ready line on an empty data
// directory, and its resident memory once idle.
//
// BENCH_SECONDS / BENCH_WARMUP_SECONDS shorten the runs; BENCH_PROFILE=1 writes a CPU profile of
// the node process (--cpu-prof) into the data directory's parent.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cassandra from 'cassandra-driver';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const IN_FLIGHT = 128;
const PORT = Number(process.env.BENCH_PORT ?? 19142);
const SLICE_PARTITIONS = 1000;
const SLICE_ROWS = 100;

interface CaseResult {
  name: string;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time used per second of the measured run, by this (driver) process and by the node. */
  driverCpu: number;
  nodeCpu: number;
}

/** User + system CPU seconds a process has used so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

let nodePid = 0;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function startNode(dataDir: string, profileDir: string | null): Promise<{ child: ChildProcess; startupMs: number }> {
  const cli = fileURLToPath(new URL('../tools/ringtail.js', import.meta.url));
  const args = [...(profileDir !== null ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), cli, 'start', '--data', dataDir, '--native-port', String(PORT), '--listen', '127.0.0.1', ...(process.env.BENCH_CONFIG ? ['--config', process.env.BENCH_CONFIG] : [])];
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RINGTAIL_LOG_LEVEL: 'warn' } });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  const startupMs = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ringtail ready')) resolve(performance.now() - started);
    });
    child.once('exit', (code) => reject(new Error(`the node exited (${code}) before it was ready`)));
  });
  return { child, startupMs };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m === null ? NaN : Number(m[1]) / 1024;
}

async function runCase(name: string, op: (i: number) => Promise<unknown>): Promise<CaseResult> {
  let stop = false;
  let measuring = false;
  let count = 0;
  let latencies = new Float64Array(1 << 20);
  let n = 0;
  let i = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const t0 = performance.now();
      await op(i++);
      if (measuring) {
        const d = performance.now() - t0;
        if (n === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[n++] = d;
        count++;
      }
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  measuring = true;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const nodeCpu0 = cpuSeconds(nodePid);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const driverCpu = (cpu.user + cpu.system) / 1e6 / elapsed;
  const nodeCpu = (cpuSeconds(nodePid) - nodeCpu0) / elapsed;
  stop = true;
  await Promise.all(workers);
  const sorted = latencies.subarray(0, n).sort();
  return { name, opsPerSec: count / elapsed, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), driverCpu, nodeCpu };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ringtail-bench-server-'));
  const dataDir = join(root, 'node');
  const { child, startupMs } = await startNode(dataDir, process.env.BENCH_PROFILE ? root : null);
  nodePid = child.pid!;
  const client = new cassandra.Client({ contactPoints: [`127.0.0.1:${PORT}`], localDataCenter: 'datacenter1' });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idleRssMb = rssMb(child.pid!);
    await client.connect();
    await client.execute("CREATE KEYSPACE bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await client.execute('CREATE TABLE bench.kv (k int PRIMARY KEY, v text)');
    await client.execute('CREATE TABLE bench.slices (p int, c int, v text, PRIMARY KEY (p, c))');
    const value = 'x'.repeat(100);
    const fill: [number, number, string][] = [];
    for (let p = 0; p < SLICE_PARTITIONS; p++) for (let c = 0; c < SLICE_ROWS; c++) fill.push([p, c, value]);
    await cassandra.concurrent.executeConcurrent(client, 'INSERT INTO bench.slices (p, c, v) VALUES (?, ?, ?)', fill, { concurrencyLevel: IN_FLIGHT });

    const results: CaseResult[] = [];
    const KEYS = 1_000_000;
    // BENCH_ONLY=insert|select|slice runs one case (for profiling); the others report 0.
    const only = process.env.BENCH_ONLY;
    const skipped = (name: string): CaseResult => ({ name, opsPerSec: 0, p50Ms: NaN, p99Ms: NaN, driverCpu: NaN, nodeCpu: NaN });
    const cases: [string, string, (i: number) => Promise<unknown>][] = [
      ['insert', 'prepared INSERT, 100-byte text', (i) => client.execute('INSERT INTO bench.kv (k, v) VALUES (?, ?)', [(i * 7919) % KEYS, value], { prepare: true })],
      ['select', 'prepared SELECT by partition key', (i) => client.execute('SELECT v FROM bench.kv WHERE k = ?', [(i * 7919) % KEYS], { prepare: true })],
      [
        'slice',
        'clustering slice of 10 rows',
        (i) => {
          const p = (i * 31) % SLICE_PARTITIONS;
          const c = (i * 7) % (SLICE_ROWS - 10);
          return client.execute('SELECT c, v FROM bench.slices WHERE p = ? AND c >= ? AND c < ?', [p, c, c + 10], { prepare: true });
        },
      ],
    ];
    for (const [key, name, op] of cases) results.push(only === undefined || only === key ? await runCase(name, op) : skipped(name));
    const loadedRssMb = rssMb(child.pid!);

    const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    console.log(`\nbench:server — DataStax Node.js driver, ${IN_FLIGHT} in flight, ${SECONDS} s per case after ${WARMUP_SECONDS} s warm-up, batch commit-log sync\n`);
    console.log('case                                    ops/s     p50 ms   p99 ms   driver CPU   node CPU');
    for (const r of results) {
      console.log(`${r.name.padEnd(36)} ${fmt(r.opsPerSec).padStart(9)} ${fmt(r.p50Ms, 2).padStart(10)} ${fmt(r.p99Ms, 2).padStart(8)} ${fmt(r.driverCpu * 100).padStart(11)}% ${fmt(r.nodeCpu * 100).padStart(9)}%`);
    }
    console.log(`\nstartup (spawn to ready, empty data directory)  ${fmt(startupMs)} ms`);
    console.log(`node RSS idle / after the run                   ${fmt(idleRssMb, 1)} MB / ${fmt(loadedRssMb, 1)} MB\n`);
    const [ins, sel, sli] = results as [CaseResult, CaseResult, CaseResult];
    console.log(
      JSON.stringify({
        insert_ops_s: Math.round(ins.opsPerSec),
        select_ops_s: Math.round(sel.opsPerSec),
        slice_ops_s: Math.round(sli.opsPerSec),
        insert_p99_ms: Number(ins.p99Ms.toFixed(2)),
        select_p99_ms: Number(sel.p99Ms.toFixed(2)),
        startup_ms: Math.round(startupMs),
        idle_rss_mb: Number(idleRssMb.toFixed(1)),
      }),
    );
  } finally {
    await client.shutdown();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (!process.env.BENCH_PROFILE) rmSync(root, { recursive: true, force: true });
    else console.error(`profile and data kept in ${root}`);
  }
}

await main();
