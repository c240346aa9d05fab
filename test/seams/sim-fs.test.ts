import t from 'tap';
import { SeededRandom, SimFs, writeFileAtomic } from '../../src/seams/index.js';

t.test('unsynced bytes are lost on crash; synced bytes survive', async (t) => {
  const fs = new SimFs(new SeededRandom(1));
  fs.mkdirp('/d');
  const f = fs.create('/d/a');
  await fs.syncDir('/d');
  f.write(Buffer.from('hello'));
  await f.sync();
  f.write(Buffer.from('world'));
  fs.crash({ tornWrites: false });
  t.equal(fs.readFile('/d/a').toString(), 'hello');
  t.throws(() => f.write(Buffer.from('x')), /before a crash/);
});

t.test('a torn write keeps a prefix of the unsynced tail', async (t) => {
  const seen = new Set<number>();
  for (let seed = 0; seed < 50; seed++) {
    const fs = new SimFs(new SeededRandom(seed));
    fs.mkdirp('/d');
    const f = fs.create('/d/a');
    await fs.syncDir('/d');
    f.write(Buffer.from('abc'));
    await f.sync();
    f.write(Buffer.from('defgh'));
    fs.crash();
    const s = fs.readFile('/d/a').toString();
    t.ok('abcdefgh'.startsWith(s) && s.length >= 3, `prefix kept: ${s}`);
    seen.add(s.length);
  }
  t.ok(seen.size > 2, 'different seeds tear at different points');
});

t.test('a name is durable only after its directory is synced', async (t) => {
  const fs = new SimFs(new SeededRandom(2));
  fs.mkdirp('/d');
  const f = fs.create('/d/a');
  f.write(Buffer.from('x'));
  await f.sync();
  fs.crash();
  t.notOk(fs.exists('/d/a'), 'created but directory never synced');

  await writeFileAtomic(fs, '/d/b', Buffer.from('data'));
  fs.rename('/d/b', '/d/c');
  fs.crash();
  t.ok(fs.exists('/d/b') && !fs.exists('/d/c'), 'rename without syncDir is undone');
  t.equal(fs.readFile('/d/b').toString(), 'data');
});
