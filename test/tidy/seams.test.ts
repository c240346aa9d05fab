// Everything in src/ reaches time, randomness, timers and files through the seams (DESIGN.md,
// "Seams for testing"), so a simulated cluster is deterministic. This test fails on any direct use
// outside the real seam implementations.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const srcDir = join(root, 'src');

// The real seam adapters are the only places allowed to touch the platform.
const allowed = new Set(['src/seams/real-clock.ts', 'src/seams/real-fs.ts', 'src/seams/real-random.ts']);
// Network adapters may use sockets and timers of their own only through the Clock; the real TCP
// transport and the process entry point are listed here when they exist.
const extraAllowed = [/^src\/net\/real-.*\.ts$/, /^src\/node\/real-.*\.ts$/];

const forbidden: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew Date\s*\(\s*\)/, 'new Date()'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\bsetTimeout\s*\(/, 'setTimeout'],
  [/\bsetInterval\s*\(/, 'setInterval'],
  [/\bsetImmediate\s*\(/, 'setImmediate'],
  [/\bperformance\.now\s*\(/, 'performance.now'],
  [/from\s+['"](node:)?fs(\/promises)?['"]/, 'node:fs import'],
  [/require\(\s*['"](node:)?fs['"]\s*\)/, 'node:fs require'],
];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

export function violations(files: Array<{ path: string; text: string }>): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    if (allowed.has(path) || extraAllowed.some((re) => re.test(path))) continue;
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      for (const [re, what] of forbidden) if (re.test(code)) found.push(`${path}:${i + 1}: ${what}`);
    });
  }
  return found;
}

t.test('the checker itself catches each forbidden call', async (t) => {
  const samples = ['Date.now()', 'Math.random()', 'setTimeout(f, 1)', 'setInterval(f, 1)', "import * as fs from 'node:fs'", "import { readFile } from 'fs/promises'"];
  for (const s of samples) t.equal(violations([{ path: 'src/x/y.ts', text: s }]).length, 1, s);
  t.equal(violations([{ path: 'src/seams/real-clock.ts', text: 'Date.now()' }]).length, 0, 'seam implementations are exempt');
});

t.test('no code under src/ bypasses the Clock, Random and Fs seams', async (t) => {
  const files = walk(srcDir).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
  t.ok(files.length > 0, 'found source files');
  t.same(violations(files), [], 'direct platform calls outside the seams');
});
