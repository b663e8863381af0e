/**
 * nftables text syntax (`nft list ruleset`, `nft -f` files) → intermediate form.
 * Hand-written recursive descent over the preprocessed token stream; every
 * unknown construct becomes a diagnostic plus an opaque statement, never a throw.
 */
import { LineIndex, type Diagnostic, type DocComment, type Rule, type Span, type TableFamily } from '../../model/index.js';
import type { ParseOptions } from '../types.js';
import type { RulePrebuilder } from './build.js';
import { checkCtProtoContext, deleteElems, exprModule, IrState, numgenExpr, mapKeyMatch, placeByIndex, mangledHeader, positionUnknown, rewrittenField, unknownRules, type IrChain, type IrChainRule, type IrElem, type IrExpr, type IrRule, type IrSet, type IrStmt, type IrTable, type IrVal, type IrVerdict, xtStmt } from './ir.js';
import { HintedLineIndex, K_NL, K_PUNCT, K_REF, K_STR, K_VAR, K_WORD, lex, Lexer, spanOfTok, TOK_TYPES, type LexToken, type Source } from './lexer.js';
import { placeOf } from '../placed.js';
import { oneLineAt } from './rule.js';
import { preprocess } from './preprocess.js';
import { EXTHDR_NAMES, FAMILIES, META_UNQUALIFIED, PAYLOAD_PROTOCOLS, asHook, namedPriority } from './symbols.js';
import { nftMarkOp } from './marks.js';

/** Words that start a statement and so can never be an implicit value. */
const STMT_KEYWORDS: ReadonlySet<string> = new Set([
  'accept', 'drop', 'reject', 'jump', 'goto', 'return', 'continue', 'queue', 'counter', 'log', 'limit', 'quota',
  'notrack', 'dnat', 'snat', 'masquerade', 'redirect', 'comment', 'tproxy', 'synproxy', 'dup', 'fwd', 'flow', 'meter',
  'xt', 'last', 'vmap', 'set', 'map',
]);

const VALUE_EXPR_STARTS: ReadonlySet<string> = new Set(['meta', 'ct', 'fib', 'numgen', 'jhash', 'symhash', 'socket', 'osf', 'ipsec']);

/** Protocols whose header fields, named in a statement, make nft add a dependency on the protocol. */
/** Protocols whose `dport`/`sport` can key a NAT port map written after a `:` (`redirect to :tcp dport map { … }`). */
const PORT_MAP_PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'th']);
const DEP_PROTOCOLS: ReadonlySet<string> = new Set(['ip', 'ip6', 'icmp', 'icmpv6', 'tcp', 'udp', 'udplite', 'sctp', 'dccp']);
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
  ['==', '=='], ['!=', '!='], ['!', '!'], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>='], ['eq', '=='], ['ne', '!='], ['lt', '<'], ['gt', '>'], ['le', '<='], ['ge', '>='],
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
/** The statements that read a map lookup in their value themselves (`X set VALUE`: parseExprStatementOf; `counter name`, `synproxy name`: objectName). */
const READS_OWN_MAP: ReadonlySet<string> = new Set(['mangle', 'ct helper', 'ct timeout', 'ct expectation', 'secmark', 'counter', 'synproxy']);

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
  constructor(v: string, s: number, e: number, src: Source) {
    this.v = v;
    this.s = s;
    this.e = e;
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

/**
 * A token as the parser holds it: its index in the stream plus one, 0 for none (so `!t` still
 * reads "no token"). Its kind, value and offsets are read from the parser's arrays.
 */
type Tok = number;

/** Room for the window of a streamed parse: the tokens since the last drop (4096+) and one rule. */
const WINDOW_START = 8192;

export class NftTextParser {
  /** Token indices are absolute; `pos` and `end` (the limit of the range being parsed) are indices. */
  private pos = 0;
  private end: number;
  readonly dynamicSets = new Set<string>();
  private depth = 0;
  /**
   * Set while the value of a `ct status` test is read: its flags `snat` and `dnat` are values there,
   * not the NAT statements of the same names (`ct status dnat accept`, firewalld's input chains).
   */
  private natFlags = false;
  /*
   * The tokens read so far and not yet dropped, token base + k in slot k: their kind codes (K_WORD...),
   * values, start and end offsets, and sources (undefined: all in `main`). Given an array, it is the
   * whole stream; given a Lexer, tokens are read on demand and the ones before a finished rule are
   * dropped (see dropBefore). No object per token: on a 100k-rule file the ~1 M token objects were
   * 45 MB of garbage, a quarter of the parse's allocation (scavenges, promotions, GC time).
   */
  private kinds: Uint8Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private vals: string[];
  private readonly srcs: (Source | undefined)[] | undefined;
  /** How many slots hold the window (streaming: the slots past it keep dropped values until overwritten). */
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
      const n = toks.length;
      this.kinds = new Uint8Array(n);
      this.starts = new Int32Array(n);
      this.ends = new Int32Array(n);
      this.vals = new Array<string>(n);
      this.srcs = new Array<Source | undefined>(n);
      for (let k = 0; k < n; k++) {
        const t = toks[k]!;
        this.kinds[k] = TOK_TYPES.indexOf(t.t);
        this.starts[k] = t.s;
        this.ends[k] = t.e;
        this.vals[k] = t.v;
        this.srcs[k] = t.src;
      }
      this.wlen = n;
      this.end = n;
    } else {
      this.kinds = new Uint8Array(WINDOW_START);
      this.starts = new Int32Array(WINDOW_START);
      this.ends = new Int32Array(WINDOW_START);
      this.vals = [];
      this.srcs = undefined;
      this.wlen = 0;
      this.lexer = toks;
      this.end = Number.MAX_SAFE_INTEGER;
    }
  }

  // ------------------------------------------------------------ token helpers

  /** Token i (lexed now if need be), or 0 past the end of the input (or before the window). */
  private tokAt(i: number): Tok {
    const k = i - this.base;
    if (k < this.wlen) return k >= 0 ? i + 1 : 0;
    const lexer = this.lexer;
    if (lexer === undefined) return 0;
    while (k >= this.wlen) {
      const kind = lexer.scan();
      if (kind < 0) {
        this.lexer = undefined;
        return 0;
      }
      const w = this.wlen;
      if (w === this.kinds.length) this.grow();
      this.kinds[w] = kind;
      this.starts[w] = lexer.ts;
      this.ends[w] = lexer.te;
      this.vals[w] = lexer.tv;
      this.wlen = w + 1;
    }
    return i + 1;
  }
  /** Twice the room for the window (a rule of thousands of tokens). */
  private grow(): void {
    const n = this.kinds.length * 2;
    const kinds = new Uint8Array(n);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const starts = new Int32Array(n);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Int32Array(n);
    ends.set(this.ends);
    this.ends = ends;
  }
  /** The kind code of a token (K_WORD...), -1 for none. */
  private kindOf(t: Tok): number {
    return t === 0 ? -1 : this.kinds[t - 1 - this.base]!;
  }
  private valOf(t: Tok): string {
    return this.vals[t - 1 - this.base]!;
  }
  private startOf(t: Tok): number {
    return this.starts[t - 1 - this.base]!;
  }
  private endOf(t: Tok): number {
    return this.ends[t - 1 - this.base]!;
  }
  private srcOf(t: Tok): Source {
    return this.srcs === undefined ? this.main : (this.srcs[t - 1 - this.base] ?? this.main);
  }
  /** True when a token is left in the range being parsed. */
  private more(): boolean {
    return this.pos < this.end && this.tokAt(this.pos) !== 0;
  }
  /** Forget the tokens before index i (on-demand lexing only; nothing before i is looked at again). */
  private dropBefore(i: number): void {
    const drop = i - this.base;
    if (this.lexer === undefined || drop < 4096) return;
    // moved to the front of the same arrays
    const n = this.wlen;
    this.kinds.copyWithin(0, drop, n);
    this.starts.copyWithin(0, drop, n);
    this.ends.copyWithin(0, drop, n);
    const vals = this.vals;
    for (let k = drop; k < n; k++) vals[k - drop] = vals[k]!;
    this.wlen = Math.max(0, n - drop);
    this.base = i;
  }

  private peek(o = 0): Tok {
    const i = this.pos + o;
    return i < this.end ? this.tokAt(i) : 0;
  }
  private next(): Tok {
    const t = this.pos < this.end ? this.tokAt(this.pos) : 0;
    if (t !== 0) this.pos++;
    return t;
  }
  private isWord(t: Tok, v?: string): boolean {
    return t !== 0 && this.kindOf(t) === K_WORD && (v === undefined || this.valOf(t) === v);
  }
  private isPunct(t: Tok, v: string): boolean {
    return t !== 0 && this.kindOf(t) === K_PUNCT && this.valOf(t) === v;
  }
  private isEndOfStmt(t: Tok): boolean {
    if (t === 0) return true;
    const k = this.kindOf(t);
    if (k === K_NL) return true;
    if (k !== K_PUNCT) return false;
    const v = this.valOf(t);
    return v === ';' || v === '}';
  }
  private span(a: Tok, b: Tok = a): Span {
    return this.spanFrom(this.srcOf(a), this.startOf(a), this.endOf(a), b);
  }
  /**
   * The span from a token at [s, e) of `src` to the end of token b (that token's own span when b is
   * elsewhere or before it). A caller that holds a token across the drop of the tokens before a rule
   * keeps its source and offsets instead (the token itself is gone from the window).
   */
  private spanFrom(src: Source, s: number, e: number, b: Tok): Span {
    if (src.override) return src.override;
    if (b !== 0 && src === this.srcOf(b) && this.endOf(b) >= s) return src.li.span(s, this.endOf(b));
    return spanOfTok(src, s, e);
  }
  private lastTok(): Tok {
    let i = Math.max(0, Math.min(this.pos, this.end) - 1);
    // the cursor can be past the last token (`pos += 2` at the end of the input): as with an array, the last token
    if (this.tokAt(i) === 0 && this.lexer === undefined) i = Math.min(i, this.base + this.wlen - 1);
    return this.tokAt(i) || (this.wlen > 0 ? this.base + 1 : 0);
  }
  private hereSpan(): Span {
    const t = this.peek() || this.lastTok();
    if (!t) return { start: this.main.li.position(0), end: this.main.li.position(0) };
    return this.span(t);
  }
  private error(message: string, span: Span, code = 'nftables/syntax', severity: 'error' | 'warning' = 'error'): void {
    this.diagnostics.push({ severity, code, message, span });
  }
  private textOf(a: Tok, b: Tok): string {
    const src = this.srcOf(a);
    if (src === this.srcOf(b) && this.endOf(b) >= this.startOf(a) && !src.override) return oneLineAt(src.text, this.startOf(a), this.endOf(b));
    const parts: string[] = [];
    for (let t = a; t - 1 - this.base < this.wlen; t++) {
      if (this.kindOf(t) !== K_NL) parts.push(this.tokText(t));
      if (t === b) break;
    }
    return parts.join(' ');
  }
  private tokText(t: Tok): string {
    const k = this.kindOf(t);
    return k === K_STR ? `"${this.valOf(t)}"` : k === K_REF ? `@${this.valOf(t)}` : k === K_VAR ? `$${this.valOf(t)}` : this.valOf(t);
  }
  /** Skip to the end of the current statement (newline or `;` at depth 0, or before an unmatched `}`). */
  private skipStatement(): void {
    let d = 0;
    while (this.more()) {
      const t = this.tokAt(this.pos)!;
      if (d === 0 && (this.kindOf(t) === K_NL || (this.kindOf(t) === K_PUNCT && this.valOf(t) === ';'))) return;
      if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '{') d++;
      if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '}') {
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
      if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '{') d++;
      if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '}') {
        d--;
        if (d === 0) return;
      }
    }
  }
  private skipSeparators(): void {
    while (this.more()) {
      const t = this.tokAt(this.pos)!;
      if (this.kindOf(t) === K_NL || (this.kindOf(t) === K_PUNCT && this.valOf(t) === ';')) this.pos++;
      else return;
    }
  }
  private expectEndOfStmt(what: string): void {
    const t = this.peek();
    if (this.isEndOfStmt(t)) return;
    this.error(`Unexpected "${this.tokText(t!)}" after ${what}`, this.span(t!));
    this.skipStatement();
  }
  private nameTok(): Tok {
    const t = this.peek();
    if (t && (this.kindOf(t) === K_WORD || this.kindOf(t) === K_STR)) {
      this.pos++;
      if (this.valOf(t).length > 256) this.error(`Name is longer than 256 characters`, this.span(t), 'nftables/name-too-long');
      return t;
    }
    return 0;
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
      // where t is, kept: a chain body drops the tokens before each of its rules
      const tSrc = this.srcOf(t);
      const tS = this.startOf(t);
      const tE = this.endOf(t);
      try {
        this.parseCommand();
      } catch (e) {
        this.error(`Internal parser error: ${String(e)}`, spanOfTok(tSrc, tS, tE), 'nftables/internal');
        this.pos = Math.max(this.pos, startPos + 1);
        this.skipStatement();
      }
      if (this.pos === startPos) this.pos++;
    }
  }

  private parseCommand(): void {
    const t = this.next()!;
    if (this.kindOf(t) !== K_WORD) {
      this.error(`Unexpected ${this.tokText(t)}`, this.span(t));
      this.skipStatement();
      return;
    }
    let verb = this.valOf(t);
    if (OBJECT_WORDS.has(verb)) {
      this.pos--;
      verb = 'add';
    } else if (!COMMANDS.has(verb)) {
      this.error(`Unknown command "${this.valOf(t)}"`, this.span(t));
      this.skipStatement();
      return;
    }
    if (verb === 'list' || verb === 'describe' || verb === 'monitor' || verb === 'export' || verb === 'import' || verb === 'get' || verb === 'reset') {
      this.skipStatement();
      return;
    }
    const objTok = this.next();
    if (!this.isWord(objTok)) {
      this.error(`Expected an object after "${verb}"`, this.span(objTok || t));
      this.skipStatement();
      return;
    }
    let obj = this.valOf(objTok);
    if (obj === 'ct') {
      const sub = this.next();
      obj = `ct ${sub ? this.valOf(sub) : ''}`;
    }
    switch (obj) {
      case 'ruleset':
        if (verb === 'flush') {
          const fam = this.peek();
          if (this.isWord(fam) && FAMILIES.has(this.valOf(fam))) {
            this.pos++;
            this.state.flushRuleset(this.valOf(fam));
          } else this.state.flushRuleset(undefined, this.span(t, objTok));
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
      if (this.kindOf(t) === K_NL || (this.kindOf(t) === K_PUNCT && (this.valOf(t) === ';' || this.valOf(t) === '}'))) return;
      this.pos++;
      if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '{') {
        this.skipBlock();
        return;
      }
    }
  }

  /** `[family] name` */
  private tableSpec(): { family: TableFamily; name: string; tok: Tok } | undefined {
    const a = this.peek();
    const b = this.peek(1);
    let family: TableFamily = 'ip';
    if (this.isWord(a) && FAMILIES.has(this.valOf(a)) && b && (this.kindOf(b) === K_WORD || this.kindOf(b) === K_STR)) {
      family = this.valOf(a) as TableFamily;
      this.pos++;
    }
    const n = this.nameTok();
    if (!n) {
      this.error('Expected a table name', this.hereSpan());
      return undefined;
    }
    return { family, name: this.valOf(n), tok: a || n };
  }

  private cmdTable(verb: string, start: Tok): void {
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
    tb.dormant = undefined;
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
  private eachBlockItem(item: (t: Tok) => void): boolean {
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
  private guardedItem(t: Tok, parse: () => void, recover: () => void): void {
    const startPos = this.pos;
    // where t is, kept: a chain body drops the tokens before each of its rules
    const tSrc = this.srcOf(t);
    const tS = this.startOf(t);
    const tE = this.endOf(t);
    try {
      parse();
    } catch (e) {
      this.error(`Internal parser error: ${String(e)}`, spanOfTok(tSrc, tS, tE), 'nftables/internal');
      recover();
    }
    if (this.pos === startPos) this.pos++;
  }

  /**
   * After an item of a table or chain block (a rule, `type … policy …`, a chain or set block): nft's grammar ends each
   * with a newline or `;` (stmt_separator), so `tcp dport 22 accept }` and `chain c { … } }` on one line are refused
   * ("syntax error, unexpected '}', expecting newline or semicolon", nft 1.0.6) and nothing of the file loads.
   */
  private separatorBeforeClose(): void {
    const t = this.peek();
    if (t && this.isPunct(t, '}')) this.error('nft needs a newline or ";" before this "}" ("unexpected \'}\', expecting newline or semicolon"): the file does not load', this.span(t), 'nftables/syntax');
  }

  private parseTableBody(tb: IrTable, open: Tok): void {
    // where `{` is, kept: a chain body drops the tokens before each of its rules
    const oSrc = this.srcOf(open);
    const oS = this.startOf(open);
    const oE = this.endOf(open);
    const closed = this.eachBlockItem((t) => {
      this.guardedItem(t, () => this.parseTableItem(tb), () => this.skipStatementOrBlock());
      this.separatorBeforeClose();
    });
    if (!closed) this.error(`Missing "}" for table ${tb.name}`, spanOfTok(oSrc, oS, oE), 'nftables/unclosed-block');
  }

  private parseTableItem(tb: IrTable): void {
    const t = this.next()!;
    if (!this.isWord(t)) {
      this.error(`Unexpected ${this.tokText(t)} in table ${tb.name}`, this.span(t));
      this.skipStatementOrBlock();
      return;
    }
    switch (this.valOf(t)) {
      case 'chain': {
        const n = this.nameTok();
        if (!n) {
          this.error('Expected a chain name', this.hereSpan());
          return this.skipStatementOrBlock();
        }
        const ch = this.state.chain(tb, this.valOf(n), this.span(t, n));
        if (this.isPunct(this.peek(), '{')) {
          const open = this.next()!;
          // where `chain` is, kept: the chain body drops the tokens before each of its rules
          const tSrc = this.srcOf(t);
          const tS = this.startOf(t);
          const tE = this.endOf(t);
          this.parseChainBody({ table: tb, chainName: ch.name }, ch, open);
          ch.span = this.spanFrom(tSrc, tS, tE, this.lastTok());
        } else this.error(`Expected "{" after chain ${this.valOf(n)}`, this.hereSpan());
        return;
      }
      case 'set':
      case 'map': {
        const n = this.nameTok();
        if (!n) {
          this.error(`Expected a ${this.valOf(t)} name`, this.hereSpan());
          return this.skipStatementOrBlock();
        }
        const s = this.state.set(tb, this.valOf(n), this.valOf(t) === 'map', this.span(t, n));
        if (this.isPunct(this.peek(), '{')) {
          const open = this.next()!;
          this.parseSetBody(tb, s, open);
          s.span = this.span(t, this.lastTok());
        } else this.error(`Expected "{" after ${this.valOf(t)} ${this.valOf(n)}`, this.hereSpan());
        return;
      }
      case 'flags': {
        // `flags dormant[, owner]`: a dormant table's base chains are on no hook
        let dormant = false;
        while (this.more() && !this.isEndOfStmt(this.peek())) if (this.isWord(this.next(), 'dormant')) dormant = true;
        tb.dormant = dormant ? this.span(t, this.lastTok()) : undefined;
        return;
      }
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
        this.error(`Unknown table item "${this.valOf(t)}"`, this.span(t), 'nftables/unknown-table-item');
        this.skipStatementOrBlock();
    }
  }

  private parseSetBody(tb: IrTable, s: IrSet, open: Tok): void {
    let typed = false;
    const closed = this.eachBlockItem((t) => {
      this.pos++;
      if (this.isWord(t, 'type') || this.isWord(t, 'typeof')) typed = true;
      if (this.isWord(t, 'flags')) {
        while (!this.isEndOfStmt(this.peek())) {
          const f = this.next()!;
          if (this.kindOf(f) === K_WORD) s.flags.push(this.valOf(f));
        }
      } else if (this.isWord(t, 'timeout')) {
        s.hasTimeout = true;
        this.skipStatement();
      } else if (this.isWord(t, 'auto-merge')) {
        s.autoMerge = true;
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
      } else if (this.isWord(t) && ['type', 'typeof', 'size', 'policy', 'gc-interval', 'comment', 'auto-merge', 'counter', 'quota', 'stateful', 'limit', 'ct', 'last'].includes(this.valOf(t))) {
        this.skipStatement();
      } else {
        this.error(`Unknown set property "${this.tokText(t)}"`, this.span(t), 'nftables/unknown-set-item', 'warning');
        this.skipStatement();
      }
    });
    if (!closed) this.error(`Missing "}" for set ${s.name}`, this.span(open), 'nftables/unclosed-block');
    else if (!typed) this.error(`${s.isMap ? 'Map' : 'Set'} "${s.name}" has no type (add "type" or "typeof")`, s.span, 'nftables/set-without-type');
  }

  private parseChainBody(ctx: Ctx, ch: IrChain, open: Tok, anonymous = false): void {
    // eachBlockItem and guardedItem written out: this loop runs once per rule, and their two closures per rule add up
    let closed = false;
    // where `{` is, kept: the tokens before each rule are dropped
    const oSrc = this.srcOf(open);
    const oS = this.startOf(open);
    const oE = this.endOf(open);
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
      else this.separatorBeforeClose();
    }
    if (!closed && !anonymous) this.error(`Missing "}" for chain ${ch.name}`, spanOfTok(oSrc, oS, oE), 'nftables/unclosed-block');
  }

  private parseChainItem(ctx: Ctx, ch: IrChain, t: Tok, anonymous: boolean): void {
    if (this.isWord(t, 'type') && !anonymous) this.parseChainType(ctx, ch);
    else if (this.isWord(t, 'policy') && !anonymous) this.parseChainPolicy(ch);
    else if (this.isWord(t, 'devices') && !anonymous) {
      this.pos++;
      this.parseDevices(ch, t);
      this.skipStatement();
    } else if ((this.isWord(t, 'comment') && this.kindOf(this.peek(1)) === K_STR && this.isEndOfStmt(this.peek(2))) || this.isWord(t, 'devices') || this.isWord(t, 'flags')) this.skipStatement();
    else {
      const r = this.parseRuleTokens(ctx);
      if (r) ch.rules.push(r);
    }
  }

  /** After `devices`: `= { eth0, "eth1" }` or one name; the names kept on the chain. */
  private parseDevices(ch: IrChain, k: Tok): void {
    if (this.isPunct(this.peek(), '=')) this.pos++;
    const names: string[] = [];
    if (this.isPunct(this.peek(), '{')) {
      this.pos++;
      while (this.more() && !this.isPunct(this.peek(), '}')) {
        const t = this.next()!;
        if (this.kindOf(t) === K_STR || (this.kindOf(t) === K_WORD && this.valOf(t) !== ',')) names.push(this.valOf(t));
      }
      if (this.isPunct(this.peek(), '}')) this.pos++;
    } else if (this.more() && !this.isEndOfStmt(this.peek())) names.push(this.valOf(this.next()!));
    if (names.length > 0) ch.devices = { names, span: this.span(k, this.lastTok()) };
  }

  private parseChainType(ctx: Ctx, ch: IrChain): void {
    const start = this.next()!;
    const had = ch.hook !== undefined ? { hook: ch.hook, priority: ch.priority } : undefined;
    this.parseChainTypeBody(ctx, ch, start);
    // the kernel refuses to move a base chain (nf_tables_updchain: EOPNOTSUPP, "Could not process rule: Operation not
    // supported"), and nft the whole file with it; a policy may change
    if (had && (ch.hook !== had.hook || ch.priority !== had.priority))
      this.error(`Chain ${ch.name} is a base chain on hook ${had.hook} priority ${had.priority ?? 0} already: nft refuses to change its hook or priority (Operation not supported), and loads nothing of this file`, this.span(start, this.lastTok()), 'nftables/base-chain-moved');
  }

  private parseChainTypeBody(ctx: Ctx, ch: IrChain, start: Tok): void {
    const ty = this.next();
    if (this.isWord(ty)) ch.type = this.valOf(ty);
    else this.error('Expected a chain type', this.span(start));
    while (!this.isEndOfStmt(this.peek())) {
      const k = this.next()!;
      if (this.isWord(k, 'hook')) {
        const h = this.next();
        if (this.isWord(h) && asHook(this.valOf(h))) ch.hook = this.valOf(h);
        else this.error(`Unknown hook "${h ? this.tokText(h) : ''}"`, this.span(h || k), 'nftables/unknown-hook');
      } else if (this.isWord(k, 'device')) {
        const d = this.next();
        if (d && this.kindOf(d) === K_STR && this.valOf(d) === '') this.error('Empty device name', this.span(d), 'nftables/empty-device');
        else if (d && (this.kindOf(d) === K_STR || this.kindOf(d) === K_WORD)) ch.devices = { names: [this.valOf(d)], span: this.span(k, d) };
      } else if (this.isWord(k, 'devices')) {
        this.parseDevices(ch, k);
      } else if (this.isWord(k, 'priority')) {
        const parts: Tok[] = [];
        while (!this.isEndOfStmt(this.peek()) && !this.isWord(this.peek(), 'policy')) parts.push(this.next()!);
        const p = this.priorityValue(ctx.table.family, parts);
        if (p === undefined) this.error(`Invalid chain priority "${parts.map((x) => this.valOf(x)).join(' ')}"`, parts.length ? this.span(parts[0]!, parts[parts.length - 1]!) : this.span(k), 'nftables/bad-priority');
        else ch.priority = p;
      } else if (this.isWord(k, 'policy')) {
        this.pos--;
        return;
      } else {
        this.error(`Unexpected "${this.tokText(k)}" in chain type`, this.span(k));
      }
    }
  }

  priorityValue(family: TableFamily, parts: Tok[]): number | undefined {
    const s = parts.map((p) => this.valOf(p)).join('');
    const num = /^([+-]?)(0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10})$/.exec(s);
    if (num) {
      const n = priorityNumber(num[2]!);
      return n === undefined ? undefined : (num[1] === '-' ? -n : n) | 0;
    }
    const m = /^([a-z]{1,16})(?:([+-])(0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10}))?$/.exec(s);
    if (!m) return undefined;
    const base = namedPriority(family, m[1]!);
    if (base === undefined) return undefined;
    if (!m[2]) return base;
    const n = priorityNumber(m[3]!);
    return n === undefined ? undefined : (base + (m[2] === '-' ? -n : n)) | 0;
  }

  private parseChainPolicy(ch: IrChain): void {
    const k = this.next()!;
    const v = this.next();
    const pv = v !== 0 ? this.valOf(v) : '';
    // `policy $P` with `define P = "drop"`: nft takes the quoted value through a variable only
    const viaVariable = v !== undefined && v !== 0 && this.kindOf(v) === K_STR && this.textOf(v, v).startsWith('$');
    if ((this.isWord(v) || viaVariable) && (pv === 'accept' || pv === 'drop')) {
      ch.policy = pv;
      ch.policySpan = this.span(k, v);
    } else this.error(`Invalid chain policy "${v ? this.tokText(v) : ''}"`, this.span(v || k), 'nftables/bad-policy');
    this.expectEndOfStmt('policy');
  }

  /** `[family] table name`: the table spec and the object name after it, or an error naming what was expected. */
  private specAndName(what: string): { spec: { family: TableFamily; name: string; tok: Tok }; n: Tok } | undefined {
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
  private tableFor(verb: string, family: TableFamily, name: string, start: Tok): IrTable | undefined {
    return verb === 'add' || verb === 'create' ? this.tableOrCreate(family, name, start) : this.state.findTable(family, name);
  }

  private cmdChain(verb: string, start: Tok): void {
    const target = this.specAndName('chain');
    if (!target) return this.skipStatementOrBlock();
    const { spec, n } = target;
    const tb = this.tableFor(verb, spec.family, spec.name, start);
    if (!tb) {
      if (verb !== 'destroy') this.error(`${verb} chain: no table ${spec.family} ${spec.name}`, this.span(start, n), 'nftables/no-such-object', 'warning');
      return this.skipStatementOrBlock();
    }
    if (verb === 'delete' || verb === 'destroy') {
      tb.chains.delete(this.valOf(n));
      return this.skipStatementOrBlock();
    }
    if (verb === 'flush') {
      const c = tb.chains.get(this.valOf(n));
      if (c) c.rules = [];
      return this.skipStatement();
    }
    if (verb === 'rename') {
      const nn = this.nameTok();
      const c = tb.chains.get(this.valOf(n));
      if (c && nn) {
        tb.chains.delete(this.valOf(n));
        c.name = this.valOf(nn);
        tb.chains.set(this.valOf(nn), c);
      }
      return this.skipStatement();
    }
    const ch = this.state.chain(tb, this.valOf(n), this.span(start, n));
    if (this.isPunct(this.peek(), '{')) {
      const open = this.next()!;
      this.parseChainBody({ table: tb, chainName: ch.name }, ch, open);
    }
    this.expectEndOfStmt('chain');
  }

  private tableOrCreate(family: TableFamily, name: string, start: Tok): IrTable {
    const tb = this.state.findTable(family, name);
    if (tb) return tb;
    this.error(`Table ${family} ${name} is used before it is created`, this.span(start, this.lastTok()), 'nftables/no-such-object', 'warning');
    return this.state.table(family, name, this.span(start, this.lastTok()));
  }

  private cmdRule(verb: string, start: Tok): void {
    const target = this.specAndName('chain');
    if (!target) return this.skipStatement();
    const { spec, n } = target;
    let positioned = false;
    const places: string[] = [];
    while (this.isWord(this.peek()) && ['position', 'handle', 'index'].includes(this.valOf(this.peek())) && this.isWord(this.peek(1))) {
      positioned = true;
      places.push(this.valOf(this.peek()), this.valOf(this.peek(1)));
      this.pos += 2;
    }
    if (verb === 'delete' || verb === 'destroy' || verb === 'replace') {
      const span = this.span(start, this.lastTok());
      const text = `${verb} ${this.stmtText(start)}`;
      this.error(`"${verb} rule" names a rule by the handle nft gives it when the ruleset is loaded: which rule it changes is not known here, so every rule of the chain may or may not apply`, span, 'nftables/rule-handle', 'warning');
      const ch = this.state.findTable(spec.family, spec.name)?.chains.get(this.valOf(n));
      if (ch) unknownRules(ch, span, text);
      return this.skipStatement();
    }
    let tb = this.state.findTable(spec.family, spec.name);
    let ch = tb?.chains.get(this.valOf(n));
    if (!tb || !ch) {
      // nft would refuse the file; keep the rule (in a chain made for it) so it is still linted
      this.error(`${verb} rule: no chain ${spec.family} ${spec.name} ${this.valOf(n)}`, this.span(start, n), 'nftables/no-such-object');
      tb ??= this.state.table(spec.family, spec.name, this.span(start, n));
      ch = this.state.chain(tb, this.valOf(n), this.span(start, n));
    }
    let marker = -1;
    let where: IrStmt | undefined;
    // `index N` names a place in the rules read so far: known, unlike a handle
    const at = places.length === 2 && places[0] === 'index' ? placeByIndex(ch, verb, places[1]!) : undefined;
    if (at !== undefined) {
      const r = this.parseRuleTokens({ table: tb, chainName: ch.name });
      if (r) ch.rules.splice(at, 0, r);
      return;
    }
    if (positioned) {
      const span = this.span(start, this.lastTok());
      this.error('The rule\'s place is given by a rule handle or index, known only once the ruleset is loaded: it may come before any rule of the chain, and every rule of the chain may or may not apply', span, 'nftables/rule-handle', 'warning');
      const text = `${verb} ${this.stmtText(start)}`;
      marker = unknownRules(ch, span, text);
      where = positionUnknown(span, text);
    }
    const r = this.parseRuleTokens({ table: tb, chainName: ch.name }, where);
    if (!r) return;
    // a positioned rule goes right after the may-accept rule that stands for the unknown order, whether added or
    // inserted (its handle may name any rule): before it, its drop would be certain where the kernel may run an
    // accept of the chain first; at the end, a drop placed before an accept would be missed
    if (verb === 'insert' || positioned) ch.rules.splice(marker + 1, 0, r);
    else ch.rules.push(r);
  }

  private cmdSet(verb: string, start: Tok, isMap: boolean): void {
    const target = this.specAndName('set');
    if (!target) return this.skipStatementOrBlock();
    const { spec, n } = target;
    const tb = this.tableFor(verb, spec.family, spec.name, start);
    if (!tb) return this.skipStatementOrBlock();
    if (verb === 'delete' || verb === 'destroy') {
      tb.sets.delete(this.valOf(n));
      return this.skipStatementOrBlock();
    }
    if (verb === 'flush') {
      const s = tb.sets.get(this.valOf(n));
      if (s) {
        s.elems = [];
        delete s.deleteUnsure;
        delete s.maybeKept;
      }
      return this.skipStatement();
    }
    const s = this.state.set(tb, this.valOf(n), isMap, this.span(start, n));
    if (this.isPunct(this.peek(), '{')) {
      const open = this.next()!;
      this.parseSetBody(tb, s, open);
    }
    this.expectEndOfStmt('set');
  }

  private cmdElement(verb: string, start: Tok): void {
    const spec = this.tableSpec();
    if (!spec) return this.skipStatementOrBlock();
    const n = this.nameTok();
    const tb = this.state.findTable(spec.family, spec.name);
    const s = n && tb?.sets.get(this.valOf(n));
    const o = this.peek();
    if (!this.isPunct(o, '{')) {
      this.error('Expected "{" with elements', this.hereSpan());
      return this.skipStatement();
    }
    this.pos++;
    const r = this.parseSetElems(o!, { table: tb ?? this.state.table(spec.family, spec.name, this.span(start)), chainName: '' });
    if (!s) {
      this.error(`${verb} element: no set ${spec.family} ${spec.name} ${n ? this.valOf(n) : ''}`, this.span(start, this.lastTok()), 'nftables/no-such-object');
      return;
    }
    if (verb === 'add' || verb === 'create') {
      s.elems.push(...r.elems);
      s.added = true;
    } else if (verb === 'delete' || verb === 'destroy') deleteElems(s, r.elems, this.span(start, this.lastTok()));
  }

  // ------------------------------------------------------------ rules

  /** Parse one rule starting at the cursor, up to a newline/`;` at depth 0 or an unmatched `}`. */
  /** `first`: a statement put before the rule's own (the unknown place of a positioned rule). */
  private parseRuleTokens(ctx: Ctx, first?: IrStmt): IrChainRule | undefined {
    const lo = this.pos;
    let d = 0;
    if (this.depth === 0) this.dropBefore(lo - 1);
    let hi = lo;
    for (;;) {
      const t = hi < this.end ? this.tokAt(hi) : 0;
      if (t === 0) break;
      if (d === 0 && (this.kindOf(t) === K_NL || (this.kindOf(t) === K_PUNCT && this.valOf(t) === ';'))) break;
      if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '{') d++;
      if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '}') {
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
    if (first) buf.splice(start, 0, first);
    const end = buf.length;
    checkCtProtoContext(buf, start, end, ctx.table.family, rule.span, this.diagnostics);
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
    while (this.kindOf(last) === K_NL && hi - 1 > lo) last = this.tokAt(--hi - 1)!;
    const src = this.srcOf(first);
    const rule: IrRule =
      src === this.srcOf(last) && this.endOf(last) >= this.startOf(first) && src.override === undefined
        ? new DocIrRule(this.stmtBuf, this.span(first, last), src.text, this.startOf(first), this.endOf(last))
        : { stmts: this.stmtBuf, span: this.span(first, last), text: this.textOf(first, last) };
    // a rule inside this one (chain binding) sets its own; this one's are put back after it
    const savedStart = this.ruleStart;
    const savedLineEnd = this.ruleLineEnd;
    const main = this.main;
    if (this.srcOf(first) === main && main.override === undefined) {
      const nl = main.text.indexOf('\n', this.startOf(first));
      this.ruleStart = this.startOf(first);
      this.ruleLineEnd = nl < 0 ? main.text.length : nl;
    } else this.ruleStart = this.ruleLineEnd = -1;
    try {
      this.pos = lo;
      // nft refuses a statement after a verdict other than continue, after reject, queue or fwd (rule_evaluate:
      // "Statement after terminal statement has no effect"), and anything after the rule's comment (its grammar
      // ends a rule at `comment "…"`): the whole file fails to load. The first such statement is an error.
      let terminal = false;
      let commented = false;
      let refused = false;
      while (this.more()) {
        const t = this.peek()!;
        if (this.kindOf(t) === K_NL) {
          this.pos++;
          continue;
        }
        const before = this.pos;
        const isComment = this.isWord(t, 'comment');
        if (!refused && (commented || (terminal && !isComment))) {
          refused = true;
          this.error(
            commented
              ? `${this.tokText(t)} after the rule's comment: nft ends a rule at its comment and refuses the file`
              : `Statement after terminal statement has no effect: nft refuses the file`,
            this.span(t),
          );
        }
        const n0 = rule.stmts.length;
        this.parseStatement(ctx, rule);
        if (isComment) commented = true;
        else if (rule.stmts.length > n0) {
          const st = rule.stmts[rule.stmts.length - 1]!;
          if (st.k === 'verdict' && st.v.k !== 'continue') terminal = true;
          // a statement whose value is looked up in a map (`meta mark set tcp dport map { 22 : 1 }`, `counter name
          // tcp dport map { … }`): a key not in the map breaks the rule (nft_lookup_eval: NFT_BREAK; kernel 6.18: the
          // accept after it takes port 22 alone), unless the map has a catch-all element. Which keys it holds is not
          // read here: the rule may or may not go on
          if (st.k === 'continue' && !READS_OWN_MAP.has(st.name) && this.looksUpMap(before, this.pos)) {
            rule.stmts.splice(rule.stmts.length - 1, 0, {
              k: 'opaque',
              module: 'map',
              text: this.stmtText(before),
              reason: 'a key not in the map breaks the rule',
              span: this.stmtSpan(before),
            });
          }
        }
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
      const ta = this.tokAt(vStart);
      const tb = this.tokAt(this.pos - 1);
      if (this.srcOf(ta) !== main || this.srcOf(tb) !== main) return -1;
      a = this.startOf(ta);
      b = this.endOf(tb);
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
    if (this.srcOf(a) !== main || this.srcOf(b) !== main || this.startOf(a) < this.ruleStart || this.endOf(b) < this.startOf(a) || this.endOf(b) > this.ruleLineEnd) return -1;
    return placeOf(this.ruleStart, this.startOf(a), this.endOf(b));
  }

  /** Statements of a rule given as text (JSON `expr` items nft 1.0.6 prints as strings). */
  parseStatementText(ctx: Ctx, rule: IrRule): void {
    this.pos = 0;
    while (this.more()) {
      const t = this.peek()!;
      if (this.kindOf(t) === K_NL || this.isPunct(t, ';')) {
        this.pos++;
        continue;
      }
      const before = this.pos;
      this.parseStatement(ctx, rule);
      if (this.pos === before) this.pos++;
    }
  }

  /**
   * The name of a stateful object (`counter name "c"`, `synproxy name ip saddr map { … }`): a name looked up in a
   * map breaks the rule for a key not in it (nft_lookup_eval: NFT_BREAK), the test of its key put before the statement.
   */
  private objectName(ctx: Ctx, stmts: IrStmt[]): void {
    const s1 = this.pos;
    let key = this.parseExpr(ctx);
    while (key) {
      const o = this.peek();
      if (!o || !((this.kindOf(o) === K_PUNCT && BIT_OPS.has(this.valOf(o))) || (this.kindOf(o) === K_WORD && startsLower(this.valOf(o)) && WORD_BINOPS.has(this.valOf(o))))) break;
      this.pos++;
      key = { k: 'binop', op: WORD_BINOPS.get(this.valOf(o)) ?? this.valOf(o), left: key, right: this.parseValueTerm(ctx) ?? { k: 'expr', text: '' } };
    }
    if (key && this.isWord(this.peek(), 'map')) {
      this.pos++;
      const m = this.parseValue(false, ctx) ?? { k: 'expr', text: '' };
      const st = mapKeyMatch(key, m, this.stmtSpan(s1));
      if (st) stmts.push(st);
      return;
    }
    this.pos = s1;
    this.parseValue(false, ctx);
  }

  /** Whether tokens a..b (one statement) look a value up in a map that has no catch-all (`*`) element. */
  private looksUpMap(a: number, b: number): boolean {
    let map = false;
    for (let i = a; i < b; i++) {
      const t = this.tokAt(i);
      const v = this.valOf(t);
      if (v === 'map' && this.kindOf(t) === K_WORD) map = true;
      else if (v === '*' && map) return false;
    }
    return map;
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
    if (this.kindOf(t) === K_WORD) {
      const w = this.valOf(t);
      switch (w) {
        case 'accept':
        case 'drop':
        case 'return':
        case 'continue':
          this.pos++;
          return void stmts.push(VERDICT_STMTS[w]);
        case 'jump':
        case 'goto': {
          this.pos++;
          const v = this.parseJumpTarget(ctx, w);
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
              if (this.isWord(c) && !STMT_KEYWORDS.has(this.valOf(c))) this.pos++;
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
            this.objectName(ctx, stmts);
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
            if (['prefix', 'level', 'group', 'snaplen', 'queue-threshold'].includes(this.valOf(o))) {
              this.pos++;
              if (!this.isEndOfStmt(this.peek())) this.pos++;
            } else if (this.valOf(o) === 'flags') {
              this.pos++;
              // `flags all | skuid | ether | ip options | tcp sequence[,options]` (the listing chains several after one
              // `flags`): `ip`/`tcp`/`ether` start the next match unless their flag words follow (`log flags all ip saddr …`)
              for (;;) {
                const f = this.isWord(this.peek()) ? this.valOf(this.peek()) : '';
                const n = this.isWord(this.peek(1)) ? this.valOf(this.peek(1)) : '';
                if (f === 'all' || f === 'skuid' || (f === 'ether' && !['saddr', 'daddr', 'type'].includes(n))) this.pos++;
                else if (f === 'ip' && n === 'options') this.pos += 2;
                else if (f === 'tcp' && (n === 'sequence' || n === 'options')) {
                  this.pos += 2;
                  while (this.isPunct(this.peek(), ',') && (this.isWord(this.peek(1), 'sequence') || this.isWord(this.peek(1), 'options'))) this.pos += 2;
                } else break;
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
          return void stmts.push({ k: 'opaque', module: w, text: this.stmtText(s0), reason: w === 'limit' ? 'rate limits depend on traffic over time' : 'quotas depend on traffic already seen', span: this.stmtSpan(s0) });
        }
        case 'notrack':
          this.pos++;
          return void stmts.push({ k: 'continue', name: 'notrack', span: this.span(t) });
        case 'dnat':
        case 'snat':
        case 'masquerade':
        case 'redirect':
          this.pos++;
          return void stmts.push(this.parseNat(ctx, w, s0));
        case 'comment': {
          this.pos++;
          const c = this.next();
          if (c && this.kindOf(c) === K_STR) rule.comment = this.valOf(c);
          else if (c) rule.comment = this.valOf(c);
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
          if (w === 'fwd') return void stmts.push({ k: 'verdict', v: { k: 'queue', text: this.stmtText(s0) }, span: this.stmtSpan(s0) });
          return void stmts.push({ k: 'continue', name: w, span: this.stmtSpan(s0) });
        }
        case 'synproxy': {
          this.pos++;
          if (this.isWord(this.peek(), 'name')) {
            this.pos++;
            this.objectName(ctx, stmts);
          } else this.consumeOptions(new Set(['mss', 'wscale', 'timestamp', 'sack-perm', 'name']), false);
          return void stmts.push({ k: 'continue', name: 'synproxy', span: this.stmtSpan(s0) });
        }
        case 'flow': {
          this.pos++;
          if (this.isWord(this.peek(), 'add') || this.isWord(this.peek(), 'offload')) this.pos++;
          if (this.kindOf(this.peek()) === K_REF) this.pos++;
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
          const name = this.nameTok();
          const st = xtStmt(kind && this.isWord(kind) ? this.valOf(kind) : undefined, name ? this.valOf(name) : undefined, this.stmtSpan(s0));
          // (the text as written: `xt match "recent"`)
          if (st.k === 'opaque') st.text = this.stmtText(s0);
          else if (st.k === 'verdict' && st.v.k === 'unknown') st.v.text = this.stmtText(s0);
          return void stmts.push(st);
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
          if (this.kindOf(this.peek(1)) === K_REF) {
            this.pos++;
            const ref = this.next()!;
            return this.parseSetStatement(ctx, rule, s0, this.valOf(ref));
          }
          break;
        }
        case 'meter': {
          this.pos++;
          const n = this.nameTok();
          if (this.isWord(this.peek(), 'size')) this.pos += 2;
          return this.parseSetStatement(ctx, rule, s0, n ? this.valOf(n) : '');
        }
        case 'set': {
          // legacy `set add ip saddr @s`
          if (this.isWord(this.peek(1), 'add') || this.isWord(this.peek(1), 'update')) {
            this.pos += 2;
            this.parseValue(false, ctx);
            const ref = this.peek();
            if (this.kindOf(ref) === K_REF) {
              this.pos++;
              this.dynamicSets.add(`${ctx.table.family} ${ctx.table.name} ${this.valOf(ref)}`);
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
      if (this.kindOf(n) === K_WORD && (STMT_KEYWORDS.has(this.valOf(n)) || VERDICT_WORDS.has(this.valOf(n)))) break;
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
    const from = this.pos;
    if (this.isPunct(o, '{')) {
      this.pos++;
      hasStmt = this.parseSetElems(o!, ctx).hasStmt;
    }
    const span = this.stmtSpan(s0);
    if (hasStmt) rule.stmts.push({ k: 'opaque', module: 'set', text: this.stmtText(s0), reason: `the statement in the update of set ${name} depends on run-time state`, span });
    const st: IrStmt = { k: 'continue', name: 'set', span, updatesSet: name };
    const deps = this.payloadDeps(from);
    if (deps) st.deps = deps;
    rule.stmts.push(st);
  }

  /** The header fields (`ip saddr`, `tcp dport`) named by the tokens from `from` to here: a statement's dependencies. */
  private payloadDeps(from: number): IrExpr[] | undefined {
    let out: IrExpr[] | undefined;
    for (let i = from; i + 1 < this.pos; i++) {
      const t = this.tokAt(i);
      const n = this.tokAt(i + 1);
      if (this.kindOf(t) !== K_WORD || this.kindOf(n) !== K_WORD) continue;
      const w = this.valOf(t);
      if (!DEP_PROTOCOLS.has(w) || !PAYLOAD_FIELDS.has(this.valOf(n))) continue;
      (out ??= []).push(payloadExpr(w, this.valOf(n)));
      i++;
    }
    return out;
  }

  private consumeOptions(words: Set<string>, withValues: boolean): void {
    for (;;) {
      const o = this.peek();
      if (this.isWord(o) && words.has(this.valOf(o))) {
        this.pos++;
        continue;
      }
      if (withValues && this.isWord(o) && /^[0-9]/.test(this.valOf(o))) {
        this.pos++;
        continue;
      }
      if (this.isPunct(o, ',')) {
        this.pos++;
        continue;
      }
      if (!withValues && this.isWord(o) && /^[0-9]/.test(this.valOf(o))) {
        this.pos++;
        continue;
      }
      if (this.kindOf(o) === K_STR && this.isWord(this.tokAt(this.pos - 1), 'name')) {
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
      if (this.isWord(o) && (words.has(this.valOf(o)) || /^[0-9]/.test(this.valOf(o)) || this.valOf(o).includes('/'))) {
        this.pos++;
        continue;
      }
      if (this.kindOf(o) === K_STR && this.isWord(this.tokAt(this.pos - 1), 'name')) {
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
        if (t === 0) break;
        if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '{') d++;
        if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '}') {
          d--;
          if (d === 0) break;
        }
      }
      // just after the closing `}`, or the end of the input when the binding is not closed
      const stop = j < savedEnd && this.tokAt(j) !== 0 ? j + 1 : j;
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
    return { k: kind, target: this.valOf(nt) };
  }

  private parseNat(ctx: Ctx, type: string, s0: number): IrStmt {
    let addr: IrVal | undefined;
    let port: IrVal | undefined;
    let map: { key: IrExpr; map: IrVal; port?: boolean } | undefined;
    if (this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ip6')) {
      const p1 = this.peek(1);
      if (!PAYLOAD_FIELDS.has(p1 ? this.valOf(p1) : '')) this.pos++;
    }
    if (this.isWord(this.peek(), 'prefix') || this.isWord(this.peek(), 'interval')) this.pos++;
    if (this.isWord(this.peek(), 'addr') && this.isWord(this.peek(1), '.') && this.isWord(this.peek(2), 'port')) this.pos += 3;
    const hasTo = this.isWord(this.peek(), 'to');
    if (hasTo) this.pos++;
    const n = this.peek();
    if (n && !this.isEndOfStmt(n) && !(this.kindOf(n) === K_WORD && (STMT_KEYWORDS.has(this.valOf(n)) || ['persistent', 'random', 'fully-random', 'netmap'].includes(this.valOf(n))))) {
      if (this.isWord(n) && /^:[a-z]/i.test(this.valOf(n))) {
        // `redirect to :tcp dport map { ... }`: the port is looked up (or computed)
        const s1 = this.pos;
        this.pos++;
        map = this.portMap(this.valOf(n).slice(1), ctx);
        if (!map) this.parseValue(false, ctx);
        port = { k: 'expr', text: this.stmtText(s1) };
      } else if (type === 'masquerade' || type === 'redirect') {
        port = this.parseValue(false, ctx);
      } else {
        // `dnat to tcp dport map { 80 : 10.0.0.1 }`: the key selector, then the map
        const s1 = this.pos;
        const key = this.parseExpr(ctx);
        if (key && this.isWord(this.peek(), 'map')) {
          this.pos++;
          const m = this.parseValue(false, ctx) ?? { k: 'expr', text: '' };
          map = { key, map: m };
        } else this.pos = s1;
        const v = map ? { k: 'expr' as const, text: this.stmtText(s1) } : this.parseValue(false, ctx);
        if (v && v.k === 'atom' && typeof v.v === 'string' && !v.quoted) {
          const split = splitAddrPort(v.v);
          addr = split.addr === undefined ? undefined : { k: 'atom', v: split.addr };
          if (split.port !== undefined) {
            // nft lists `dnat to 10.0.0.1 : tcp dport map { … }` as `dnat to 10.0.0.1:tcp dport map { … }`
            const s2 = this.pos;
            map = this.portMap(split.port, ctx);
            port = map ? { k: 'expr', text: `${split.port} ${this.stmtText(s2)}` } : { k: 'atom', v: split.port };
          }
        } else addr = v;
        if (this.isWord(this.peek(), ':')) {
          // `dnat to 10.0.0.1 : numgen inc mod 2 map { ... }`, `dnat to 10.0.0.1 : tcp dport map { ... }`
          this.pos++;
          const s2 = this.pos;
          const key = this.parseExpr(ctx);
          if (key && this.isWord(this.peek(), 'map')) {
            this.pos++;
            map = { key, map: this.parseValue(false, ctx) ?? { k: 'expr', text: '' }, port: true };
            port = { k: 'expr', text: this.stmtText(s2) };
          } else {
            this.pos = s2;
            port = this.parseValue(false, ctx);
          }
        } else if (map && this.isWord(this.peek()) && /^:[0-9]/.test(this.valOf(this.peek()!))) {
          // nft lists `dnat to ip saddr map { 10.0.0.0/8 : 10.1.1.1 } : 80` as `… }:80`
          port = this.parseValue(false, ctx);
        }
      }
    }
    while (this.isWord(this.peek()) && ['persistent', 'random', 'fully-random', 'netmap'].includes(this.valOf(this.peek()))) {
      this.pos++;
      if (this.isPunct(this.peek(), ',')) this.pos++;
    }
    if (port && port.k === 'atom' && typeof port.v === 'string' && port.v.startsWith(':')) port = { k: 'atom', v: port.v.slice(1) };
    const st: IrStmt = { k: 'nat', type: type as 'dnat', text: this.stmtText(s0), span: this.stmtSpan(s0) };
    if (addr) st.addr = addr;
    if (port) st.port = port;
    if (map) st.map = map;
    return st;
  }

  /**
   * After a port written as a protocol word glued to what precedes it (`:tcp`, `10.0.0.1:tcp`): `dport map
   * VALUE` (or `sport`) makes a port map keyed by that header field; otherwise undefined, the cursor unchanged.
   */
  private portMap(proto: string, ctx: Ctx): { key: IrExpr; map: IrVal; port: true } | undefined {
    const f = this.peek();
    if (!PORT_MAP_PROTOCOLS.has(proto) || !f || !(this.isWord(f, 'dport') || this.isWord(f, 'sport')) || !this.isWord(this.peek(1), 'map')) return undefined;
    this.pos += 2;
    return { key: { k: 'payload', proto, field: this.valOf(f) }, map: this.parseValue(false, ctx) ?? { k: 'expr', text: '' }, port: true };
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
        if (c && (this.kindOf(c) === K_STR || (this.kindOf(c) === K_WORD && !STMT_KEYWORDS.has(this.valOf(c)) && !VERDICT_WORDS.has(this.valOf(c))))) {
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
    if (this.kindOf(t) === K_REF && this.isPunct(this.peek(1), ',')) {
      // raw payload @base,offset,len
      this.pos++;
      for (let i = 0; i < 2; i++) {
        if (this.isPunct(this.peek(), ',')) this.pos++;
        if (this.isWord(this.peek())) this.pos++;
      }
      return { k: 'other', module: 'payload raw' };
    }
    if (this.kindOf(t) !== K_WORD) return undefined;
    const w = this.valOf(t);
    const n1 = this.peek(1);
    const word1 = this.isWord(n1) ? this.valOf(n1) : undefined;
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
      if (this.isWord(this.peek(), 'original') || this.isWord(this.peek(), 'reply')) dir = this.valOf(this.next());
      // `ct original ip saddr`: the family stays part of the key, as `nft -j` writes it ("ip saddr")
      let fam: string | undefined;
      if ((this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ip6')) && this.isWord(this.peek(1))) fam = this.valOf(this.next());
      const k = this.next();
      if (!this.isWord(k)) {
        this.error('Expected a conntrack key after "ct"', this.span(t));
        return { k: 'other', module: 'ct' };
      }
      const key = fam === undefined ? this.valOf(k) : `${fam} ${this.valOf(k)}`;
      return dir ? { k: 'ct', key, dir } : { k: 'ct', key };
    }
    if (w === 'fib') {
      this.pos++;
      const flags: string[] = [];
      // `fib saddr . iif oif`: flags joined by '.', then the result (`oif` is both a flag and a result)
      while (this.isWord(this.peek()) && ['saddr', 'daddr', 'mark', 'iif', 'oif'].includes(this.valOf(this.peek()))) {
        flags.push(this.valOf(this.next()));
        if (!this.isWord(this.peek(), '.')) break;
        this.pos++;
      }
      const r = this.next();
      return { k: 'fib', flags, result: this.kindOf(r) === K_WORD ? this.valOf(r) : '' };
    }
    if (PAYLOAD_PROTOCOLS.has(w) && word1 !== undefined && !VERDICT_WORDS.has(word1) && !STMT_KEYWORDS.has(word1)) {
      this.pos += 2;
      if ((w === 'vxlan' || w === 'geneve' || w === 'gre' || w === 'gretap') && PAYLOAD_PROTOCOLS.has(word1) && this.isWord(this.peek()) && PAYLOAD_FIELDS.has(this.valOf(this.peek()))) {
        this.pos++;
        return { k: 'other', module: `${w} ${word1}` };
      }
      if ((w === 'tcp' || w === 'ip' || w === 'sctp') && (word1 === 'option' || word1 === 'chunk')) {
        const nm = this.peek();
        let name: string | undefined;
        if (this.kindOf(nm) === K_REF) {
          this.pos++;
          while (this.isPunct(this.peek(), ',') && this.isWord(this.peek(1))) this.pos += 2;
        } else if (this.isWord(nm)) {
          name = this.valOf(nm);
          this.pos++;
        }
        let field: string | undefined;
        if (this.isWord(this.peek()) && OPTION_FIELDS.has(this.valOf(this.peek()))) {
          field = this.valOf(this.peek());
          this.pos++;
        }
        return w === 'tcp' && word1 === 'option' && name !== undefined && field !== undefined ? { k: 'other', module: 'tcp option', option: `${name} ${field}` } : { k: 'other', module: `${w} ${word1}` };
      }
      if (w === 'arp' && (word1 === 'saddr' || word1 === 'daddr') && (this.isWord(this.peek(), 'ip') || this.isWord(this.peek(), 'ether'))) {
        this.pos++;
        return { k: 'other', module: `arp ${word1}` };
      }
      return payloadExpr(w, word1);
    }
    if (EXTHDR_NAMES.has(w) && word1 !== undefined && !STMT_KEYWORDS.has(word1)) {
      this.pos += 2;
      if (w === 'exthdr' && this.isWord(this.peek()) && OPTION_FIELDS.has(this.valOf(this.peek()))) this.pos++;
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
      let mod: number | undefined;
      let offset = 0;
      while (this.isWord(this.peek()) && ['mod', 'seed', 'offset'].includes(this.valOf(this.peek())) && this.isWord(this.peek(1))) {
        const n = /^[0-9]{1,10}$/.test(this.valOf(this.peek(1))) ? Number(this.valOf(this.peek(1))) : undefined;
        if (this.valOf(this.peek()) === 'mod') mod = n;
        else if (this.valOf(this.peek()) === 'offset') offset = n ?? NaN;
        this.pos += 2;
      }
      return numgenExpr(w, mod, offset);
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
    if (!(e0.k === 'ct' && e0.key === 'status')) return this.parseExprStatementOf(ctx, rule, e0, s0);
    const was = this.natFlags;
    this.natFlags = true;
    try {
      this.parseExprStatementOf(ctx, rule, e0, s0);
    } finally {
      this.natFlags = was;
    }
  }

  /** Whether the word is a statement keyword here (not a `ct status` flag: see natFlags). */
  private isStmtKeyword(w: string): boolean {
    return STMT_KEYWORDS.has(w) && !(this.natFlags && (w === 'dnat' || w === 'snat'));
  }

  private parseExprStatementOf(ctx: Ctx, rule: IrRule, e0: IrExpr, s0: number): void {
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
      if (o && ((this.kindOf(o) === K_PUNCT && BIT_OPS.has(this.valOf(o))) || (this.kindOf(o) === K_WORD && startsLower(this.valOf(o)) && WORD_BINOPS.has(this.valOf(o))))) {
        this.pos++;
        const r = this.parseValueTerm(ctx) ?? { k: 'expr', text: '' };
        e = { k: 'binop', op: WORD_BINOPS.get(this.valOf(o)) ?? this.valOf(o), left: e, right: r };
        continue;
      }
      break;
    }
    const o = this.peek();
    if (this.isWord(o, 'set')) {
      this.pos++;
      // `meta mark set tcp dport map { 22 : 1 }`: a key not in the map breaks the rule (nft_lookup_eval: NFT_BREAK;
      // kernel 6.18: the accept after it takes port 22 alone), as a failed match of the key does
      const s1 = this.pos;
      const key = this.parseExpr(ctx);
      let lookup: IrStmt | undefined;
      if (key && this.isWord(this.peek(), 'map')) {
        this.pos++;
        const m = this.parseValue(false, ctx) ?? { k: 'expr', text: '' };
        lookup = mapKeyMatch(key, m, this.stmtSpan(s1));
      }
      this.pos = s1;
      const v = this.parseValue(false, ctx);
      if (lookup) rule.stmts.push(lookup);
      // the field written (`ip dscp set cs1`) and those the value reads (`meta mark set ip dscp map { … }`)
      const deps = this.payloadDeps(s0);
      const name =
        e.k === 'ct' && ['helper', 'timeout', 'expectation'].includes(e.key)
          ? `ct ${e.key}`
          : e.k === 'meta' && e.key === 'secmark' && v?.k === 'atom' && v.quoted
            ? 'secmark'
            : 'mangle';
      const st: IrStmt = deps ? { k: 'continue', name, deps } : { k: 'continue', name };
      // a mark set (src/parsers/nftables/marks.ts)
      const mark = name === 'mangle' ? nftMarkOp(e, v) : undefined;
      if (mark) st.mark = mark;
      const rewrites = name === 'mangle' ? rewrittenField(e) : undefined;
      if (rewrites) {
        st.rewrites = rewrites;
        if (!lookup && (v?.k === 'atom' || v?.k === 'prefix')) st.rewriteTo = v;
      } else if (name === 'mangle' && mangledHeader(e)) st.mangles = true;
      rule.stmts.push(st);
      return;
    }
    if (this.isWord(o, 'vmap')) {
      this.pos++;
      const m = this.parseValue(false, ctx) ?? { k: 'expr', text: '' };
      rule.stmts.push({ k: 'vmap', key: e, map: m, span: this.stmtSpan(s0) });
      return;
    }
    // no operator: nft's implicit one, equality, or for flag types (`tcp flags syn,ack`, `ct state`) "any of
    // these bits" — as `nft -j` says it, "in"
    let op = 'in';
    const relop = o && (this.kindOf(o) === K_PUNCT || (this.kindOf(o) === K_WORD && startsLower(this.valOf(o)))) ? RELOPS.get(this.valOf(o)) : undefined;
    if (relop !== undefined) {
      op = relop;
      this.pos++;
    } else if (this.isEndOfStmt(o) || (this.isWord(o) && (this.isStmtKeyword(this.valOf(o)) || VERDICT_WORDS.has(this.valOf(o))))) {
      // a selector with no value (`tcp option sack-perm`): existence test, not decidable here
      rule.stmts.push({ k: 'opaque', module: exprModule(e), text: this.stmtText(s0), reason: 'this test is not decoded', span: this.stmtSpan(s0) });
      return;
    }
    const vStart = this.pos;
    let v = this.parseValue(true, ctx);
    if (!v) {
      this.error('Expected a value', this.hereSpan());
      rule.stmts.push({ k: 'unknown', text: this.stmtText(s0), span: this.stmtSpan(s0) });
      return;
    }
    if (v.k === 'expr' && e.k === 'ct' && e.key === 'state' && e.dir === undefined) v = this.stateOr(vStart, v);
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
      if (this.isWord(o, '/') && v.k !== 'expr' && v.k !== 'masked') {
        // `value / mask`: the mask is a flag list (`syn / fin,syn,rst,ack`) and ends the value (read here, not by
        // parseValue: `a / b / c …` must not recurse once per slash)
        this.pos++;
        let mask = this.valueFollows() ? this.parseValueTerm(ctx) : undefined;
        while (mask && this.isPunct(this.peek(), ',') && this.valueFollows(1)) {
          this.pos++;
          const n = this.parseValueTerm(ctx);
          if (!n) break;
          mask = { k: 'list', items: mask.k === 'list' ? [...mask.items, n] : [mask, n] };
        }
        v = mask ? { k: 'masked', value: v, mask } : { k: 'expr', text: this.stmtText(s0) };
        break;
      }
      if ((this.kindOf(o) === K_PUNCT && BIT_OPS.has(this.valOf(o))) || this.isWord(o, '/') || (this.kindOf(o) === K_WORD && startsLower(this.valOf(o)) && WORD_BINOPS.has(this.valOf(o)))) {
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

  /** Whether the token `ahead` places on is a value, not the end of the statement, a statement or a verdict. */
  private valueFollows(ahead = 0): boolean {
    const o = this.peek(ahead);
    return !this.isEndOfStmt(o) && !(this.isWord(o) && (this.isStmtKeyword(this.valOf(o)) || VERDICT_WORDS.has(this.valOf(o))));
  }

  /**
   * `ct state established | related | new`: the OR of the states, as a list (implicit: any of them, as nft loads
   * it; `==` / `!=`: compared with their OR, see the builder). Only for ct state: on other types nft folds `a | b`
   * into one value. Anything else stays the expression it was.
   */
  private stateOr(vStart: number, v: IrVal): IrVal {
    const n = this.pos - vStart;
    if (n < 3 || n % 2 === 0) return v;
    const items: IrVal[] = [];
    for (let i = vStart; i < this.pos; i++) {
      const t = this.tokAt(i)!;
      if ((i - vStart) % 2 === 0) {
        if (this.kindOf(t) !== K_WORD) return v;
        items.push({ k: 'atom', v: this.valOf(t) });
      } else if (this.kindOf(t) !== K_PUNCT || this.valOf(t) !== '|') return v;
    }
    return { k: 'list', items };
  }

  private parseValueTerm(ctx: Ctx): IrVal | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '{') {
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
    if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '(') {
      const s0 = this.pos;
      this.pos++;
      let d = 1;
      while (this.more() && d > 0) {
        const x = this.next()!;
        if (this.kindOf(x) === K_PUNCT && this.valOf(x) === '(') d++;
        if (this.kindOf(x) === K_PUNCT && this.valOf(x) === ')') d--;
      }
      return { k: 'expr', text: this.stmtText(s0) };
    }
    if (this.kindOf(t) === K_PUNCT && this.valOf(t) === '[') {
      // [ipv6]:port (nat targets)
      const s0 = this.pos;
      this.pos++;
      const inner = this.isWord(this.peek()) ? this.valOf(this.next()) : '';
      if (this.isPunct(this.peek(), ']')) this.pos++;
      let port: string | undefined;
      const p = this.peek();
      if (this.isWord(p) && this.valOf(p).startsWith(':') && this.startOf(p) === this.endOf(this.tokAt(this.pos - 1))) {
        this.pos++;
        port = this.valOf(p).slice(1);
      }
      return { k: 'atom', v: port === undefined ? `[${inner}]` : `[${inner}]:${port}`, span: this.span(this.tokAt(s0)!, this.lastTok()) };
    }
    if (this.kindOf(t) === K_STR) {
      this.pos++;
      return { k: 'atom', v: this.valOf(t), quoted: true, span: this.span(t) };
    }
    if (this.kindOf(t) === K_REF) {
      this.pos++;
      return { k: 'ref', name: this.valOf(t), span: this.span(t) };
    }
    if (this.kindOf(t) === K_WORD) {
      // every expression start and statement keyword begins with a-z: a value such as an address
      // or a port (most values) needs none of the set lookups below
      const c0 = this.valOf(t).charCodeAt(0);
      if (c0 < 97 || c0 > 122) {
        this.pos++;
        return new WordAtom(this.valOf(t), this.startOf(t), this.endOf(t), this.srcOf(t));
      }
      const n1 = this.peek(1);
      const isExpr =
        (VALUE_EXPR_STARTS.has(this.valOf(t)) && this.isWord(n1) && this.valOf(n1) !== '.') ||
        (PAYLOAD_PROTOCOLS.has(this.valOf(t)) && this.isWord(n1) && PAYLOAD_FIELDS.has(this.valOf(n1))) ||
        (this.valOf(t) === 'rt' && this.isWord(n1) && ['nexthop', 'mtu', 'classid', 'ip', 'ip6'].includes(this.valOf(n1)));
      if (isExpr) {
        const s0 = this.pos;
        const e = this.parseSingleExpr(ctx);
        if (e) return { k: 'expr', text: this.stmtText(s0), span: this.stmtSpan(s0) };
      }
      if (this.isStmtKeyword(this.valOf(t)) && this.valOf(t) !== 'set' && this.valOf(t) !== 'map') return undefined;
      this.pos++;
      return new WordAtom(this.valOf(t), this.startOf(t), this.endOf(t), this.srcOf(t));
    }
    return undefined;
  }

  /** After `{`: elements up to the matching `}`. */
  private parseSetElems(open: Tok, ctx: Ctx): { elems: IrElem[]; hasStmt: boolean } {
    const elems: IrElem[] = [];
    let hasStmt = false;
    for (;;) {
      while (this.more() && (this.kindOf(this.peek()) === K_NL || this.isPunct(this.peek(), ','))) this.pos++;
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
        if (this.isWord(d) && VERDICT_WORDS.has(this.valOf(d))) {
          this.pos++;
          const dv = this.valOf(d);
          if (dv === 'jump' || dv === 'goto') {
            const v = this.parseJumpTarget(ctx, dv);
            if (v) elem.verdict = v;
          } else if (this.valOf(d) === 'queue') {
            this.consumeOptions(new Set(['flags', 'bypass', 'fanout', 'num', 'to']), true);
            elem.verdict = { k: 'queue', text: 'queue' };
          } else if (this.valOf(d) === 'reject') {
            if (this.isWord(this.peek(), 'with')) {
              this.pos += 2;
              if (this.isWord(this.peek(), 'type')) this.pos++;
              if (this.isWord(this.peek()) && !this.isWord(this.peek(), ':')) this.pos++;
            }
            elem.verdict = { k: 'reject' };
          } else elem.verdict = { k: this.valOf(d) as 'accept' };
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
      if (this.isWord(t) && ['limit', 'quota', 'ct', 'count', 'connlimit'].includes(this.valOf(t))) hasStmt = true;
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

/**
 * A number of a chain priority as nft's scanner reads it (strtoull, base 0): `0x10` is 16 and `010` is 8 (`priority
 * 010` lists back as `filter + 8`); the kernel keeps a 32-bit signed priority (`priority 2147483648` lists back as
 * -2147483648: the caller wraps). Undefined for a number with a digit octal does not have (`08`).
 */
function priorityNumber(s: string): number | undefined {
  if (/^0x/i.test(s)) return parseInt(s.slice(2), 16);
  if (s.length > 1 && s.startsWith('0')) return /^[0-7]+$/.test(s) ? parseInt(s, 8) : undefined;
  return Number(s);
}
