// SSTable components are written with RealFs's background writes (AppendFile.writeDetached): the
// bytes must land exactly where plain writes would put them, in any mix and order of completion,
// sync() must cover them, and close() must wait for them.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealFs, SeededRandom } from '../../../src/seams/index.js';
import { SSTableWriter } from '../../../src/storage/sstable/index.js';
import { FULL_SLICE } from '../../../src/storage/model/types.js';
import { canon, randomPartitions } from './model.js';

const root = mkdtempSync(join(tmpdir(), 'ringtail-detached-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const fs = new RealFs();

t.test('a mix of plain and background writes reads back in order after sync', async (t) => {
  const r = new SeededRandom(71);
  const path = join(root, 'mixed');
  const f = fs.create(path);
  t.ok(f.writeDetached !== undefined, 'RealFs writes in the background');
  const expected: Buffer[] = [];
  for (let i = 0; i < 400; i++) {
    const b = r.bytes(1 + r.int(r.int(10) === 0 ? 300_000 : 2000));
    expected.push(Buffer.from(b));
    if (r.int(3) === 0) f.write(b);
    else f.writeDetached!(b);
  }
  const total = expected.reduce((n, b) => n + b.length, 0);
  t.equal(f.sizeBytes, total, 'sizeBytes counts background writes at once');
  await f.sync();
  f.close();
  t.ok(readFileSync(path).equals(Buffer.concat(expected)), 'every byte where it belongs');
});

t.test('close() with background writes in flight lets them finish', async (t) => {
  const path = join(root, 'closing');
  const f = fs.create(path);
  const parts = Array.from({ length: 20 }, (_, i) => Buffer.alloc(512 * 1024, i));
  for (const p of parts) f.writeDetached!(p);
  f.close();
  // The descriptor closes once they are done; poll (up to 20 s, a loaded machine) until it has.
  const expected = Buffer.concat(parts);
  for (let i = 0; i < 2000 && !readFileSync(path).equals(expected); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.ok(readFileSync(path).equals(expected), 'all of it was written');
});

t.test('an SSTable written on RealFs reads back whole', async (t) => {
  const r = new SeededRandom(72);
  const parts = randomPartitions(r, { partitions: 3000, wideChance: 0.01, wideRows: [500, 900] });
  const w = new SSTableWriter(fs, join(root, 'ks', 't-1'), 1, { writeBufferBytes: 64 * 1024 });
  for (const p of parts) w.append(p);
  const reader = await w.finish();
  t.ok(parts.every((p) => canon(reader.readPartition(p.key, p.token, FULL_SLICE, Infinity, false)) === canon(p)), 'every partition');
  t.doesNotThrow(() => reader.verify());
  reader.close();
});
