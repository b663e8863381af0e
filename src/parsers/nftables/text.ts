/**
 * nftables text syntax (`nft list ruleset`, `nft -f` files) → intermediate form.
 * Hand-written recursive descent over the preprocessed token stream; every
 * unknown construct becomes a diagnostic plus an opaque statement, never a throw.
 */
import { LineIndex, type Diagnostic, type DocComment, type Rule, type Span, type TableFamily } from '../../model/index.js';
import type { ParseOptions } from '../types.js';
import type { RulePrebuilder } from './build.js';
import { exprModule, IrState, type IrChain, type IrChainRule, type IrElem, type IrExpr, type IrRule, type IrSet, type IrStmt, type IrTable, type IrVal, type IrVerdict, valKey } from './ir.js';
import { HintedLineIndex, lex, Lexer, spanOfTok, type LexToken, type Source } from './lexer.js';
import { placeOf } from '../placed.js';
import { oneLineAt } from './rule.js';
import { preprocess } from './preprocess.js';
import { EXTHDR_NAMES, FAMILIES, META_UNQUALIFIED, PAYLOAD_PROTOCOLS, asHook, namedPriority } from './symbols.js';

/** Words that start a statement and so can never be an implicit value. */
const STMT_KEYWORDS: ReadonlySet<string> = new Set([
  'accept', 'drop', 'reject', 'jump', 'goto', 'return', 'continue', 'queue', 'counter', 'log', 'limit', 'quota',
  'notrack', 'dnat', 'snat', 'masquerade', 'redirect', 'comment', 'tproxy', 'synproxy', 'dup', 'fwd', 'flow', 'meter',
  'xt', 'last', 'vmap', 'set', 'map',
]);

const VALUE_EXPR_STARTS: ReadonlySet<string> = new Set(['meta', 'ct', 'fib', 'numgen', 'jhash', 'symhash', 'socket', 'osf', 'ipsec']);

const PAYLOAD_FIELDS: ReadonlySet<string> = new Set([
  'saddr', 'daddr', 'sport', 'dport', 'protocol', 'nexthdr', 'version', 'hdrlength', 'dscp', 'ecn', 'length', 'id',
  'frag-off', 'ttl', 'checksum', 'flowlabel', 'hoplimit', 'sequence', 'ackseq', 'doff', 'reserved', 'flags', 'window',
  'urgptr', 'option', 'csumcov', 'vtag', 'chunk', 'type', 'code', 'gateway', 'mtu', 'parameter-problem', 'packet-too-big',
  'max-delay', 'taddr', 'cfi', 'dei', 'pcp', 'htype', 'ptype', 'hlen', 'plen', 'operation', 'spi', 'cpi', 'mrt', 'group',
  'vni', 'tci', 'mcast', 'ident', 'tos',
]);

const OPTION_FIELDS: ReadonlySet<string> = new Set([
  'kind', 'length', 'size', 'count', 'left', 'right', 'tsval', 'tsecr', 'value', 'type', 'flags', 'subtype', 'addr', 'ptr',
  'tsn', 'types', 'ssn', 'ppid', 'cum-tsn-ack', 'a-rwnd', 'num-gap-ack-blocks', 'num-dup-tsns', 'init-tag', 'num-outbound-streams',
  'num-inbound-streams', 'initial-tsn', 'new-cum-tsn',
]);

/** Nesting limit for sets and chain bindings (nft's own parser has a similar one). */
const MAX_NESTING = 64;

const WORD_BINOPS: ReadonlyMap<string, string> = new Map([
  ['and', '&'],
  ['or', '|'],
  ['xor', '^'],
  ['lshift', '<<'],
  ['rshift', '>>'],
]);

const RELOPS: ReadonlyMap<string, string> = new Map([
  ['==', '=='], ['!=', '!='], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>='], ['eq', '=='], ['ne', '!='], ['lt', '<'], ['gt', '>'], ['le', '<='], ['ge', '>='],
]);

/**
 * True when a word starts with a-z, as every word operator (RELOPS, WORD_BINOPS) does: the
 * words after a value (addresses, ports) are then not looked up in those maps.
 */
function startsLower(w: string): boolean {
  const c = w.charCodeAt(0);
  return c >= 97 && c <= 122;
}

/** Bitwise operators between a selector or value and the next operand (checked on every value). */
const BIT_OPS: ReadonlySet<string> = new Set(['&', '|', '^', '<<', '>>']);

const VERDICT_WORDS: ReadonlySet<string> = new Set(['accept', 'drop', 'return', 'continue', 'jump', 'goto', 'queue', 'reject']);

const OBJECT_WORDS: ReadonlySet<string> = new Set(['table', 'chain', 'rule', 'set', 'map', 'element', 'flowtable', 'counter', 'quota', 'ct', 'limit', 'secmark', 'synproxy']);
const COMMANDS: ReadonlySet<string> = new Set(['add', 'create', 'insert', 'delete', 'destroy', 'replace', 'flush', 'reset', 'list', 'rename', 'describe', 'monitor', 'export', 'import', 'get']);

/*
 * Statements and selectors that carry no position are never changed once made: one frozen
 * object each, shared by every rule that has them (a big ruleset makes one per rule otherwise).
 */
const VERDICT_STMTS: Readonly<Record<'accept' | 'drop' | 'return' | 'continue', IrStmt>> = {
  accept: Object.freeze<IrStmt>({ k: 'verdict', v: Object.freeze({ k: 'accept' }) }),
  drop: Object.freeze<IrStmt>({ k: 'verdict', v: Object.freeze({ k: 'drop' }) }),
  return: Object.freeze<IrStmt>({ k: 'verdict', v: Object.freeze({ k: 'return' }) }),
  continue: Object.freeze<IrStmt>({ k: 'verdict', v: Object.freeze({ k: 'continue' }) }),
};
const NO_STMTS: IrStmt[] = Object.freeze([]) as unknown as IrStmt[];
const COUNTER_STMT: IrStmt = Object.freeze<IrStmt>({ k: 'continue', name: 'counter' });
const LOG_STMT: IrStmt = Object.freeze<IrStmt>({ k: 'continue', name: 'log' });

/**
 * `meta KEY` and `PROTO FIELD` selectors, one frozen object per name (they hold only their
 * names). Only known names are kept, written as the sets below spell them: the maps live as
 * long as the module, and a name taken from the input could hold on to its text.
 */
const META_EXPRS = new Map<string, IrExpr>();
const PAYLOAD_EXPRS = new Map<string, Map<string, IrExpr>>();
const META_KEYS: ReadonlySet<string> = new Set(['l4proto', 'nfproto', 'protocol', 'iifname', 'oifname', 'iif', 'oif', 'mark', 'pkttype', 'length', 'priority', 'skuid', 'skgid', 'iiftype', 'oiftype', 'cgroup', ...META_UNQUALIFIED]);
/** Each known name as the program spells it (from the name read in the input). */
const KNOWN_NAMES = new Map<string, string>([...META_KEYS, ...PAYLOAD_FIELDS, ...PAYLOAD_PROTOCOLS].map((n) => [n, n]));
function metaExpr(key: string): IrExpr {
  let e = META_EXPRS.get(key);
  if (e === undefined) {
    if (!META_KEYS.has(key)) return { k: 'meta', key };
    const known = KNOWN_NAMES.get(key)!;
    META_EXPRS.set(known, (e = Object.freeze<IrExpr>({ k: 'meta', key: known })));
  }
  return e;
}
function payloadExpr(proto: string, field: string): IrExpr {
  // PAYLOAD_PROTOCOLS has the protocol (parseSingleExpr checked)
  if (!PAYLOAD_FIELDS.has(field)) return { k: 'payload', proto, field };
  let byField = PAYLOAD_EXPRS.get(proto);
  if (byField === undefined) PAYLOAD_EXPRS.set(KNOWN_NAMES.get(proto) ?? proto, (byField = new Map()));
  let e = byField.get(field);
  if (e === undefined) {
    const p = KNOWN_NAMES.get(proto) ?? proto;
    const f = KNOWN_NAMES.get(field)!;
    byField.set(f, (e = Object.freeze<IrExpr>({ k: 'payload', proto: p, field: f })));
  }
  return e;
}

/**
 * A one-word value whose span is made only when something reads it (a
 * diagnostic, a report position): most values of a big ruleset (addresses, set
 * elements) never need one. Same span as the parser's span(token).
 */
class WordAtom {
  /** On the prototype (set below): one field less per value. */
  declare readonly k: 'atom';
  private given: Span | undefined;
  readonly v: string;
  // where the word is, not the token itself: tokens are dropped as the parse moves on
  readonly s: number;
  readonly e: number;
  readonly src: Source;
  constructor(tok: LexToken, src: Source) {
    this.v = tok.v;
    this.s = tok.s;
    this.e = tok.e;
    this.src = src;
  }
  get span(): Span {
    if (this.given === undefined) this.given = this.src.override ?? this.src.li.span(this.s, this.e);
    return this.given;
  }
  set span(s: Span) {
    this.given = s;
  }
  /** True when `span` is (or will be) the span of text[s, e) in `src` (no other span was given). */
  hasOwnPlace(): boolean {
    return this.given === undefined || this.given === this.src.override;
  }
  /** As the literal `{ k, v, span }` it replaces, without the span (valKey drops spans). */
  toJSON(): { k: 'atom'; v: string } {
    return { k: this.k, v: this.v };
  }
}

(WordAtom.prototype as { k: string }).k = 'atom';

interface Ctx {
  table: IrTable;
  chainName: string;
}

/**
 * A parsed rule whose text is read from the document only when asked (the builder asks for rules
 * with an undecodable statement; the model rule it makes reads it from the document in turn).
 */
class DocIrRule implements IrRule {
  declare stmts: IrStmt[];
  declare span: Span;
  declare comment?: string;
  declare built?: Rule[];
  declare builtDiagnostics?: Diagnostic[];
  readonly doc: string;
  readonly #from: number;
  readonly #to: number;
  #text: string | undefined;
  constructor(stmts: IrStmt[], span: Span, doc: string, from: number, to: number) {
    this.stmts = stmts;
    this.span = span;
    this.doc = doc;
    this.#from = from;
    this.#to = to;
    this.#text = undefined;
  }
  get text(): string {
    return (this.#text ??= oneLineAt(this.doc, this.#from, this.#to));
  }
}

export interface TextIr {
  state: IrState;
  diagnostics: Diagnostic[];
  comments: DocComment[];
  /** Names of sets that rules update at run time (`add @s`, `update @s`, meters), per table key. */
  dynamicSets: Set<string>;
}

export class NftTextParser {
  /** LexToken indices are absolute; `pos` and `end` (the limit of the range being parsed) are indices. */
  private pos = 0;
  private end: number;
  readonly dynamicSets = new Set<string>();
  private depth = 0;
  /**
   * The tokens read so far and not yet dropped: win[k] is token base + k. Given an
   * array, it is the whole stream; given a Lexer, tokens are read on demand and the
   * ones before a finished rule are dropped (see dropBefore), so they die young.
   */
  private win: LexToken[];
  /**
   * How many of win's slots hold the window (streaming: the slots past it keep dropped
   * tokens until overwritten, so the array is reused instead of copied and grown again).
   */
  private wlen: number;
  private base = 0;
  private lexer: Lexer | undefined;
  /** The statements of the rules being parsed (see parseRule). */
  private readonly stmtBuf: IrStmt[] = [];
  /** How many rules are being parsed: more than one inside a chain binding. */
  private ruleNesting = 0;
  /**
   * The rule being parsed, when it starts in the main text: its start offset and the end of its
   * first line (-1 otherwise). A match within [ruleStart, ruleLineEnd) is placed next to the rule's
   * span (IrStmt `at`) instead of getting a span of its own.
   */
  private ruleStart = -1;
  private ruleLineEnd = -1;

  constructor(
    toks: LexToken[] | Lexer,
    private readonly main: Source,
    readonly diagnostics: Diagnostic[],
    readonly state: IrState = new IrState(),
    /** When given, rules are built into the model as they are parsed (see RulePrebuilder). */
    private readonly prebuilder?: RulePrebuilder,
  ) {
    if (Array.isArray(toks)) {
      this.win = toks;
      this.wlen = toks.length;
      this.end = toks.length;
    } else {
      this.win = [];
      this.wlen = 0;
      this.lexer = toks;
      this.end = Number.MAX_SAFE_INTEGER;
    }
  }

  // ------------------------------------------------------------ token helpers

  /** LexToken i (lexed now if need be), or undefined past the end of the input. */
  private tokAt(i: number): LexToken | undefined {
    const k = i - this.base;
    const win = this.win;
    if (k < this.wlen) return win[k];
    const lexer = this.lexer;
    if (lexer === undefined) return undefined;
    while (k >= this.wlen) {
      const t = lexer.next();
      if (t === undefined) {
        this.lexer = undefined;
        return undefined;
      }
      win[this.wlen++] = t;
    }
    return win[k];
  }
  /** True when a token is left in the range being parsed. */
  private more(): boolean {
    return this.pos < this.end && this.tokAt(this.pos) !== undefined;
  }
  /** Forget the tokens before index i (on-demand lexing only; nothing before i is looked at again). */
  private dropBefore(i: number): void {
    const drop = i - this.base;
    if (this.lexer === undefined || drop < 4096) return;
    // moved to the front of the same array (a new one would be grown slot by slot again)
    const win = this.win;
    const n = this.wlen;
    for (let k = drop; k < n; k++) win[k - drop] = win[k];
    this.wlen = Math.max(0, n - drop);
    this.base = i;
  }

  private peek(o = 0): LexToken | undefined {
    const i = this.pos + o;
    return i < this.end ? this.tokAt(i) : undefined;
  }
  private next(): LexToken | undefined {
    const t = this.pos < this.end ? this.tokAt(this.pos) : undefined;
    if (t !== undefined) this.pos++;
    return t;
  }
  private isWord(t: LexToken | undefined): t is LexToken;
  private isWord(t: LexToken | undefined, v: string): boolean;
  private isWord(t: LexToken | undefined, v?: string): boolean {
    return !!t && t.t === 'word' && (v === undefined || t.v === v);
  }
  private isPunct(t: LexToken | undefined, v: string): boolean {
    return !!t && t.t === 'punct' && t.v === v;
  }
  private isEndOfStmt(t: LexToken | undefined): boolean {
    return !t || t.t === 'nl' || (t.t === 'punct' && (t.v === ';' || t.v === '}'));
  }
  private span(a: LexToken, b: LexToken = a): Span {
    const src = a.src ?? this.main;
    if (src.override) return src.override;
    if (src === (b.src ?? this.main) && b.e >= a.s) return src.li.span(a.s, b.e);
    return spanOfTok(src, a.s, a.e);
  }
  private lastTok(): LexToken {
    let i = Math.max(0, Math.min(this.pos, this.end) - 1);
    // the cursor can be past the last token (`pos += 2` at the end of the input): as with an array, the last token
    if (this.tokAt(i) === undefined && this.lexer === undefined) i = Math.min(i, this.base + this.wlen - 1);
    return this.tokAt(i) ?? (this.wlen > 0 ? this.win[0] : undefined)!;
  }
  private hereSpan(): Span {
    const t = this.peek() ?? this.lastTok();
    if (!t) return { start: this.main.li.position(0), end: this.main.li.position(0) };
    return this.span(t);
  }
  private error(message: string, span: Span, code = 'nftables/syntax', severity: 'error' | 'warning' = 'error'): void {
    this.diagnostics.push({ severity, code, message, span });
  }
  private textOf(a: LexToken, b: LexToken): string {
    const src = a.src ?? this.main;
    if (src === (b.src ?? this.main) && b.e >= a.s && !src.override) return oneLineAt(src.text, a.s, b.e);
    const parts: string[] = [];
    const i0 = this.win.indexOf(a);
    for (let i = i0; i >= 0 && i < this.wlen; i++) {
      const t = this.win[i]!;
      if (t.t !== 'nl') parts.push(t.t === 'str' ? `"${t.v}"` : t.t === 'var' ? `$${t.v}` : t.t === 'ref' ? `@${t.v}` : t.v);
      if (t === b) break;
    }
    return parts.join(' ');
  }
  private tokText(t: LexToken): string {
    return t.t === 'str' ? `"${t.v}"` : t.t === 'ref' ? `@${t.v}` : t.t === 'var' ? `$${t.v}` : t.v;
  }
  /** Skip to the end of the current statement (newline or `;` at depth 0, or before an unmatched `}`). */
  private skipStatement(): void {
    let d = 0;
    while (this.more()) {
      const t = this.tokAt(this.pos)!;
      if (d === 0 && (t.t === 'nl' || (t.t === 'punct' && t.v === ';'))) return;
      if (t.t === 'punct' && t.v === '{') d++;
      if (t.t === 'punct' && t.v === '}') {
        if (d === 0) return;
        d--;
      }
      this.pos++;
    }
  }
  /** After `{` was consumed: skip to just after the matching `}`. */
  private skipBlock(): void {
    let d = 1;
    while (this.more()) {
      const t = this.tokAt(this.pos++)!;
      if (t.t === 'punct' && t.v === '{') d++;
      if (t.t === 'punct' && t.v === '}') {
        d--;
        if (d === 0) return;
      }
    }
  }
  private skipSeparators(): void {
    while (this.more()) {
      const t = this.tokAt(this.pos)!;
      if (t.t === 'nl' || (t.t === 'punct' && t.v === ';')) this.pos++;
      else return;
    }
  }
  private expectEndOfStmt(what: string): void {
    const t = this.peek();
    if (this.isEndOfStmt(t)) return;
    this.error(`Unexpected "${this.tokText(t!)}" after ${what}`, this.span(t!));
    this.skipStatement();
  }
  private nameTok(): LexToken | undefined {
    const t = this.peek();
    if (t && (t.t === 'word' || t.t === 'str')) {
      this.pos++;
      if (t.v.length > 256) this.error(`Name is longer than 256 characters`, this.span(t), 'nftables/name-too-long');
      return t;
    }
    return undefined;
  }

  // ------------------------------------------------------------ top level

  parseTop(): void {
    while (this.more()) {
      this.skipSeparators();
      const t = this.peek();
      if (!t) break;
      if (this.isPunct(t, '}')) {
        this.error('Unexpected "}"', this.span(t));
        this.pos++;
        continue;
      }
      const startPos = this.pos;
      try {
        this.parseCommand();
      } catch (e) {
        this.error(`Internal parser error: ${String(e)}`, this.span(t), 'nftables/internal');
        this.pos = Math.max(this.pos, startPos + 1);
        this.skipStatement();
      }
      if (this.pos === startPos) this.pos++;
    }
  }

  private parseCommand(): void {
    const t = this.next()!;
    if (t.t !== 'word') {
      this.error(`Unexpected ${this.tokText(t)}`, this.span(t));
      this.skipStatement();
      return;
    }
    let verb = t.v;
    if (OBJECT_WORDS.has(verb)) {
      this.pos--;
      verb = 'add';
    } else if (!COMMANDS.has(verb)) {
      this.error(`Unknown command "${t.v}"`, this.span(t));
      this.skipStatement();
      return;
    }
    if (verb === 'list' || verb === 'describe' || verb === 'monitor' || verb === 'export' || verb === 'import' || verb === 'get' || verb === 'reset') {
      this.skipStatement();
      return;
    }
    const objTok = this.next();
    if (!this.isWord(objTok)) {
      this.error(`Expected an object after "${verb}"`, this.span(objTok ?? t));
      this.skipStatement();
      return;
    }
    let obj = objTok.v;
    if (obj === 'ct') {
      const sub = this.next();
      obj = `ct ${sub?.v ?? ''}`;
    }
    switch (obj) {
      case 'ruleset':
        if (verb === 'flush') {
          const fam = this.peek();
          if (this.isWord(fam) && FAMILIES.has(fam.v)) {
            this.pos++;
            this.state.flushRuleset(fam.v);
          } else this.state.flushRuleset();
        } else this.error(`"${verb} ruleset" is not supported`, this.span(t, objTok));
        this.expectEndOfStmt('ruleset');
        return;
      case 'table':
        return this.cmdTable(verb, t);
      case 'chain':
        return this.cmdChain(verb, t);
      case 'rule':
        return this.cmdRule(verb, t);
      case 'set':
      case 'map':
        return this.cmdSet(verb, t, obj === 'map');
      case 'element':
        return this.cmdElement(verb, t);
      default: {
        // flowtable, counter, quota, ct helper/timeout/expectation, limit, secmark, synproxy objects: not modelled.
        this.skipStatementOrBlock();
        return;
      }
    }
  }

  private skipStatementOrBlock(): void {
    while (this.more()) {
      const t = this.tokAt(this.pos)!;
      if (t.t === 'nl' || (t.t === 'punct' && (t.v === ';' || t.v === '}'))) return;
      this.pos++;
      if (t.t === 'punct' && t.v === '{') {
        this.skipBlock();
        return;
      }
    }
  }

  /** `[family] name` */
  private tableSpec(): { family: TableFamily; name: string; tok: LexToken } | undefined {
    const a = this.peek();
    const b = this.peek(1);
    let family: TableFamily = 'ip';
    if (this.isWord(a) && FAMILIES.has(a.v) && b && (b.t === 'word' || b.t === 'str')) {
      family = a.v as TableFamily;
      this.pos++;
    }
    const n = this.nameTok();
    if (!n) {
      this.error('Expected a table name', this.hereSpan());
      return undefined;
    }
    return { family, name: n.v, tok: a ?? n };
  }

  private cmdTable(verb: string, start: LexToken): void {
    const spec = this.tableSpec();
    if (!spec) return this.skipStatement();
    const { family, name } = spec;
    if (verb === 'delete' || verb === 'destroy') {
      if (!this.state.findTable(family, name) && verb === 'delete') this.error(`delete table: no table ${family} ${name}`, this.span(start, this.lastTok()), 'nftables/no-such-object', 'warning');
      this.state.tables.delete(`${family} ${name}`);
      return this.skipStatementOrBlock();
    }
    if (verb === 'flush') {
      const tb = this.state.findTable(family, name);
      if (tb) for (const c of tb.chains.values()) c.rules = [];
      return this.skipStatement();
    }
    const tb = this.state.table(family, name, this.span(start, this.lastTok()));
    if (this.isPunct(this.peek(), '{')) {
      const open = this.next()!;
      this.parseTableBody(tb, open);
    }
    this.expectEndOfStmt('table');
  }

  /**
   * The items of a `{ … }` block: `item` runs for each until the closing `}`.
   * True when the block closed; false when the input ended first (the caller says so).
   */
  private eachBlockItem(item: (t: LexToken) => void): boolean {
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (!t) return false;
      if (this.isPunct(t, '}')) {
        this.pos++;
        return true;
      }
      item(t);
    }
  }

  /** One block item that never stops the parse: a parser bug becomes a diagnostic, and the parse always advances. */
  private guardedItem(t: LexToken, parse: () => void, recover: () => void): void {
    const startPos = this.pos;
    try {
      parse();
    } catch (e) {
      this.error(`Internal parser error: ${String(e)}`, this.span(t), 'nftables/internal');
      recover();
    }
    if (this.pos === startPos) this.pos++;
  }

  private parseTableBody(tb: IrTable, open: LexToken): void {
    const closed = this.eachBlockItem((t) => this.guardedItem(t, () => this.parseTableItem(tb), () => this.skipStatementOrBlock()));
    if (!closed) this.error(`Missing "}" for table ${tb.name}`, this.span(open), 'nftables/unclosed-block');
  }

  private parseTableItem(tb: IrTable): void {
    const t = this.next()!;
    if (!this.isWord(t)) {
      this.error(`Unexpected ${this.tokText(t)} in table ${tb.name}`, this.span(t));
      this.skipStatementOrBlock();
      return;
    }
    switch (t.v) {
      case 'chain': {
        const n = this.nameTok();
        if (!n) {
          this.error('Expected a chain name', this.hereSpan());
          return this.skipStatementOrBlock();
        }
        const ch = this.state.chain(tb, n.v, this.span(t, n));
        if (this.isPunct(this.peek(), '{')) {
          const open = this.next()!;
          this.parseChainBody({ table: tb, chainName: ch.name }, ch, open);
          ch.span = this.span(t, this.lastTok());
        } else this.error(`Expected "{" after chain ${n.v}`, this.hereSpan());
        return;
      }
      case 'set':
      case 'map': {
        const n = this.nameTok();
        if (!n) {
          this.error(`Expected a ${t.v} name`, this.hereSpan());
          return this.skipStatementOrBlock();
        }
        const s = this.state.set(tb, n.v, t.v === 'map', this.span(t, n));
        if (this.isPunct(this.peek(), '{')) {
          const open = this.next()!;
          this.parseSetBody(tb, s, open);
          s.span = this.span(t, this.lastTok());
        } else this.error(`Expected "{" after ${t.v} ${n.v}`, this.hereSpan());
        return;
      }
      case 'flags':
      case 'comment':
        this.skipStatement();
        return;
      case 'flowtable':
      case 'counter':
      case 'quota':
      case 'limit':
      case 'secmark':
      case 'synproxy':
      case 'ct':
      case 'tunnel':
        this.skipStatementOrBlock();
        return;
      default:
        this.error(`Unknown table item "${t.v}"`, this.span(t), 'nftables/unknown-table-item');
        this.skipStatementOrBlock();
    }
  }

  private parseSetBody(tb: IrTable, s: IrSet, open: LexToken): void {
    let typed = false;
    const closed = this.eachBlockItem((t) => {
      this.pos++;
      if (this.isWord(t, 'type') || this.isWord(t, 'typeof')) typed = true;
      if (this.isWord(t, 'flags')) {
        while (!this.isEndOfStmt(this.peek())) {
          const f = this.next()!;
          if (f.t === 'word') s.flags.push(f.v);
        }
      } else if (this.isWord(t, 'timeout')) {
        s.hasTimeout = true;
        this.skipStatement();
      } else if (this.isWord(t, 'elements')) {
        if (this.isPunct(this.peek(), '=')) this.pos++;
        const o = this.peek();
        if (this.isPunct(o, '{')) {
          this.pos++;
          const r = this.parseSetElems(o!, { table: tb, chainName: '' });
          s.elems.push(...r.elems);
        } else {
          const v = this.parseValue(false, { table: tb, chainName: '' });
          if (v) s.elems.push({ key: v });
        }
      } else if (this.isWord(t) && ['type', 'typeof', 'size', 'policy', 'gc-interval', 'comment', 'auto-merge', 'counter', 'quota', 'stateful', 'limit', 'ct', 'last'].includes(t.v)) {
        this.skipStatement();
      } else {
        this.error(`Unknown set property "${this.tokText(t)}"`, this.span(t), 'nftables/unknown-set-item', 'warning');
        this.skipStatement();
      }
    });
    if (!closed) this.error(`Missing "}" for set ${s.name}`, this.span(open), 'nftables/unclosed-block');
    else if (!typed) this.error(`${s.isMap ? 'Map' : 'Set'} "${s.name}" has no type (add "type" or "typeof")`, s.span, 'nftables/set-without-type');
  }

  private parseChainBody(ctx: Ctx, ch: IrChain, open: LexToken, anonymous = false): void {
    // eachBlockItem and guardedItem written out: this loop runs once per rule, and their two closures per rule add up
    let closed = false;
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (!t) break;
      if (this.isPunct(t, '}')) {
        this.pos++;
        closed = true;
        break;
      }
      const startPos = this.pos;
      try {
        this.parseChainItem(ctx, ch, t, anonymous);
      } catch (e) {
        this.error(`Internal parser error: ${String(e)}`, this.span(t), 'nftables/internal');
        this.skipStatement();
      }
      if (this.pos === startPos) this.pos++;
    }
    if (!closed && !anonymous) this.error(`Missing "}" for chain ${ch.name}`, this.span(open), 'nftables/unclosed-block');
  }

  private parseChainItem(ctx: Ctx, ch: IrChain, t: LexToken, anonymous: boolean): void {
    if (this.isWord(t, 'type') && !anonymous) this.parseChainType(ctx, ch);
    else if (this.isWord(t, 'policy') && !anonymous) this.parseChainPolicy(ch);
    else if ((this.isWord(t, 'comment') && this.peek(1)?.t === 'str' && this.isEndOfStmt(this.peek(2))) || this.isWord(t, 'devices') || this.isWord(t, 'flags')) this.skipStatement();
    else {
      const r = this.parseRuleTokens(ctx);
      if (r) ch.rules.push(r);
    }
  }

  private parseChainType(ctx: Ctx, ch: IrChain): void {
    const start = this.next()!;
    const ty = this.next();
    if (this.isWord(ty)) ch.type = ty.v;
    else this.error('Expected a chain type', this.span(start));
    while (!this.isEndOfStmt(this.peek())) {
      const k = this.next()!;
      if (this.isWord(k, 'hook')) {
        const h = this.next();
        if (this.isWord(h) && asHook(h.v)) ch.hook = h.v;
        else this.error(`Unknown hook "${h ? this.tokText(h) : ''}"`, this.span(h ?? k), 'nftables/unknown-hook');
      } else if (this.isWord(k, 'device')) {
        const d = this.next();
        if (d && d.t === 'str' && d.v === '') this.error('Empty device name', this.span(d), 'nftables/empty-device');
      } else if (this.isWord(k, 'devices')) {
        if (this.isPunct(this.peek(), '=')) this.pos++;
        if (this.isPunct(this.peek(), '{')) {
          this.pos++;
          this.skipBlock();
        } else this.pos++;
      } else if (this.isWord(k, 'priority')) {
        const parts: LexToken[] = [];
        while (!this.isEndOfStmt(this.peek()) && !this.isWord(this.peek(), 'policy')) parts.push(this.next()!);
        const p = this.priorityValue(ctx.table.family, parts);
        if (p === undefined) this.error(`Invalid chain priority "${parts.map((x) => x.v).join(' ')}"`, parts.length ? this.span(parts[0]!, parts[parts.length - 1]!) : this.span(k), 'nftables/bad-priority');
        else ch.priority = p;
      } else if (this.isWord(k, 'policy')) {
        this.pos--;
        return;
      } else {
        this.error(`Unexpected "${this.tokText(k)}" in chain type`, this.span(k));
      }
    }
  }

  priorityValue(family: TableFamily, parts: LexToken[]): number | undefined {
    const s = parts.map((p) => p.v).join('');
    if (/^[+-]?[0-9]{1,10}$/.test(s)) return Number(s);
    const m = /^([a-z]{1,16})(?:([+-])([0-9]{1,10}))?$/.exec(s);
    if (!m) return undefined;
    const base = namedPriority(family, m[1]!);
    if (base === undefined) return undefined;
    return m[2] ? base + (m[2] === '-' ? -1 : 1) * Number(m[3]) : base;
  }

  private parseChainPolicy(ch: IrChain): void {
    const k = this.next()!;
    const v = this.next();
    if (this.isWord(v) && (v.v === 'accept' || v.v === 'drop')) {
      ch.policy = v.v;
      ch.policySpan = this.span(k, v);
    } else this.error(`Invalid chain policy "${v ? this.tokText(v) : ''}"`, this.span(v ?? k), 'nftables/bad-policy');
    this.expectEndOfStmt('policy');
  }

  /** `[family] table name`: the table spec and the object name after it, or an error naming what was expected. */
  private specAndName(what: string): { spec: { family: TableFamily; name: string; tok: LexToken }; n: LexToken } | undefined {
    const spec = this.tableSpec();
    if (!spec) return undefined;
    const n = this.nameTok();
    if (!n) {
      this.error(`Expected a ${what} name`, this.hereSpan());
      return undefined;
    }
    return { spec, n };
  }

  /** The table a command works on: created (with a warning) by add/create, else looked up. */
  private tableFor(verb: string, family: TableFamily, name: string, start: LexToken): IrTable | undefined {
    return verb === 'add' || verb === 'create' ? this.tableOrCreate(family, name, start) : this.state.findTable(family, name);
  }

  private cmdChain(verb: string, start: LexToken): void {
    const target = this.specAndName('chain');
    if (!target) return this.skipStatementOrBlock();
    const { spec, n } = target;
    const tb = this.tableFor(verb, spec.family, spec.name, start);
    if (!tb) {
      if (verb !== 'destroy') this.error(`${verb} chain: no table ${spec.family} ${spec.name}`, this.span(start, n), 'nftables/no-such-object', 'warning');
      return this.skipStatementOrBlock();
    }
    if (verb === 'delete' || verb === 'destroy') {
      tb.chains.delete(n.v);
      return this.skipStatementOrBlock();
    }
    if (verb === 'flush') {
      const c = tb.chains.get(n.v);
      if (c) c.rules = [];
      return this.skipStatement();
    }
    if (verb === 'rename') {
      const nn = this.nameTok();
      const c = tb.chains.get(n.v);
      if (c && nn) {
        tb.chains.delete(n.v);
        c.name = nn.v;
        tb.chains.set(nn.v, c);
      }
      return this.skipStatement();
    }
    const ch = this.state.chain(tb, n.v, this.span(start, n));
    if (this.isPunct(this.peek(), '{')) {
      const open = this.next()!;
      this.parseChainBody({ table: tb, chainName: ch.name }, ch, open);
    }
    this.expectEndOfStmt('chain');
  }

  private tableOrCreate(family: TableFamily, name: string, start: LexToken): IrTable {
    const tb = this.state.findTable(family, name);
    if (tb) return tb;
    this.error(`Table ${family} ${name} is used before it is created`, this.span(start, this.lastTok()), 'nftables/no-such-object', 'warning');
    return this.state.table(family, name, this.span(start, this.lastTok()));
  }

  private cmdRule(verb: string, start: LexToken): void {
    const target = this.specAndName('chain');
    if (!target) return this.skipStatement();
    const { spec, n } = target;
    let positioned = false;
    while (this.isWord(this.peek()) && ['position', 'handle', 'index'].includes(this.peek()!.v) && this.isWord(this.peek(1))) {
      positioned = true;
      this.pos += 2;
    }
    if (verb === 'delete' || verb === 'destroy' || verb === 'replace') {
      this.error(`"${verb} rule" refers to rule handles, which a file does not carry; ignored`, this.span(start, this.lastTok()), 'nftables/rule-handle', 'warning');
      return this.skipStatement();
    }
    let tb = this.state.findTable(spec.family, spec.name);
    let ch = tb?.chains.get(n.v);
    if (!tb || !ch) {
      // nft would refuse the file; keep the rule (in a chain made for it) so it is still linted
      this.error(`${verb} rule: no chain ${spec.family} ${spec.name} ${n.v}`, this.span(start, n), 'nftables/no-such-object');
      tb ??= this.state.table(spec.family, spec.name, this.span(start, n));
      ch = this.state.chain(tb, n.v, this.span(start, n));
    }
    if (positioned) this.error('Rule positions refer to handles; the rule is placed at the end (add) or start (insert) of the chain', this.span(start, n), 'nftables/rule-handle', 'warning');
    const r = this.parseRuleTokens({ table: tb, chainName: ch.name });
    if (!r) return;
    if (verb === 'insert') ch.rules.unshift(r);
    else ch.rules.push(r);
  }

  private cmdSet(verb: string, start: LexToken, isMap: boolean): void {
    const target = this.specAndName('set');
    if (!target) return this.skipStatementOrBlock();
    const { spec, n } = target;
    const tb = this.tableFor(verb, spec.family, spec.name, start);
    if (!tb) return this.skipStatementOrBlock();
    if (verb === 'delete' || verb === 'destroy') {
      tb.sets.delete(n.v);
      return this.skipStatementOrBlock();
    }
    if (verb === 'flush') {
      const s = tb.sets.get(n.v);
      if (s) s.elems = [];
      return this.skipStatement();
    }
    const s = this.state.set(tb, n.v, isMap, this.span(start, n));
    if (this.isPunct(this.peek(), '{')) {
      const open = this.next()!;
      this.parseSetBody(tb, s, open);
    }
    this.expectEndOfStmt('set');
  }

  private cmdElement(verb: string, start: LexToken): void {
    const spec = this.tableSpec();
    if (!spec) return this.skipStatementOrBlock();
    const n = this.nameTok();
    const tb = this.state.findTable(spec.family, spec.name);
    const s = n && tb?.sets.get(n.v);
    const o = this.peek();
    if (!this.isPunct(o, '{')) {
      this.error('Expected "{" with elements', this.hereSpan());
      return this.skipStatement();
    }
    this.pos++;
    const r = this.parseSetElems(o!, { table: tb ?? this.state.table(spec.family, spec.name, this.span(start)), chainName: '' });
    if (!s) {
      this.error(`${verb} element: no set ${spec.family} ${spec.name} ${n?.v ?? ''}`, this.span(start, this.lastTok()), 'nftables/no-such-object');
      return;
    }
    if (verb === 'add' || verb === 'create') s.elems.push(...r.elems);
    else if (verb === 'delete' || verb === 'destroy') {
      const gone = new Set(r.elems.map((e) => valKey(e.key)));
      s.elems = s.elems.filter((e) => !gone.has(valKey(e.key)));
    }
  }

  // ------------------------------------------------------------ rules

  /** Parse one rule starting at the cursor, up to a newline/`;` at depth 0 or an unmatched `}`. */
  private parseRuleTokens(ctx: Ctx): IrChainRule | undefined {
    const lo = this.pos;
    let d = 0;
    if (this.depth === 0) this.dropBefore(lo - 1);
    let hi = lo;
    for (;;) {
      const t = hi < this.end ? this.tokAt(hi) : undefined;
      if (t === undefined) break;
      if (d === 0 && (t.t === 'nl' || (t.t === 'punct' && t.v === ';'))) break;
      if (t.t === 'punct' && t.v === '{') d++;
      if (t.t === 'punct' && t.v === '}') {
        if (d === 0) break;
        d--;
      }
      hi++;
    }
    if (hi === lo) return undefined;
    const savedEnd = this.end;
    this.end = hi;
    // The statements go onto stmtBuf, from `start` on: the builder reads them there, and they are
    // copied out (at their exact size) only when the rule is kept as parsed. A list per rule grown
    // by push would take 17 slots. Emptied only now and then: emptying reallocates it.
    const buf = this.stmtBuf;
    if (this.ruleNesting === 0 && buf.length > 256) buf.length = 0;
    const start = buf.length;
    let rule: IrRule | undefined;
    this.ruleNesting++;
    try {
      rule = this.parseRule(ctx, lo, hi);
    } finally {
      this.ruleNesting--;
      this.end = savedEnd;
      this.pos = hi;
      if (rule === undefined && this.ruleNesting > 0) buf.length = start;
    }
    const end = buf.length;
    let kept: IrChainRule = rule;
    try {
      if (this.prebuilder === undefined) rule.stmts = buf.slice(start, end);
      else {
        rule.stmts = NO_STMTS; // never the reused list: prebuild copies the statements when it keeps the rule
        kept = this.prebuilder.prebuild(rule, ctx.table, buf, start, end);
      }
    } catch {
      // a builder bug: left to buildDocument, which reports it as before
      rule.stmts = buf.slice(start, end);
      kept = rule;
    } finally {
      // a rule inside a rule (chain binding): its statements are not the outer rule's
      if (this.ruleNesting > 0) buf.length = start;
    }
    return kept;
  }

  /** The rule's statements are pushed onto stmtBuf (rule.stmts is stmtBuf until parseRuleTokens sets it). */
  private parseRule(ctx: Ctx, lo: number, hi: number): IrRule {
    const first = this.tokAt(lo)!;
    let last = this.tokAt(hi - 1)!;
    while (last.t === 'nl' && hi - 1 > lo) last = this.tokAt(--hi - 1)!;
    const src = first.src ?? this.main;
    const rule: IrRule =
      src === (last.src ?? this.main) && last.e >= first.s && src.override === undefined
        ? new DocIrRule(this.stmtBuf, this.span(first, last), src.text, first.s, last.e)
        : { stmts: this.stmtBuf, span: this.span(first, last), text: this.textOf(first, last) };
    // a rule inside this one (chain binding) sets its own; this one's are put back after it
    const savedStart = this.ruleStart;
    const savedLineEnd = this.ruleLineEnd;
    const main = this.main;
    if ((first.src ?? main) === main && main.override === undefined) {
      const nl = main.text.indexOf('\n', first.s);
      this.ruleStart = first.s;
      this.ruleLineEnd = nl < 0 ? main.text.length : nl;
    } else this.ruleStart = this.ruleLineEnd = -1;
    try {
      this.pos = lo;
      while (this.more()) {
        const t = this.peek()!;
        if (t.t === 'nl') {
          this.pos++;
          continue;
        }
        const before = this.pos;
        this.parseStatement(ctx, rule);
        if (this.pos === before) {
          this.error(`Unexpected ${this.tokText(t)}`, this.span(t));
          this.pos++;
        }
      }
    } finally {
      this.ruleStart = savedStart;
      this.ruleLineEnd = savedLineEnd;
    }
    return rule;
  }

  /**
   * The place of value `v` (its tokens from vStart to the cursor) next to the rule's span, as placeOf
   * packs it, when it is where its span would say and on the rule's first line of the main text; else -1.
   */
  private valueAt(v: IrVal, vStart: number): number {
    if (this.ruleStart < 0) return -1;
    const main = this.main;
    let a: number;
    let b: number;
    if (v instanceof WordAtom) {
      if (v.src !== main || !v.hasOwnPlace()) return -1;
      a = v.s;
      b = v.e;
    } else {
      const ta = this.tokAt(vStart)!;
      const tb = this.tokAt(this.pos - 1)!;
      if ((ta.src ?? main) !== main || (tb.src ?? main) !== main) return -1;
      a = ta.s;
      b = tb.e;
      // a span of its own (a set's braces, a quoted string...): placed only when it is that of its tokens
      const own = v.span;
      if (own !== undefined && (own.start.offset !== a || own.end.offset !== b)) return -1;
    }
    if (a < this.ruleStart || b < a || b > this.ruleLineEnd) return -1;
    return placeOf(this.ruleStart, a, b);
  }

  /**
   * The place of the statement that starts at token startIdx, as placeOf packs it next to the rule's
   * span, when it is in the rule's first line of the main text; else -1.
   */
  private stmtAt(startIdx: number): number {
    if (this.ruleStart < 0) return -1;
    const a = this.tokAt(startIdx)!;
    const b = this.tokAt(Math.max(startIdx, this.pos - 1))!;
    const main = this.main;
    if ((a.src ?? main) !== main || (b.src ?? main) !== main || a.s < this.ruleStart || b.e < a.s || b.e > this.ruleLineEnd) return -1;
    return placeOf(this.ruleStart, a.s, b.e);
  }

  /** Statements of a rule given as text (JSON `expr` items nft 1.0.6 prints as strings). */
  parseStatementText(ctx: Ctx, rule: IrRule): void {
    this.pos = 0;
    while (this.more()) {
      const t = this.peek()!;
      if (t.t === 'nl' || this.isPunct(t, ';')) {
        this.pos++;
        continue;
      }
      const before = this.pos;
      this.parseStatement(ctx, rule);
      if (this.pos === before) this.pos++;
    }
  }

  private stmtSpan(startIdx: number): Span {
    const a = this.tokAt(startIdx)!;
    const b = this.tokAt(Math.max(startIdx, this.pos - 1))!;
    return this.span(a, b);
  }
  private stmtText(startIdx: number): string {
    const a = this.tokAt(startIdx)!;
    const b = this.tokAt(Math.max(startIdx, this.pos - 1))!;
    return this.textOf(a, b);
  }

  private parseStatement(ctx: Ctx, rule: IrRule): void {
    const s0 = this.pos;
    const t = this.peek()!;
    const stmts = rule.stmts;
    if (t.t === 'word') {
      switch (t.v) {
        case 'accept':
        case 'drop':
        case 'return':
        case 'continue':
          this.pos++;
          return void stmts.push(VERDICT_STMTS[t.v]);
        case 'jump':
        case 'goto': {
          this.pos++;
          const v = this.parseJumpTarget(ctx, t.v);
          if (v) stmts.push({ k: 'verdict', v });
          return;
        }
        case 'reject': {
          this.pos++;
          let w: string | undefined;
          if (this.isWord(this.peek(), 'with')) {
            const ws = this.pos;
            this.pos++;
            const kind = this.next();
            if (this.isWord(kind, 'tcp')) {
              if (this.isWord(this.peek(), 'reset')) this.pos++;
            } else {
              if (this.isWord(this.peek(), 'type')) this.pos++;
              const c = this.peek();
              if (this.isWord(c) && !STMT_KEYWORDS.has(c.v)) this.pos++;
            }
            w = this.stmtText(ws).replace(/^with /, '');
          }
          return void stmts.push({ k: 'verdict', v: w === undefined ? { k: 'reject' } : { k: 'reject', with: w } });
        }
        case 'queue': {
          this.pos++;
          this.consumeOptions(new Set(['flags', 'bypass', 'fanout', 'num', 'to']), true);
          if (this.isWord(this.tokAt(this.pos - 1), 'to') && this.isWord(this.peek())) this.parseValue(false, ctx);
          return void stmts.push({ k: 'verdict', v: { k: 'queue', text: this.stmtText(s0) }, span: this.stmtSpan(s0) });
        }
        case 'counter': {
          this.pos++;
          if (this.isWord(this.peek(), 'name')) {
            this.pos++;
            this.parseValue(false, ctx);
          } else {
            while (this.isWord(this.peek(), 'packets') || this.isWord(this.peek(), 'bytes')) this.pos += 2;
          }
          return void stmts.push(COUNTER_STMT);
        }
        case 'log': {
          this.pos++;
          for (;;) {
            const o = this.peek();
            if (!this.isWord(o)) break;
            if (['prefix', 'level', 'group', 'snaplen', 'queue-threshold'].includes(o.v)) {
              this.pos++;
              if (!this.isEndOfStmt(this.peek())) this.pos++;
            } else if (o.v === 'flags') {
              this.pos++;
              while (this.isWord(this.peek()) && ['tcp', 'ip', 'sequence', 'options', 'skuid', 'ether', 'all'].includes(this.peek()!.v)) {
                this.pos++;
                if (this.isPunct(this.peek(), ',')) this.pos++;
              }
            } else break;
          }
          return void stmts.push(LOG_STMT);
        }
        case 'limit':
        case 'quota': {
          this.pos++;
          if (this.isWord(this.peek(), 'name')) {
            this.pos++;
            this.parseValue(false, ctx);
          } else this.consumeRateWords();
          return void stmts.push({ k: 'opaque', module: t.v, text: this.stmtText(s0), reason: t.v === 'limit' ? 'rate limits depend on traffic over time' : 'quotas depend on traffic already seen', span: this.stmtSpan(s0) });
        }
        case 'notrack':
          this.pos++;
          return void stmts.push({ k: 'continue', name: 'notrack', span: this.span(t) });
        case 'dnat':
        case 'snat':
        case 'masquerade':
        case 'redirect':
          this.pos++;
          return void stmts.push(this.parseNat(ctx, t.v, s0));
        case 'comment': {
          this.pos++;
          const c = this.next();
          if (c && c.t === 'str') rule.comment = c.v;
          else if (c) rule.comment = c.v;
          return;
        }
        case 'tproxy':
        case 'dup':
        case 'fwd': {
          this.pos++;
          if (this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ip6')) this.pos++;
          if (this.isWord(this.peek(), 'to')) {
            this.pos++;
            this.parseValue(false, ctx);
          }
          if (this.isWord(this.peek(), 'device')) {
            this.pos++;
            this.parseValue(false, ctx);
          }
          if (t.v === 'fwd') return void stmts.push({ k: 'verdict', v: { k: 'queue', text: this.stmtText(s0) }, span: this.stmtSpan(s0) });
          return void stmts.push({ k: 'continue', name: t.v, span: this.stmtSpan(s0) });
        }
        case 'synproxy': {
          this.pos++;
          if (this.isWord(this.peek(), 'name')) {
            this.pos++;
            this.parseValue(false, ctx);
          } else this.consumeOptions(new Set(['mss', 'wscale', 'timestamp', 'sack-perm', 'name']), false);
          return void stmts.push({ k: 'continue', name: 'synproxy', span: this.stmtSpan(s0) });
        }
        case 'flow': {
          this.pos++;
          if (this.isWord(this.peek(), 'add') || this.isWord(this.peek(), 'offload')) this.pos++;
          if (this.peek()?.t === 'ref') this.pos++;
          return void stmts.push({ k: 'continue', name: 'flow', span: this.stmtSpan(s0) });
        }
        case 'last': {
          this.pos++;
          if (this.isWord(this.peek(), 'used')) {
            this.pos++;
            if (this.isWord(this.peek())) this.pos++;
          }
          return void stmts.push({ k: 'continue', name: 'last', span: this.stmtSpan(s0) });
        }
        case 'xt': {
          this.pos++;
          const kind = this.next();
          this.nameTok();
          if (this.isWord(kind, 'target')) return void stmts.push({ k: 'verdict', v: { k: 'queue', text: this.stmtText(s0) }, span: this.stmtSpan(s0) });
          return void stmts.push({ k: 'opaque', module: 'xt', text: this.stmtText(s0), reason: 'iptables compatibility expressions are not decoded', span: this.stmtSpan(s0) });
        }
        case 'reset': {
          this.pos++;
          const e = this.parseExpr(ctx);
          if (!e) this.pos++;
          return void stmts.push({ k: 'continue', name: 'reset', span: this.stmtSpan(s0) });
        }
        case 'add':
        case 'update':
        case 'delete': {
          if (this.peek(1)?.t === 'ref') {
            this.pos++;
            const ref = this.next()!;
            return this.parseSetStatement(ctx, rule, s0, ref.v);
          }
          break;
        }
        case 'meter': {
          this.pos++;
          const n = this.nameTok();
          if (this.isWord(this.peek(), 'size')) this.pos += 2;
          return this.parseSetStatement(ctx, rule, s0, n?.v ?? '');
        }
        case 'set': {
          // legacy `set add ip saddr @s`
          if (this.isWord(this.peek(1), 'add') || this.isWord(this.peek(1), 'update')) {
            this.pos += 2;
            this.parseValue(false, ctx);
            const ref = this.peek();
            if (ref?.t === 'ref') {
              this.pos++;
              this.dynamicSets.add(`${ctx.table.family} ${ctx.table.name} ${ref.v}`);
            }
            return void stmts.push({ k: 'continue', name: 'set', span: this.stmtSpan(s0) });
          }
          break;
        }
      }
    }
    // expression statements: matches, mangles, vmaps
    const exprStart = this.pos;
    const e = this.parseExpr(ctx);
    if (e) return this.parseExprStatement(ctx, rule, e, exprStart);
    // unknown statement: keep as opaque up to the next statement keyword
    const ut = this.next()!;
    while (this.more()) {
      const n = this.peek()!;
      if (n.t === 'word' && (STMT_KEYWORDS.has(n.v) || VERDICT_WORDS.has(n.v))) break;
      if (this.isPunct(n, '{')) {
        this.pos++;
        this.skipBlock();
        continue;
      }
      this.pos++;
    }
    const span = this.stmtSpan(s0);
    this.error(`Unknown statement "${this.tokText(ut)}"`, span, 'nftables/unknown-statement', 'warning');
    stmts.push({ k: 'unknown', text: this.stmtText(s0), span });
  }

  private parseSetStatement(ctx: Ctx, rule: IrRule, s0: number, name: string): void {
    this.dynamicSets.add(`${ctx.table.family} ${ctx.table.name} ${name}`);
    let hasStmt = false;
    const o = this.peek();
    if (this.isPunct(o, '{')) {
      this.pos++;
      hasStmt = this.parseSetElems(o!, ctx).hasStmt;
    }
    const span = this.stmtSpan(s0);
    if (hasStmt) rule.stmts.push({ k: 'opaque', module: 'set', text: this.stmtText(s0), reason: `the statement in the update of set ${name} depends on run-time state`, span });
    rule.stmts.push({ k: 'continue', name: 'set', span, updatesSet: name });
  }

  private consumeOptions(words: Set<string>, withValues: boolean): void {
    for (;;) {
      const o = this.peek();
      if (this.isWord(o) && words.has(o.v)) {
        this.pos++;
        continue;
      }
      if (withValues && this.isWord(o) && /^[0-9]/.test(o.v)) {
        this.pos++;
        continue;
      }
      if (this.isPunct(o, ',')) {
        this.pos++;
        continue;
      }
      if (!withValues && this.isWord(o) && /^[0-9]/.test(o.v)) {
        this.pos++;
        continue;
      }
      if (o?.t === 'str' && this.isWord(this.tokAt(this.pos - 1), 'name')) {
        this.pos++;
        continue;
      }
      return;
    }
  }

  private consumeRateWords(): void {
    const words = new Set(['rate', 'over', 'until', 'burst', 'packets', 'bytes', 'kbytes', 'mbytes', 'gbytes', 'used', 'name', 'second', 'minute', 'hour', 'day', 'week']);
    for (;;) {
      const o = this.peek();
      if (this.isWord(o) && (words.has(o.v) || /^[0-9]/.test(o.v) || o.v.includes('/'))) {
        this.pos++;
        continue;
      }
      if (o?.t === 'str' && this.isWord(this.tokAt(this.pos - 1), 'name')) {
        this.pos++;
        continue;
      }
      return;
    }
  }

  private parseJumpTarget(ctx: Ctx, kind: 'jump' | 'goto'): IrVerdict | undefined {
    const n = this.peek();
    if (this.isPunct(n, '{')) {
      // chain binding: an anonymous chain
      this.pos++;
      if (this.depth >= MAX_NESTING) {
        this.error('Chain bindings are nested too deeply', this.span(n!), 'nftables/too-deep');
        this.skipBlock();
        return undefined;
      }
      const name = `__chain${ctx.table.anon++}`;
      const ch = this.state.chain(ctx.table, name, this.span(n!));
      const savedEnd = this.end;
      let d = 1;
      let j = this.pos;
      for (; j < savedEnd; j++) {
        const t = this.tokAt(j);
        if (t === undefined) break;
        if (t.t === 'punct' && t.v === '{') d++;
        if (t.t === 'punct' && t.v === '}') {
          d--;
          if (d === 0) break;
        }
      }
      // just after the closing `}`, or the end of the input when the binding is not closed
      const stop = j < savedEnd && this.tokAt(j) !== undefined ? j + 1 : j;
      this.end = stop;
      this.depth++;
      try {
        this.parseChainBody({ table: ctx.table, chainName: name }, ch, n!, true);
      } finally {
        this.depth--;
        this.end = savedEnd;
        this.pos = stop;
      }
      return { k: kind, target: name };
    }
    const nt = this.nameTok();
    if (!nt) {
      this.error(`Expected a chain name after "${kind}"`, this.hereSpan());
      return undefined;
    }
    return { k: kind, target: nt.v };
  }

  private parseNat(ctx: Ctx, type: string, s0: number): IrStmt {
    let addr: IrVal | undefined;
    let port: IrVal | undefined;
    if (this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ip6')) {
      if (!PAYLOAD_FIELDS.has(this.peek(1)?.v ?? '')) this.pos++;
    }
    if (this.isWord(this.peek(), 'prefix') || this.isWord(this.peek(), 'interval')) this.pos++;
    if (this.isWord(this.peek(), 'addr') && this.isWord(this.peek(1), '.') && this.isWord(this.peek(2), 'port')) this.pos += 3;
    const hasTo = this.isWord(this.peek(), 'to');
    if (hasTo) this.pos++;
    const n = this.peek();
    if (n && !this.isEndOfStmt(n) && !(n.t === 'word' && (STMT_KEYWORDS.has(n.v) || ['persistent', 'random', 'fully-random', 'netmap'].includes(n.v)))) {
      if (this.isWord(n) && /^:[a-z]/i.test(n.v)) {
        // `redirect to :tcp dport map { ... }`: the port is computed
        const s1 = this.pos;
        this.pos++;
        this.parseValue(false, ctx);
        port = { k: 'expr', text: this.stmtText(s1) };
      } else if (type === 'masquerade' || type === 'redirect') {
        port = this.parseValue(false, ctx);
      } else {
        const v = this.parseValue(false, ctx);
        if (v && v.k === 'atom' && typeof v.v === 'string' && !v.quoted) {
          const split = splitAddrPort(v.v);
          addr = split.addr === undefined ? undefined : { k: 'atom', v: split.addr };
          if (split.port !== undefined) port = { k: 'atom', v: split.port };
        } else addr = v;
        if (this.isWord(this.peek(), ':')) {
          // `dnat to 10.0.0.1 : numgen inc mod 2 map { ... }`
          this.pos++;
          port = this.parseValue(false, ctx);
        }
      }
    }
    while (this.isWord(this.peek()) && ['persistent', 'random', 'fully-random', 'netmap'].includes(this.peek()!.v)) {
      this.pos++;
      if (this.isPunct(this.peek(), ',')) this.pos++;
    }
    if (port && port.k === 'atom' && typeof port.v === 'string' && port.v.startsWith(':')) port = { k: 'atom', v: port.v.slice(1) };
    const st: IrStmt = { k: 'nat', type: type as 'dnat', text: this.stmtText(s0), span: this.stmtSpan(s0) };
    if (addr) st.addr = addr;
    if (port) st.port = port;
    return st;
  }

  // ------------------------------------------------------------ expressions

  /** A selector expression (left side of a match), or undefined (cursor unchanged) when none starts here. */
  parseExpr(ctx: Ctx): IrExpr | undefined {
    const first = this.parseSingleExpr(ctx);
    if (!first) return undefined;
    if (!this.isWord(this.peek(), '.')) return first;
    const items = [first];
    while (this.isWord(this.peek(), '.')) {
      const save = this.pos;
      this.pos++;
      let e = this.parseSingleExpr(ctx);
      if (!e) {
        // a constant inside a concatenation (`ip saddr . "lo" @s`)
        const c = this.peek();
        if (c && (c.t === 'str' || (c.t === 'word' && !STMT_KEYWORDS.has(c.v) && !VERDICT_WORDS.has(c.v)))) {
          this.pos++;
          e = { k: 'other', module: 'constant' };
        }
      }
      if (!e) {
        this.pos = save;
        break;
      }
      items.push(e);
    }
    return items.length === 1 ? first : { k: 'concat', items };
  }

  private parseSingleExpr(ctx: Ctx): IrExpr | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.t === 'ref' && this.isPunct(this.peek(1), ',')) {
      // raw payload @base,offset,len
      this.pos++;
      for (let i = 0; i < 2; i++) {
        if (this.isPunct(this.peek(), ',')) this.pos++;
        if (this.isWord(this.peek())) this.pos++;
      }
      return { k: 'other', module: 'payload raw' };
    }
    if (t.t !== 'word') return undefined;
    const w = t.v;
    const n1 = this.peek(1);
    const word1 = this.isWord(n1) ? n1.v : undefined;
    if (w === 'meta') {
      if (!word1) return undefined;
      this.pos += 2;
      return metaExpr(word1);
    }
    if (META_UNQUALIFIED.has(w)) {
      this.pos++;
      return metaExpr(w);
    }
    if (w === 'ct') {
      this.pos++;
      let dir: string | undefined;
      if (this.isWord(this.peek(), 'original') || this.isWord(this.peek(), 'reply')) dir = this.next()!.v;
      if ((this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ip6')) && this.isWord(this.peek(1))) this.pos++;
      const k = this.next();
      if (!this.isWord(k)) {
        this.error('Expected a conntrack key after "ct"', this.span(t));
        return { k: 'other', module: 'ct' };
      }
      return dir ? { k: 'ct', key: k.v, dir } : { k: 'ct', key: k.v };
    }
    if (w === 'fib') {
      this.pos++;
      const flags: string[] = [];
      while (this.isWord(this.peek()) && ['saddr', 'daddr', 'mark', 'iif', 'oif'].includes(this.peek()!.v)) {
        flags.push(this.next()!.v);
        if (this.isWord(this.peek(), '.')) this.pos++;
      }
      const r = this.next();
      return { k: 'fib', flags, result: r?.t === 'word' ? r.v : '' };
    }
    if (PAYLOAD_PROTOCOLS.has(w) && word1 !== undefined && !VERDICT_WORDS.has(word1) && !STMT_KEYWORDS.has(word1)) {
      this.pos += 2;
      if ((w === 'vxlan' || w === 'geneve' || w === 'gre' || w === 'gretap') && PAYLOAD_PROTOCOLS.has(word1) && this.isWord(this.peek()) && PAYLOAD_FIELDS.has(this.peek()!.v)) {
        this.pos++;
        return { k: 'other', module: `${w} ${word1}` };
      }
      if ((w === 'tcp' || w === 'ip' || w === 'sctp') && (word1 === 'option' || word1 === 'chunk')) {
        const nm = this.peek();
        if (nm?.t === 'ref') {
          this.pos++;
          while (this.isPunct(this.peek(), ',') && this.isWord(this.peek(1))) this.pos += 2;
        } else if (this.isWord(nm)) this.pos++;
        if (this.isWord(this.peek()) && OPTION_FIELDS.has(this.peek()!.v)) this.pos++;
        return { k: 'other', module: `${w} ${word1}` };
      }
      if (w === 'arp' && (word1 === 'saddr' || word1 === 'daddr') && (this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ether'))) {
        this.pos++;
        return { k: 'other', module: `arp ${word1}` };
      }
      return payloadExpr(w, word1);
    }
    if (EXTHDR_NAMES.has(w) && word1 !== undefined && !STMT_KEYWORDS.has(word1)) {
      this.pos += 2;
      if (w === 'exthdr' && this.isWord(this.peek()) && OPTION_FIELDS.has(this.peek()!.v)) this.pos++;
      return { k: 'other', module: 'exthdr' };
    }
    if (w === 'rt' && word1 !== undefined) {
      this.pos += 2;
      if ((word1 === 'ip' || word1 === 'ip6') && this.isWord(this.peek())) this.pos++;
      return { k: 'other', module: ['nexthop', 'mtu', 'classid', 'ipsec', 'ip', 'ip6'].includes(word1) ? 'rt' : 'exthdr' };
    }
    if (w === 'socket' && word1 !== undefined) {
      this.pos += 2;
      if (word1 === 'cgroupv2' && this.isWord(this.peek(), 'level')) this.pos += 2;
      return { k: 'other', module: 'socket' };
    }
    if (w === 'osf') {
      this.pos++;
      if (this.isWord(this.peek(), 'ttl')) this.pos += 2;
      if (this.isWord(this.peek(), 'name') || this.isWord(this.peek(), 'version')) this.pos++;
      return { k: 'other', module: 'osf' };
    }
    if (w === 'numgen' || w === 'symhash' || w === 'jhash') {
      this.pos++;
      if (w === 'numgen' && (this.isWord(this.peek(), 'random') || this.isWord(this.peek(), 'inc'))) this.pos++;
      if (w === 'jhash') this.parseExpr(ctx);
      while (this.isWord(this.peek()) && ['mod', 'seed', 'offset'].includes(this.peek()!.v) && this.isWord(this.peek(1))) this.pos += 2;
      return { k: 'other', module: w };
    }
    if (w === 'ipsec' && (word1 === 'in' || word1 === 'out')) {
      this.pos += 2;
      if (this.isWord(this.peek(), 'spnum')) this.pos += 2;
      if (this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ip6')) this.pos++;
      if (this.isWord(this.peek())) this.pos++;
      return { k: 'other', module: 'ipsec' };
    }
    return undefined;
  }

  private parseExprStatement(ctx: Ctx, rule: IrRule, e0: IrExpr, s0: number): void {
    let e = e0;
    // ct count [over] N: a statement that matches on run-time state
    if (e.k === 'ct' && e.key === 'count') {
      if (this.isWord(this.peek(), 'over')) this.pos++;
      if (this.isWord(this.peek())) this.pos++;
      rule.stmts.push({ k: 'opaque', module: 'ct count', text: this.stmtText(s0), reason: 'connection counts are only known at run time', span: this.stmtSpan(s0) });
      return;
    }
    for (;;) {
      const o = this.peek();
      if (o && ((o.t === 'punct' && BIT_OPS.has(o.v)) || (o.t === 'word' && startsLower(o.v) && WORD_BINOPS.has(o.v)))) {
        this.pos++;
        const r = this.parseValueTerm(ctx) ?? { k: 'expr', text: '' };
        e = { k: 'binop', op: WORD_BINOPS.get(o.v) ?? o.v, left: e, right: r };
        continue;
      }
      break;
    }
    const o = this.peek();
    if (this.isWord(o, 'set')) {
      this.pos++;
      const v = this.parseValue(false, ctx);
      const name =
        e.k === 'ct' && ['helper', 'timeout', 'expectation'].includes(e.key)
          ? `ct ${e.key}`
          : e.k === 'meta' && e.key === 'secmark' && v?.k === 'atom' && v.quoted
            ? 'secmark'
            : 'mangle';
      rule.stmts.push({ k: 'continue', name });
      return;
    }
    if (this.isWord(o, 'vmap')) {
      this.pos++;
      const m = this.parseValue(false, ctx) ?? { k: 'expr', text: '' };
      rule.stmts.push({ k: 'vmap', key: e, map: m, span: this.stmtSpan(s0) });
      return;
    }
    let op = '==';
    const relop = o && (o.t === 'punct' || (o.t === 'word' && startsLower(o.v))) ? RELOPS.get(o.v) : undefined;
    if (relop !== undefined) {
      op = relop;
      this.pos++;
    } else if (this.isEndOfStmt(o) || (this.isWord(o) && (STMT_KEYWORDS.has(o.v) || VERDICT_WORDS.has(o.v)))) {
      // a selector with no value (`tcp option sack-perm`): existence test, not decidable here
      rule.stmts.push({ k: 'opaque', module: exprModule(e), text: this.stmtText(s0), reason: 'this test is not decoded', span: this.stmtSpan(s0) });
      return;
    }
    const vStart = this.pos;
    const v = this.parseValue(true, ctx);
    if (!v) {
      this.error('Expected a value', this.hereSpan());
      rule.stmts.push({ k: 'unknown', text: this.stmtText(s0), span: this.stmtSpan(s0) });
      return;
    }
    // only the builder's reportSpan reads it, for destination ports (as the JSON front end sets it):
    // its place next to the rule's span when it is on the rule's first line, else a span
    let rightSpan: Span | number | undefined;
    if (this.pos > vStart && e.k === 'payload' && e.field === 'dport') {
      const rat = this.valueAt(v, vStart);
      rightSpan = rat >= 0 ? rat : (v.span ?? this.span(this.tokAt(vStart)!, this.tokAt(this.pos - 1)!));
    }
    const at = this.stmtAt(s0);
    let st: IrStmt;
    if (at >= 0) st = rightSpan !== undefined ? { k: 'match', left: e, op, right: v, span: rule.span, at, rightSpan } : { k: 'match', left: e, op, right: v, span: rule.span, at };
    else {
      const span = this.stmtSpan(s0);
      st = rightSpan !== undefined ? { k: 'match', left: e, op, right: v, span, rightSpan } : { k: 'match', left: e, op, right: v, span };
    }
    rule.stmts.push(st);
  }

  // ------------------------------------------------------------ values

  parseValue(allowList: boolean, ctx: Ctx): IrVal | undefined {
    const s0 = this.pos;
    let v = this.parseValueTerm(ctx);
    if (!v) return undefined;
    const first = v;
    for (;;) {
      const o = this.peek();
      if (this.isWord(o, '.')) {
        this.pos++;
        const n = this.parseValueTerm(ctx);
        if (!n) break;
        v = v.k === 'concat' ? { k: 'concat', items: [...v.items, n] } : { k: 'concat', items: [v, n] };
        continue;
      }
      if (this.isWord(o, '-')) {
        this.pos++;
        const n = this.parseValueTerm(ctx);
        if (!n) break;
        v = { k: 'range', lo: v, hi: n };
        continue;
      }
      if ((o?.t === 'punct' && BIT_OPS.has(o.v)) || this.isWord(o, '/') || (o?.t === 'word' && startsLower(o.v) && WORD_BINOPS.has(o.v))) {
        this.pos++;
        this.parseValueTerm(ctx);
        v = { k: 'expr', text: this.stmtText(s0) };
        continue;
      }
      if (this.isWord(o, 'map')) {
        this.pos++;
        this.parseValue(false, ctx);
        v = { k: 'expr', text: this.stmtText(s0) };
        continue;
      }
      if (allowList && this.isPunct(o, ',')) {
        const items: IrVal[] = v.k === 'list' ? [...v.items] : [v];
        this.pos++;
        const n = this.parseValueTerm(ctx);
        if (!n) break;
        items.push(n);
        v = { k: 'list', items };
        continue;
      }
      break;
    }
    // a set alone already has this span (from its `{` to its `}`): not made twice
    const spanned = v === first && v.k === 'set' && v.span !== undefined && this.pos <= this.end;
    if ((this.pos > s0 + 1 && !spanned) || !(v instanceof WordAtom || v.span)) v.span = this.span(this.tokAt(s0)!, this.tokAt(this.pos - 1)!);
    return v;
  }

  private parseValueTerm(ctx: Ctx): IrVal | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.t === 'punct' && t.v === '{') {
      this.pos++;
      if (this.depth >= MAX_NESTING) {
        this.error('Sets are nested too deeply', this.span(t), 'nftables/too-deep');
        this.skipBlock();
        return { k: 'expr', text: '{…}', span: this.span(t) };
      }
      this.depth++;
      try {
        const r = this.parseSetElems(t, ctx);
        return { k: 'set', elems: r.elems, span: this.span(t, this.lastTok()) };
      } finally {
        this.depth--;
      }
    }
    if (t.t === 'punct' && t.v === '(') {
      const s0 = this.pos;
      this.pos++;
      let d = 1;
      while (this.more() && d > 0) {
        const x = this.next()!;
        if (x.t === 'punct' && x.v === '(') d++;
        if (x.t === 'punct' && x.v === ')') d--;
      }
      return { k: 'expr', text: this.stmtText(s0) };
    }
    if (t.t === 'punct' && t.v === '[') {
      // [ipv6]:port (nat targets)
      const s0 = this.pos;
      this.pos++;
      const inner = this.isWord(this.peek()) ? this.next()!.v : '';
      if (this.isPunct(this.peek(), ']')) this.pos++;
      let port: string | undefined;
      const p = this.peek();
      if (this.isWord(p) && p.v.startsWith(':') && p.s === this.tokAt(this.pos - 1)!.e) {
        this.pos++;
        port = p.v.slice(1);
      }
      return { k: 'atom', v: port === undefined ? `[${inner}]` : `[${inner}]:${port}`, span: this.span(this.tokAt(s0)!, this.lastTok()) };
    }
    if (t.t === 'str') {
      this.pos++;
      return { k: 'atom', v: t.v, quoted: true, span: this.span(t) };
    }
    if (t.t === 'ref') {
      this.pos++;
      return { k: 'ref', name: t.v, span: this.span(t) };
    }
    if (t.t === 'word') {
      // every expression start and statement keyword begins with a-z: a value such as an address
      // or a port (most values) needs none of the set lookups below
      const c0 = t.v.charCodeAt(0);
      if (c0 < 97 || c0 > 122) {
        this.pos++;
        return new WordAtom(t, t.src ?? this.main);
      }
      const n1 = this.peek(1);
      const isExpr =
        (VALUE_EXPR_STARTS.has(t.v) && this.isWord(n1) && n1.v !== '.') ||
        (PAYLOAD_PROTOCOLS.has(t.v) && this.isWord(n1) && PAYLOAD_FIELDS.has(n1.v)) ||
        (t.v === 'rt' && this.isWord(n1) && ['nexthop', 'mtu', 'classid', 'ip', 'ip6'].includes(n1.v));
      if (isExpr) {
        const s0 = this.pos;
        const e = this.parseSingleExpr(ctx);
        if (e) return { k: 'expr', text: this.stmtText(s0), span: this.stmtSpan(s0) };
      }
      if (STMT_KEYWORDS.has(t.v) && t.v !== 'set' && t.v !== 'map') return undefined;
      this.pos++;
      return new WordAtom(t, t.src ?? this.main);
    }
    return undefined;
  }

  /** After `{`: elements up to the matching `}`. */
  private parseSetElems(open: LexToken, ctx: Ctx): { elems: IrElem[]; hasStmt: boolean } {
    const elems: IrElem[] = [];
    let hasStmt = false;
    for (;;) {
      while (this.more() && (this.peek()!.t === 'nl' || this.isPunct(this.peek(), ','))) this.pos++;
      const t = this.peek();
      if (!t) {
        this.error('Missing "}" at the end of a set', this.span(open), 'nftables/unclosed-block');
        return { elems, hasStmt };
      }
      if (this.isPunct(t, '}')) {
        this.pos++;
        return { elems, hasStmt };
      }
      const before = this.pos;
      const key = this.parseValue(false, ctx);
      if (!key) {
        this.error(`Unexpected ${this.tokText(t)} in a set`, this.span(t));
        this.pos = Math.max(this.pos, before + 1);
        continue;
      }
      hasStmt = this.skipElemAttrs() || hasStmt;
      const elem: IrElem = { key };
      if (this.isWord(this.peek(), ':')) {
        this.pos++;
        const d = this.peek();
        if (this.isWord(d) && VERDICT_WORDS.has(d.v)) {
          this.pos++;
          if (d.v === 'jump' || d.v === 'goto') {
            const v = this.parseJumpTarget(ctx, d.v);
            if (v) elem.verdict = v;
          } else if (d.v === 'queue') {
            this.consumeOptions(new Set(['flags', 'bypass', 'fanout', 'num', 'to']), true);
            elem.verdict = { k: 'queue', text: 'queue' };
          } else if (d.v === 'reject') {
            if (this.isWord(this.peek(), 'with')) {
              this.pos += 2;
              if (this.isWord(this.peek(), 'type')) this.pos++;
              if (this.isWord(this.peek()) && !this.isWord(this.peek(), ':')) this.pos++;
            }
            elem.verdict = { k: 'reject' };
          } else elem.verdict = { k: d.v as 'accept' };
        } else {
          const dv = this.parseValue(false, ctx);
          if (dv) elem.data = dv;
        }
        hasStmt = this.skipElemAttrs() || hasStmt;
      }
      if (key.k === 'set' && !elem.data && !elem.verdict) elems.push(...key.elems);
      else elems.push(elem);
      if (this.pos === before) this.pos++;
    }
  }

  /** Element attributes (`timeout 1h`, `expires 5s`, `comment "x"`, `counter packets 1 bytes 2`, statements). */
  private skipElemAttrs(): boolean {
    let hasStmt = false;
    while (this.more()) {
      const t = this.peek()!;
      if (this.isPunct(t, ',') || this.isPunct(t, '}') || this.isWord(t, ':')) break;
      if (this.isPunct(t, '{')) {
        this.pos++;
        this.skipBlock();
        continue;
      }
      if (this.isWord(t) && ['limit', 'quota', 'ct', 'count', 'connlimit'].includes(t.v)) hasStmt = true;
      this.pos++;
    }
    return hasStmt;
  }
}

/** `10.0.0.1:80`, `[fe80::1]:80`, `10.0.0.1-10.0.0.9:80-90`, `:80`, `fe80::1` → parts. */
export function splitAddrPort(s: string): { addr?: string; port?: string } {
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return { addr: s };
    const addr = s.slice(1, close);
    const rest = s.slice(close + 1);
    return rest.startsWith(':') ? { addr, port: rest.slice(1) } : { addr };
  }
  if (s.startsWith(':')) return { port: s.slice(1) };
  const first = s.indexOf(':');
  if (first >= 0 && first === s.lastIndexOf(':')) return { addr: s.slice(0, first), port: s.slice(first + 1) };
  return { addr: s };
}

/** Text → intermediate form. */
export function parseNftablesIr(text: string, options?: ParseOptions, prebuilder?: RulePrebuilder): TextIr {
  const diagnostics: Diagnostic[] = [];
  const comments: DocComment[] = [];
  const main: Source = { text, li: new HintedLineIndex(text) };
  if (options?.filePath !== undefined) main.path = options.filePath;
  if (mayNeedPreprocessing(text)) {
    const toks = preprocess(main, options, diagnostics, comments);
    const p = new NftTextParser(toks, main, diagnostics, undefined, prebuilder);
    p.parseTop();
    return { state: p.state, diagnostics, comments, dynamicSets: p.dynamicSets };
  }
  // Nothing to expand: the parser pulls tokens from the lexer as it goes. The lexer's
  // diagnostics come first, as when the whole text was lexed before the parse.
  const lexer = new Lexer(main, diagnostics, comments, false); // tokens without src: the parser's main is theirs
  const parserDiagnostics: Diagnostic[] = [];
  const p = new NftTextParser(lexer, main, parserDiagnostics, undefined, prebuilder);
  p.parseTop();
  while (lexer.next() !== undefined); // (the parse reads to the end; this only makes sure)
  for (const d of parserDiagnostics) diagnostics.push(d);
  return { state: p.state, diagnostics, comments, dynamicSets: p.dynamicSets };
}

/**
 * False when the preprocessor has nothing to do: a variable token needs a `$`, and
 * define/redefine/undefine/include words contain "define" or "include". (A text that
 * has them only in comments or strings takes the preprocessing path too: same result.)
 */
function mayNeedPreprocessing(text: string): boolean {
  return text.includes('$') || text.includes('define') || text.includes('include');
}

/**
 * Parse statements given as text for an existing table (used by the JSON front
 * end for the statements nft prints as strings). Spans all map to `span`.
 */
export function parseStatementsText(text: string, table: IrTable, state: IrState, span: Span, dynamicSets: Set<string>): IrStmt[] {
  const diagnostics: Diagnostic[] = [];
  const src: Source = { text, li: new LineIndex(text), override: span };
  const toks = lex(src, diagnostics, undefined);
  const p = new NftTextParser(toks, src, diagnostics, state);
  const rule: IrRule = { stmts: [], span, text };
  p.parseStatementText({ table, chainName: '' }, rule);
  for (const s of p.dynamicSets) dynamicSets.add(s);
  return rule.stmts;
}
