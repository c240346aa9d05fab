// Conformance cases taken from Apache Cassandra's own CQL tests (cassandra-cases.json, with the
// test each case comes from): the same statements must give the same rows, in the same order, or
// the same error class and message. Each case runs in a fresh keyspace on one node.
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { CqlError, ErrorCode } from '../../src/cql-lite/index.js';
import { TestNode } from '../helpers/cql-node.js';

interface Step {
  cql: string;
  /** A behaviour Ringtail does not have yet: the step is reported as skipped with this reason. */
  skip?: string;
  rows?: string[][];
  columns?: string[];
  unordered?: boolean;
  error?: { code: string; message: string };
}
interface Case {
  name: string;
  source: string;
  schema: string[];
  steps: Step[];
  skip?: string;
}

const CODES: Record<string, number> = {
  SyntaxError: ErrorCode.SYNTAX_ERROR,
  Invalid: ErrorCode.INVALID,
  AlreadyExists: ErrorCode.ALREADY_EXISTS,
  ConfigurationException: ErrorCode.CONFIG_ERROR,
  Unavailable: ErrorCode.UNAVAILABLE,
};

// Every cassandra-cases*.json beside this file (CASES_FILE=<path> runs just one file).
const files = process.env.CASES_FILE !== undefined ? [process.env.CASES_FILE] : readdirSync(new URL('.', import.meta.url)).filter((f) => /^cassandra-cases.*\.json$/.test(f)).map((f) => new URL(f, import.meta.url).pathname);
const cases = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as Case[]);
const only = process.env.CASE;

t.test('Cassandra conformance cases', async (t) => {
  const node = await TestNode.open(11);
  let n = 0;
  for (const c of cases) {
    if (only !== undefined && !c.name.includes(only)) continue;
    if (c.skip !== undefined) continue;
    const ks = `case${++n}`;
    await t.test(`${c.name} (${c.source})`, async (t) => {
      node.session = { keyspace: null };
      await node.exec(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
      await node.exec(`USE ${ks}`);
      for (const s of c.schema) await node.exec(s);
      for (const step of c.steps) {
        if (step.skip !== undefined) {
          t.pass(step.cql, { skip: step.skip });
          continue;
        }
        if (step.error !== undefined) {
          let err: unknown = null;
          try {
            await node.exec(step.cql);
          } catch (e) {
            err = e;
          }
          if (!(err instanceof CqlError)) {
            t.fail(`${step.cql}: expected ${step.error.code} "${step.error.message}", got ${err === null ? 'success' : String(err)}`);
            continue;
          }
          t.equal(err.code, CODES[step.error.code], `${step.cql}: error code (${err.message})`);
          t.ok(err.message.includes(step.error.message), `${step.cql}: message\n  expected to contain: ${step.error.message}\n  got: ${err.message}`);
          continue;
        }
        let r;
        try {
          r = await node.exec(step.cql);
        } catch (e) {
          t.fail(`${step.cql}: ${(e as Error).message}`);
          continue;
        }
        if (step.columns !== undefined) t.same(r.columns, step.columns, `${step.cql}: columns`);
        if (step.rows !== undefined) {
          const got = step.unordered ? [...r.rows].sort() : r.rows;
          const want = step.unordered ? [...step.rows].sort() : step.rows;
          t.same(got, want, `${step.cql}: rows`);
        }
      }
      await node.exec(`DROP KEYSPACE ${ks}`);
    });
  }
  await node.close();
});
