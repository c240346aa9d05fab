/**
 * The CQL lexer: one pass over the text, char codes only (no regular expressions), every token
 * with its line and column. Follows Cassandra's Lexer.g:
 *
 *   IDENT      letter (letter | digit | '_')*          keywords are IDENTs, compared upper-cased
 *   QUOTED     '"' (char | '""')* '"'                   case kept, "" is a quote
 *   STRING     '\'' (char | '\'\'')* '\''  |  '$$' ... '$$'
 *   INTEGER    '-'? digit+
 *   FLOAT      INTEGER ('.' digit*)? exponent?  (with a '.' or an exponent) | NaN | Infinity | -NaN | -Infinity
 *   BOOLEAN    true | false (any case)
 *   UUID       8-4-4-4-12 hex digits
 *   HEX        '0' [xX] hexdigit*
 *   DURATION   '-'? (digit+ unit)+   unit: y mo w d h m s ms us µs ns (any case)
 *   punctuation ( ) [ ] { } , ; . : ? = < <= > >= != + - * / % += -=
 *   comments   -- ... | // ... (to end of line) | /* ... *\/ ; whitespace: space, tab, CR, LF
 *
 * A '-' directly followed by a digit is part of the number (as in Cassandra): `c = c -1` lexes as
 * [c, =, c, -1]; the parser knows that form.
 */
import { CqlSyntaxError } from './errors.js';

export type TokenKind =
  | 'ident'
  | 'quoted'
  | 'string'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'uuid'
  | 'hex'
  | 'duration'
  | 'punct'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The token's source text. */
  readonly text: string;
  /**
   * ident: the text upper-cased (keyword tests); quoted / string: the unescaped content;
   * float: NaN / Infinity / -Infinity normalized, else the text; boolean: 'true' / 'false';
   * punct: the punctuation; others: the text.
   */
  readonly value: string;
  /** Offsets into the source, [start, end). */
  readonly start: number;
  readonly end: number;
  /** 1-based line, 0-based column (Cassandra's error convention). */
  readonly line: number;
  readonly col: number;
}

/** Cassandra's reserved keywords (reserved_keywords.txt) plus the literal words that lex specially. */
export const RESERVED_KEYWORDS: ReadonlySet<string> = new Set([
  'ADD', 'ALLOW', 'ALTER', 'AND', 'APPLY', 'ASC', 'AUTHORIZE', 'BATCH', 'BEGIN', 'BY', 'COLUMNFAMILY',
  'CREATE', 'DELETE', 'DESC', 'DESCRIBE', 'DROP', 'ENTRIES', 'EXECUTE', 'FROM', 'FULL', 'GRANT', 'IF',
  'IN', 'INDEX', 'INFINITY', 'INSERT', 'INTO', 'IS', 'KEYSPACE', 'LIMIT', 'MATERIALIZED', 'MODIFY',
  'NAN', 'NORECURSIVE', 'NOT', 'NULL', 'OF', 'ON', 'OR', 'ORDER', 'PRIMARY', 'RENAME', 'REVOKE',
  'SCHEMA', 'SELECT', 'SET', 'TABLE', 'TO', 'TOKEN', 'TRUNCATE', 'UNLOGGED', 'UPDATE', 'USE', 'USING',
  'VIEW', 'WHERE', 'WITH', 'TRUE', 'FALSE',
]);

/**
 * Unreserved words this parser reads by position, which a printer quotes when they name a column
 * so that printed text cannot be read back differently (`SELECT json FROM t` vs `SELECT JSON ...`).
 */
const PRINT_QUOTED = new Set(['json', 'distinct', 'as']);

/** The identifier as it must be written in CQL: bare when it reads back as itself, else quoted. */
export function quoteIdentifier(name: string): string {
  if (isPlainIdentifier(name) && !RESERVED_KEYWORDS.has(name.toUpperCase()) && !PRINT_QUOTED.has(name)) {
    return name;
  }
  return '"' + name.replace(/"/g, '""') + '"';
}

function isPlainIdentifier(name: string): boolean {
  if (name.length === 0) return false;
  const c0 = name.charCodeAt(0);
  if (c0 < 0x61 || c0 > 0x7a) return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

/** A string literal in CQL: single-quoted, quotes doubled. */
export function quoteString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

const CH_TAB = 9, CH_LF = 10, CH_CR = 13, CH_SPACE = 32;
const CH_DQUOTE = 34, CH_DOLLAR = 36, CH_QUOTE = 39, CH_STAR = 42, CH_PLUS = 43;
const CH_MINUS = 45, CH_DOT = 46, CH_SLASH = 47, CH_0 = 48, CH_9 = 57;
const CH_EQ = 61, CH_GT = 62, CH_LT = 60, CH_BANG = 33, CH_MICRO = 0xb5;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}
function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isIdentChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x5f;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

const SINGLE_PUNCT = new Set('()[]{},;.:?=+-*/%<>');

/** Lexes the whole text; throws CqlSyntaxError at the first character that starts no token. */
export function lex(src: string): Token[] {
  const lexer = new Lexer(src);
  const out: Token[] = [];
  for (;;) {
    const t = lexer.next();
    out.push(t);
    if (t.kind === 'eof') return out;
  }
}

/**
 * Tokens on demand, so that a parser holds only its lookahead: a long script never has all its
 * tokens alive at once. After the end, next() keeps returning the EOF token.
 */
export class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly src: string) {}

  private fail(at: number, detail: string): never {
    // `at` may lie on a later line than the token start (an unterminated string): count from there.
    let l = this.line;
    let ls = this.lineStart;
    for (let k = this.lineStart; k < at && k < this.src.length; k++) {
      if (this.src.charCodeAt(k) === CH_LF) {
        l++;
        ls = k + 1;
      }
    }
    throw new CqlSyntaxError(l, at - ls, detail);
  }

  /** Advances line bookkeeping over [from, to), for tokens and comments that may span lines. */
  private crossLines(from: number, to: number): void {
    for (let k = from; k < to; k++) {
      if (this.src.charCodeAt(k) === CH_LF) {
        this.line++;
        this.lineStart = k + 1;
      }
    }
  }

  private token(kind: TokenKind, start: number, end: number, value: string, line: number, col: number): Token {
    this.i = end;
    return { kind, text: this.src.slice(start, end), value, start, end, line, col };
  }

  /** Skips whitespace and comments; false at the end of the text. */
  private skipBlanks(): boolean {
    const src = this.src;
    const n = src.length;
    while (this.i < n) {
      const c = src.charCodeAt(this.i);
      if (c === CH_SPACE || c === CH_TAB || c === CH_CR) {
        this.i++;
        continue;
      }
      if (c === CH_LF) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
        continue;
      }
      const c1 = this.i + 1 < n ? src.charCodeAt(this.i + 1) : -1;
      if ((c === CH_MINUS && c1 === CH_MINUS) || (c === CH_SLASH && c1 === CH_SLASH)) {
        this.i += 2;
        while (this.i < n && src.charCodeAt(this.i) !== CH_LF && src.charCodeAt(this.i) !== CH_CR) this.i++;
        continue;
      }
      if (c === CH_SLASH && c1 === CH_STAR) {
        const close = src.indexOf('*/', this.i + 2);
        if (close < 0) this.fail(n, "mismatched character '<EOF>' expecting '*'");
        this.crossLines(this.i, close + 2);
        this.i = close + 2;
        continue;
      }
      return true;
    }
    return false;
  }

  /** A quoted run ('...' or "...") with the quote doubled inside; returns [end, unescaped content]. */
  private quoted(start: number, q: string, qc: number): [number, string] {
    const src = this.src;
    let j = start + 1;
    let value = '';
    let segment = j;
    for (;;) {
      const at = src.indexOf(q, j);
      if (at < 0) this.fail(src.length, `mismatched character '<EOF>' expecting '${q}'`);
      if (at + 1 < src.length && src.charCodeAt(at + 1) === qc) {
        value += src.slice(segment, at + 1);
        j = at + 2;
        segment = j;
        continue;
      }
      return [at + 1, value + src.slice(segment, at)];
    }
  }

  next(): Token {
    const src = this.src;
    const n = src.length;
    if (!this.skipBlanks()) return { kind: 'eof', text: '<EOF>', value: '', start: n, end: n, line: this.line, col: n - this.lineStart };
    const i = this.i;
    const line = this.line;
    const col = i - this.lineStart;
    const c = src.charCodeAt(i);
    const c1 = i + 1 < n ? src.charCodeAt(i + 1) : -1;

    // Strings and quoted names (which may span lines).
    if (c === CH_QUOTE || c === CH_DQUOTE) {
      const [end, value] = c === CH_QUOTE ? this.quoted(i, "'", CH_QUOTE) : this.quoted(i, '"', CH_DQUOTE);
      const tok = this.token(c === CH_QUOTE ? 'string' : 'quoted', i, end, value, line, col);
      this.crossLines(i, end);
      return tok;
    }
    if (c === CH_DOLLAR) {
      if (c1 !== CH_DOLLAR) this.fail(i, "no viable alternative at character '$'");
      const close = src.indexOf('$$', i + 2);
      if (close < 0) this.fail(n, "mismatched character '<EOF>' expecting '$'");
      const tok = this.token('string', i, close + 2, src.slice(i + 2, close), line, col);
      this.crossLines(i, close + 2);
      return tok;
    }

    // UUIDs (before numbers and identifiers: they may start with either).
    if (isHex(c) && i + 36 <= n && matchesUuid(src, i)) return this.token('uuid', i, i + 36, src.slice(i, i + 36), line, col);

    // Numbers, hex blobs, durations, -NaN / -Infinity.
    if (isDigit(c) || (c === CH_MINUS && isDigit(c1))) {
      if (c === CH_0 && (c1 === 0x78 || c1 === 0x58)) {
        let j = i + 2;
        while (j < n && isHex(src.charCodeAt(j))) j++;
        return this.token('hex', i, j, src.slice(i, j), line, col);
      }
      let j = c === CH_MINUS ? i + 1 : i;
      while (j < n && isDigit(src.charCodeAt(j))) j++;
      let isFloat = false;
      // '1..2' is a range of integers (a collection slice), not the float '1.' then '.2'.
      if (j < n && src.charCodeAt(j) === CH_DOT && !(j + 1 < n && src.charCodeAt(j + 1) === CH_DOT)) {
        isFloat = true;
        j++;
        while (j < n && isDigit(src.charCodeAt(j))) j++;
      }
      const e = exponentEnd(src, j);
      if (e > j) {
        isFloat = true;
        j = e;
      }
      if (!isFloat) {
        const d = durationEnd(src, j);
        if (d > j) return this.token('duration', i, d, src.slice(i, d), line, col);
      }
      return this.token(isFloat ? 'float' : 'integer', i, j, src.slice(i, j), line, col);
    }
    if (c === CH_MINUS && isLetter(c1)) {
      const special = matchWordCI(src, i + 1, 'nan') ? 3 : matchWordCI(src, i + 1, 'infinity') ? 8 : 0;
      if (special > 0) return this.token('float', i, i + 1 + special, special === 3 ? 'NaN' : '-Infinity', line, col);
    }

    // Identifiers, keywords, booleans, NaN / Infinity.
    if (isLetter(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(src.charCodeAt(j))) j++;
      const upper = src.slice(i, j).toUpperCase();
      if (upper === 'TRUE' || upper === 'FALSE') return this.token('boolean', i, j, upper === 'TRUE' ? 'true' : 'false', line, col);
      if (upper === 'NAN') return this.token('float', i, j, 'NaN', line, col);
      if (upper === 'INFINITY') return this.token('float', i, j, 'Infinity', line, col);
      return this.token('ident', i, j, upper, line, col);
    }

    // Punctuation.
    if ((c === CH_LT || c === CH_GT || c === CH_BANG || c === CH_PLUS || c === CH_MINUS) && c1 === CH_EQ) {
      return this.token('punct', i, i + 2, src.slice(i, i + 2), line, col);
    }
    const ch = src[i]!;
    if (SINGLE_PUNCT.has(ch)) return this.token('punct', i, i + 1, ch, line, col);
    this.fail(i, `no viable alternative at character '${String.fromCodePoint(src.codePointAt(i)!)}'`);
  }
}

function matchesUuid(src: string, i: number): boolean {
  for (let k = 0; k < 36; k++) {
    const c = src.charCodeAt(i + k);
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== CH_MINUS) return false;
    } else if (!isHex(c)) {
      return false;
    }
  }
  return true;
}

function exponentEnd(src: string, j: number): number {
  if (j >= src.length || lower(src.charCodeAt(j)) !== 0x65) return j;
  let k = j + 1;
  const s = src.charCodeAt(k);
  if (s === CH_PLUS || s === CH_MINUS) k++;
  if (!isDigit(src.charCodeAt(k))) return j;
  while (k < src.length && isDigit(src.charCodeAt(k))) k++;
  return k;
}

/** Length of a duration unit at j (0 when none): mo ms us µs ns before the one-letter units. */
function unitLength(src: string, j: number): number {
  const a = lower(src.charCodeAt(j));
  const b = j + 1 < src.length ? lower(src.charCodeAt(j + 1)) : -1;
  if (a === 0x6d && (b === 0x6f || b === 0x73)) return 2; // mo, ms
  if ((a === 0x75 || a === CH_MICRO || a === 0x6e) && b === 0x73) return 2; // us, µs, ns
  if (a === 0x79 || a === 0x77 || a === 0x64 || a === 0x68 || a === 0x6d || a === 0x73) return 1; // y w d h m s
  return 0;
}

/** End of a duration whose first number ends at j, or j when no unit follows. */
function durationEnd(src: string, j: number): number {
  let u = unitLength(src, j);
  if (u === 0) return j;
  let end = j + u;
  for (;;) {
    let k = end;
    while (k < src.length && isDigit(src.charCodeAt(k))) k++;
    if (k === end) return end;
    u = unitLength(src, k);
    if (u === 0) return end;
    end = k + u;
  }
}

function matchWordCI(src: string, i: number, word: string): boolean {
  if (i + word.length > src.length) return false;
  for (let k = 0; k < word.length; k++) {
    if (lower(src.charCodeAt(i + k)) !== word.charCodeAt(k)) return false;
  }
  const after = i + word.length < src.length ? src.charCodeAt(i + word.length) : -1;
  return !isIdentChar(after);
}
