// 100,000 random and mutated CQL statements sent over the native protocol to a whole node (real
// server, query processor, schema and storage; the disk and clock simulated for speed). Every
// statement must be answered with a result or a client error — never a server error (0x0000,
// which means an unexpected exception), never a crash, never silence — and a second connection
// must keep getting answers throughout. Seeded: FUZZ_SEED=<n> replays a run.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { lex } from '../../src/cql-lite/index.js';
import { SeededRandom } from '../../src/seams/index.js';
import { NativeServer, Opcode } from '../../src/server/index.js';
import { TestNode } from '../helpers/cql-node.js';
import { parseError, RawClient } from '../server/harness.js';

interface Step {
  cql: string;
}
interface Case {
  schema: string[];
  steps: Step[];
  skip?: string;
}

const TOTAL = Number(process.env.FUZZ_CQL_COUNT ?? 100_000);
const CONNECTIONS = 16;
const seed = Number(process.env.FUZZ_SEED ?? 20261204);

const WORDS = [
  'SELECT', '*', 'FROM', 'WHERE', 'AND', 'IN', 'IF', 'NOT', 'EXISTS', 'NULL', 'DISTINCT', 'COUNT(*)', 'CONTAINS', 'KEY', 'INSERT', 'INTO',
  'VALUES', 'UPDATE', 'SET', 'DELETE', 'USING', 'TTL', 'TIMESTAMP', 'BEGIN', 'BATCH', 'APPLY', 'CREATE', 'TABLE', 'DROP', 'ALTER', 'ADD',
  'PRIMARY', 'STATIC', 'WITH', 'ORDER', 'BY', 'DESC', 'ASC', 'LIMIT', 'PER', 'PARTITION', 'ALLOW', 'FILTERING', 'token', 'writetime',
  'ttl', 'now()', 'uuid()', 'toTimestamp(now())', 'NaN', '-Infinity', 'true', '1.5e3', "'s'", "''", '0xff', '0x', '-1', '0',
  '2147483648', '9223372036854775808', '[1, 2]', '{1: 2}', "{'a', 'b'}", '(1, 2)', '[]', '{}', '?', ':x', '=', '<', '>=', '!=', '+', '-',
  '[0]', '(', ')', ',', ';', 'k', 'c', 'v', 's', 'a', 'b', 'l', 'm',
];

function tokens(s: string): string[] | null {
  try {
    return lex(s)
      .filter((tok) => tok.kind !== 'eof')
      .map((tok) => (tok.kind === 'string' ? `'${tok.text.replace(/'/g, "''")}'` : tok.text));
  } catch {
    return null;
  }
}

function mutate(r: SeededRandom, s: string): string {
  const toks = tokens(s);
  switch (r.int(8)) {
    case 0: {
      const chars = [...s];
      for (let i = 0; i < 1 + r.int(3) && chars.length > 0; i++) chars[r.int(chars.length)] = String.fromCharCode(32 + r.int(95));
      return chars.join('');
    }
    case 1:
      return s.slice(0, r.int(s.length + 1));
    case 2:
      if (toks === null || toks.length === 0) return s;
      toks.splice(r.int(toks.length), 1);
      return toks.join(' ');
    case 3:
      if (toks === null) return s;
      toks.splice(r.int(toks.length + 1), 0, WORDS[r.int(WORDS.length)]!);
      return toks.join(' ');
    case 4:
      if (toks === null || toks.length === 0) return s;
      toks[r.int(toks.length)] = WORDS[r.int(WORDS.length)]!;
      return toks.join(' ');
    case 5: {
      if (toks === null || toks.length < 2) return s;
      const i = r.int(toks.length);
      const j = r.int(toks.length);
      [toks[i], toks[j]] = [toks[j]!, toks[i]!];
      return toks.join(' ');
    }
    case 6:
      // Numbers to other numbers: boundaries, negatives, huge values.
      return s.replace(/\b\d+\b/g, (d) => (r.int(3) === 0 ? ['0', '-1', '2147483647', '99999999999999999999', '1e308', d + d][r.int(6)]! : d));
    default:
      return s;
  }
}

t.test('mutated CQL over the native protocol: always an answer, never a server error', async (t) => {
  const cases = (JSON.parse(readFileSync(new URL('../query/cassandra-cases.json', import.meta.url), 'utf8')) as Case[]).filter((c) => c.skip === undefined);
  const node = await TestNode.open(seed);
  const corpus: { ks: string; cql: string }[] = [];
  for (let i = 0; i < cases.length; i++) {
    const ks = `f${i}`;
    await node.exec(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    node.session = { keyspace: ks };
    for (const s of cases[i]!.schema) await node.exec(s).catch(() => undefined);
    for (const step of cases[i]!.steps) {
      corpus.push({ ks, cql: step.cql });
      // Run the case's own steps but its drops, so the tables and rows the corpus names exist.
      if (!/^\s*(DROP|TRUNCATE)/i.test(step.cql)) await node.exec(step.cql).catch(() => undefined);
    }
  }
  const server = new NativeServer({ handler: node.core.processor, port: 0 });
  await server.start();
  const random = new SeededRandom(seed);
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => RawClient.ready(server.port)));
  const canary = await RawClient.ready(server.port);
  const counts = { result: 0, error: 0, serverErrors: [] as string[] };
  // One statement at a time per connection: USE is per connection, so each keeps to its keyspace.
  let sent = 0;
  const worker = async (c: RawClient, w: number): Promise<void> => {
    let ks = '';
    for (;;) {
      const i = sent++;
      if (i >= TOTAL) return;
      const base = corpus[random.int(corpus.length)]!;
      if (base.ks !== ks) {
        await c.query(`USE ${base.ks}`);
        ks = base.ks;
      }
      const cql = random.int(10) === 0 ? base.cql : mutate(random, base.cql);
      const f = await c.query(cql, { consistency: 1 });
      if (f.opcode === Opcode.RESULT) counts.result++;
      else if (f.opcode === Opcode.ERROR) {
        counts.error++;
        const e = parseError(f);
        if (e.code === 0x0000 && counts.serverErrors.length < 20) counts.serverErrors.push(`[${ks}] ${cql} -> ${e.message}`);
      } else t.fail(`unexpected opcode ${f.opcode} for ${cql}`);
      if (i % 5000 === w) {
        const ok = await canary.query('SELECT cluster_name FROM system.local');
        if (ok.opcode !== Opcode.RESULT) t.fail(`the canary connection got opcode ${ok.opcode}`);
      }
    }
  };
  const started = Date.now();
  await Promise.all(clients.map((c, w) => worker(c, w)));
  t.same(counts.serverErrors, [], `no server errors (seed ${seed})`);
  t.equal(counts.result + counts.error, TOTAL, 'every statement answered');
  t.ok(counts.result > TOTAL / 20, `a fair share of the statements ran (${counts.result} results, ${counts.error} errors)`);
  t.ok(clients.every((c) => !c.closed) && !canary.closed, 'no connection was dropped');
  t.comment(`${TOTAL} statements in ${Date.now() - started} ms: ${counts.result} results, ${counts.error} errors`);
  for (const c of [...clients, canary]) c.destroy();
  await server.close();
  await node.close();
});
