/**
 * nftables lexer: one pass, no backtracking. Words are maximal runs of
 * identifier/number/address characters (`10.0.0.0/8`, `fe80::1`, `echo-request`,
 * `1024-65535`); their meaning is decided later, by the field they are compared
 * with, as nft's own datatypes do.
 */
import { lineStartsOf, LineSpan, PackedSpan, type DocComment, type Diagnostic, type Position, type Span } from '../../model/index.js';

/** What the nftables parsers ask of a line index (LineIndex and HintedLineIndex both answer it). */
export interface LineLookup {
  position(offset: number): Position;
  span(start: number, end: number): Span;
}

/**
 * A line index that remembers the line of the last lookup: a parser asks for positions in text
 * order, so most lookups are on that line or the next one and need no binary search. Same
 * positions and spans as LineIndex.
 *
 * Its line starts are LineIndex's (lineStartsOf: an Int32Array of the exact size).
 */
export class HintedLineIndex implements LineLookup {
  private readonly lineStarts: Int32Array;
  private hint = 0;

  constructor(readonly text: string) {
    this.lineStarts = lineStartsOf(text);
  }

  position(offset: number): Position {
    const k = this.lineOf(offset);
    return { line: k + 1, column: offset - this.lineStarts[k]! + 1, offset };
  }

  /**
   * As LineIndex.span, without the two Position objects it would make and drop (a span per match, rule and value),
   * and for a span within one line (nearly all), a LineSpan (two or three fields) instead of the six-field PackedSpan.
   */
  span(start: number, end: number): Span {
    const s = this.lineStarts;
    const a = this.lineOf(start);
    const b = this.lineOf(end);
    if (a === b) return LineSpan.of(a + 1, s[a]!, start, end);
    return new PackedSpan(a + 1, start - s[a]! + 1, start, b + 1, end - s[b]! + 1, end);
  }

  /** The 0-based line of an offset: the hinted line, the next one, or a binary search (as LineIndex's). */
  private lineOf(offset: number): number {
    const s = this.lineStarts;
    const last = s.length - 1;
    let k = this.hint;
    if (s[k]! <= offset && (k === last || s[k + 1]! > offset)) return k;
    k++;
    if (k <= last && s[k]! <= offset && (k === last || s[k + 1]! > offset)) {
      this.hint = k;
      return k;
    }
    // the last line start <= offset (line 0 for an offset before the text)
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.hint = lo;
    return lo;
  }
}

export type TokType = 'word' | 'str' | 'var' | 'ref' | 'punct' | 'nl';

export interface Source {
  text: string;
  li: LineLookup;
  /** For included files: every position maps to the include statement in the main file. */
  override?: Span;
  path?: string;
}

/** A token; `src` is left out by a Lexer made for a parser that knows the source (one field less per token). */
export interface LexToken {
  t: TokType;
  v: string;
  s: number;
  e: number;
  src?: Source;
}

export interface Token extends LexToken {
  src: Source;
}

/** Character classes by code (ASCII only): 1 = word character, 2 = punctuation. */
const CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) CLASS[c] = 1; // a-z
for (let c = 65; c <= 90; c++) CLASS[c] = 1; // A-Z
for (let c = 48; c <= 57; c++) CLASS[c] = 1; // 0-9
for (const ch of '_.:/-*+%') CLASS[ch.charCodeAt(0)] = 1;
for (const ch of '{}()[];,=!<>&|^~') CLASS[ch.charCodeAt(0)] = 2;

function isWordChar(c: number): boolean {
  return c < 128 && CLASS[c] === 1;
}

/*
 * Words every ruleset repeats (keywords, common fields and values): a token gets the
 * one shared string instead of a new slice of the text, found without slicing
 * (by first character and length, then compared in place).
 */
const COMMON_WORDS = [
  'table', 'chain', 'set', 'map', 'type', 'hook', 'priority', 'policy', 'filter', 'nat', 'route', 'input', 'output',
  'forward', 'prerouting', 'postrouting', 'ingress', 'egress', 'ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev', 'saddr',
  'daddr', 'sport', 'dport', 'protocol', 'nexthdr', 'tcp', 'udp', 'sctp', 'dccp', 'udplite', 'icmp', 'icmpv6', 'th',
  'ether', 'meta', 'l4proto', 'nfproto', 'iifname', 'oifname', 'iif', 'oif', 'ct', 'state', 'status', 'established',
  'related', 'new', 'invalid', 'untracked', 'accept', 'drop', 'reject', 'return', 'jump', 'goto', 'continue', 'queue',
  'counter', 'packets', 'bytes', 'log', 'prefix', 'level', 'limit', 'rate', 'burst', 'comment', 'flags', 'interval',
  'timeout', 'elements', 'with', 'ipv4_addr', 'ipv6_addr', 'inet_service', 'inet_proto', 'ifname', 'fib', 'vmap',
  'define', 'include', 'add', 'insert', 'flush', 'ruleset', 'lo', 'ipv4', 'ipv6', 'second', 'minute', 'dnat', 'snat',
  'masquerade', 'redirect', 'to', 'and', 'or', 'second', 'over', 'echo-request', 'echo-reply', 'reset', 'eq', 'ne',
];
const BY_HEAD: (string[] | undefined)[] = [];
for (const w of new Set(COMMON_WORDS)) (BY_HEAD[w.charCodeAt(0) * 32 + w.length] ??= []).push(w);

function wordAt(text: string, i: number, j: number): string {
  const len = j - i;
  const c = text.charCodeAt(i);
  if (len < 32 && c < 128) {
    const cands = BY_HEAD[c * 32 + len];
    if (cands !== undefined) for (const w of cands) if (text.startsWith(w, i)) return w;
  }
  return text.slice(i, j);
}

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 47;
}

export function spanOfTok(src: Source, s: number, e: number): Span {
  return src.override ?? src.li.span(s, e);
}

/** Token kinds as the parser keeps them: one small code per token (TOK_TYPES[code] is the TokType). */
export const K_WORD = 0;
export const K_STR = 1;
export const K_VAR = 2;
export const K_REF = 3;
export const K_PUNCT = 4;
export const K_NL = 5;
export const TOK_TYPES: readonly TokType[] = ['word', 'str', 'var', 'ref', 'punct', 'nl'];

/**
 * The lexer as a token source: `scan()` scans just far enough for one more token and leaves it in
 * `kind`-code result, `tv`, `ts`, `te` (no object per token: the text parser copies the three into
 * its own arrays of kinds, values and positions, so a 100k-rule file makes no ~1 M token objects);
 * `next()` gives it as a LexToken object (lex() and the tests).
 */
export class Lexer {
  private i = 0;
  private readonly text: string;
  private readonly n: number;
  /** The last token scanned: its value, start and end offsets. */
  tv = '';
  ts = 0;
  te = 0;

  constructor(
    private readonly src: Source,
    private readonly diagnostics: Diagnostic[],
    private readonly comments: DocComment[] | undefined,
    /** False: tokens from next() without `src` (the parser pulling them knows it). */
    private readonly withSrc = true,
  ) {
    this.text = src.text;
    this.n = src.text.length;
  }

  private junkSeen = false;

  /**
   * A carriage return, form feed or vertical tab outside a comment or a string: nft's scanner has no rule for them
   * ("syntax error, unexpected junk", nft 1.0.6 on a file with CRLF line ends) and loads nothing of the file. Read
   * as blanks here; reported once per file (a CRLF file has one on every line).
   */
  private junk(i: number, c: number): void {
    if (this.junkSeen) return;
    this.junkSeen = true;
    const what = c === 13 ? 'a carriage return (CRLF line ends?)' : c === 12 ? 'a form feed' : 'a vertical tab';
    this.diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: `nft refuses ${what} outside a comment or string ("unexpected junk"): the file does not load`, span: spanOfTok(this.src, i, i + 1) });
  }

  private tok(k: number, v: string, s: number, e: number): number {
    this.tv = v;
    this.ts = s;
    this.te = e;
    return k;
  }

  /** The next token, or undefined at the end of the text; it has `src` unless the lexer was made without. */
  next(): LexToken | undefined {
    const k = this.scan();
    if (k < 0) return undefined;
    const t = TOK_TYPES[k]!;
    return this.withSrc ? { t, v: this.tv, s: this.ts, e: this.te, src: this.src } : { t, v: this.tv, s: this.ts, e: this.te };
  }

  /** Scans the next token: its kind code (K_WORD...), its value and offsets in tv, ts, te; -1 at the end of the text. */
  scan(): number {
    const { text, n, src } = this;
    let i = this.i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
        if (c !== 32 && c !== 9) this.junk(i, c);
        i++;
        continue;
      }
      if (c === 10) {
        this.i = i + 1;
        return this.tok(K_NL, '\n', i, i + 1);
      }
      if (c === 92) {
        // backslash line continuation
        let j = i + 1;
        while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)) {
          if (text.charCodeAt(j) === 13) this.junk(j, 13);
          j++;
        }
        if (j >= n || text.charCodeAt(j) === 10) {
          i = j + 1;
          continue;
        }
        this.diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: 'Unexpected character "\\"', span: spanOfTok(src, i, i + 1) });
        i++;
        continue;
      }
      if (c === 35) {
        let j = text.indexOf('\n', i);
        if (j < 0) j = n;
        if (this.comments) this.comments.push({ value: text.slice(i + 1, j).replace(/\r$/, ''), span: spanOfTok(src, i, j), type: 'Line' });
        i = j;
        continue;
      }
      if (c === 34) {
        let j = i + 1;
        while (j < n && text.charCodeAt(j) !== 34 && text.charCodeAt(j) !== 10) j++;
        if (j >= n || text.charCodeAt(j) !== 34) {
          this.diagnostics.push({ severity: 'error', code: 'nftables/unterminated-string', message: 'Unterminated string', span: spanOfTok(src, i, j) });
          this.i = j;
          return this.tok(K_STR, text.slice(i + 1, j), i, j);
        }
        this.i = j + 1;
        return this.tok(K_STR, text.slice(i + 1, j), i, j + 1);
      }
      if (c === 36 || c === 64) {
        let j = i + 1;
        while (j < n && isIdentChar(text.charCodeAt(j))) j++;
        this.i = j;
        return this.tok(c === 36 ? K_VAR : K_REF, text.slice(i + 1, j), i, j);
      }
      if (isWordChar(c)) {
        let j = i + 1;
        while (j < n && isWordChar(text.charCodeAt(j))) j++;
        this.i = j;
        return this.tok(K_WORD, wordAt(text, i, j), i, j);
      }
      // punctuation
      const c2 = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      // != == <= >= << >>
      if ((c2 === 61 && (c === 33 || c === 61 || c === 60 || c === 62)) || (c === 60 && c2 === 60) || (c === 62 && c2 === 62)) {
        const v = c === 33 ? '!=' : c === 61 ? '==' : c === 60 ? (c2 === 61 ? '<=' : '<<') : c2 === 61 ? '>=' : '>>';
        this.i = i + 2;
        return this.tok(K_PUNCT, v, i, i + 2);
      }
      const ch = text[i]!;
      if (c < 128 && CLASS[c] === 2) {
        this.i = i + 1;
        return this.tok(K_PUNCT, ch, i, i + 1);
      }
      this.diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: `Unexpected character ${JSON.stringify(ch)}`, span: spanOfTok(src, i, i + 1) });
      i++;
    }
    this.i = n;
    return -1;
  }
}

/** All tokens of a text at once (the preprocessor and the statement-text parser work on arrays). */
export function lex(src: Source, diagnostics: Diagnostic[], comments: DocComment[] | undefined): Token[] {
  const lexer = new Lexer(src, diagnostics, comments);
  const out: Token[] = [];
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) out.push(t as Token); // made with src
  return out;
}
