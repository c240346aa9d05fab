/**
 * Seeded fuzzing of the lexer and parser: 100,000 random and mutated CQL strings. Each one must
 * either parse or throw a CqlError (no other exception, no hang, time linear in the input), and
 * whatever parses must print and re-parse to the same AST.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CqlError, lex, parseScript, parseStatement, parseTypeString, printStatement, typeToString } from '../../src/cql-lite/index.js';
import { SeededRandom } from '../../src/seams/index.js';

const VALID: string[] = (JSON.parse(readFileSync(new URL('./statements.json', import.meta.url), 'utf8')) as Array<[string, string]>).map(([q]) => q);

const SPECIAL = ["'", '"', '$', '$$', '-', '--', '/', '/*', '*/', '*', '(', ')', '[', ']', '{', '}', ',', ';', '.', ':', '?', '=', '<', '>', '!', '+', '\n', '\t', ' ', '0x', 'e', '1', '-1', 'µ'];
const WORDS = [
  'SELECT', 'FROM', 'WHERE', 'AND', 'IN', 'IF', 'NOT', 'EXISTS', 'TOKEN', 'NULL', 'JSON', 'DISTINCT', 'AS', 'COUNT', 'CONTAINS', 'KEY',
  'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', 'USING', 'TTL', 'TIMESTAMP', 'BEGIN', 'BATCH', 'APPLY', 'CREATE', 'TABLE',
  'KEYSPACE', 'PRIMARY', 'STATIC', 'WITH', 'CLUSTERING', 'ORDER', 'BY', 'DESC', 'ASC', 'frozen', 'list', 'map', 'tuple', '<', '>',
  'LIMIT', 'PER', 'PARTITION', 'ALLOW', 'FILTERING', 'NaN', '-Infinity', 'true', '1.5e3', "'s'", '0xff', '?', ':x', '"Q"',
  '123e4567-e89b-12d3-a456-426614174000', '1h30m', '(', ')', ',', '=', '[', ']', '{', '}', ';',
];

function randomChar(r: SeededRandom): string {
  switch (r.int(6)) {
    case 0:
    case 1:
      return String.fromCharCode(32 + r.int(95));
    case 2:
      return SPECIAL[r.int(SPECIAL.length)]!;
    case 3:
      return String.fromCharCode(r.int(0x10000)); // any BMP unit, lone surrogates included
    case 4:
      return String.fromCodePoint(0x10000 + r.int(0x100000));
    default:
      return String.fromCharCode(r.int(32));
  }
}

function tokensOf(s: string): string[] | null {
  try {
    return lex(s)
      .filter((tok) => tok.kind !== 'eof')
      .map((tok) => tok.text);
  } catch {
    return null;
  }
}

function mutate(r: SeededRandom, s: string): string {
  switch (r.int(9)) {
    case 0: {
      // character flips
      const chars = [...s];
      const n = 1 + r.int(3);
      for (let i = 0; i < n && chars.length > 0; i++) chars[r.int(chars.length)] = randomChar(r);
      return chars.join('');
    }
    case 1: {
      const at = r.int(s.length + 1);
      return s.slice(0, at) + randomChar(r) + s.slice(at);
    }
    case 2:
      return s.slice(0, r.int(s.length + 1));
    case 3: {
      const toks = tokensOf(s);
      if (toks === null || toks.length < 2) return s.slice(r.int(s.length + 1));
      const i = r.int(toks.length);
      const j = r.int(toks.length);
      [toks[i], toks[j]] = [toks[j]!, toks[i]!];
      return toks.join(' ');
    }
    case 4: {
      const toks = tokensOf(s);
      if (toks === null || toks.length === 0) return s;
      const i = r.int(toks.length);
      if (r.int(2) === 0) toks.splice(i, 1);
      else toks.splice(i, 0, WORDS[r.int(WORDS.length)]!);
      return toks.join(' ');
    }
    case 5: {
      const other = VALID[r.int(VALID.length)]!;
      return s.slice(0, r.int(s.length + 1)) + other.slice(r.int(other.length + 1));
    }
    case 6: {
      const toks = tokensOf(s);
      if (toks === null || toks.length === 0) return s;
      const i = r.int(toks.length);
      toks.splice(i, 0, ...toks.slice(i, i + 1 + r.int(4)));
      return toks.join(r.int(2) ? ' ' : '');
    }
    case 7: {
      // nesting bombs
      const at = r.int(s.length + 1);
      const open = ['(', '[', '{', 'frozen<', 'f(', '(a, '][r.int(6)]!;
      return s.slice(0, at) + open.repeat(1 + r.int(300)) + s.slice(at);
    }
    default:
      return s.toLowerCase() === s ? s.toUpperCase() : s.toLowerCase();
  }
}

function randomText(r: SeededRandom): string {
  const n = r.int(60);
  let out = '';
  for (let i = 0; i < n; i++) out += r.int(3) === 0 ? WORDS[r.int(WORDS.length)]! + ' ' : randomChar(r);
  return out;
}

const astJson = (x: unknown) => JSON.stringify(x);

t.test('100,000 random and mutated statements: each parses or throws a CqlError, and parsed ones print back to themselves', async (t) => {
  const seed = 0xc0ffee;
  const r = new SeededRandom(seed);
  const N = 100_000;
  const problems: string[] = [];
  let parsed = 0;
  let refused = 0;
  let slowest = 0;
  let slowestInput = '';
  const started = performance.now();
  for (let i = 0; i < N && problems.length < 10; i++) {
    let input: string;
    if (r.int(10) === 0) input = randomText(r);
    else {
      input = VALID[r.int(VALID.length)]!;
      const rounds = 1 + r.int(3);
      for (let k = 0; k < rounds; k++) input = mutate(r, input);
    }
    const t0 = performance.now();
    try {
      const ast = parseStatement(input);
      parsed++;
      const printed = printStatement(ast);
      let again;
      try {
        again = parseStatement(printed);
      } catch (e) {
        problems.push(`#${i}: ${JSON.stringify(input)} printed as ${JSON.stringify(printed)}, which does not parse: ${(e as Error).message}`);
        continue;
      }
      if (astJson(again) !== astJson(ast)) problems.push(`#${i}: ${JSON.stringify(input)} printed as ${JSON.stringify(printed)} re-parses differently`);
      else if (printStatement(again) !== printed) problems.push(`#${i}: ${JSON.stringify(input)} prints unstably`);
    } catch (e) {
      if (e instanceof CqlError) refused++;
      else problems.push(`#${i}: ${JSON.stringify(input)} threw ${(e as Error)?.stack ?? String(e)}`);
    }
    // The script form must hold up too.
    if (i % 10 === 0) {
      try {
        parseScript(input + ';' + input);
      } catch (e) {
        if (!(e instanceof CqlError)) problems.push(`#${i}: parseScript(${JSON.stringify(input)}) threw ${(e as Error)?.stack ?? String(e)}`);
      }
    }
    const took = performance.now() - t0;
    if (took > slowest) {
      slowest = took;
      slowestInput = input;
    }
  }
  const elapsedMs = performance.now() - started;
  t.strictSame(problems, [], `seed ${seed}`);
  t.equal(parsed + refused, N, 'every input was tried');
  t.ok(parsed > 5_000, `${parsed} inputs parsed`);
  t.ok(refused > 50_000, `${refused} inputs refused`);
  t.ok(slowest < 2000, `no input hangs: the slowest took ${slowest.toFixed(1)} ms (${slowestInput.length} chars)`);
  t.ok(elapsedMs < 60_000, `${N} inputs in ${(elapsedMs / 1000).toFixed(1)} s`);
});

t.test('mutated type strings: parse or CqlError, and parsed types print back to themselves', async (t) => {
  const seed = 77;
  const r = new SeededRandom(seed);
  const base = ['map<text, frozen<list<int>>>', 'frozen<tuple<int, text, frozen<set<uuid>>>>', 'list<frozen<map<timeuuid, blob>>>', 'set<varint>'];
  const problems: string[] = [];
  let parsed = 0;
  for (let i = 0; i < 10_000; i++) {
    let s = base[r.int(base.length)]!;
    for (let k = 1 + r.int(2); k > 0; k--) s = mutate(r, s);
    try {
      const type = parseTypeString(s);
      parsed++;
      if (typeToString(parseTypeString(typeToString(type))) !== typeToString(type)) problems.push(`#${i}: ${s}`);
    } catch (e) {
      if (!(e instanceof CqlError)) problems.push(`#${i}: ${JSON.stringify(s)} threw ${(e as Error).stack}`);
    }
  }
  t.strictSame(problems, [], `seed ${seed}`);
  t.ok(parsed > 500, `${parsed} parsed`);
});

t.test('parsing time is linear in the input size', async (t) => {
  // Equal total work, split into one big input or many small ones, timed alternately (best of 5,
  // as the machine is shared). Linear parsing costs about the same either way; quadratic parsing
  // would make the big input hundreds of times slower.
  const best = (f: () => void) => {
    let b = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      f();
      b = Math.min(b, performance.now() - t0);
    }
    return b;
  };
  const compare = (what: string, big: () => void, small: () => void) => {
    big(); // warm up
    small();
    const bigMs = best(big);
    const smallMs = Math.max(best(small), 0.5);
    t.ok(bigMs < smallMs * 6, `${what}: one big input ${bigMs.toFixed(1)} ms vs the same work in small inputs ${smallMs.toFixed(1)} ms`);
  };
  const unit = "SELECT a, b FROM t WHERE k IN (1, 2, 3) AND c > 'x';";
  const script = unit.repeat(5_000);
  compare('a script of 5,000 statements', () => t.equal(parseScript(script).length, 5_000), () => {
    for (let i = 0; i < 5_000; i++) parseStatement(unit);
  });
  const inList = (n: number) => `SELECT * FROM t WHERE k IN (${Array.from({ length: n }, (_, i) => i).join(', ')})`;
  const bigIn = inList(50_000);
  const smallIn = inList(100);
  compare('an IN list of 50,000 terms', () => parseStatement(bigIn), () => {
    for (let i = 0; i < 500; i++) parseStatement(smallIn);
  });
  // A long run of one token kind, the classic trap for backtracking lexers.
  for (const s of ['a'.repeat(200_000), '1'.repeat(200_000), "'" + 'x'.repeat(200_000), '-'.repeat(200_000), '/*'.repeat(100_000)]) {
    const t0 = performance.now();
    try {
      parseStatement(s);
    } catch (e) {
      t.ok(e instanceof CqlError, 'a CqlError');
    }
    t.ok(performance.now() - t0 < 1000, `${s.slice(0, 3)}... x${s.length} is handled quickly`);
  }
});
