// The DataStax Python driver (Debian's python3-cassandra) against a Ringtail node started here:
// protocol negotiation down to v4, peers_v2 and system_schema reads at connect, prepared and
// paged queries, a batch, table metadata. Skipped, with the reason, where the driver is missing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startRealNode } from '../helpers/real-node.js';

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

async function findPython(): Promise<string | null> {
  // Debian's package installs for the system interpreter, which may not be the first python3 on PATH.
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    const r = await run(candidate, ['-c', 'import cassandra'], 20_000);
    if (r.code === 0) return candidate;
  }
  return null;
}

const python = await findPython();

t.test('the Python driver connects, writes, pages and reads metadata', { skip: python === null ? 'python3-cassandra is not installed (.ci/run installs it with apt-get)' : false }, async (t) => {
  if (python === null) return;
  const handle = await startRealNode();
  t.teardown(() => handle.stop());
  const script = fileURLToPath(new URL('./python_smoke.py', import.meta.url));
  const r = await run(python, [script, String(handle.node.nativePort)], 120_000);
  t.equal(r.code, 0, r.stderr.slice(-3000));
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  t.equal(out['protocol_version'], 4, 'negotiated down to v4');
  t.equal(out['rows'], 251, 'every row, across pages of 40');
  t.same(out['first'], [0, 'renamed', ['all', 't0'], { n: 0 }]);
  t.same(out['last'], [1000, 'batched']);
  t.equal(out['prepared'], 'name-42');
  t.same(out['partition_key'], ['id']);
  t.same(out['clustering_key'], ['seq']);
  t.same(out['columns'], ['attrs', 'id', 'name', 'seq', 'tags']);
  t.match(out['cql'], /^CREATE TABLE py\.items/);
  t.same(out['hosts'], ['127.0.0.1']);
  t.equal(out['error'], 'InvalidRequest');
});
