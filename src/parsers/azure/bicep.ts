/**
 * Bicep files (`*.bicep`) → the resource list of an ARM template, read by readArmTemplate.
 *
 * A scannerless recursive-descent reader of the Bicep language (learn.microsoft.com/azure/azure-resource-manager/
 * bicep/file): `param` (with its default), `var`, `resource` (`existing`, `parent:`, nested child resources,
 * `if (…)` conditions and `[for …]` loops), `func` (user-defined functions), `module` (a local one read through
 * the reader the caller passes, with its params; others reported), decorators and comments. Values are
 * evaluated where the file decides them (literals, interpolated strings, parameter defaults, variables, loop
 * variables, property access and indexing, operators, a few functions); everything else becomes a `PExpr` with
 * its text, which the NSG compiler turns into an opaque match (never a pass). A resource's `.id` is the
 * evaluator's `resourceId:<type>|<name>`, as ARM's `resourceId()` gives, so subnet and NIC references find
 * their NSG.
 */
import { LineIndex, type Diagnostic, type DocComment, type Span } from '../../model/index.js';
import { placedAt, toPlain, type PEntry, type PObject, type PValue } from '../values.js';
import { RESOURCE_ID_PREFIX } from './arm-expr.js';

type Node =
  | { k: 'str'; parts: (string | Node)[]; s: number; e: number }
  | { k: 'lit'; v: number | boolean | null; s: number; e: number }
  | { k: 'id'; name: string; s: number; e: number }
  | { k: 'obj'; entries: { key: string; ks: number; ke: number; value: Node; spread?: true }[]; children: ResDecl[]; s: number; e: number }
  | { k: 'spread'; x: Node; s: number; e: number }
  | { k: 'arr'; items: Node[]; s: number; e: number }
  | { k: 'member'; obj: Node; name: string; safe?: true; s: number; e: number }
  | { k: 'index'; obj: Node; idx: Node; safe?: true; s: number; e: number }
  | { k: 'lambda'; params: string[]; body: Node; s: number; e: number }
  | { k: 'call'; callee: Node; args: Node[]; s: number; e: number }
  | { k: 'tern'; c: Node; a: Node; b: Node; s: number; e: number }
  | { k: 'bin'; op: string; l: Node; r: Node; s: number; e: number }
  | { k: 'un'; op: string; x: Node; s: number; e: number }
  | { k: 'for'; item: string; index?: string; iter: Node; body: Node; filter?: Node; s: number; e: number }
  | { k: 'if'; c: Node; body: Node; s: number; e: number }
  | { k: 'bad'; s: number; e: number };

interface ResDecl {
  sym: string;
  type: string;
  existing: boolean;
  body: Node;
  s: number;
  e: number;
}

class SyntaxError_ {
  constructor(
    readonly message: string,
    readonly at: number,
  ) {}
}

/** Expressions one inside another, at most (as the HCL reader's MAX_DEPTH). */
const MAX_NESTING = 256;

const BIN: readonly (readonly string[])[] = [['??'], ['||'], ['&&'], ['==', '!=', '=~', '!~'], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];

class Reader {
  p = 0;
  readonly comments: { s: number; e: number; line: boolean }[] = [];
  constructor(readonly t: string) {}

  /** Blanks and comments; newlines too unless `nl` is false. Returns whether a newline was passed. */
  ws(nl = true): boolean {
    const t = this.t;
    let sawNl = false;
    for (;;) {
      const c = t[this.p];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') this.p++;
      else if (c === '\n' && nl) (this.p++, (sawNl = true));
      else if (c === '/' && t[this.p + 1] === '/') {
        const s = this.p;
        while (this.p < t.length && t[this.p] !== '\n') this.p++;
        this.comment(s, true);
      } else if (c === '/' && t[this.p + 1] === '*') {
        const s = this.p;
        const end = t.indexOf('*/', this.p + 2);
        this.p = end < 0 ? t.length : end + 2;
        this.comment(s, false);
        if (t.slice(s, this.p).includes('\n')) sawNl = true;
      } else return sawNl;
    }
  }
  /**
   * A comment read, once: the reader backtracks (`this.p = save`) and reads some comments again, which made two
   * comment nodes of one comment (a `/* fwlint-ignore … *\/` after a property was then also reported unused).
   */
  private comment(s: number, line: boolean): void {
    const last = this.comments[this.comments.length - 1];
    if (!last || s > last.s) this.comments.push({ s, e: this.p, line });
  }
  peek(s: string): boolean {
    return this.t.startsWith(s, this.p);
  }
  eat(s: string): boolean {
    this.ws();
    if (!this.peek(s)) return false;
    this.p += s.length;
    return true;
  }
  expect(s: string): void {
    if (!this.eat(s)) throw new SyntaxError_(`expected "${s}"`, this.p);
  }
  ident(): string | undefined {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.t.slice(this.p, this.p + 256));
    if (!m) return undefined;
    this.p += m[0].length;
    return m[0];
  }
  /** The keyword `w` (not a longer identifier). */
  keyword(w: string): boolean {
    this.ws();
    if (!this.peek(w) || /[A-Za-z0-9_]/.test(this.t[this.p + w.length] ?? '')) return false;
    this.p += w.length;
    return true;
  }

  /** Expressions being read, one inside another. */
  private nesting = 0;

  expr(): Node {
    // (every level of parentheses, brackets or braces costs a dozen frames: thousands of them overflowed the stack,
    // reported as 'RangeError: Maximum call stack size exceeded' instead of a syntax error)
    if (this.nesting >= MAX_NESTING) throw new SyntaxError_('expression nested too deeply', this.p);
    this.nesting++;
    try {
      return this.exprAt();
    } finally {
      this.nesting--;
    }
  }
  private exprAt(): Node {
    const c = this.binary(0);
    this.ws();
    if (this.peek('?') && !this.peek('??')) {
      this.p++;
      const a = this.expr();
      this.expect(':');
      const b = this.expr();
      return { k: 'tern', c, a, b, s: c.s, e: b.e };
    }
    return c;
  }
  binary(level: number): Node {
    if (level >= BIN.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      this.ws();
      const op = BIN[level]!.find((o) => this.peek(o) && !(o === '<' && this.peek('<=')) && !(o === '>' && this.peek('>=')));
      if (!op || (op === '=' as string)) return l;
      this.p += op.length;
      const r = this.binary(level + 1);
      l = { k: 'bin', op, l, r, s: l.s, e: r.e };
    }
  }
  unary(): Node {
    this.ws();
    const s = this.p;
    if (this.peek('!') || (this.peek('-') && !/[0-9]/.test(this.t[this.p + 1] ?? ''))) {
      const op = this.t[this.p]!;
      this.p++;
      if (this.nesting >= MAX_NESTING) throw new SyntaxError_('expression nested too deeply', this.p);
      this.nesting++;
      try {
        const x = this.unary();
        return { k: 'un', op, x, s, e: x.e };
      } finally {
        this.nesting--;
      }
    }
    return this.postfix(this.primary());
  }
  postfix(n: Node): Node {
    for (;;) {
      const save = this.p;
      this.ws(false);
      if (this.peek('.') || this.peek('?.')) {
        // `a.?b` is Bicep's safe dereference (null when a is null or has no b); `?.` is read the same way
        const safe = this.peek('.?') || this.peek('?.');
        this.p += safe ? 2 : 1;
        const name = this.ident();
        if (!name) throw new SyntaxError_('expected a property name', this.p);
        n = { k: 'member', obj: n, name, s: n.s, e: this.p };
        if (safe) n.safe = true;
      } else if (this.peek('::')) {
        this.p += 2;
        const name = this.ident() ?? '';
        n = { k: 'member', obj: n, name: `::${name}`, s: n.s, e: this.p };
      } else if (this.peek('[') || this.peek('?[')) {
        // `a[?i]` is the safe element access (null past the end)
        let safe = this.peek('?[');
        this.p += safe ? 2 : 1;
        this.ws();
        if (!safe && this.peek('?')) (this.p++, (safe = true));
        const idx = this.expr();
        this.expect(']');
        n = { k: 'index', obj: n, idx, s: n.s, e: this.p };
        if (safe) n.safe = true;
      } else if (this.peek('(') && n.k !== 'lit' && n.k !== 'str') {
        this.p++;
        const args: Node[] = [];
        while (!this.eat(')')) {
          args.push(this.expr());
          this.eat(',');
          if (this.p >= this.t.length) throw new SyntaxError_('unclosed call', this.p);
        }
        n = { k: 'call', callee: n, args, s: n.s, e: this.p };
      } else {
        this.p = save;
        return n;
      }
    }
  }
  primary(): Node {
    this.ws();
    const s = this.p;
    const c = this.t[this.p];
    if (c === "'") return this.string();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '(') {
      // a lambda's parameters: "(x) =>", "(x, i) =>", "() =>"
      const lam = /^\(\s*(?:([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_]*)\s*)?)?\)\s*=>/.exec(this.t.slice(this.p, this.p + 256));
      if (lam) {
        this.p += lam[0].length;
        const body = this.expr();
        return { k: 'lambda', params: [lam[1], lam[2]].filter((x): x is string => x !== undefined), body, s, e: body.e };
      }
      this.p++;
      const x = this.expr();
      this.expect(')');
      return { ...x, s, e: this.p };
    }
    const num = /^-?[0-9]+(\.[0-9]+)?/.exec(this.t.slice(this.p, this.p + 64));
    if (num) {
      this.p += num[0].length;
      return { k: 'lit', v: Number(num[0]), s, e: this.p };
    }
    const id = this.ident();
    if (id === undefined) throw new SyntaxError_(`unexpected "${c ?? 'end of file'}"`, this.p);
    if (id === 'true' || id === 'false') return { k: 'lit', v: id === 'true', s, e: this.p };
    if (id === 'null') return { k: 'lit', v: null, s, e: this.p };
    if (id === 'if') {
      this.expect('(');
      const cond = this.expr();
      this.expect(')');
      const body = this.expr();
      return { k: 'if', c: cond, body, s, e: body.e };
    }
    // a lambda of one parameter: x => …
    const save = this.p;
    this.ws(false);
    if (this.peek('=>')) {
      this.p += 2;
      const body = this.expr();
      return { k: 'lambda', params: [id], body, s, e: body.e };
    }
    this.p = save;
    return { k: 'id', name: id, s, e: this.p };
  }
  string(): Node {
    const s = this.p;
    const t = this.t;
    if (t.startsWith("'''", this.p)) {
      const end = t.indexOf("'''", this.p + 3);
      if (end < 0) throw new SyntaxError_('unclosed multi-line string', s);
      let body = t.slice(this.p + 3, end);
      if (body.startsWith('\r\n')) body = body.slice(2);
      else if (body.startsWith('\n')) body = body.slice(1);
      this.p = end + 3;
      return { k: 'str', parts: [body], s, e: this.p };
    }
    this.p++;
    const parts: (string | Node)[] = [];
    let cur = '';
    for (;;) {
      const c = t[this.p];
      if (c === undefined || c === '\n') throw new SyntaxError_('unclosed string', s);
      if (c === "'") {
        this.p++;
        break;
      }
      if (c === '\\') {
        const n = t[this.p + 1] ?? '';
        cur += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n;
        this.p += 2;
        continue;
      }
      if (c === '$' && t[this.p + 1] === '{') {
        this.p += 2;
        if (cur) parts.push(cur);
        cur = '';
        parts.push(this.expr());
        this.expect('}');
        continue;
      }
      cur += c;
      this.p++;
    }
    if (cur || parts.length === 0) parts.push(cur);
    return { k: 'str', parts, s, e: this.p };
  }
  object(): Node {
    const s = this.p;
    this.p++;
    const entries: { key: string; ks: number; ke: number; value: Node; spread?: true }[] = [];
    const children: ResDecl[] = [];
    for (;;) {
      this.ws();
      if (this.eat('}')) break;
      if (this.p >= this.t.length) throw new SyntaxError_('unclosed object', s);
      if (this.peek('@')) {
        this.decorator();
        continue;
      }
      const ks = this.p;
      const save = this.p;
      // the spread operator: "...base" adds base's properties (operator-spread)
      if (this.peek('...')) {
        this.p += 3;
        const value = this.expr();
        entries.push({ key: '...', ks, ke: ks + 3, value, spread: true });
        this.ws(false);
        this.eat(',');
        continue;
      }
      if (this.keyword('resource')) {
        this.ws(false);
        if (/[A-Za-z_]/.test(this.t[this.p] ?? '')) {
          children.push(this.resource(save));
          continue;
        }
        this.p = save;
      }
      let key: string | undefined;
      if (this.t[this.p] === "'") {
        const k = this.string();
        key = k.k === 'str' && k.parts.every((x) => typeof x === 'string') ? k.parts.join('') : undefined;
        if (key === undefined) throw new SyntaxError_('an interpolated property name', ks);
      } else key = this.ident();
      if (key === undefined) throw new SyntaxError_('expected a property name', this.p);
      const ke = this.p;
      this.expect(':');
      const value = this.expr();
      entries.push({ key, ks, ke, value });
      this.ws(false);
      this.eat(',');
    }
    return { k: 'obj', entries, children, s, e: this.p };
  }
  array(): Node {
    const s = this.p;
    this.p++;
    if (this.keyword('for')) {
      let item: string | undefined;
      let index: string | undefined;
      this.ws();
      if (this.eat('(')) {
        this.ws();
        item = this.ident();
        this.expect(',');
        this.ws();
        index = this.ident();
        this.expect(')');
      } else item = this.ident();
      if (!item || !this.keyword('in')) throw new SyntaxError_('expected "for x in …"', this.p);
      const iter = this.expr();
      this.expect(':');
      let body = this.expr();
      let filter: Node | undefined;
      if (body.k === 'if') (filter = body.c), (body = body.body);
      this.expect(']');
      const node: Node = { k: 'for', item, iter, body, s, e: this.p };
      if (index) node.index = index;
      if (filter) node.filter = filter;
      return node;
    }
    const items: Node[] = [];
    for (;;) {
      this.ws();
      if (this.eat(']')) break;
      if (this.p >= this.t.length) throw new SyntaxError_('unclosed array', s);
      if (this.peek('...')) {
        const ss = this.p;
        this.p += 3;
        const x = this.expr();
        items.push({ k: 'spread', x, s: ss, e: x.e });
      } else items.push(this.expr());
      this.ws(false);
      this.eat(',');
    }
    return { k: 'arr', items, s, e: this.p };
  }
  decorator(): void {
    this.p++; // @
    this.postfix({ k: 'id', name: this.ident() ?? '', s: this.p, e: this.p });
  }
  resource(s: number): ResDecl {
    this.ws();
    const sym = this.ident();
    this.ws();
    if (!sym || this.t[this.p] !== "'") throw new SyntaxError_('expected a resource name and type', this.p);
    const ty = this.string();
    const type = ty.k === 'str' ? ty.parts.filter((x) => typeof x === 'string').join('') : '';
    const existing = this.keyword('existing');
    this.expect('=');
    const body = this.expr();
    return { sym, type, existing, body, s, e: body.e };
  }
  /** Skips the rest of a statement this reader does not use (balanced brackets, to the end of its line). */
  skipStatement(): void {
    let depth = 0;
    while (this.p < this.t.length) {
      const c = this.t[this.p]!;
      if (c === "'") {
        try {
          this.string();
        } catch {
          this.p++;
        }
        continue;
      }
      if (c === '/' && (this.t[this.p + 1] === '/' || this.t[this.p + 1] === '*')) {
        this.ws(false);
        continue;
      }
      if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') depth--;
      else if (c === '\n' && depth <= 0) return;
      this.p++;
    }
  }
}

interface Program {
  params: Map<string, { type: string; dflt?: Node; s: number; e: number }>;
  vars: Map<string, Node>;
  resources: ResDecl[];
  /** `module sym 'path' = body`: `head` ends after the path (the module's rules are placed there). */
  modules: { sym: string; path: string; s: number; e: number; head: number; body?: Node }[];
  /**
   * User-defined functions (`func name(a string, b int) string => …`); an imported name (`import { f } from …`) is
   * one whose body is not read. Either shadows the built-in function of that name, as Bicep resolves a call
   * (`sys.range` is the built-in one).
   */
  funcs: Map<string, { params: string[]; body?: Node }>;
}

/** Skips a type (`string`, `int[]`, `{ a: int }`, `'a' | 'b'`) up to one of `stops` outside brackets. */
function skipType(r: Reader, stops: readonly string[]): void {
  let depth = 0;
  while (r.p < r.t.length) {
    const c = r.t[r.p]!;
    if (c === "'") {
      r.string();
      continue;
    }
    if (depth === 0 && stops.some((x) => r.peek(x))) return;
    if (c === '{' || c === '(' || c === '[' || c === '<') depth++;
    else if (c === '}' || c === ')' || c === ']' || (c === '>' && r.t[r.p - 1] !== '=')) depth--;
    r.p++;
  }
}

/** `func name(a string, b int) string => body`, after the keyword. */
function readFunc(r: Reader): { name: string; params: string[]; body: Node } {
  r.ws();
  const name = r.ident() ?? '';
  r.ws();
  const open = r.p;
  r.expect('(');
  const params: string[] = [];
  for (;;) {
    r.ws();
    if (r.eat(')')) break;
    const pn = r.ident();
    if (!pn) throw new SyntaxError_('expected a parameter name', r.p);
    params.push(pn);
    skipType(r, [',', ')']);
    r.eat(',');
    if (r.p >= r.t.length) throw new SyntaxError_(`the parameter list of func ${name} is not closed`, open);
  }
  skipType(r, ['=>']);
  r.expect('=>');
  return { name, params, body: r.expr() };
}

function readProgram(r: Reader): Program {
  const prog: Program = { params: new Map(), vars: new Map(), resources: [], modules: [], funcs: new Map() };
  for (;;) {
    r.ws();
    if (r.p >= r.t.length) break;
    const s = r.p;
    if (r.peek('@')) {
      r.decorator();
      continue;
    }
    const kw = r.ident();
    if (kw === 'param') {
      r.ws();
      const name = r.ident() ?? '';
      const ts = r.p;
      // the type: up to "=" or the end of the line (object types span lines: balanced)
      let depth = 0;
      while (r.p < r.t.length) {
        const c = r.t[r.p]!;
        if (c === '{' || c === '(' || c === '[') depth++;
        else if (c === '}' || c === ')' || c === ']') depth--;
        else if (depth === 0 && (c === '\n' || c === '=' || (c === '/' && r.t[r.p + 1] === '/'))) break;
        r.p++;
      }
      const type = r.t.slice(ts, r.p).trim();
      const p: { type: string; dflt?: Node; s: number; e: number } = { type, s, e: r.p };
      r.ws(false);
      if (r.eat('=')) p.dflt = r.expr();
      prog.params.set(name, p);
    } else if (kw === 'var') {
      r.ws();
      const name = r.ident() ?? '';
      // a typed variable (Bicep 0.36+): "var specs portSpec[] = …", the type up to "=" (balanced)
      let depth = 0;
      while (r.p < r.t.length) {
        const c = r.t[r.p]!;
        if (c === '{' || c === '(' || c === '[') depth++;
        else if (c === '}' || c === ')' || c === ']') depth--;
        else if (depth === 0 && (c === '=' || c === '\n')) break;
        r.p++;
      }
      r.expect('=');
      prog.vars.set(name, r.expr());
    } else if (kw === 'resource') prog.resources.push(r.resource(s));
    else if (kw === 'module') {
      r.ws();
      const sym = r.ident() ?? '';
      r.ws();
      const path = r.t[r.p] === "'" ? r.string() : undefined;
      const head = r.p;
      r.ws(false);
      const body = path && r.eat('=') ? r.expr() : (r.skipStatement(), undefined);
      const m: Program['modules'][number] = { sym, path: path?.k === 'str' && path.parts.every((x) => typeof x === 'string') ? path.parts.join('') : '?', s, e: r.p, head };
      if (body) m.body = body;
      prog.modules.push(m);
    } else if (kw === 'func') {
      const f = readFunc(r);
      prog.funcs.set(f.name, { params: f.params, body: f.body });
    } else {
      // targetScope, output, metadata, import, type, using, extension …: not firewall rules
      if (kw === undefined) r.p++;
      const from = r.p;
      r.skipStatement();
      // import { a, b as c } from '…': functions (or values) whose definitions are not read
      const imp = kw === 'import' ? /^\s*\{([^}]*)\}/.exec(r.t.slice(from, r.p)) : null;
      if (imp)
        for (const m of imp[1]!.split(',')) {
          const local = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(m.trim())?.[1];
          if (local) prog.funcs.set(local, { params: [] });
        }
    }
  }
  return prog;
}

/** A resource as the template lists it: its symbol, ARM type and name (for `.id`, `.name` and `parent:`). */
interface ResInfo {
  decl: ResDecl;
  type: string;
  name: PValue | undefined;
  parent?: ResInfo;
}

class Evaluator {
  readonly li: LineIndex;
  readonly resources = new Map<string, ResInfo>();
  private readonly varCache = new Map<string, PValue>();
  private readonly busy = new Set<string>();
  constructor(
    readonly text: string,
    readonly prog: Program,
    /** Parameter values from outside (the parameter file, ParseOptions.variables): win over the defaults. */
    readonly overrides: Record<string, unknown> = {},
  ) {
    this.li = new LineIndex(text);
  }

  /** A parameter's value from outside, placed at its use; an object `{value}` is its value; undefined: none given. */
  private given(name: string, n: { s: number; e: number }): PValue | undefined {
    if (!Object.prototype.hasOwnProperty.call(this.overrides, name)) return undefined;
    let o = this.overrides[name];
    if (o instanceof ModuleArg) return placedAt(o.value, this.span(n.s, n.e));
    if (o && typeof o === 'object' && !Array.isArray(o) && 'value' in o) o = (o as { value: unknown }).value;
    const span = this.span(n.s, n.e);
    const plain = (v: unknown): PValue =>
      Array.isArray(v)
        ? { kind: 'array', items: v.map(plain), span }
        : v && typeof v === 'object' && v.constructor === Object
          ? { kind: 'object', entries: Object.entries(v).map(([key, x]) => ({ key, keySpan: span, value: plain(x) })), span }
          : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
            ? { kind: 'scalar', value: v, span }
            : this.unknown(n);
    return plain(o);
  }
  span(s: number, e: number): Span {
    return { start: this.li.position(s), end: this.li.position(e) };
  }
  unknown(n: { s: number; e: number }): PValue {
    return { kind: 'expr', text: this.text.slice(n.s, n.e).replace(/\s+/g, ' ').slice(0, 200), span: this.span(n.s, n.e) };
  }
  /** A value written elsewhere (a default, a variable), placed at its use. */
  at(v: PValue, n: { s: number; e: number }): PValue {
    const span = this.span(n.s, n.e);
    if (v.kind === 'array') return { kind: 'array', items: v.items.map((i) => this.at(i, n)), span };
    if (v.kind === 'object') return v;
    return { ...v, span };
  }
  eval(n: Node, env: Map<string, PValue>, depth = 0): PValue {
    if (depth > 64) return this.unknown(n);
    const sp = (): Span => this.span(n.s, n.e);
    switch (n.k) {
      case 'lit':
        return { kind: 'scalar', value: n.v, span: sp() };
      case 'str': {
        let out = '';
        for (const part of n.parts) {
          if (typeof part === 'string') out += part;
          else {
            const v = this.eval(part, env, depth + 1);
            if (v.kind !== 'scalar') return this.unknown(n);
            out += v.value === null ? '' : String(v.value);
          }
        }
        // an ARM template string starting with "[" is an expression: escaped as ARM escapes it
        return { kind: 'scalar', value: out.startsWith('[') ? `[${out}` : out, span: sp() };
      }
      case 'arr': {
        const items: PValue[] = [];
        for (const i of n.items) {
          if (i.k !== 'spread') items.push(this.eval(i, env, depth + 1));
          else {
            // [...a, x]: a's items; an unknown a makes the whole list unknown
            const a = this.eval(i.x, env, depth + 1);
            if (a.kind !== 'array') return this.unknown(n);
            items.push(...a.items);
          }
        }
        return { kind: 'array', items, span: sp() };
      }
      case 'obj': {
        let entries: PEntry[] = [];
        for (const e of n.entries) {
          const value = this.eval(e.value, env, depth + 1);
          if (!e.spread) {
            entries = entries.filter((x) => x.key !== e.key);
            entries.push({ key: e.key, keySpan: this.span(e.ks, e.ke), value });
          } else if (value.kind === 'object') {
            // { ...a, b: 1 }: a's properties, a later one of the same name wins; an unknown a: the object is unknown
            const keys = new Set(value.entries.map((x) => x.key));
            entries = [...entries.filter((x) => !keys.has(x.key)), ...value.entries];
          } else if (!(value.kind === 'scalar' && value.value === null)) return this.unknown(n);
        }
        return { kind: 'object', entries, span: sp() };
      }
      case 'id': {
        const local = env.get(n.name);
        if (local) return this.at(local, n);
        const p = this.prog.params.get(n.name);
        if (p) return this.given(n.name, n) ?? (p.dflt ? this.at(this.eval(p.dflt, new Map(), depth + 1), n) : this.unknown(n));
        if (this.prog.vars.has(n.name)) {
          let v = this.varCache.get(n.name);
          if (!v) {
            if (this.busy.has(n.name)) return this.unknown(n);
            this.busy.add(n.name);
            v = this.eval(this.prog.vars.get(n.name)!, new Map(), depth + 1);
            this.busy.delete(n.name);
            this.varCache.set(n.name, v);
          }
          return this.at(v, n);
        }
        return this.unknown(n);
      }
      case 'member': {
        // nsgs[i].id / nsgs[i].name: one resource of a loop
        if (n.obj.k === 'index' && n.obj.obj.k === 'id' && !env.has(n.obj.obj.name) && this.resources.has(n.obj.obj.name) && (n.name === 'id' || n.name === 'name')) {
          const r = this.resources.get(n.obj.obj.name)!;
          const full = this.loopItemName(r, this.eval(n.obj.idx, env, depth + 1));
          if (full === undefined) return this.unknown(n);
          return { kind: 'scalar', value: n.name === 'id' ? `${RESOURCE_ID_PREFIX}${r.type}|${full}` : full.slice(full.lastIndexOf('/') + 1), span: sp() };
        }
        if (n.obj.k === 'id' && !env.has(n.obj.name) && this.resources.has(n.obj.name)) {
          const r = this.resources.get(n.obj.name)!;
          const name = this.fullName(r);
          if (n.name === 'name' && r.name) return r.name.kind === 'scalar' ? this.at(r.name, n) : this.unknown(n);
          if (n.name === 'id' && name !== undefined) return { kind: 'scalar', value: `${RESOURCE_ID_PREFIX}${r.type}|${name}`, span: sp() };
          return this.unknown(n);
        }
        const o = this.eval(n.obj, env, depth + 1);
        // a.?b: null when a is null or has no b (Bicep safe-dereference operator)
        if (n.safe && o.kind === 'scalar' && o.value === null) return { kind: 'scalar', value: null, span: sp() };
        if (o.kind === 'object') {
          const e = o.entries.find((x) => x.key === n.name) ?? o.entries.find((x) => x.key.toLowerCase() === n.name.toLowerCase());
          return e ? this.at(e.value, n) : n.safe ? { kind: 'scalar', value: null, span: sp() } : this.unknown(n);
        }
        return this.unknown(n);
      }
      case 'index': {
        const o = this.eval(n.obj, env, depth + 1);
        const i = this.eval(n.idx, env, depth + 1);
        if (i.kind !== 'scalar') return this.unknown(n);
        const nul: PValue = { kind: 'scalar', value: null, span: sp() };
        if (n.safe && o.kind === 'scalar' && o.value === null) return nul;
        if (o.kind === 'array' && typeof i.value === 'number') {
          const item = o.items[i.value];
          if (item) return this.at(item, n);
          if (n.safe && Number.isInteger(i.value) && i.value >= 0) return nul;
        }
        if (o.kind === 'object' && typeof i.value === 'string') {
          const e = o.entries.find((x) => x.key.toLowerCase() === String(i.value).toLowerCase());
          if (e) return this.at(e.value, n);
          if (n.safe) return nul;
        }
        return this.unknown(n);
      }
      case 'tern': {
        const c = this.eval(n.c, env, depth + 1);
        if (c.kind === 'scalar' && typeof c.value === 'boolean') return this.eval(c.value ? n.a : n.b, env, depth + 1);
        return this.unknown(n);
      }
      case 'un': {
        const x = this.eval(n.x, env, depth + 1);
        if (x.kind !== 'scalar') return this.unknown(n);
        if (n.op === '!' && typeof x.value === 'boolean') return { kind: 'scalar', value: !x.value, span: sp() };
        if (n.op === '-' && typeof x.value === 'number') return { kind: 'scalar', value: -x.value, span: sp() };
        return this.unknown(n);
      }
      case 'bin': {
        const l = this.eval(n.l, env, depth + 1);
        // a ?? b: a unless a is null (an array or object is not null)
        if (n.op === '??' && (l.kind === 'array' || l.kind === 'object' || (l.kind === 'scalar' && l.value !== null))) return l;
        const r = this.eval(n.r, env, depth + 1);
        if (n.op === '??') return l.kind === 'scalar' && l.value === null ? r : this.unknown(n);
        if (l.kind !== 'scalar' || r.kind !== 'scalar') return this.unknown(n);
        const a = l.value;
        const b = r.value;
        const out = binary(n.op, a, b);
        return out === undefined ? this.unknown(n) : { kind: 'scalar', value: out, span: sp() };
      }
      case 'call':
        return this.call(n, env, depth);
      case 'for': {
        const it = this.eval(n.iter, env, depth + 1);
        // (the loop placed where it is written, named by the list it iterates: not 200 characters of its body)
        if (it.kind === 'expr') return { kind: 'expr', text: `[for … in ${it.text}]`, span: sp() };
        if (it.kind !== 'array') return this.unknown(n);
        const items: PValue[] = [];
        it.items.forEach((v, i) => {
          const inner = new Map(env).set(n.item, v);
          if (n.index) inner.set(n.index, { kind: 'scalar', value: i, span: v.span });
          if (n.filter) {
            const f = this.eval(n.filter, inner, depth + 1);
            if (f.kind === 'scalar' && f.value === false) return;
          }
          items.push(this.eval(n.body, inner, depth + 1));
        });
        return { kind: 'array', items, span: sp() };
      }
      default:
        return this.unknown(n);
    }
  }
  call(n: Extract<Node, { k: 'call' }>, env: Map<string, PValue>, depth: number): PValue {
    const udf = n.callee.k === 'id' ? this.prog.funcs.get(n.callee.name) : undefined;
    if (udf) {
      // a user-defined function: its body with its parameters bound to the arguments (it sees nothing else of the
      // file: bicep user-defined functions); imported ones are not read
      if (!udf.body || udf.params.length !== n.args.length) return this.unknown(n);
      const inner = new Map<string, PValue>();
      udf.params.forEach((p, i) => inner.set(p, this.eval(n.args[i]!, env, depth + 1)));
      const v = this.eval(udf.body, inner, depth + 1);
      return v.kind === 'expr' ? this.unknown(n) : this.at(v, n);
    }
    const name = n.callee.k === 'id' ? n.callee.name.toLowerCase() : n.callee.k === 'member' && n.callee.obj.k === 'id' && n.callee.obj.name === 'sys' ? n.callee.name.toLowerCase() : '';
    const span = this.span(n.s, n.e);
    const lambda = n.args[1];
    if ((name === 'map' || name === 'filter') && n.args.length === 2 && lambda?.k === 'lambda' && lambda.params.length >= 1) {
      // map(array, (item[, index]) => …) and filter(array, (item[, index]) => bool): the lambda per item
      const list = this.eval(n.args[0]!, env, depth + 1);
      if (list.kind !== 'array') return this.unknown(n);
      const items: PValue[] = [];
      for (let i = 0; i < list.items.length; i++) {
        const inner = new Map(env).set(lambda.params[0]!, list.items[i]!);
        if (lambda.params[1]) inner.set(lambda.params[1], { kind: 'scalar', value: i, span: list.items[i]!.span });
        const v = this.eval(lambda.body, inner, depth + 1);
        if (name === 'map') items.push(v);
        else if (v.kind === 'scalar' && typeof v.value === 'boolean') {
          if (v.value) items.push(list.items[i]!);
        } else return this.unknown(n);
      }
      return { kind: 'array', items, span };
    }
    const args = n.args.map((a) => this.eval(a, env, depth + 1));
    const scalars = args.every((a) => a.kind === 'scalar');
    const sv = (i: number): unknown => (args[i]?.kind === 'scalar' ? (args[i] as { value: unknown }).value : undefined);
    switch (name) {
      case 'length':
        if (args[0]?.kind === 'array') return { kind: 'scalar', value: args[0].items.length, span };
        if (args[0]?.kind === 'object') return { kind: 'scalar', value: args[0].entries.length, span };
        if (typeof sv(0) === 'string') return { kind: 'scalar', value: (sv(0) as string).length, span };
        break;
      case 'concat':
        if (args.length > 0 && args.every((a) => a.kind === 'array')) return { kind: 'array', items: args.flatMap((a) => (a.kind === 'array' ? a.items : [])), span };
        if (scalars) return { kind: 'scalar', value: args.map((a) => String((a as { value: unknown }).value)).join(''), span };
        break;
      case 'union':
        if (args.length > 0 && args.every((a) => a.kind === 'array')) {
          // each value once, in the order first met (bicep-functions-array, union: union(['one', 'two', 'three'],
          // ['three', 'four']) is ['one', 'two', 'three', 'four']), as the ARM evaluator reads it; a value not known
          // stays, it may or may not be another one
          const seen = new Set<string>();
          const items: PValue[] = [];
          for (const it of args.flatMap((a) => (a.kind === 'array' ? a.items : []))) {
            const k = hasExpr(it) ? undefined : JSON.stringify(toPlain(it));
            if (k !== undefined && seen.has(k)) continue;
            if (k !== undefined) seen.add(k);
            items.push(it);
          }
          return { kind: 'array', items, span };
        }
        // objects: a later property of the same name wins, nested objects are merged, nested arrays are not
        // (bicep-functions-object, union)
        if (args.length > 0 && args.every((a) => a.kind === 'object')) return args.reduce((a, b) => mergeObjects(a as PObject, b as PObject, span));
        break;
      case 'string':
        if (scalars && args.length === 1) return { kind: 'scalar', value: String(sv(0)), span };
        break;
      case 'int':
        if (scalars && args.length === 1 && Number.isInteger(Number(sv(0)))) return { kind: 'scalar', value: Number(sv(0)), span };
        break;
      case 'tolower':
      case 'toupper':
        if (typeof sv(0) === 'string') return { kind: 'scalar', value: name === 'tolower' ? (sv(0) as string).toLowerCase() : (sv(0) as string).toUpperCase(), span };
        break;
      case 'empty':
        if (args[0]?.kind === 'array') return { kind: 'scalar', value: args[0].items.length === 0, span };
        if (args[0]?.kind === 'scalar') return { kind: 'scalar', value: args[0].value === null || args[0].value === '', span };
        break;
      case 'range':
        if (Number.isInteger(sv(0)) && Number.isInteger(sv(1)) && (sv(1) as number) >= 0 && (sv(1) as number) <= 4096)
          return { kind: 'array', items: Array.from({ length: sv(1) as number }, (_, i) => ({ kind: 'scalar', value: (sv(0) as number) + i, span }) as PValue), span };
        break;
      case 'split':
        if (typeof sv(0) === 'string' && typeof sv(1) === 'string' && sv(1) !== '') return { kind: 'array', items: (sv(0) as string).split(sv(1) as string).map((x) => ({ kind: 'scalar', value: x, span }) as PValue), span };
        break;
      case 'join':
        if (args[0]?.kind === 'array' && typeof sv(1) === 'string' && args[0].items.every((i) => i.kind === 'scalar'))
          return { kind: 'scalar', value: args[0].items.map((i) => String((i as { value: unknown }).value)).join(sv(1) as string), span };
        break;
      case 'resourceid': {
        // resourceId([subscriptionId, resourceGroupName,] type, name1, name2 …): the type is the first argument with a
        // "/" (as ARM's resourceId reads its arguments), the names follow it
        const at = args.findIndex((a) => a.kind === 'scalar' && typeof a.value === 'string' && a.value.includes('/'));
        const names = args.slice(at + 1);
        if (at >= 0 && scalars && names.length > 0) return { kind: 'scalar', value: `${RESOURCE_ID_PREFIX}${String(sv(at))}|${names.map((x) => String((x as { value: unknown }).value)).join('/')}`, span };
        break;
      }
      case 'items':
        // items(object): [{ key, value }] sorted by key (bicep-functions-object)
        if (args[0]?.kind === 'object') {
          const entries = [...args[0].entries].sort((a, b) => (a.key.toLowerCase() < b.key.toLowerCase() ? -1 : a.key.toLowerCase() > b.key.toLowerCase() ? 1 : 0));
          return {
            kind: 'array',
            items: entries.map((e) => ({ kind: 'object', span: e.value.span, entries: [{ key: 'key', keySpan: e.keySpan, value: { kind: 'scalar', value: e.key, span: e.keySpan } }, { key: 'value', keySpan: e.keySpan, value: e.value }] }) as PValue),
            span,
          };
        }
        break;
      case 'contains': {
        const c = args[0];
        const x = args[1];
        if (!c || !x || x.kind === 'expr') break;
        if (c.kind === 'scalar' && typeof c.value === 'string' && x.kind === 'scalar') return { kind: 'scalar', value: c.value.includes(String(x.value)), span };
        if (c.kind === 'array' && !hasExpr(c) && !hasExpr(x)) return { kind: 'scalar', value: c.items.some((i) => JSON.stringify(toPlain(i)) === JSON.stringify(toPlain(x))), span };
        if (c.kind === 'object' && x.kind === 'scalar' && typeof x.value === 'string') return { kind: 'scalar', value: c.entries.some((e) => e.key.toLowerCase() === String(x.value).toLowerCase()), span };
        break;
      }
      case 'first':
      case 'last': {
        const a = args[0];
        if (a?.kind === 'array') return a.items.length === 0 ? { kind: 'scalar', value: null, span } : this.at(a.items[name === 'first' ? 0 : a.items.length - 1]!, n);
        if (typeof sv(0) === 'string') {
          const t = sv(0) as string;
          return { kind: 'scalar', value: name === 'first' ? t.slice(0, 1) : t.slice(-1), span };
        }
        break;
      }
      case 'take':
      case 'skip': {
        const k = sv(1);
        if (typeof k !== 'number') break;
        const i = Math.max(0, k);
        if (args[0]?.kind === 'array') return { kind: 'array', items: name === 'take' ? args[0].items.slice(0, i) : args[0].items.slice(i), span };
        if (typeof sv(0) === 'string') return { kind: 'scalar', value: name === 'take' ? (sv(0) as string).slice(0, i) : (sv(0) as string).slice(i), span };
        break;
      }
      case 'flatten':
        if (args[0]?.kind === 'array' && args[0].items.every((i) => i.kind === 'array')) return { kind: 'array', items: args[0].items.flatMap((i) => (i.kind === 'array' ? i.items : [])), span };
        break;
      case 'replace':
        if (typeof sv(0) === 'string' && typeof sv(1) === 'string' && typeof sv(2) === 'string' && sv(1) !== '') return { kind: 'scalar', value: (sv(0) as string).split(sv(1) as string).join(sv(2) as string), span };
        break;
      case 'trim':
        if (typeof sv(0) === 'string') return { kind: 'scalar', value: (sv(0) as string).trim(), span };
        break;
      case 'startswith':
      case 'endswith':
        if (typeof sv(0) === 'string' && typeof sv(1) === 'string') {
          const [a, b] = [(sv(0) as string).toLowerCase(), (sv(1) as string).toLowerCase()];
          return { kind: 'scalar', value: name === 'startswith' ? a.startsWith(b) : a.endsWith(b), span };
        }
        break;
      case 'array':
        if (args[0]?.kind === 'array') return args[0];
        if (args[0] && args[0].kind !== 'expr') return { kind: 'array', items: [args[0]], span };
        break;
      case 'format':
        if (scalars && typeof sv(0) === 'string') {
          const out = (sv(0) as string).replace(/\{(\d+)(:[^}]*)?\}/g, (m, d: string) => (args[Number(d) + 1] ? String(sv(Number(d) + 1)) : m));
          return { kind: 'scalar', value: out, span };
        }
        break;
    }
    return this.unknown(n);
  }
  /** The full name of iteration `idx` of a resource loop (`nsgs[i]`), when its list and name are known. */
  loopItemName(r: ResInfo, idx: PValue): string | undefined {
    let body = r.decl.body;
    if (body.k === 'if') body = body.body;
    if (body.k !== 'for' || idx.kind !== 'scalar' || typeof idx.value !== 'number') return undefined;
    const it = this.eval(body.iter, new Map());
    const item = it.kind === 'array' ? it.items[idx.value] : undefined;
    if (!item) return undefined;
    const env = new Map<string, PValue>().set(body.item, item);
    if (body.index) env.set(body.index, { kind: 'scalar', value: idx.value, span: item.span });
    const inner = body.body.k === 'if' ? body.body.body : body.body;
    const nameN = inner.k === 'obj' ? inner.entries.find((e) => e.key === 'name')?.value : undefined;
    const v = nameN ? this.eval(nameN, env) : undefined;
    if (v?.kind !== 'scalar') return undefined;
    if (!r.parent) return String(v.value);
    const p = this.fullName(r.parent);
    return p === undefined ? undefined : `${p}/${String(v.value)}`;
  }
  /**
   * The name a resource's children refer to it by when its name is not known (`name: 'nsg-${uniqueString(…)}'`):
   * the text its own name evaluates to, which the ARM reader takes as that resource's symbolic name, so that a
   * `parent: nsg` rule lands in that NSG, as `parent` says, whatever its name.
   */
  symbolicName(r: ResInfo, depth = 0): string {
    const own = r.name?.kind === 'expr' ? r.name.text : r.name?.kind === 'scalar' ? String(r.name.value) : r.decl.sym;
    return r.parent && depth < 8 ? `${this.symbolicName(r.parent, depth + 1)}/${own}` : own;
  }
  fullName(r: ResInfo, depth = 0): string | undefined {
    if (!r.name || r.name.kind !== 'scalar' || depth > 8) return undefined;
    const own = String(r.name.value);
    if (!r.parent) return own;
    const p = this.fullName(r.parent, depth + 1);
    return p === undefined ? undefined : `${p}/${own}`;
  }
}

function hasExpr(v: PValue): boolean {
  return v.kind === 'expr' || (v.kind === 'array' && v.items.some(hasExpr)) || (v.kind === 'object' && v.entries.some((e) => hasExpr(e.value)));
}

function mergeObjects(a: PObject, b: PObject, span: Span): PObject {
  const entries = [...a.entries];
  for (const e of b.entries) {
    const i = entries.findIndex((x) => x.key === e.key);
    if (i < 0) entries.push(e);
    else {
      const prev = entries[i]!.value;
      entries[i] = prev.kind === 'object' && e.value.kind === 'object' ? { ...e, value: mergeObjects(prev, e.value, e.value.span) } : e;
    }
  }
  return { kind: 'object', entries, span };
}

function binary(op: string, a: unknown, b: unknown): string | number | boolean | undefined {
  switch (op) {
    case '==':
      return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
    case '!=':
      return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() !== b.toLowerCase() : a !== b;
    case '=~':
      return String(a).toLowerCase() === String(b).toLowerCase();
    case '!~':
      return String(a).toLowerCase() !== String(b).toLowerCase();
    case '&&':
      return typeof a === 'boolean' && typeof b === 'boolean' ? a && b : undefined;
    case '||':
      return typeof a === 'boolean' && typeof b === 'boolean' ? a || b : undefined;
  }
  if (typeof a !== 'number' || typeof b !== 'number') return undefined;
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : Math.trunc(a / b);
    case '%':
      return b === 0 ? undefined : a % b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
  }
  return undefined;
}

/** A module's parameter as the file that calls the module evaluates it (an unknown one named by its text there). */
class ModuleArg {
  constructor(readonly value: PValue) {}
}

/** Reads a local module's file (its path relative to the file that declares it); undefined: not readable. */
export type BicepModuleReader = (path: string) => { path: string; text: string; read: BicepModuleReader } | { error: string };

/** Modules read within modules, at most. */
const MAX_MODULE_DEPTH = 4;

export interface BicepTemplate {
  /** An ARM template's shape: `{ resources: [...] }`, for readArmTemplate. */
  root: PObject;
  diagnostics: Diagnostic[];
  comments: DocComment[];
}

/**
 * The values a Bicep parameters file (`main.bicepparam`: `using './main.bicep'` then `param name = value`) gives, by
 * name: plain values, and what it does not decide (`readEnvironmentVariable(…)`, `az.getSecret(…)`) unknown (`unknown`
 * makes the value). Undefined when the text is not one (a syntax error).
 */
export function readBicepParams(text: string, unknown: (text: string) => unknown): Record<string, unknown> | undefined {
  const r = new Reader(text);
  let prog: Program;
  try {
    prog = readProgram(r);
  } catch {
    return undefined;
  }
  const ev = new Evaluator(text, prog);
  const out: Record<string, unknown> = {};
  // (an expression the evaluator cannot decide stays unknown, named)
  for (const [name, p] of prog.params) if (p.dflt) out[name] = toPlain(ev.eval(p.dflt, new Map()), unknown);
  return out;
}

/** Reads a Bicep file into the resources of an ARM template; never throws. */
export function readBicep(text: string, overrides: Record<string, unknown> = {}, readModule?: BicepModuleReader, depth = 0): BicepTemplate {
  const r = new Reader(text);
  const diagnostics: Diagnostic[] = [];
  const li = new LineIndex(text);
  let prog: Program;
  try {
    prog = readProgram(r);
  } catch (e) {
    const at = e instanceof SyntaxError_ ? e.at : r.p;
    const pos = li.position(Math.min(at, text.length));
    diagnostics.push({ severity: 'error', code: 'azure/bicep-syntax', message: `Bicep: ${e instanceof SyntaxError_ ? e.message : String(e)}`, span: { start: pos, end: pos } });
    prog = { params: new Map(), vars: new Map(), resources: [], modules: [], funcs: new Map() };
  }
  const ev = new Evaluator(text, prog, overrides);
  const comments: DocComment[] = r.comments.map((c) => ({
    type: c.line ? 'Line' : 'Block',
    value: c.line ? text.slice(c.s + 2, c.e).replace(/\r$/, '') : text.slice(c.s + 2, Math.max(c.s + 2, c.e - 2)),
    span: ev.span(c.s, c.e),
  }));
  const modules = prog.modules.filter((m) => {
    const why = moduleNotRead(m, readModule, depth);
    if (why !== undefined) diagnostics.push({ severity: 'warning', code: 'azure/bicep-module', message: `module ${m.sym} ('${m.path}') is not read${why}: its NSGs are not evaluated`, span: ev.span(m.s, m.e) });
    return why === undefined;
  });
  // every resource (nested ones with their parent) known first: `.id`, `.name` and `parent:` refer to any of them
  const all: { decl: ResDecl; parentSym?: string; nestedIn?: ResInfo }[] = [];
  const declare = (d: ResDecl, nestedIn?: ResInfo): void => {
    const typeOnly = d.type.split('@')[0]!;
    const info: ResInfo = { decl: d, type: nestedIn && !typeOnly.includes('/') ? `${nestedIn.type}/${typeOnly}` : typeOnly, name: undefined };
    if (nestedIn) info.parent = nestedIn;
    ev.resources.set(d.sym, info);
    all.push({ decl: d, ...(nestedIn ? { nestedIn } : {}) });
    const body = d.body.k === 'if' ? d.body.body : d.body.k === 'for' ? d.body.body : d.body;
    if (body.k === 'obj') for (const c of body.children) declare(c, info);
  };
  for (const d of prog.resources) declare(d);
  // names and parents (a name may use parameters and variables, not loop variables: a looped resource's `.id` is unknown)
  for (const { decl } of all) {
    const info = ev.resources.get(decl.sym)!;
    let body = decl.body.k === 'if' ? decl.body.body : decl.body;
    if (body.k === 'for') body = body.body.k === 'if' ? body.body.body : body.body;
    if (body.k !== 'obj') continue;
    const nameN = body.entries.find((e) => e.key === 'name')?.value;
    if (nameN) info.name = ev.eval(nameN, new Map());
    const parentN = body.entries.find((e) => e.key === 'parent')?.value;
    if (parentN?.k === 'id' && ev.resources.has(parentN.name)) info.parent = ev.resources.get(parentN.name)!;
  }
  const out: PValue[] = [];
  const emit = (info: ResInfo, body: Node, env: Map<string, PValue>, condition: PValue | undefined): void => {
    if (body.k !== 'obj') {
      diagnostics.push({ severity: 'warning', code: 'azure/bicep-unresolved', message: `resource ${info.decl.sym}: its body is not an object literal, so it is not evaluated`, span: ev.span(body.s, body.e) });
      return;
    }
    const v = ev.eval(body, env);
    if (v.kind !== 'object') {
      diagnostics.push({ severity: 'warning', code: 'azure/bicep-unresolved', message: `resource ${info.decl.sym}: its body is not known (${v.kind === 'expr' ? v.text.slice(0, 80) : 'not an object'}), so it is not evaluated`, span: ev.span(body.s, body.e) });
      return;
    }
    const entries = v.entries.filter((e) => e.key !== 'name' && e.key !== 'parent');
    const own = v.entries.find((e) => e.key === 'name')?.value;
    // "parent: nsgs[i]": one NSG of a resource loop, named by that iteration
    const parentN = body.entries.find((e) => e.key === 'parent')?.value;
    const looped = parentN?.k === 'index' && parentN.obj.k === 'id' && !env.has(parentN.obj.name) ? ev.resources.get(parentN.obj.name) : undefined;
    const parentName = looped && parentN?.k === 'index' ? ev.loopItemName(looped, ev.eval(parentN.idx, env)) : info.parent ? ev.fullName(info.parent) : undefined;
    let name: PValue | undefined = own;
    if (own && looped && parentName !== undefined) name = own.kind === 'scalar' ? { kind: 'scalar', value: `${parentName}/${String(own.value)}`, span: own.span } : { kind: 'expr', text: `${parentName}/${own.kind === 'expr' ? own.text : '?'}`, span: own.span };
    else if (own && info.parent) {
      name =
        own.kind === 'scalar' && parentName !== undefined
          ? { kind: 'scalar', value: `${parentName}/${String(own.value)}`, span: own.span }
          : { kind: 'expr', text: `${parentName ?? ev.symbolicName(info.parent)}/${own.kind === 'scalar' ? String(own.value) : own.kind === 'expr' ? own.text : '?'}`, span: own.span };
    }
    const span = ev.span(info.decl.s, info.decl.e);
    const head: PEntry[] = [{ key: 'type', keySpan: span, value: { kind: 'scalar', value: info.type, span } }];
    if (name) head.push({ key: 'name', keySpan: name.span, value: name });
    if (info.decl.existing) head.push({ key: 'existing', keySpan: span, value: { kind: 'scalar', value: true, span } });
    if (condition) head.push({ key: 'condition', keySpan: condition.span, value: condition });
    out.push({ kind: 'object', entries: [...head, ...entries], span });
  };
  for (const { decl } of all) {
    const info = ev.resources.get(decl.sym)!;
    let body = decl.body;
    let condition: PValue | undefined;
    if (body.k === 'if') {
      const c = ev.eval(body.c, new Map());
      condition = c.kind === 'scalar' && typeof c.value === 'boolean' ? c : ev.unknown(body.c);
      body = body.body;
    }
    if (body.k === 'for') {
      const it = ev.eval(body.iter, new Map());
      if (it.kind !== 'array') {
        // an unknown list: one resource, deployed only if the list holds it, its loop variable unknown
        const env = new Map<string, PValue>().set(body.item, ev.unknown(body.iter));
        if (body.index) env.set(body.index, ev.unknown(body.iter));
        emit(info, body.body, env, ev.unknown(body.iter));
        continue;
      }
      const loop = body;
      it.items.forEach((v, i) => {
        const env = new Map<string, PValue>().set(loop.item, v);
        if (loop.index) env.set(loop.index, { kind: 'scalar', value: i, span: v.span });
        let cond = condition;
        if (loop.filter) {
          const f = ev.eval(loop.filter, env);
          if (f.kind === 'scalar' && f.value === false) return;
          if (!(f.kind === 'scalar' && f.value === true)) cond = ev.unknown(loop.filter);
        }
        emit(info, loop.body, env, cond);
      });
      continue;
    }
    emit(info, body, new Map(), condition);
  }
  for (const m of modules) out.push(...moduleResources(ev, m, readModule!, depth, diagnostics));
  const span = ev.span(0, text.length);
  return { root: { kind: 'object', entries: [{ key: 'resources', keySpan: span, value: { kind: 'array', items: out, span } }], span }, diagnostics, comments };
}

/** Why a module is not read (undefined: it is): a registry or template-spec module, or no reader. */
function moduleNotRead(m: Program['modules'][number], readModule: BicepModuleReader | undefined, depth: number): string | undefined {
  if (/^(br|ts)[:/]/.test(m.path) || m.path === '?' || /^[a-z]+:\/\//i.test(m.path)) return '';
  if (!readModule || !m.body) return '';
  if (depth >= MAX_MODULE_DEPTH) return ` (modules nested deeper than ${MAX_MODULE_DEPTH})`;
  return undefined;
}

/**
 * The resources of a local module (`module m './nsg.bicep' = { params: {…} }`), read with the parameters its
 * declaration passes, each placed at the declaration (as Bicep deploys the module with them); `if (…)` conditions
 * the module's resources, `[for …]` deploys it once per item of a known list.
 */
function moduleResources(ev: Evaluator, m: Program['modules'][number], readModule: BicepModuleReader, depth: number, diagnostics: Diagnostic[]): PValue[] {
  const at = ev.span(m.s, m.head);
  const skip = (why: string): PValue[] => {
    diagnostics.push({ severity: 'warning', code: 'azure/bicep-module', message: `module ${m.sym} ('${m.path}') is not read (${why}): its NSGs are not evaluated`, span: at });
    return [];
  };
  const file = readModule(m.path);
  if ('error' in file) return skip(file.error);
  let body = m.body!;
  let condition: PValue | undefined;
  if (body.k === 'if') {
    const c = ev.eval(body.c, new Map());
    if (c.kind === 'scalar' && c.value === false) return [];
    if (!(c.kind === 'scalar' && c.value === true)) condition = placedAt(ev.unknown(body.c), at);
    body = body.body;
  }
  const envs: Map<string, PValue>[] = [];
  if (body.k === 'for') {
    const it = ev.eval(body.iter, new Map());
    if (it.kind !== 'array') return skip(`its loop is over ${it.kind === 'expr' ? it.text : 'a value'} not known statically`);
    const loop = body;
    it.items.forEach((v, i) => {
      const env = new Map<string, PValue>().set(loop.item, v);
      if (loop.index) env.set(loop.index, { kind: 'scalar', value: i, span: v.span });
      if (loop.filter) {
        const f = ev.eval(loop.filter, env);
        if (f.kind === 'scalar' && f.value === false) return;
      }
      envs.push(env);
    });
    body = loop.body.k === 'if' ? loop.body.body : loop.body;
  } else envs.push(new Map());
  if (body.k !== 'obj') return skip('its body is not an object');
  const paramsN = body.entries.find((e) => e.key === 'params')?.value;
  const out: PValue[] = [];
  for (const env of envs) {
    const pv = paramsN ? ev.eval(paramsN, env) : undefined;
    if (pv && pv.kind !== 'object') return skip(`its params are ${pv.kind === 'expr' ? pv.text : 'not an object'}`);
    const given: Record<string, unknown> = {};
    for (const e of pv?.kind === 'object' ? pv.entries : []) given[e.key] = new ModuleArg(e.value);
    const sub = readBicep(file.text, given, file.read, depth + 1);
    for (const d of sub.diagnostics) diagnostics.push({ ...d, message: `module ${m.sym} ('${m.path}'), line ${d.span.start.line}: ${d.message}`, span: at });
    const list = sub.root.entries.find((e) => e.key === 'resources')?.value;
    for (const r of list?.kind === 'array' ? list.items : []) {
      if (r.kind !== 'object') continue;
      let placed = placedAt(r, at) as PObject;
      // the module's condition, unless the resource's own one is not true (false: not deployed; unknown: as unknown)
      const own = placed.entries.find((e) => e.key === 'condition')?.value;
      if (condition && (!own || (own.kind === 'scalar' && own.value === true)))
        placed = { ...placed, entries: [...placed.entries.filter((e) => e.key !== 'condition'), { key: 'condition', keySpan: at, value: condition }] };
      out.push(placed);
    }
  }
  return out;
}
