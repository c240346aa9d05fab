/**
 * A recursive-descent parser for the CQL Ringtail speaks, after Cassandra's Parser.g. Each rule
 * decides on a fixed lookahead of at most three tokens, never backtracks, and nesting is capped
 * (MAX_DEPTH), so parsing is linear in the input and cannot overflow the stack.
 *
 * Errors are CqlSyntaxError ("line L:C mismatched input 'X' expecting K_FROM", "line L:C no
 * viable alternative at input 'X'") or, for rules Cassandra checks right after parsing (type
 * nesting, one PRIMARY KEY, matching INSERT lists), an InvalidRequest CqlError.
 *
 * Lightweight transactions, counters, INSERT JSON, COMPACT STORAGE and type casts are parsed into
 * the AST, not refused: the server decides. Statements Ringtail does not implement at all (CREATE
 * INDEX / TYPE / FUNCTION / AGGREGATE / MATERIALIZED VIEW / TRIGGER / ROLE / USER, their ALTER and
 * DROP, GRANT, REVOKE, LIST, DESCRIBE) become an UnsupportedStatement after their leading words.
 */
import type {
  AlterTableAction,
  Assignment,
  BatchStatement,
  BindMarker,
  ColumnDefinition,
  CompareOp,
  Condition,
  CreateTableStatement,
  DeleteStatement,
  DeleteTarget,
  FunctionName,
  InValues,
  Literal,
  ModificationStatement,
  Option,
  OptionValue,
  Ordering,
  QualifiedName,
  Relation,
  ScriptStatement,
  SelectItem,
  SelectStatement,
  Selector,
  Statement,
  Term,
  UpdateStatement,
  UsingClause,
} from './ast.js';
import { CqlSyntaxError, invalidRequest, unsupported } from './errors.js';
import { Lexer, RESERVED_KEYWORDS, type Token } from './lexer.js';
import { freeze, isNative, listOf, mapOf, nativeType, setOf, tupleOf, typeRuleViolation, type CqlType } from './types.js';

/** Nesting cap for terms, selectors, relations and types: deep enough for any real statement. */
const MAX_DEPTH = 100;

const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=', '!=']);
const NO_USING: UsingClause = Object.freeze({ ttl: null, timestamp: null });

/** Parses exactly one statement (a trailing ';' is allowed), as the native protocol carries it. */
export function parseStatement(src: string): Statement {
  const p = new Parser(src);
  const stmt = p.statement();
  p.endOfStatement(false);
  return stmt;
}

/** Parses a script of statements separated by ';' (the shell's input); empty statements are skipped. */
export function parseScript(src: string): ScriptStatement[] {
  const p = new Parser(src);
  return p.script();
}

/** Parses a CQL type: a column definition's type or a system_schema type name ('frozen<list<int>>'). */
export function parseTypeString(src: string): CqlType {
  const p = new Parser(src);
  const t = p.columnType();
  p.expectEof();
  return t;
}

/** Parses one term (a literal, collection, tuple, function call, bind marker, ...). */
export function parseTerm(src: string): Term {
  const p = new Parser(src);
  const t = p.term();
  p.expectEof();
  return t;
}

class Parser {
  private readonly lexer: Lexer;
  /** Lookahead: tokens lexed but not consumed (at most four; the parser never peeks further). */
  private readonly ahead: Token[] = [];
  /** The last token consumed (the EOF token before any). */
  private last: Token;
  private depth = 0;
  private bindCount = 0;

  constructor(private readonly src: string) {
    this.lexer = new Lexer(src);
    this.last = { kind: 'eof', text: '', value: '', start: 0, end: 0, line: 1, col: 0 };
  }

  // --- token helpers ---------------------------------------------------------------------------

  private peek(k = 0): Token {
    while (this.ahead.length <= k) {
      const n = this.ahead.length;
      // Past the end, repeat the EOF token instead of asking the lexer again.
      this.ahead.push(n > 0 && this.ahead[n - 1]!.kind === 'eof' ? this.ahead[n - 1]! : this.lexer.next());
    }
    return this.ahead[k]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') {
      this.ahead.shift();
      this.last = t;
    }
    return t;
  }
  private skip(n: number): void {
    for (let i = 0; i < n; i++) this.next();
  }
  private static isKw(t: Token, kw: string): boolean {
    return t.kind === 'ident' && t.value === kw;
  }
  private static isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.value === p;
  }
  private atKw(kw: string, k = 0): boolean {
    return Parser.isKw(this.peek(k), kw);
  }
  private atPunct(p: string, k = 0): boolean {
    return Parser.isPunct(this.peek(k), p);
  }
  private acceptKw(kw: string): boolean {
    if (!this.atKw(kw)) return false;
    this.next();
    return true;
  }
  private acceptPunct(p: string): boolean {
    if (!this.atPunct(p)) return false;
    this.next();
    return true;
  }
  private expectKw(kw: string): Token {
    const t = this.peek();
    if (!Parser.isKw(t, kw)) this.mismatched(t, `K_${kw}`);
    return this.next();
  }
  private expectPunct(p: string): Token {
    const t = this.peek();
    if (!Parser.isPunct(t, p)) this.mismatched(t, `'${p}'`);
    return this.next();
  }
  private fail(t: Token, detail: string): never {
    throw new CqlSyntaxError(t.line, t.col, detail);
  }
  private mismatched(t: Token, expecting: string): never {
    this.fail(t, `mismatched input '${t.text}' expecting ${expecting}`);
  }
  private noViable(t: Token): never {
    this.fail(t, `no viable alternative at input '${t.text}'`);
  }
  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(t, `expression nested more than ${MAX_DEPTH} levels deep`);
  }
  private leave(): void {
    this.depth--;
  }

  expectEof(): void {
    const t = this.peek();
    if (t.kind !== 'eof') this.mismatched(t, 'EOF');
  }

  endOfStatement(inScript: boolean): void {
    if (inScript) {
      if (this.acceptPunct(';')) return;
      const t = this.peek();
      if (t.kind !== 'eof') this.mismatched(t, "';'");
      return;
    }
    while (this.acceptPunct(';'));
    this.expectEof();
  }

  // --- identifiers -------------------------------------------------------------------------------

  private static isIdentTok(t: Token): boolean {
    return (t.kind === 'ident' && !RESERVED_KEYWORDS.has(t.value)) || (t.kind === 'quoted' && t.value !== '');
  }

  private ident(): string {
    const t = this.peek();
    if (!Parser.isIdentTok(t)) this.noViable(t);
    this.next();
    return t.kind === 'quoted' ? t.value : t.text.toLowerCase();
  }

  private qualifiedName(): QualifiedName {
    if (this.atPunct('?')) this.fail(this.peek(), 'Bind variables cannot be used for table names');
    const first = this.ident();
    if (!this.acceptPunct('.')) return { keyspace: null, name: first };
    if (this.atPunct('?')) this.fail(this.peek(), 'Bind variables cannot be used for table names');
    return { keyspace: first, name: this.ident() };
  }

  private keyspaceName(): string {
    if (this.atPunct('?')) this.fail(this.peek(), 'Bind variables cannot be used for keyspace names');
    return this.ident();
  }

  private identList(): string[] {
    const out = [this.ident()];
    while (this.acceptPunct(',')) out.push(this.ident());
    return out;
  }

  // --- statements -----------------------------------------------------------------------------

  script(): ScriptStatement[] {
    const out: ScriptStatement[] = [];
    for (;;) {
      while (this.acceptPunct(';'));
      const first = this.peek();
      if (first.kind === 'eof') return out;
      this.bindCount = 0;
      const statement = this.statement();
      out.push({ statement, text: this.src.slice(first.start, this.last.end), line: first.line });
      this.endOfStatement(true);
    }
  }

  statement(): Statement {
    const t = this.peek();
    if (t.kind === 'ident') {
      switch (t.value) {
        case 'SELECT':
          return this.select();
        case 'INSERT':
          return this.insert();
        case 'UPDATE':
          return this.update();
        case 'DELETE':
          return this.delete();
        case 'BEGIN':
          return this.batch();
        case 'USE':
          this.next();
          return { kind: 'use', keyspace: this.keyspaceName() };
        case 'TRUNCATE':
          this.next();
          if (!this.acceptKw('TABLE')) this.acceptKw('COLUMNFAMILY');
          return { kind: 'truncate', table: this.qualifiedName() };
        case 'CREATE':
          return this.create();
        case 'ALTER':
          return this.alter();
        case 'DROP':
          return this.drop();
        case 'GRANT':
        case 'REVOKE':
        case 'LIST':
          return this.unsupportedStatement(t, t.value);
        case 'DESCRIBE':
        case 'DESC':
          return this.unsupportedStatement(t, 'DESCRIBE');
      }
    }
    this.noViable(t);
  }

  /** Skips the rest of a statement Ringtail does not implement (which began at `first`), up to ';' or the end. */
  private unsupportedStatement(first: Token, what: string): Statement {
    while (this.peek().kind !== 'eof' && !this.atPunct(';')) this.next();
    const end = this.last.start >= first.start ? this.last.end : first.end;
    return { kind: 'unsupported', what, text: this.src.slice(first.start, end) };
  }

  private static readonly OBJECT_WORDS: Readonly<Record<string, string>> = {
    INDEX: 'INDEX',
    TYPE: 'TYPE',
    FUNCTION: 'FUNCTION',
    AGGREGATE: 'AGGREGATE',
    TRIGGER: 'TRIGGER',
    ROLE: 'ROLE',
    USER: 'USER',
  };

  /** The unsupported object a CREATE / ALTER / DROP names at offset k, or null. */
  private unsupportedObject(k: number): string | null {
    const t = this.peek(k);
    if (t.kind !== 'ident') return null;
    const w = Parser.OBJECT_WORDS[t.value];
    if (w !== undefined) return w;
    if (t.value === 'MATERIALIZED' && this.atKw('VIEW', k + 1)) return 'MATERIALIZED VIEW';
    return null;
  }

  private create(): Statement {
    const start = this.peek();
    this.next();
    if (this.atKw('KEYSPACE') || this.atKw('SCHEMA')) {
      this.next();
      const ifNotExists = this.ifNotExists();
      const keyspace = this.keyspaceName();
      this.expectKw('WITH');
      return { kind: 'createKeyspace', keyspace, ifNotExists, options: this.properties() };
    }
    if (this.atKw('TABLE') || this.atKw('COLUMNFAMILY')) return this.createTable();
    let k = 0;
    if (this.atKw('CUSTOM') && this.atKw('INDEX', 1)) k = 1;
    if (this.atKw('OR') && this.atKw('REPLACE', 1)) k = 2;
    const obj = this.unsupportedObject(k);
    if (obj !== null) return this.unsupportedStatement(start, `CREATE ${obj}`);
    this.noViable(this.peek());
  }

  private alter(): Statement {
    const start = this.peek();
    this.next();
    if (this.atKw('KEYSPACE') || this.atKw('SCHEMA')) {
      this.next();
      const ifExists = this.ifExists();
      const keyspace = this.keyspaceName();
      this.expectKw('WITH');
      return { kind: 'alterKeyspace', keyspace, ifExists, options: this.properties() };
    }
    if (this.atKw('TABLE') || this.atKw('COLUMNFAMILY')) return this.alterTable();
    const obj = this.unsupportedObject(0);
    if (obj !== null) return this.unsupportedStatement(start, `ALTER ${obj}`);
    this.noViable(this.peek());
  }

  private drop(): Statement {
    const start = this.peek();
    this.next();
    if (this.atKw('KEYSPACE') || this.atKw('SCHEMA')) {
      this.next();
      const ifExists = this.ifExists();
      return { kind: 'dropKeyspace', keyspace: this.keyspaceName(), ifExists };
    }
    if (this.atKw('TABLE') || this.atKw('COLUMNFAMILY')) {
      this.next();
      const ifExists = this.ifExists();
      return { kind: 'dropTable', table: this.qualifiedName(), ifExists };
    }
    const obj = this.unsupportedObject(0);
    if (obj !== null) return this.unsupportedStatement(start, `DROP ${obj}`);
    this.noViable(this.peek());
  }

  private ifNotExists(): boolean {
    if (!this.acceptKw('IF')) return false;
    this.expectKw('NOT');
    this.expectKw('EXISTS');
    return true;
  }

  private ifExists(): boolean {
    if (!this.acceptKw('IF')) return false;
    this.expectKw('EXISTS');
    return true;
  }

  // --- SELECT ----------------------------------------------------------------------------------

  /** JSON / DISTINCT are modifiers unless they are the selected column itself (`SELECT json FROM t`). */
  private isModifierAt(k: number): boolean {
    if (!(this.atKw('JSON', k) || this.atKw('DISTINCT', k))) return false;
    const nx = this.peek(k + 1);
    if (nx.kind === 'eof') return false;
    if (nx.kind === 'punct' && nx.value !== '*' && nx.value !== '?' && nx.value !== ':' && nx.value !== '-') return false;
    if (Parser.isKw(nx, 'FROM') || Parser.isKw(nx, 'AS')) return false;
    return true;
  }

  private select(): SelectStatement {
    this.expectKw('SELECT');
    let json = false;
    let distinct = false;
    if (this.atKw('JSON') && this.isModifierAt(0)) {
      this.next();
      json = true;
    }
    if (this.atKw('DISTINCT') && this.isModifierAt(0)) {
      this.next();
      distinct = true;
    }
    let selection: SelectItem[] | null = null;
    if (!this.acceptPunct('*')) {
      selection = [this.selectItem()];
      while (this.acceptPunct(',')) selection.push(this.selectItem());
    }
    this.expectKw('FROM');
    const table = this.qualifiedName();
    const where = this.acceptKw('WHERE') ? this.relations() : [];
    let groupBy: string[] = [];
    if (this.atKw('GROUP') && this.atKw('BY', 1)) {
      this.skip(2);
      groupBy = this.identList();
    }
    const orderBy: Ordering[] = [];
    if (this.acceptKw('ORDER')) {
      this.expectKw('BY');
      do {
        const column = this.ident();
        let direction: 'ASC' | 'DESC' = 'ASC';
        if (this.acceptKw('DESC')) direction = 'DESC';
        else this.acceptKw('ASC');
        orderBy.push({ column, direction });
      } while (this.acceptPunct(','));
    }
    let perPartitionLimit: Term | null = null;
    if (this.atKw('PER')) {
      this.next();
      this.expectKw('PARTITION');
      this.expectKw('LIMIT');
      perPartitionLimit = this.intValue();
    }
    const limit = this.acceptKw('LIMIT') ? this.intValue() : null;
    let allowFiltering = false;
    if (this.acceptKw('ALLOW')) {
      this.expectKw('FILTERING');
      allowFiltering = true;
    }
    return { kind: 'select', table, json, distinct, selection, where, groupBy, orderBy, perPartitionLimit, limit, allowFiltering };
  }

  private selectItem(): SelectItem {
    const selector = this.selector();
    const alias = this.acceptKw('AS') ? this.ident() : null;
    return { selector, alias };
  }

  private selector(): Selector {
    const t = this.peek();
    this.enter(t);
    let left = this.multiplicativeSelector();
    for (;;) {
      const negative = this.negativeNumberAhead();
      if (negative !== null) {
        left = { kind: 'operation', op: '-', left, right: this.multiplicativeSelector({ kind: 'term', term: negative }) };
        continue;
      }
      const op = this.peek();
      if (Parser.isPunct(op, '+') || Parser.isPunct(op, '-')) {
        this.next();
        left = { kind: 'operation', op: op.value as '+' | '-', left, right: this.multiplicativeSelector() };
        continue;
      }
      break;
    }
    this.leave();
    return left;
  }

  private multiplicativeSelector(first?: Selector): Selector {
    let left = first ?? this.unarySelector();
    for (;;) {
      const t = this.peek();
      if (Parser.isPunct(t, '*') || Parser.isPunct(t, '/') || Parser.isPunct(t, '%')) {
        this.next();
        left = { kind: 'operation', op: t.value as '*' | '/' | '%', left, right: this.unarySelector() };
        continue;
      }
      return left;
    }
  }

  private unarySelector(): Selector {
    const t = this.peek();
    // '-' before a number is a negative literal (a term); before anything else, a negation.
    if (Parser.isPunct(t, '-') && !(this.peek(1).kind === 'integer' || this.peek(1).kind === 'float')) {
      this.next();
      return { kind: 'negate', arg: this.unarySelector() };
    }
    return this.postfixSelector();
  }

  private postfixSelector(): Selector {
    const t = this.peek();
    let s = this.selectorInner(t);
    // Element and slice selection: m['k'], s[a..b], m[..b], m[a..]
    while (this.acceptPunct('[')) {
      let from: Term | null = null;
      if (!this.atRange()) from = this.term();
      if (this.atRange()) {
        this.skip(2);
        const to = this.atPunct(']') ? null : this.term();
        this.expectPunct(']');
        s = { kind: 'slice', arg: s, from, to };
      } else {
        this.expectPunct(']');
        s = { kind: 'element', arg: s, key: from! };
      }
    }
    return s;
  }

  private atRange(): boolean {
    return this.atPunct('.') && this.atPunct('.', 1);
  }

  private selectorInner(t: Token): Selector {
    if (t.kind === 'ident' && this.atPunct('(', 1)) {
      if (t.value === 'COUNT' && this.atPunct('*', 2)) {
        this.skip(3);
        this.expectPunct(')');
        return { kind: 'countRows' };
      }
      if (t.value === 'WRITETIME' || t.value === 'TTL') {
        this.skip(2);
        const column = this.ident();
        this.expectPunct(')');
        return { kind: t.value === 'TTL' ? 'ttl' : 'writetime', column };
      }
      if (t.value === 'CAST') {
        this.skip(2);
        const arg = this.selector();
        this.expectKw('AS');
        const typeTok = this.peek();
        const type = this.columnType();
        if (!isNative(type)) this.noViable(typeTok);
        this.expectPunct(')');
        return { kind: 'cast', arg, type };
      }
    }
    if (this.isFunctionStart()) {
      const name = this.functionName();
      this.expectPunct('(');
      const args: Selector[] = [];
      if (!this.atPunct(')')) {
        args.push(this.selector());
        while (this.acceptPunct(',')) args.push(this.selector());
      }
      this.expectPunct(')');
      return { kind: 'function', name, args };
    }
    if (Parser.isIdentTok(t)) return { kind: 'column', name: this.ident() };
    if (this.isTermStart(t)) return { kind: 'term', term: this.term() };
    this.noViable(t);
  }

  /** Constants, NULL and bind markers: what may start a term used as a selector. */
  private isTermStart(t: Token): boolean {
    switch (t.kind) {
      case 'string':
      case 'integer':
      case 'float':
      case 'boolean':
      case 'uuid':
      case 'hex':
      case 'duration':
        return true;
      case 'punct':
        return t.value === '?' || t.value === ':' || t.value === '-' || t.value === '(' || t.value === '[' || t.value === '{';
      case 'ident':
        return t.value === 'NULL';
      default:
        return false;
    }
  }

  private intValue(): Term {
    const t = this.peek();
    if (t.kind === 'integer') {
      this.next();
      return { kind: 'literal', type: 'integer', text: t.text };
    }
    if (Parser.isPunct(t, '?') || Parser.isPunct(t, ':')) return this.bindMarker();
    this.noViable(t);
  }

  // --- WHERE -------------------------------------------------------------------------------------

  private relations(): Relation[] {
    const out = [this.relation()];
    while (this.acceptKw('AND')) out.push(this.relation());
    return out;
  }

  private relation(): Relation {
    const t = this.peek();
    this.enter(t);
    const r = this.relationInner(t);
    this.leave();
    return r;
  }

  private relationInner(t: Token): Relation {
    if (Parser.isKw(t, 'TOKEN') && this.atPunct('(', 1)) {
      this.next();
      const columns = this.tupleOfIdents();
      const op = this.compareOp();
      return { kind: 'token', columns, op, value: this.term() };
    }
    if (Parser.isPunct(t, '(')) {
      const p2 = this.peek(2);
      if (Parser.isIdentTok(this.peek(1)) && (Parser.isPunct(p2, ',') || Parser.isPunct(p2, ')'))) {
        const columns = this.tupleOfIdents();
        if (this.acceptKw('IN')) return { kind: 'multiIn', columns, values: this.multiInValues() };
        const op = this.compareOp();
        const v = this.peek();
        let value: Term;
        if (Parser.isPunct(v, '(')) value = this.tupleLiteral();
        else if (Parser.isPunct(v, '?') || Parser.isPunct(v, ':')) value = this.bindMarker();
        else this.noViable(v);
        return { kind: 'multiCompare', columns, op, value };
      }
      this.next();
      const inner = this.relation();
      this.expectPunct(')');
      return inner;
    }
    const column = this.ident();
    if (this.acceptPunct('[')) {
      const key = this.term();
      this.expectPunct(']');
      const op = this.compareOp();
      return { kind: 'mapElement', column, key, op, value: this.term() };
    }
    if (this.acceptKw('IN')) return { kind: 'in', column, values: this.inValues() };
    if (this.atKw('IS')) {
      this.next();
      this.expectKw('NOT');
      this.expectKw('NULL');
      return { kind: 'isNotNull', column };
    }
    if (this.acceptKw('CONTAINS')) {
      const op = this.acceptContainsKey() ? 'CONTAINS KEY' : 'CONTAINS';
      return { kind: 'compare', column, op, value: this.term() };
    }
    const op = this.compareOp();
    return { kind: 'compare', column, op, value: this.term() };
  }

  /** After CONTAINS: KEY is the keyword unless it is a function name (key(...)). */
  private acceptContainsKey(): boolean {
    if (this.atKw('KEY') && !this.atPunct('(', 1)) {
      this.next();
      return true;
    }
    return false;
  }

  private compareOp(): CompareOp {
    const t = this.peek();
    if (t.kind === 'punct' && COMPARE_OPS.has(t.value)) {
      this.next();
      return t.value as CompareOp;
    }
    this.noViable(t);
  }

  private tupleOfIdents(): string[] {
    this.expectPunct('(');
    const out = this.identList();
    this.expectPunct(')');
    return out;
  }

  private inValues(): InValues {
    if (this.atPunct('?') || this.atPunct(':')) return this.bindMarker();
    this.expectPunct('(');
    const out: Term[] = [];
    if (!this.atPunct(')')) {
      out.push(this.term());
      while (this.acceptPunct(',')) out.push(this.term());
    }
    this.expectPunct(')');
    return out;
  }

  private multiInValues(): InValues {
    if (this.atPunct('?') || this.atPunct(':')) return this.bindMarker();
    this.expectPunct('(');
    const out: Term[] = [];
    if (!this.atPunct(')')) {
      do {
        const t = this.peek();
        if (Parser.isPunct(t, '(')) out.push(this.tupleLiteral());
        else if (Parser.isPunct(t, '?') || Parser.isPunct(t, ':')) out.push(this.bindMarker());
        else this.noViable(t);
      } while (this.acceptPunct(','));
    }
    this.expectPunct(')');
    return out;
  }

  // --- terms -------------------------------------------------------------------------------------

  term(): Term {
    const t = this.peek();
    this.enter(t);
    const r = this.additiveTerm();
    this.leave();
    return r;
  }

  /**
   * A '+' / '-' continues an arithmetic term only when a term follows it: in `SET l = [1] + l`
   * the '+' belongs to the assignment (a list prepend), and a bare column name is not a term.
   */
  private termFollows(k: number): boolean {
    const t = this.peek(k);
    if (t.kind === 'ident') return t.value === 'NULL' || Parser.isPunct(this.peek(k + 1), '(') || Parser.isPunct(this.peek(k + 1), '.');
    if (t.kind === 'punct') return ['?', ':', '[', '{', '(', '-'].includes(t.value);
    return t.kind !== 'eof' && t.kind !== 'quoted';
  }

  /** `4 -1` lexes the '-' into the number; after an operand it is a subtraction. */
  private negativeNumberAhead(): Literal | null {
    const t = this.peek();
    if ((t.kind === 'integer' || t.kind === 'float') && t.text.startsWith('-') && /^-\d/.test(t.text)) {
      this.next();
      return { kind: 'literal', type: t.kind, text: t.text.slice(1) };
    }
    return null;
  }

  private additiveTerm(): Term {
    let left = this.multiplicativeTerm(null);
    for (;;) {
      const negative = this.negativeNumberAhead();
      if (negative !== null) {
        left = { kind: 'operation', op: '-', left, right: this.multiplicativeTerm(negative) };
        continue;
      }
      const t = this.peek();
      if ((Parser.isPunct(t, '+') || Parser.isPunct(t, '-')) && this.termFollows(1)) {
        this.next();
        left = { kind: 'operation', op: t.value as '+' | '-', left, right: this.multiplicativeTerm(null) };
        continue;
      }
      return left;
    }
  }

  private multiplicativeTerm(first: Term | null): Term {
    let left = first ?? this.termInner(this.peek());
    for (;;) {
      const t = this.peek();
      if (Parser.isPunct(t, '*') || Parser.isPunct(t, '/') || Parser.isPunct(t, '%')) {
        this.next();
        left = { kind: 'operation', op: t.value as '*' | '/' | '%', left, right: this.termInner(this.peek()) };
        continue;
      }
      return left;
    }
  }

  private literal(t: Token): Literal {
    this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'literal', type: 'string', text: t.value };
      case 'float':
        return { kind: 'literal', type: 'float', text: t.value };
      case 'boolean':
        return { kind: 'literal', type: 'boolean', text: t.value };
      case 'integer':
      case 'uuid':
      case 'hex':
      case 'duration':
        return { kind: 'literal', type: t.kind, text: t.text };
      default:
        this.noViable(t);
    }
  }

  private termInner(t: Token): Term {
    switch (t.kind) {
      case 'string':
      case 'integer':
      case 'float':
      case 'boolean':
      case 'uuid':
      case 'hex':
      case 'duration':
        return this.literal(t);
      case 'punct':
        switch (t.value) {
          case '?':
          case ':':
            return this.bindMarker();
          case '[': {
            this.next();
            const elements: Term[] = [];
            if (!this.atPunct(']')) {
              elements.push(this.term());
              while (this.acceptPunct(',')) elements.push(this.term());
            }
            this.expectPunct(']');
            return { kind: 'list', elements };
          }
          case '{':
            return this.setOrMap();
          case '(': {
            const t1 = this.peek(1);
            const t2 = this.peek(2);
            // A bare word cannot be a term, so `(word` starts a type hint: (int) 3, (list<int>) [1].
            const typeWord = t1.kind === 'ident' && (!RESERVED_KEYWORDS.has(t1.value) || (t1.value === 'SET' && Parser.isPunct(t2, '<')));
            if (typeWord && !Parser.isPunct(t2, '(') && !Parser.isPunct(t2, '.')) {
              this.next();
              const type = this.columnType();
              this.expectPunct(')');
              return { kind: 'cast', type, term: this.term() };
            }
            return this.tupleLiteral();
          }
          case '-':
            return this.negated();
        }
        break;
      case 'ident':
        if (t.value === 'NULL') {
          this.next();
          return { kind: 'null' };
        }
        break;
    }
    if (this.isFunctionStart()) return this.functionCall();
    this.noViable(t);
  }

  /** `- 5` (with a space: `-5` is one token) folds into the literal -5, as Cassandra's negation would evaluate. */
  private negated(): Term {
    this.next();
    const t = this.peek();
    if ((t.kind === 'integer' || t.kind === 'float') && !t.text.startsWith('-')) {
      this.next();
      if (t.kind === 'integer') return { kind: 'literal', type: 'integer', text: '-' + t.text };
      const text = t.value === 'NaN' ? 'NaN' : t.value === 'Infinity' ? '-Infinity' : '-' + t.text;
      return { kind: 'literal', type: 'float', text };
    }
    this.noViable(t);
  }

  private setOrMap(): Term {
    this.expectPunct('{');
    if (this.acceptPunct('}')) return { kind: 'set', elements: [] };
    const first = this.term();
    if (this.acceptPunct(':')) {
      const entries: (readonly [Term, Term])[] = [[first, this.term()]];
      while (this.acceptPunct(',')) {
        const k = this.term();
        this.expectPunct(':');
        entries.push([k, this.term()]);
      }
      this.expectPunct('}');
      return { kind: 'map', entries };
    }
    const elements = [first];
    while (this.acceptPunct(',')) elements.push(this.term());
    this.expectPunct('}');
    return { kind: 'set', elements };
  }

  private tupleLiteral(): Term {
    const open = this.expectPunct('(');
    this.enter(open);
    const elements = [this.term()];
    while (this.acceptPunct(',')) elements.push(this.term());
    this.expectPunct(')');
    this.leave();
    return { kind: 'tuple', elements };
  }

  private bindMarker(): BindMarker {
    if (this.acceptPunct('?')) return { kind: 'bind', name: null, index: this.bindCount++ };
    this.expectPunct(':');
    const name = this.ident();
    return { kind: 'bind', name, index: this.bindCount++ };
  }

  /** name( or ks.name( — a function name may also be TOKEN or COUNT, but no other reserved word. */
  private isFunctionStart(): boolean {
    const t0 = this.peek();
    const isName = (t: Token) => Parser.isIdentTok(t) || Parser.isKw(t, 'TOKEN');
    if (!(Parser.isIdentTok(t0) || Parser.isKw(t0, 'TOKEN'))) return false;
    if (this.atPunct('(', 1)) return true;
    return Parser.isIdentTok(t0) && this.atPunct('.', 1) && isName(this.peek(2)) && this.atPunct('(', 3);
  }

  private functionName(): FunctionName {
    let keyspace: string | null = null;
    if (this.atPunct('.', 1)) {
      keyspace = this.ident();
      this.next();
    }
    const t = this.next();
    const name = t.kind === 'quoted' ? t.value : t.text.toLowerCase();
    return { keyspace, name };
  }

  private functionCall(): Term {
    const name = this.functionName();
    this.expectPunct('(');
    const args: Term[] = [];
    if (!this.atPunct(')')) {
      args.push(this.term());
      while (this.acceptPunct(',')) args.push(this.term());
    }
    this.expectPunct(')');
    return { kind: 'function', name, args };
  }

  // --- types -------------------------------------------------------------------------------------

  /** A type in a column definition, checked against Cassandra's nesting rules. */
  columnType(): CqlType {
    const t = this.type(false);
    const violation = typeRuleViolation(t);
    if (violation !== null) throw invalidRequest(violation);
    return t;
  }

  private type(frozen: boolean): CqlType {
    const t = this.peek();
    this.enter(t);
    const r = this.typeInner(t, frozen);
    this.leave();
    return r;
  }

  private typeInner(t: Token, frozen: boolean): CqlType {
    if (t.kind === 'string') throw unsupported(`Custom types are not supported: '${t.value}'`);
    if (t.kind === 'quoted') throw unsupported(`Unknown type ${t.value} (user-defined types are not supported)`);
    if (t.kind !== 'ident') this.noViable(t);
    const word = t.text.toLowerCase();
    switch (t.value) {
      case 'FROZEN': {
        this.next();
        this.expectPunct('<');
        const innerTok = this.peek();
        const inner = this.type(true);
        this.expectPunct('>');
        if (isNative(inner)) {
          this.fail(innerTok, `frozen<> is only allowed on collections, tuples, and user-defined types (got ${inner.kind})`);
        }
        return freeze(inner);
      }
      case 'LIST':
      case 'SET': {
        this.next();
        this.expectPunct('<');
        const element = this.type(frozen);
        this.expectPunct('>');
        return t.value === 'LIST' ? listOf(element, frozen) : setOf(element, frozen);
      }
      case 'MAP': {
        this.next();
        this.expectPunct('<');
        const key = this.type(frozen);
        this.expectPunct(',');
        const value = this.type(frozen);
        this.expectPunct('>');
        return mapOf(key, value, frozen);
      }
      case 'TUPLE': {
        this.next();
        this.expectPunct('<');
        const elements = [this.type(true)];
        while (this.acceptPunct(',')) elements.push(this.type(true));
        this.expectPunct('>');
        return tupleOf(elements);
      }
      case 'VECTOR':
        throw unsupported('The vector type is not supported');
    }
    const native = nativeType(word);
    if (native !== undefined) {
      this.next();
      return native;
    }
    if (RESERVED_KEYWORDS.has(t.value)) this.noViable(t);
    let name = word;
    if (this.atPunct('.', 1) && Parser.isIdentTok(this.peek(2))) name = `${word}.${this.peek(2).text.toLowerCase()}`;
    throw unsupported(`Unknown type ${name} (user-defined types are not supported)`);
  }

  // --- modifications ---------------------------------------------------------------------------

  private using(allowTtl: boolean): UsingClause {
    if (!this.acceptKw('USING')) return NO_USING;
    let ttl: Term | null = null;
    let timestamp: Term | null = null;
    do {
      if (allowTtl && this.acceptKw('TTL')) ttl = this.intValue();
      else {
        this.expectKw('TIMESTAMP');
        timestamp = this.intValue();
      }
    } while (allowTtl && this.acceptKw('AND'));
    return { ttl, timestamp };
  }

  private insert(): ModificationStatement {
    this.expectKw('INSERT');
    this.expectKw('INTO');
    const table = this.qualifiedName();
    if (this.acceptKw('JSON')) {
      const t = this.peek();
      let json: Term;
      if (t.kind === 'string') json = this.literal(t);
      else if (Parser.isPunct(t, '?') || Parser.isPunct(t, ':')) json = this.bindMarker();
      else this.noViable(t);
      let defaultUnset = false;
      if (this.acceptKw('DEFAULT')) {
        if (this.acceptKw('UNSET')) defaultUnset = true;
        else this.expectKw('NULL');
      }
      const ifNotExists = this.ifNotExists();
      return { kind: 'insertJson', table, json, defaultUnset, ifNotExists, using: this.using(true) };
    }
    this.expectPunct('(');
    const columns = this.identList();
    this.expectPunct(')');
    this.expectKw('VALUES');
    this.expectPunct('(');
    const values = [this.term()];
    while (this.acceptPunct(',')) values.push(this.term());
    this.expectPunct(')');
    if (columns.length !== values.length) throw invalidRequest('Unmatched column names/values');
    const ifNotExists = this.ifNotExists();
    return { kind: 'insert', table, columns, values, ifNotExists, using: this.using(true) };
  }

  private update(): UpdateStatement {
    this.expectKw('UPDATE');
    const table = this.qualifiedName();
    const using = this.using(true);
    this.expectKw('SET');
    const assignments = [this.assignment()];
    while (this.acceptPunct(',')) assignments.push(this.assignment());
    this.expectKw('WHERE');
    const where = this.relations();
    const { ifExists, conditions } = this.ifClause();
    return { kind: 'update', table, using, assignments, where, ifExists, conditions };
  }

  /** A column reference on the right of `c = ...`: a name not followed by '(' or '.' (a function). */
  private isColumnRefStart(): boolean {
    return Parser.isIdentTok(this.peek()) && !this.atPunct('(', 1) && !this.atPunct('.', 1);
  }

  private assignment(): Assignment {
    const column = this.ident();
    const t = this.peek();
    if (Parser.isPunct(t, '=')) {
      this.next();
      if (this.isColumnRefStart()) {
        const refTok = this.peek();
        const ref = this.ident();
        const op = this.peek();
        if (ref !== column) {
          const sign = op.kind === 'integer' && op.text.startsWith('-') ? '-' : Parser.isPunct(op, '-') ? '-' : '+';
          this.fail(refTok, `Only expressions of the form X = X ${sign} <value> are supported.`);
        }
        if (this.acceptPunct('+')) return { kind: 'add', column, value: this.term() };
        if (this.acceptPunct('-')) return { kind: 'subtract', column, value: this.term() };
        if (op.kind === 'integer' && op.text.startsWith('-')) {
          // `c = c -1` lexes as [c, =, c, -1]; Cassandra reads it as an addition of -1.
          this.next();
          return { kind: 'add', column, value: { kind: 'literal', type: 'integer', text: op.text } };
        }
        this.noViable(op);
      }
      const value = this.term();
      if (this.acceptPunct('+')) {
        const refTok = this.peek();
        const ref = this.ident();
        if (ref !== column) this.fail(refTok, 'Only expressions of the form X = <value> + X are supported.');
        return { kind: 'prepend', column, value };
      }
      return { kind: 'set', column, value };
    }
    if (Parser.isPunct(t, '+=') || Parser.isPunct(t, '-=')) {
      this.next();
      return { kind: t.value === '+=' ? 'add' : 'subtract', column, value: this.term() };
    }
    if (Parser.isPunct(t, '[')) {
      this.next();
      const key = this.term();
      this.expectPunct(']');
      this.expectPunct('=');
      return { kind: 'setElement', column, key, value: this.term() };
    }
    this.noViable(t);
  }

  private ifClause(): { ifExists: boolean; conditions: Condition[] } {
    if (!this.acceptKw('IF')) return { ifExists: false, conditions: [] };
    if (this.atKw('EXISTS') && !this.isConditionOperator(this.peek(1))) {
      this.next();
      return { ifExists: true, conditions: [] };
    }
    const conditions = [this.condition()];
    while (this.acceptKw('AND')) conditions.push(this.condition());
    return { ifExists: false, conditions };
  }

  private isConditionOperator(t: Token): boolean {
    return (t.kind === 'punct' && (COMPARE_OPS.has(t.value) || t.value === '[')) || Parser.isKw(t, 'IN') || Parser.isKw(t, 'CONTAINS');
  }

  private condition(): Condition {
    const column = this.ident();
    let element: Term | null = null;
    if (this.acceptPunct('[')) {
      element = this.term();
      this.expectPunct(']');
    }
    if (this.acceptKw('IN')) return { kind: 'in', column, element, values: this.inValues() };
    if (element === null && this.acceptKw('CONTAINS')) {
      const op = this.acceptContainsKey() ? 'CONTAINS KEY' : 'CONTAINS';
      return { kind: 'compare', column, element, op, value: this.term() };
    }
    const op = this.compareOp();
    return { kind: 'compare', column, element, op, value: this.term() };
  }

  private delete(): DeleteStatement {
    this.expectKw('DELETE');
    const targets: DeleteTarget[] = [];
    if (!this.atKw('FROM')) {
      do {
        const column = this.ident();
        let element: Term | null = null;
        if (this.acceptPunct('[')) {
          element = this.term();
          this.expectPunct(']');
        }
        targets.push({ column, element });
      } while (this.acceptPunct(','));
    }
    this.expectKw('FROM');
    const table = this.qualifiedName();
    const using = this.using(false);
    this.expectKw('WHERE');
    const where = this.relations();
    const { ifExists, conditions } = this.ifClause();
    return { kind: 'delete', table, targets, using, where, ifExists, conditions };
  }

  private batch(): BatchStatement {
    this.expectKw('BEGIN');
    let batchType: BatchStatement['batchType'] = 'logged';
    if (this.acceptKw('UNLOGGED')) batchType = 'unlogged';
    else if (this.acceptKw('COUNTER')) batchType = 'counter';
    this.expectKw('BATCH');
    const using = this.using(true);
    const statements: ModificationStatement[] = [];
    while (!this.atKw('APPLY')) {
      const t = this.peek();
      if (Parser.isKw(t, 'INSERT')) statements.push(this.insert());
      else if (Parser.isKw(t, 'UPDATE')) statements.push(this.update());
      else if (Parser.isKw(t, 'DELETE')) statements.push(this.delete());
      else this.mismatched(t, 'K_APPLY');
      this.acceptPunct(';');
    }
    this.expectKw('APPLY');
    this.expectKw('BATCH');
    return { kind: 'batch', batchType, using, statements };
  }

  // --- DDL ---------------------------------------------------------------------------------------

  private properties(): Option[] {
    const out: Option[] = [];
    do {
      const nameTok = this.peek();
      const option = this.property();
      if (out.some((o) => o.name === option.name)) this.fail(nameTok, `Multiple definition for property ${option.name}`);
      out.push(option);
    } while (this.acceptKw('AND'));
    return out;
  }

  private property(): Option {
    const name = this.ident();
    this.expectPunct('=');
    return { name, value: this.optionValue() };
  }

  private optionValue(): OptionValue {
    const t = this.peek();
    if (Parser.isPunct(t, '{')) {
      this.next();
      const entries: (readonly [Literal, Literal])[] = [];
      if (!this.atPunct('}')) {
        do {
          const kTok = this.peek();
          const k = this.term();
          if (k.kind !== 'literal') this.fail(kTok, `Invalid property name: ${kTok.text}`);
          this.expectPunct(':');
          const vTok = this.peek();
          const v = this.term();
          if (v.kind !== 'literal') this.fail(vTok, `Invalid property value: ${vTok.text} for property: ${k.text}`);
          if (entries.some(([ek]) => ek.text === k.text)) this.fail(kTok, `Multiple definition for property ${k.text}`);
          entries.push([k, v]);
        } while (this.acceptPunct(','));
      }
      this.expectPunct('}');
      return { kind: 'map', entries };
    }
    if (Parser.isPunct(t, '-')) {
      const v = this.negated();
      return v as Literal;
    }
    switch (t.kind) {
      case 'string':
      case 'integer':
      case 'float':
      case 'boolean':
      case 'uuid':
      case 'hex':
      case 'duration':
        return this.literal(t);
    }
    if (t.kind === 'ident' && !RESERVED_KEYWORDS.has(t.value)) {
      this.next();
      return { kind: 'identifier', name: t.text.toLowerCase() };
    }
    this.noViable(t);
  }

  private columnDefinition(): ColumnDefinition {
    const name = this.ident();
    const type = this.columnType();
    const isStatic = this.acceptKw('STATIC');
    return { name, type, isStatic };
  }

  private createTable(): CreateTableStatement {
    this.next();
    const ifNotExists = this.ifNotExists();
    const table = this.qualifiedName();
    this.expectPunct('(');
    const columns: ColumnDefinition[] = [];
    let primaryKeys = 0;
    let partitionKey: string[] = [];
    let clusteringColumns: string[] = [];
    do {
      if (this.atPunct(')') && columns.length + primaryKeys > 0) break; // a trailing comma, as Cassandra allows
      if (this.acceptKw('PRIMARY')) {
        this.expectKw('KEY');
        this.expectPunct('(');
        if (this.acceptPunct('(')) {
          partitionKey = this.identList();
          this.expectPunct(')');
        } else {
          partitionKey = [this.ident()];
        }
        clusteringColumns = [];
        while (this.acceptPunct(',')) clusteringColumns.push(this.ident());
        this.expectPunct(')');
        primaryKeys++;
        continue;
      }
      const def = this.columnDefinition();
      columns.push(def);
      if (this.acceptKw('PRIMARY')) {
        this.expectKw('KEY');
        partitionKey = [def.name];
        clusteringColumns = [];
        primaryKeys++;
      }
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    if (primaryKeys > 1) throw invalidRequest(`Multiple PRIMARY KEY specified for table '${table.keyspace === null ? '' : table.keyspace + '.'}${table.name}' (exactly one required)`);
    if (primaryKeys === 0) throw invalidRequest(`No PRIMARY KEY specifed for table '${table.keyspace === null ? '' : table.keyspace + '.'}${table.name}' (exactly one required)`);
    const clusteringOrder: Ordering[] = [];
    let compactStorage = false;
    const options: Option[] = [];
    if (this.acceptKw('WITH')) {
      do {
        if (this.atKw('CLUSTERING') && this.atKw('ORDER', 1)) {
          this.skip(2);
          this.expectKw('BY');
          this.expectPunct('(');
          do {
            const column = this.ident();
            let direction: 'ASC' | 'DESC';
            if (this.acceptKw('ASC')) direction = 'ASC';
            else if (this.acceptKw('DESC')) direction = 'DESC';
            else this.noViable(this.peek());
            clusteringOrder.push({ column, direction });
          } while (this.acceptPunct(','));
          this.expectPunct(')');
        } else if (this.atKw('COMPACT') && this.atKw('STORAGE', 1)) {
          this.skip(2);
          compactStorage = true;
        } else {
          const nameTok = this.peek();
          const option = this.property();
          if (options.some((o) => o.name === option.name)) this.fail(nameTok, `Multiple definition for property ${option.name}`);
          options.push(option);
        }
      } while (this.acceptKw('AND'));
    }
    return {
      kind: 'createTable',
      table,
      ifNotExists,
      columns,
      partitionKey,
      clusteringColumns,
      clusteringOrder,
      compactStorage,
      options,
    };
  }

  private alterTable(): Statement {
    this.next();
    const ifExists = this.ifExists();
    const table = this.qualifiedName();
    const t = this.peek();
    let action: AlterTableAction;
    if (Parser.isKw(t, 'ALTER')) {
      this.next();
      const column = this.ident();
      this.expectKw('TYPE');
      action = { kind: 'alterType', column, type: this.columnType() };
    } else if (Parser.isKw(t, 'ADD')) {
      this.next();
      const ifNotExists = this.ifNotExists();
      const columns: ColumnDefinition[] = [];
      if (this.acceptPunct('(')) {
        do columns.push(this.columnDefinition());
        while (this.acceptPunct(','));
        this.expectPunct(')');
      } else {
        columns.push(this.columnDefinition());
      }
      action = { kind: 'add', ifNotExists, columns };
    } else if (Parser.isKw(t, 'DROP')) {
      this.next();
      if (this.atKw('COMPACT') && this.atKw('STORAGE', 1)) {
        this.skip(2);
        action = { kind: 'dropCompactStorage' };
      } else {
        const colIfExists = this.ifExists();
        let columns: string[];
        if (this.acceptPunct('(')) {
          columns = this.identList();
          this.expectPunct(')');
        } else {
          columns = [this.ident()];
        }
        let timestamp: Literal | null = null;
        if (this.acceptKw('USING')) {
          this.expectKw('TIMESTAMP');
          const ts = this.peek();
          if (ts.kind !== 'integer') this.mismatched(ts, 'INTEGER');
          timestamp = this.literal(ts);
        }
        action = { kind: 'drop', ifExists: colIfExists, columns, timestamp };
      }
    } else if (Parser.isKw(t, 'RENAME')) {
      this.next();
      const colIfExists = this.ifExists();
      const renames: (readonly [string, string])[] = [];
      do {
        const from = this.ident();
        this.expectKw('TO');
        renames.push([from, this.ident()]);
      } while (this.acceptKw('AND'));
      action = { kind: 'rename', ifExists: colIfExists, renames };
    } else if (Parser.isKw(t, 'WITH')) {
      this.next();
      action = { kind: 'options', options: this.properties() };
    } else {
      this.noViable(t);
    }
    return { kind: 'alterTable', table, ifExists, action };
  }
}

/** Every bind marker of a statement (a batch: of all its statements), in index order. */
export function bindMarkersOf(stmt: Statement): BindMarker[] {
  const out: BindMarker[] = [];
  const term = (t: Term | null): void => {
    if (t === null) return;
    switch (t.kind) {
      case 'bind':
        out.push(t);
        return;
      case 'list':
      case 'set':
      case 'tuple':
        t.elements.forEach(term);
        return;
      case 'map':
        for (const [k, v] of t.entries) {
          term(k);
          term(v);
        }
        return;
      case 'function':
        t.args.forEach(term);
        return;
      case 'cast':
        term(t.term);
        return;
      case 'operation':
        term(t.left);
        term(t.right);
        return;
      default:
        return;
    }
  };
  const inValues = (v: InValues): void => {
    if (Array.isArray(v)) (v as readonly Term[]).forEach(term);
    else term(v as BindMarker);
  };
  const selector = (s: Selector): void => {
    if (s.kind === 'term') term(s.term);
    else if (s.kind === 'function') s.args.forEach(selector);
    else if (s.kind === 'cast') selector(s.arg);
    else if (s.kind === 'operation') {
      selector(s.left);
      selector(s.right);
    } else if (s.kind === 'negate') selector(s.arg);
    else if (s.kind === 'element') {
      selector(s.arg);
      term(s.key);
    } else if (s.kind === 'slice') {
      selector(s.arg);
      term(s.from);
      term(s.to);
    }
  };
  const relation = (r: Relation): void => {
    if (r.kind === 'in' || r.kind === 'multiIn') inValues(r.values);
    else if (r.kind !== 'isNotNull') {
      if (r.kind === 'mapElement') term(r.key);
      term(r.value);
    }
  };
  const condition = (c: Condition): void => {
    term(c.element);
    if (c.kind === 'in') inValues(c.values);
    else term(c.value);
  };
  const using = (u: UsingClause): void => {
    term(u.ttl);
    term(u.timestamp);
  };
  const walk = (s: Statement): void => {
    switch (s.kind) {
      case 'select':
        s.selection?.forEach((i) => selector(i.selector));
        s.where.forEach(relation);
        term(s.perPartitionLimit);
        term(s.limit);
        return;
      case 'insert':
        s.values.forEach(term);
        using(s.using);
        return;
      case 'insertJson':
        term(s.json);
        using(s.using);
        return;
      case 'update':
        using(s.using);
        for (const a of s.assignments) {
          if (a.kind === 'setElement') term(a.key);
          term(a.value);
        }
        s.where.forEach(relation);
        s.conditions.forEach(condition);
        return;
      case 'delete':
        s.targets.forEach((d) => term(d.element));
        using(s.using);
        s.where.forEach(relation);
        s.conditions.forEach(condition);
        return;
      case 'batch':
        using(s.using);
        s.statements.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(stmt);
  return out.sort((a, b) => a.index - b.index);
}
