/**
 * HCL2 native syntax (Terraform `.tf`): a hand-written scanner and recursive
 * descent parser with exact positions. No regex parsing; never throws on user
 * input (syntax errors become diagnostics and the parser resumes at the next line).
 *
 * Blocks become `PObject` entries keyed by block type with `block: {type, labels}`;
 * attributes become entries; literals → `PScalar`, tuples → `PArray`, objects with
 * static keys → `PObject`; every other expression → `PExpr` with its exact source
 * text, whose syntax tree `hclExprOf` returns.
 */
import { LineIndex, type Diagnostic, type DocComment, type Span } from '../../model/index.js';
import type { PEntry, PExpr, PObject, PValue } from '../values.js';
import type { HclExpr } from './ast.js';

export type { HclExpr } from './ast.js';

export interface HclParseResult {
  body: PObject;
  diagnostics: Diagnostic[];
  comments: DocComment[];
}

/** Where an expression came from: its tree and the text/line index its offsets refer to. */
export interface HclExprInfo {
  ast: HclExpr;
  text: string;
  lines: LineIndex;
}

const exprInfo = new WeakMap<PExpr, HclExprInfo>();

/** The syntax tree of an expression the HCL parser returned as a `PExpr`. */
export function hclExprOf(v: PExpr): HclExprInfo | undefined {
  return exprInfo.get(v);
}

class HclSyntaxError {
  constructor(
    readonly offset: number,
    readonly message: string,
    /** The construct runs to the end of the file (an unclosed block, object or heredoc): nothing after it to resume at. */
    readonly toEnd = false,
  ) {}
}

const MAX_DEPTH = 256;

const BINARY_PREC: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '>': 4,
  '<=': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c > 127 && /\p{L}/u.test(String.fromCharCode(c)));
}
function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57) || c === 45;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

class Parser {
  pos = 0;
  /** > 0 inside brackets: newlines are plain whitespace. */
  nl = 0;
  depth = 0;
  blockDepth = 0;
  readonly lines: LineIndex;
  readonly diagnostics: Diagnostic[] = [];
  readonly comments: DocComment[] = [];
  private commentsEnd = 0;

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }

  span(start: number, end: number): Span {
    return this.lines.span(start, end);
  }

  err(message: string, offset = this.pos, toEnd = false): never {
    throw new HclSyntaxError(offset, message, toEnd);
  }

  diag(message: string, start: number, end: number, code = 'hcl/syntax'): void {
    this.diagnostics.push({ severity: 'error', code, message, span: this.span(start, end) });
  }

  ch(o = 0): number {
    return this.text.charCodeAt(this.pos + o);
  }

  eof(): boolean {
    return this.pos >= this.text.length;
  }

  /** Skips spaces, tabs, comments, and newlines when `newlines` or inside brackets. */
  skipWs(newlines = false): void {
    const t = this.text;
    const n = t.length;
    const nls = newlines || this.nl > 0;
    while (this.pos < n) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 13 || c === 0xfeff) this.pos++;
      else if (c === 10 && nls) this.pos++;
      else if (c === 35 || (c === 47 && t.charCodeAt(this.pos + 1) === 47)) {
        const start = this.pos;
        let e = t.indexOf('\n', start);
        if (e < 0) e = n;
        let valueEnd = e;
        if (valueEnd > start && t.charCodeAt(valueEnd - 1) === 13) valueEnd--;
        this.addComment(start, e, t.slice(start + (c === 35 ? 1 : 2), valueEnd), 'Line', valueEnd);
        this.pos = e;
      } else if (c === 47 && t.charCodeAt(this.pos + 1) === 42) {
        const start = this.pos;
        let e = t.indexOf('*/', start + 2);
        if (e < 0) {
          this.diag('unterminated block comment', start, n);
          e = n;
          this.addComment(start, n, t.slice(start + 2), 'Block', n);
          this.pos = n;
        } else {
          this.addComment(start, e + 2, t.slice(start + 2, e), 'Block', e + 2);
          this.pos = e + 2;
        }
      } else break;
    }
  }

  private addComment(start: number, _lineEnd: number, value: string, type: 'Line' | 'Block', end: number): void {
    if (start < this.commentsEnd) return;
    this.commentsEnd = end;
    this.comments.push({ value, type, span: this.span(start, end) });
  }

  ident(): string | undefined {
    const t = this.text;
    if (!isIdStart(t.charCodeAt(this.pos))) return undefined;
    const s = this.pos;
    this.pos++;
    while (this.pos < t.length && isIdPart(t.charCodeAt(this.pos))) this.pos++;
    return t.slice(s, this.pos);
  }

  /** Is the keyword `kw` at the cursor, followed by a non-identifier character? */
  atKeyword(kw: string): boolean {
    return this.text.startsWith(kw, this.pos) && !isIdPart(this.text.charCodeAt(this.pos + kw.length));
  }

  // ------------------------------------------------------------ bodies

  parseBody(nested: boolean): PEntry[] {
    const entries: PEntry[] = [];
    for (;;) {
      this.nl = 0;
      this.skipWs(true);
      if (this.eof()) return entries;
      const c = this.ch();
      if (c === 125 /* } */) {
        if (nested) return entries;
        this.diag('unexpected "}"', this.pos, this.pos + 1);
        this.pos++;
        continue;
      }
      const before = this.pos;
      try {
        entries.push(this.parseItem());
      } catch (e) {
        if (!(e instanceof HclSyntaxError)) throw e;
        const at = Math.min(e.offset, this.text.length);
        this.diag(e.message, at, Math.min(at + 1, this.text.length));
        this.nl = 0;
        this.depth = 0;
        // Resume after the line where the error is (always make progress); an unclosed construct took the
        // rest of the file, which was read (and its errors reported) already.
        let next = e.toEnd ? this.text.length : this.text.indexOf('\n', Math.max(at, before));
        if (next < 0) next = this.text.length;
        this.pos = Math.max(next, before + 1);
      }
    }
  }

  parseItem(): PEntry {
    const start = this.pos;
    const name = this.ident();
    if (name === undefined) this.err(`expected an attribute or block name, found ${this.describe()}`);
    const keySpan = this.span(start, this.pos);
    this.skipWs();
    const c = this.ch();
    if (c === 61 /* = */ && this.ch(1) !== 61) {
      this.pos++;
      this.skipWs();
      const e = this.parseExpr();
      this.endOfItem();
      return { key: name, keySpan, value: this.toPValue(e) };
    }
    const labels: string[] = [];
    for (;;) {
      this.skipWs();
      const d = this.ch();
      if (d === 34 /* " */) {
        const t = this.parseQuoted();
        if (t.type !== 'template' || t.directive || t.parts.some((p) => typeof p !== 'string')) this.err('block labels must be literal strings', t.start);
        labels.push((t.parts as string[]).join(''));
      } else if (isIdStart(d)) {
        labels.push(this.ident()!);
      } else break;
    }
    if (this.ch() !== 123 /* { */) this.err(labels.length ? `expected "{" to open block "${name}", found ${this.describe()}` : `expected "=" or a block after "${name}", found ${this.describe()}`);
    this.pos++;
    if (++this.blockDepth > MAX_DEPTH) this.err('blocks nested too deeply', start);
    let entries: PEntry[];
    try {
      entries = this.parseBody(true);
    } finally {
      this.blockDepth--;
    }
    if (this.eof()) this.err(`block "${name}" opened at line ${keySpan.start.line} is not closed`, start, true);
    this.pos++; // }
    const value: PObject = { kind: 'object', entries, span: this.span(start, this.pos), block: { type: name, labels } };
    this.endOfItem();
    return { key: name, keySpan, value };
  }

  endOfItem(): void {
    this.skipWs();
    if (this.eof()) return;
    const c = this.ch();
    if (c === 10 || c === 125) return;
    this.err(`expected a newline after the item, found ${this.describe()}`);
  }

  describe(): string {
    if (this.eof()) return 'end of file';
    const c = this.text[this.pos]!;
    return c === '\n' ? 'newline' : `"${c}"`;
  }

  // ------------------------------------------------------------ expressions

  parseExpr(): HclExpr {
    if (++this.depth > MAX_DEPTH) this.err('expression nested too deeply');
    try {
      const cond = this.parseBinary(1);
      this.skipWs();
      if (this.ch() === 63 /* ? */) {
        this.pos++;
        this.skipWs(true);
        const then = this.parseExpr();
        this.skipWs(true);
        if (this.ch() !== 58 /* : */) this.err(`expected ":" in conditional, found ${this.describe()}`);
        this.pos++;
        this.skipWs(true);
        const els = this.parseExpr();
        return { type: 'conditional', cond, then, else: els, start: cond.start, end: els.end };
      }
      return cond;
    } finally {
      this.depth--;
    }
  }

  peekBinary(): string | undefined {
    const c = this.ch();
    const d = this.ch(1);
    switch (c) {
      case 124: // |
        return d === 124 ? '||' : undefined;
      case 38: // &
        return d === 38 ? '&&' : undefined;
      case 61: // =
        return d === 61 ? '==' : undefined;
      case 33: // !
        return d === 61 ? '!=' : undefined;
      case 60: // <
        return d === 61 ? '<=' : d === 60 ? undefined : '<';
      case 62: // >
        return d === 61 ? '>=' : '>';
      case 43:
        return '+';
      case 45:
        return '-';
      case 42:
        return '*';
      case 47:
        return '/';
      case 37:
        return '%';
      default:
        return undefined;
    }
  }

  parseBinary(minPrec: number): HclExpr {
    let left = this.parseUnary();
    for (;;) {
      this.skipWs();
      const op = this.peekBinary();
      if (!op) return left;
      const prec = BINARY_PREC[op]!;
      if (prec < minPrec) return left;
      this.pos += op.length;
      this.skipWs(true);
      const right = this.parseBinary(prec + 1);
      left = { type: 'binary', op, left, right, start: left.start, end: right.end };
    }
  }

  parseUnary(): HclExpr {
    const c = this.ch();
    if (c === 33 /* ! */ || c === 45 /* - */) {
      const start = this.pos;
      this.pos++;
      this.skipWs();
      if (++this.depth > MAX_DEPTH) this.err('expression nested too deeply');
      try {
        const operand = this.parseUnary();
        if (c === 45 && operand.type === 'literal' && typeof operand.value === 'number') return { type: 'literal', value: -operand.value, start, end: operand.end };
        return { type: 'unary', op: c === 33 ? '!' : '-', operand, start, end: operand.end };
      } finally {
        this.depth--;
      }
    }
    return this.parsePostfix();
  }

  parsePostfix(): HclExpr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.traversal(e, true);
      if (!t) return e;
      e = t;
    }
  }

  /** One `.name`, `.0`, `[key]`, `.*` or `[*]` after `e`, or undefined. */
  traversal(e: HclExpr, allowSplat: boolean): HclExpr | undefined {
    const save = this.pos;
    this.skipWs();
    const c = this.ch();
    if (c === 46 /* . */ && this.ch(1) !== 46) {
      this.pos++;
      const d = this.ch();
      if (isIdStart(d)) {
        const name = this.ident()!;
        return { type: 'getattr', object: e, name, start: e.start, end: this.pos };
      }
      if (isDigit(d)) {
        const s = this.pos;
        while (isDigit(this.ch())) this.pos++;
        return { type: 'index', object: e, key: { type: 'literal', value: Number(this.text.slice(s, this.pos)), start: s, end: this.pos }, start: e.start, end: this.pos };
      }
      if (d === 42 /* * */ && allowSplat) {
        this.pos++;
        return this.splat(e, false);
      }
      this.err(`expected an attribute name after ".", found ${this.describe()}`);
    }
    if (c === 91 /* [ */) {
      this.pos++;
      this.nl++;
      this.skipWs();
      if (this.ch() === 42 && allowSplat) {
        this.pos++;
        this.skipWs();
        if (this.ch() !== 93) this.err(`expected "]" after "[*", found ${this.describe()}`);
        this.pos++;
        this.nl--;
        return this.splat(e, true);
      }
      const key = this.parseExpr();
      this.skipWs();
      if (this.ch() !== 93) this.err(`expected "]" to close the index, found ${this.describe()}`);
      this.pos++;
      this.nl--;
      return { type: 'index', object: e, key, start: e.start, end: this.pos };
    }
    this.pos = save;
    return undefined;
  }

  splat(object: HclExpr, full: boolean): HclExpr {
    let each: HclExpr = { type: 'variable', name: '*', start: this.pos, end: this.pos };
    for (;;) {
      const save = this.pos;
      this.skipWs();
      const c = this.ch();
      if (c === 46 && this.ch(1) !== 42) {
        const t = this.traversal(each, false);
        if (!t) break;
        each = t;
      } else if (c === 91 && full && this.ch(1) !== 42) {
        const t = this.traversal(each, false);
        if (!t) break;
        each = t;
      } else {
        this.pos = save;
        break;
      }
    }
    return { type: 'splat', object, each, start: object.start, end: Math.max(each.end, this.pos) };
  }

  parsePrimary(): HclExpr {
    if (this.eof()) this.err('expected an expression, found end of file');
    const c = this.ch();
    const start = this.pos;
    if (isDigit(c)) return this.parseNumber();
    if (c === 34) return this.parseQuoted();
    if (c === 60 && this.ch(1) === 60) return this.parseHeredoc();
    if (c === 91) return this.parseTuple();
    if (c === 123) return this.parseObject();
    if (c === 40 /* ( */) {
      this.pos++;
      this.nl++;
      this.skipWs();
      const inner = this.parseExpr();
      this.skipWs();
      if (this.ch() !== 41) this.err(`expected ")", found ${this.describe()}`);
      this.pos++;
      this.nl--;
      return { type: 'paren', expr: inner, start, end: this.pos };
    }
    if (isIdStart(c)) {
      let name = this.ident()!;
      if (name === 'true' || name === 'false') return { type: 'literal', value: name === 'true', start, end: this.pos };
      if (name === 'null') return { type: 'literal', value: null, start, end: this.pos };
      while (this.ch() === 58 && this.ch(1) === 58 && isIdStart(this.ch(2))) {
        this.pos += 2;
        name += '::' + this.ident()!;
      }
      const save = this.pos;
      this.skipWs();
      if (this.ch() === 40) {
        this.pos++;
        return this.parseCall(name, start);
      }
      this.pos = save;
      return { type: 'variable', name, start, end: this.pos };
    }
    this.err(`expected an expression, found ${this.describe()}`);
  }

  parseNumber(): HclExpr {
    const start = this.pos;
    while (isDigit(this.ch())) this.pos++;
    if (this.ch() === 46 && isDigit(this.ch(1))) {
      this.pos++;
      while (isDigit(this.ch())) this.pos++;
    }
    const e = this.ch();
    if (e === 101 || e === 69) {
      let p = this.pos + 1;
      const s = this.text.charCodeAt(p);
      if (s === 43 || s === 45) p++;
      if (isDigit(this.text.charCodeAt(p))) {
        this.pos = p;
        while (isDigit(this.ch())) this.pos++;
      }
    }
    return { type: 'literal', value: Number(this.text.slice(start, this.pos)), start, end: this.pos };
  }

  parseCall(name: string, start: number): HclExpr {
    this.nl++;
    const args: HclExpr[] = [];
    let expandFinal = false;
    for (;;) {
      this.skipWs();
      if (this.ch() === 41) break;
      args.push(this.parseExpr());
      this.skipWs();
      if (this.text.startsWith('...', this.pos)) {
        this.pos += 3;
        expandFinal = true;
        this.skipWs();
      }
      if (this.ch() === 44) {
        this.pos++;
        continue;
      }
      if (this.ch() === 41) break;
      this.err(`expected "," or ")" in the arguments of ${name}(), found ${this.describe()}`);
    }
    this.pos++;
    this.nl--;
    return { type: 'call', name, args, expandFinal, start, end: this.pos };
  }

  /** After `[` or `{`: is this a `for` expression? */
  atFor(): boolean {
    if (!this.atKeyword('for')) return false;
    let p = this.pos + 3;
    const t = this.text;
    while (p < t.length && (t.charCodeAt(p) === 32 || t.charCodeAt(p) === 9 || t.charCodeAt(p) === 10 || t.charCodeAt(p) === 13)) p++;
    return p > this.pos + 3 && isIdStart(t.charCodeAt(p));
  }

  parseTuple(): HclExpr {
    const start = this.pos;
    this.pos++;
    this.nl++;
    this.skipWs();
    if (this.atFor()) return this.parseFor(start, false);
    const items: HclExpr[] = [];
    for (;;) {
      this.skipWs();
      if (this.ch() === 93) break;
      items.push(this.parseExpr());
      this.skipWs();
      if (this.ch() === 44) {
        this.pos++;
        continue;
      }
      if (this.ch() === 93) break;
      this.err(`expected "," or "]" in the list, found ${this.describe()}`);
    }
    this.pos++;
    this.nl--;
    return { type: 'tuple', items, start, end: this.pos };
  }

  parseObject(): HclExpr {
    const start = this.pos;
    this.pos++;
    this.nl++;
    this.skipWs();
    if (this.atFor()) return this.parseFor(start, true);
    const items: { key: HclExpr; value: HclExpr; keyIsIdent: boolean }[] = [];
    for (;;) {
      this.skipWs();
      if (this.ch() === 125) break;
      if (this.eof()) this.err('object is not closed', start, true);
      const key = this.parseExpr();
      this.skipWs();
      const c = this.ch();
      if (!((c === 61 && this.ch(1) !== 61 && this.ch(1) !== 62) || c === 58)) this.err(`expected "=" or ":" after the object key, found ${this.describe()}`);
      this.pos++;
      this.skipWs();
      const value = this.parseExpr();
      items.push({ key, value, keyIsIdent: key.type === 'variable' });
      this.skipWs();
      if (this.ch() === 44) this.pos++;
    }
    this.pos++;
    this.nl--;
    return { type: 'object', items, start, end: this.pos };
  }

  parseFor(start: number, isObject: boolean): HclExpr {
    this.pos += 3;
    this.skipWs();
    const first = this.ident();
    if (first === undefined) this.err(`expected a variable name after "for", found ${this.describe()}`);
    let keyVar: string | undefined;
    let valueVar = first;
    this.skipWs();
    if (this.ch() === 44) {
      this.pos++;
      this.skipWs();
      const second = this.ident();
      if (second === undefined) this.err(`expected a second variable name, found ${this.describe()}`);
      keyVar = first;
      valueVar = second;
      this.skipWs();
    }
    if (!this.atKeyword('in')) this.err(`expected "in" in the for expression, found ${this.describe()}`);
    this.pos += 2;
    this.skipWs();
    const collection = this.parseExpr();
    this.skipWs();
    if (this.ch() !== 58) this.err(`expected ":" in the for expression, found ${this.describe()}`);
    this.pos++;
    this.skipWs();
    let keyExpr: HclExpr | undefined;
    let valueExpr = this.parseExpr();
    this.skipWs();
    if (isObject) {
      if (!(this.ch() === 61 && this.ch(1) === 62)) this.err(`expected "=>" in the object for expression, found ${this.describe()}`);
      this.pos += 2;
      this.skipWs();
      keyExpr = valueExpr;
      valueExpr = this.parseExpr();
      this.skipWs();
    }
    let grouping = false;
    if (this.text.startsWith('...', this.pos)) {
      grouping = true;
      this.pos += 3;
      this.skipWs();
    }
    let cond: HclExpr | undefined;
    if (this.atKeyword('if')) {
      this.pos += 2;
      this.skipWs();
      cond = this.parseExpr();
      this.skipWs();
    }
    const close = isObject ? 125 : 93;
    if (this.ch() !== close) this.err(`expected "${isObject ? '}' : ']'}" to close the for expression, found ${this.describe()}`);
    this.pos++;
    this.nl--;
    const node: HclExpr = { type: 'for', valueVar, collection, valueExpr, grouping, start, end: this.pos };
    if (keyVar !== undefined) node.keyVar = keyVar;
    if (keyExpr) node.keyExpr = keyExpr;
    if (cond) node.cond = cond;
    return node;
  }

  /** `"…"` with escapes and `${}` / `%{}` templates. */
  parseQuoted(): HclExpr & { type: 'template' } {
    const start = this.pos;
    this.pos++;
    const t = this.text;
    const parts: (string | HclExpr)[] = [];
    let buf = '';
    let directive = false;
    for (;;) {
      if (this.pos >= t.length || t.charCodeAt(this.pos) === 10) this.err('unterminated string', start);
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        this.pos++;
        break;
      }
      if (c === 92 /* \ */) {
        buf += this.escape();
        continue;
      }
      if ((c === 36 || c === 37) && t.charCodeAt(this.pos + 1) === c && t.charCodeAt(this.pos + 2) === 123) {
        // $${ and %%{ are literal
        buf += c === 36 ? '${' : '%{';
        this.pos += 3;
        continue;
      }
      if (c === 36 && t.charCodeAt(this.pos + 1) === 123) {
        if (buf) parts.push(buf);
        buf = '';
        parts.push(this.interpolation());
        continue;
      }
      if (c === 37 && t.charCodeAt(this.pos + 1) === 123) {
        directive = true;
        buf += this.directiveText();
        continue;
      }
      buf += t[this.pos]!;
      this.pos++;
    }
    if (buf || parts.length === 0) parts.push(buf);
    return { type: 'template', parts, directive, start, end: this.pos };
  }

  escape(): string {
    const t = this.text;
    const s = this.pos;
    const d = t[this.pos + 1];
    this.pos += 2;
    switch (d) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const len = d === 'u' ? 4 : 8;
        const hex = t.slice(this.pos, this.pos + len);
        if (hex.length === len && /^[0-9A-Fa-f]+$/.test(hex)) {
          this.pos += len;
          const cp = parseInt(hex, 16);
          if (cp <= 0x10ffff) return String.fromCodePoint(cp);
        }
        this.diag(`invalid unicode escape "\\${d}${hex}"`, s, Math.min(this.pos, t.length));
        return '';
      }
      default:
        if (d === undefined || d === '\n') this.err('unterminated string', s);
        this.diag(`invalid escape sequence "\\${d}"`, s, this.pos);
        return d;
    }
  }

  interpolation(): HclExpr {
    const open = this.pos;
    this.pos += 2;
    if (this.ch() === 126 /* ~ */) this.pos++;
    const saveNl = this.nl;
    this.nl = 1;
    this.skipWs();
    const e = this.parseExpr();
    this.skipWs();
    if (this.ch() === 126) this.pos++;
    if (this.ch() !== 125) this.err(`expected "}" to close the interpolation opened at offset ${open}, found ${this.describe()}`);
    this.pos++;
    this.nl = saveNl;
    return e;
  }

  /** `%{ if … }` / `%{ for … }` directives: kept as text; the template is then not evaluated. */
  directiveText(): string {
    const start = this.pos;
    const e = this.text.indexOf('}', start);
    if (e < 0) this.err('unterminated template directive', start);
    this.pos = e + 1;
    return this.text.slice(start, this.pos);
  }

  parseHeredoc(): HclExpr {
    const start = this.pos;
    const t = this.text;
    this.pos += 2;
    let indent = false;
    if (this.ch() === 45) {
      indent = true;
      this.pos++;
    }
    const marker = this.ident();
    if (marker === undefined) this.err('expected a heredoc marker after "<<"');
    let p = this.pos;
    if (t.charCodeAt(p) === 13) p++;
    if (t.charCodeAt(p) !== 10) this.err('expected a newline after the heredoc marker', p);
    const contentStart = p + 1;
    // Find the closing line.
    let ls = contentStart;
    let contentEnd = -1;
    let after = -1;
    while (ls <= t.length) {
      let le = t.indexOf('\n', ls);
      if (le < 0) le = t.length;
      let a = ls;
      while (a < le && (t.charCodeAt(a) === 32 || t.charCodeAt(a) === 9)) a++;
      let b = le;
      if (b > a && t.charCodeAt(b - 1) === 13) b--;
      if (t.slice(a, b) === marker) {
        contentEnd = ls;
        after = b;
        break;
      }
      if (le >= t.length) break;
      ls = le + 1;
    }
    if (contentEnd < 0) this.err(`heredoc "${marker}" is not closed`, start, true);
    // Template parts over [contentStart, contentEnd).
    const parts: (string | HclExpr)[] = [];
    let buf = '';
    let directive = false;
    this.pos = contentStart;
    while (this.pos < contentEnd) {
      const c = t.charCodeAt(this.pos);
      if ((c === 36 || c === 37) && t.charCodeAt(this.pos + 1) === c && t.charCodeAt(this.pos + 2) === 123) {
        buf += c === 36 ? '${' : '%{';
        this.pos += 3;
      } else if (c === 36 && t.charCodeAt(this.pos + 1) === 123) {
        if (buf) parts.push(buf);
        buf = '';
        parts.push(this.interpolation());
        if (this.pos > contentEnd) this.err('interpolation runs past the end of the heredoc', start);
      } else if (c === 37 && t.charCodeAt(this.pos + 1) === 123) {
        directive = true;
        buf += this.directiveText();
      } else {
        buf += t[this.pos]!;
        this.pos++;
      }
    }
    if (buf || parts.length === 0) parts.push(buf);
    if (indent) {
      // <<-: remove the smallest indentation of the content lines (literal text at line starts).
      let min = Infinity;
      const raw = t.slice(contentStart, contentEnd);
      for (const line of raw.split('\n')) {
        if (line.trim() === '') continue;
        let k = 0;
        while (k < line.length && (line[k] === ' ' || line[k] === '\t')) k++;
        min = Math.min(min, k);
      }
      if (min !== Infinity && min > 0) {
        for (let i = 0; i < parts.length; i++) {
          const part = parts[i];
          if (typeof part !== 'string') continue;
          const atLineStart = i === 0;
          parts[i] = stripIndent(part, min, atLineStart);
        }
      }
    }
    this.pos = after;
    return { type: 'template', parts, directive, start, end: after };
  }

  // ------------------------------------------------------------ to values

  toPValue(e: HclExpr): PValue {
    switch (e.type) {
      case 'literal':
        return { kind: 'scalar', value: e.value, span: this.span(e.start, e.end) };
      case 'template':
        if (!e.directive && e.parts.every((p) => typeof p === 'string')) return { kind: 'scalar', value: (e.parts as string[]).join(''), span: this.span(e.start, e.end) };
        break;
      case 'tuple':
        return { kind: 'array', items: e.items.map((i) => this.toPValue(i)), span: this.span(e.start, e.end) };
      case 'object': {
        const entries: PEntry[] = [];
        let ok = true;
        for (const it of e.items) {
          const k = staticKey(it.key);
          if (k === undefined) {
            ok = false;
            break;
          }
          entries.push({ key: k, keySpan: this.span(it.key.start, it.key.end), value: this.toPValue(it.value) });
        }
        if (ok) return { kind: 'object', entries, span: this.span(e.start, e.end) };
        break;
      }
      default:
        break;
    }
    const v: PExpr = { kind: 'expr', text: this.text.slice(e.start, e.end), span: this.span(e.start, e.end) };
    exprInfo.set(v, { ast: e, text: this.text, lines: this.lines });
    return v;
  }
}

function stripIndent(s: string, n: number, atLineStart: boolean): string {
  const lines = s.split('\n');
  return lines
    .map((line, i) => {
      if (i === 0 && !atLineStart) return line;
      let k = 0;
      while (k < n && k < line.length && (line[k] === ' ' || line[k] === '\t')) k++;
      return line.slice(k);
    })
    .join('\n');
}

/** An object key that is a bare identifier or a literal string/number. */
export function staticKey(k: HclExpr): string | undefined {
  if (k.type === 'variable') return k.name;
  if (k.type === 'literal' && k.value !== null) return String(k.value);
  if (k.type === 'template' && !k.directive && k.parts.every((p) => typeof p === 'string')) return (k.parts as string[]).join('');
  return undefined;
}

/** Parses an HCL2 native-syntax file. Never throws on user input. */
export function parseHcl(text: string): HclParseResult {
  const p = new Parser(text);
  let entries: PEntry[] = [];
  try {
    entries = p.parseBody(false);
  } catch (e) {
    // Defensive: anything unexpected (e.g. engine stack limits) becomes a diagnostic.
    const at = Math.min(p.pos, text.length);
    p.diag(`HCL parser error: ${e instanceof Error ? e.message : String(e)}`, at, at, 'hcl/internal');
  }
  const body: PObject = { kind: 'object', entries, span: p.span(0, text.length) };
  return { body, diagnostics: p.diagnostics, comments: p.comments };
}

/** Parses a single HCL expression (e.g. a tfvars value); `undefined` when it is not one. */
export function parseHclExpression(text: string): { value: PValue | undefined; diagnostics: Diagnostic[] } {
  const p = new Parser(text);
  try {
    p.skipWs(true);
    const e = p.parseExpr();
    p.skipWs(true);
    if (!p.eof()) p.err(`unexpected ${p.describe()} after the expression`);
    return { value: p.toPValue(e), diagnostics: p.diagnostics };
  } catch (e) {
    if (e instanceof HclSyntaxError) {
      const at = Math.min(e.offset, text.length);
      p.diag(e.message, at, Math.min(at + 1, text.length));
    } else p.diag(`HCL parser error: ${e instanceof Error ? e.message : String(e)}`, 0, 0, 'hcl/internal');
    return { value: undefined, diagnostics: p.diagnostics };
  }
}
