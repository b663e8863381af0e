/**
 * A small evaluator for ARM template expressions ("[parameters('p')]",
 * "[concat(variables('v'), '/rule')]"): literal parameters (overrides or
 * defaultValue) and variables are resolved, a few pure functions are applied,
 * and everything else is `Unknown` with the expression text. An unknown value
 * may still have a symbolic string form (`⟨parameters('nsg')⟩/rule`) so that
 * child resources can be matched to their parent by name.
 */
import { toPlain, type PValue } from '../values.js';
import { hostOf, parsePrefix, subnetOf } from '../cidr.js';

export class Unknown {
  constructor(
    readonly text: string,
    /** Symbolic string form, when the value is a string built from unknown parts. */
    readonly sym?: string,
  ) {}
}

export type ArmValue = string | number | boolean | null | ArmValue[] | { [k: string]: ArmValue } | Unknown;

type Tok = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'p'; v: string };

function tokenize(s: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ t: 'str', v });
    } else if ((c >= '0' && c <= '9') || (c === '-' && s[i + 1]! >= '0' && s[i + 1]! <= '9')) {
      let j = i + 1;
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
      out.push({ t: 'num', v: Number(s.slice(i, j)) });
      i = j;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < s.length && /[A-Za-z0-9_$]/.test(s[j]!)) j++;
      out.push({ t: 'id', v: s.slice(i, j) });
      i = j;
    } else if ('(),.[]'.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else return undefined;
  }
  return out;
}

type Node = { k: 'lit'; v: ArmValue } | { k: 'call'; name: string; args: Node[]; text: string } | { k: 'prop'; obj: Node; name: Node; text: string };

function parse(toks: Tok[], src: string): Node | undefined {
  let i = 0;
  let depth = 0;
  // the argument list of a call whose "(" is at i
  const primaryCall = (name: string): Node | undefined => {
    i++;
    const args: Node[] = [];
    if (!(toks[i]?.t === 'p' && toks[i]!.v === ')')) {
      for (;;) {
        const a = primary();
        if (!a) return undefined;
        args.push(a);
        const sep = toks[i];
        if (sep?.t === 'p' && sep.v === ',') {
          i++;
          continue;
        }
        break;
      }
    }
    if (!(toks[i]?.t === 'p' && toks[i]!.v === ')')) return undefined;
    i++;
    return { k: 'call', name, args, text: '' };
  };
  const primary = (): Node | undefined => {
    if (++depth > 64) return undefined;
    const t = toks[i];
    if (!t) return undefined;
    let n: Node | undefined;
    if (t.t === 'str' || t.t === 'num') {
      i++;
      n = { k: 'lit', v: t.v };
    } else if (t.t === 'id') {
      i++;
      const lower = t.v.toLowerCase();
      if (toks[i]?.t === 'p' && toks[i]!.v === '(') {
        n = primaryCall(lower);
        if (!n) return undefined;
      } else if (toks[i]?.t === 'p' && toks[i]!.v === '.' && toks[i + 1]?.t === 'id' && toks[i + 2]?.t === 'p' && toks[i + 2]!.v === '(') {
        // namespace.member(…): a user-defined function; its name, with the namespace, is parsed as a call's
        const member = (toks[i + 1] as { v: string }).v.toLowerCase();
        i += 2;
        const call = primaryCall(`${lower}.${member}`);
        if (!call) return undefined;
        n = call;
      } else if (lower === 'true' || lower === 'false') n = { k: 'lit', v: lower === 'true' };
      else if (lower === 'null') n = { k: 'lit', v: null };
      else return undefined;
    } else return undefined;
    // postfix
    for (;;) {
      const p = toks[i];
      if (p?.t === 'p' && p.v === '.') {
        const id = toks[i + 1];
        if (id?.t !== 'id') return undefined;
        i += 2;
        n = { k: 'prop', obj: n, name: { k: 'lit', v: id.v }, text: '' };
      } else if (p?.t === 'p' && p.v === '[') {
        i++;
        const ix = primary();
        if (!ix || !(toks[i]?.t === 'p' && toks[i]!.v === ']')) return undefined;
        i++;
        n = { k: 'prop', obj: n, name: ix, text: '' };
      } else break;
    }
    depth--;
    return n;
  };
  const n = primary();
  if (!n || i !== toks.length) return undefined;
  void src;
  return n;
}

/** Is this string an ARM expression ("[…]" but not the "[[" escape)? */
export function isArmExpression(s: string): boolean {
  return s.length >= 2 && s[0] === '[' && s[1] !== '[' && s[s.length - 1] === ']';
}

export interface ArmEnv {
  parameters: Map<string, PValue>;
  /** Values from outside (parameter files, ParseOptions.variables): win over defaults. */
  overrides: Record<string, unknown>;
  variables: Map<string, PValue>;
  /** Variables defined by a `copy` loop in `variables.copy`: name → { count, input } (plain JSON). */
  copyVariables?: Map<string, { count: unknown; input: unknown }>;
  /** User-defined functions (`functions`: namespace → members), by lower-case `namespace.member`. */
  functions?: Map<string, ArmFunction>;
  /** Inside a user-defined function: its parameters' values (it sees nothing else of the template). */
  bound?: Map<string, ArmValue>;
}

export interface ArmFunction {
  params: string[];
  /** The output's value (plain JSON: an expression string, or a literal). */
  output: unknown;
}

/** The `functions` section of a template (plain JSON) as the evaluator's table. */
export function armFunctions(functions: unknown): Map<string, ArmFunction> {
  const out = new Map<string, ArmFunction>();
  if (!Array.isArray(functions)) return out;
  for (const ns of functions) {
    const name = ns && typeof ns === 'object' ? (ns as { namespace?: unknown }).namespace : undefined;
    const members = ns && typeof ns === 'object' ? (ns as { members?: unknown }).members : undefined;
    if (typeof name !== 'string' || !members || typeof members !== 'object') continue;
    for (const [m, def] of Object.entries(members as Record<string, unknown>)) {
      if (!def || typeof def !== 'object') continue;
      const ps = (def as { parameters?: unknown }).parameters;
      const params = Array.isArray(ps) ? ps.map((p) => (p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string' ? (p as { name: string }).name : '')) : [];
      const output = (def as { output?: unknown }).output;
      const value = output && typeof output === 'object' && 'value' in output ? (output as { value: unknown }).value : undefined;
      out.set(`${name}.${m}`.toLowerCase(), { params, output: value });
    }
  }
  return out;
}

/** Most iterations a copy loop is expanded to (beyond, the result stays unknown). */
const MAX_COPY = 2000;

const cache = new WeakMap<ArmEnv, Map<string, ArmValue>>();

export class ArmEvaluator {
  private depth = 0;
  constructor(readonly env: ArmEnv) {}

  /** Evaluate an ARM string value: an expression is evaluated, "[[x" is the literal "[x". */
  evalString(s: string): ArmValue {
    if (s.startsWith('[[')) return s.slice(1);
    if (!isArmExpression(s)) return s;
    const body = s.slice(1, -1);
    const toks = tokenize(body);
    const node = toks ? parse(toks, body) : undefined;
    if (!node) return new Unknown(s);
    if (++this.depth > 32) {
      this.depth--;
      return new Unknown(s);
    }
    try {
      const v = this.eval(node, body);
      return v instanceof Unknown ? new Unknown(s, v.sym) : v;
    } finally {
      this.depth--;
    }
  }

  /** Deeply evaluate a plain JSON value (expressions inside strings). */
  deep(v: unknown): ArmValue {
    if (typeof v === 'string') return this.evalString(v);
    if (v instanceof Unknown) return v; // a value another template left unknown (a nested deployment's parameter)
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map((x) => this.deep(x));
    if (typeof v === 'object') {
      const o: { [k: string]: ArmValue } = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // property iteration inside a value (a variable's object): "copy": [{ "name": "rules", "count", "input" }]
        // makes the property "rules" (template-syntax, variable iteration); unknown when its count is
        if (k.toLowerCase() === 'copy' && Array.isArray(x) && x.length > 0 && x.every((c) => c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string' && 'input' in (c as object))) {
          for (const c of x as { name: string; count?: unknown; input: unknown }[]) o[c.name] = this.copyLoop(c.name, c.count, c.input, `copy ${c.name}`);
          continue;
        }
        o[k] = this.deep(x);
      }
      return o;
    }
    return new Unknown(String(v));
  }

  private param(name: string, text: string): ArmValue {
    if (this.env.bound) {
      for (const [k, v] of this.env.bound) if (k.toLowerCase() === name.toLowerCase()) return v;
      return new Unknown(text, `⟨${text}⟩`);
    }
    if (Object.prototype.hasOwnProperty.call(this.env.overrides, name)) {
      const o = this.env.overrides[name];
      const val = o && typeof o === 'object' && !Array.isArray(o) && 'value' in (o as object) ? (o as { value: unknown }).value : o;
      return this.deep(val);
    }
    const p = this.env.parameters.get(name) ?? this.findCI(this.env.parameters, name);
    if (p && p.kind === 'object') {
      for (const e of p.entries) if (e.key.toLowerCase() === 'defaultvalue') return this.deep(toPlain(e.value));
    }
    return new Unknown(text, `⟨${text}⟩`);
  }

  private findCI(m: Map<string, PValue>, name: string): PValue | undefined {
    const l = name.toLowerCase();
    for (const [k, v] of m) if (k.toLowerCase() === l) return v;
    return undefined;
  }

  private variable(name: string, text: string): ArmValue {
    let c = cache.get(this.env);
    if (!c) cache.set(this.env, (c = new Map()));
    const hit = c.get(name.toLowerCase());
    if (hit !== undefined) return hit;
    const v = this.env.variables.get(name) ?? this.findCI(this.env.variables, name);
    c.set(name.toLowerCase(), new Unknown(text, `⟨${text}⟩`)); // cycles → unknown
    let r: ArmValue;
    if (v !== undefined) r = this.deep(toPlain(v));
    else {
      const loop = [...(this.env.copyVariables ?? [])].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
      r = loop ? this.copyLoop(name, loop.count, loop.input, text) : new Unknown(text, `⟨${text}⟩`);
    }
    c.set(name.toLowerCase(), r);
    return r;
  }

  /** Copy indexes in scope (`copyIndex('name')`, `copyIndex()` = the innermost). */
  private readonly copyIndexes: [string, number][] = [];

  /**
   * Expand a copy loop: `count` (an ARM value or expression string) times `input`
   * (plain JSON with expressions), with copyIndex(name) bound; unknown when the
   * count is not a known number.
   */
  copyLoop(name: string, count: unknown, input: unknown, text = `copy ${name}`): ArmValue {
    const n = typeof count === 'string' ? this.evalString(count) : (count as ArmValue);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_COPY) return new Unknown(text);
    const out: ArmValue[] = [];
    for (let i = 0; i < n; i++) {
      this.copyIndexes.push([name.toLowerCase(), i]);
      try {
        out.push(this.deep(input));
      } finally {
        this.copyIndexes.pop();
      }
    }
    return out;
  }

  private eval(n: Node, src: string): ArmValue {
    if (n.k === 'lit') return n.v;
    if (n.k === 'prop') {
      const o = this.eval(n.obj, src);
      const key = this.eval(n.name, src);
      if (o instanceof Unknown || key instanceof Unknown) return new Unknown('');
      if (Array.isArray(o) && typeof key === 'number') return o[key] ?? new Unknown('');
      if (o && typeof o === 'object' && !Array.isArray(o) && typeof key === 'string') {
        const lk = key.toLowerCase();
        for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lk) return v;
      }
      return new Unknown('');
    }
    const args = n.args.map((a) => this.eval(a, src));
    const text = (): string => `${n.name}(${n.args.map((a) => nodeText(a)).join(', ')})`;
    const known = args.every((a) => !(a instanceof Unknown));
    switch (n.name) {
      case 'parameters':
        return typeof args[0] === 'string' ? this.param(args[0], text()) : new Unknown(text());
      case 'variables':
        return typeof args[0] === 'string' ? this.variable(args[0], text()) : new Unknown(text());
      case 'concat': {
        if (args.length > 0 && args.every((a) => Array.isArray(a))) return (args as ArmValue[][]).flat();
        if (known) return args.map((a) => (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean' ? String(a) : '')).join('');
        // an unknown part without a symbol is named by its text, its "/" kept apart from the name's own
        // ("[concat(parameters('nsg'), '/', parameters('rules')[copyIndex()].name)]" is still a rule of that NSG)
        const parts = args.map((a, i) =>
          a instanceof Unknown ? (a.sym ?? `⟨${nodeText(n.args[i]!).replace(/\//g, '∕')}⟩`) : typeof a === 'string' || typeof a === 'number' ? String(a) : undefined,
        );
        return new Unknown(text(), parts.every((p) => p !== undefined) ? parts.join('') : undefined);
      }
      case 'format': {
        if (!known || typeof args[0] !== 'string') return new Unknown(text());
        return args[0].replace(/\{([0-9]+)(:[^}]*)?\}/g, (_m, ix: string) => String(args[Number(ix) + 1] ?? ''));
      }
      case 'tolower':
      case 'toupper': {
        const a = args[0];
        if (typeof a === 'string') return n.name === 'tolower' ? a.toLowerCase() : a.toUpperCase();
        return new Unknown(text(), a instanceof Unknown && a.sym ? (n.name === 'tolower' ? a.sym.toLowerCase() : a.sym.toUpperCase()) : undefined);
      }
      case 'string':
        return known && args[0] !== undefined && typeof args[0] !== 'object' ? String(args[0]) : new Unknown(text());
      case 'int':
        return known && /^-?[0-9]+$/.test(String(args[0])) ? Number(args[0]) : new Unknown(text());
      case 'bool':
        return known ? args[0] === true || String(args[0]).toLowerCase() === 'true' : new Unknown(text());
      case 'if':
        if (typeof args[0] === 'boolean') return args[0] ? (args[1] ?? null) : (args[2] ?? null);
        return new Unknown(text());
      case 'equals':
        return known ? JSON.stringify(args[0]) === JSON.stringify(args[1]) : new Unknown(text());
      case 'not':
        return typeof args[0] === 'boolean' ? !args[0] : new Unknown(text());
      case 'and':
        return known && args.every((a) => typeof a === 'boolean') ? args.every((a) => a === true) : new Unknown(text());
      case 'or':
        return known && args.every((a) => typeof a === 'boolean') ? args.some((a) => a === true) : new Unknown(text());
      case 'greater':
      case 'less':
      case 'greaterorequals':
      case 'lessorequals': {
        const [a, b] = args;
        if (!known || (typeof a !== 'number' && typeof a !== 'string') || typeof a !== typeof b) return new Unknown(text());
        const x = a as number | string;
        const y = b as number | string;
        return n.name === 'greater' ? x > y : n.name === 'less' ? x < y : n.name === 'greaterorequals' ? x >= y : x <= y;
      }
      case 'length': {
        const a = args[0];
        if (typeof a === 'string' || Array.isArray(a)) return a.length;
        if (a && typeof a === 'object' && !(a instanceof Unknown)) return Object.keys(a).length;
        return new Unknown(text());
      }
      case 'empty': {
        const a = args[0];
        if (typeof a === 'string' || Array.isArray(a)) return a.length === 0;
        if (a === null) return true;
        return new Unknown(text());
      }
      case 'copyindex': {
        // copyIndex(), copyIndex(offset), copyIndex('name'), copyIndex('name', offset)
        const named = typeof args[0] === 'string' ? args[0].toLowerCase() : undefined;
        const offset = typeof args[named !== undefined ? 1 : 0] === 'number' ? (args[named !== undefined ? 1 : 0] as number) : 0;
        for (let i = this.copyIndexes.length - 1; i >= 0; i--) {
          const [k, v] = this.copyIndexes[i]!;
          if (named === undefined || k === named) return v + offset;
        }
        return new Unknown(text());
      }
      case 'null':
        return null;
      case 'true':
        return true;
      case 'false':
        return false;
      case 'add':
      case 'sub':
      case 'mul':
      case 'div':
      case 'mod': {
        const [a, b] = args;
        if (typeof a !== 'number' || typeof b !== 'number' || !Number.isInteger(a) || !Number.isInteger(b)) return new Unknown(text());
        if ((n.name === 'div' || n.name === 'mod') && b === 0) return new Unknown(text());
        // ARM integers: div truncates toward zero, mod keeps the dividend's sign (as in C#)
        return n.name === 'add' ? a + b : n.name === 'sub' ? a - b : n.name === 'mul' ? a * b : n.name === 'div' ? Math.trunc(a / b) : a % b;
      }
      case 'min':
      case 'max': {
        const nums = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
        if (nums.length === 0 || !nums.every((x) => typeof x === 'number')) return new Unknown(text());
        return n.name === 'min' ? Math.min(...(nums as number[])) : Math.max(...(nums as number[]));
      }
      case 'split': {
        const [a, d] = args;
        if (typeof a !== 'string') return new Unknown(text());
        const ds = typeof d === 'string' ? [d] : Array.isArray(d) && d.every((x) => typeof x === 'string') ? (d as string[]) : undefined;
        if (!ds || ds.some((x) => x === '')) return new Unknown(text());
        let parts = [a];
        for (const sep of ds) parts = parts.flatMap((p) => p.split(sep));
        return parts;
      }
      case 'join': {
        const [a, d] = args;
        if (!Array.isArray(a) || typeof d !== 'string' || !a.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return new Unknown(text());
        return a.map(String).join(d);
      }
      case 'replace': {
        const [a, o, w] = args;
        if (typeof a !== 'string' || typeof o !== 'string' || typeof w !== 'string' || o === '') return new Unknown(text());
        return a.split(o).join(w);
      }
      case 'trim':
        return typeof args[0] === 'string' ? args[0].trim() : new Unknown(text());
      case 'first':
      case 'last': {
        const a = args[0];
        if (typeof a === 'string') return a.length === 0 ? '' : n.name === 'first' ? a[0]! : a[a.length - 1]!;
        if (Array.isArray(a)) return a.length === 0 ? null : n.name === 'first' ? a[0]! : a[a.length - 1]!;
        return new Unknown(text());
      }
      case 'contains': {
        const [c, x] = args;
        if (!known) return new Unknown(text());
        if (typeof c === 'string' && (typeof x === 'string' || typeof x === 'number')) return c.includes(String(x));
        if (Array.isArray(c)) return c.some((e) => JSON.stringify(e) === JSON.stringify(x));
        if (c && typeof c === 'object' && typeof x === 'string') return Object.keys(c).some((k) => k.toLowerCase() === x.toLowerCase());
        return new Unknown(text());
      }
      case 'startswith':
      case 'endswith': {
        const [a, b] = args;
        if (typeof a !== 'string' || typeof b !== 'string') return new Unknown(text());
        const x = a.toLowerCase();
        const y = b.toLowerCase();
        return n.name === 'startswith' ? x.startsWith(y) : x.endsWith(y);
      }
      case 'coalesce': {
        for (const a of args) {
          if (a instanceof Unknown) return new Unknown(text());
          if (a !== null) return a;
        }
        return null;
      }
      case 'array':
        return args[0] instanceof Unknown ? new Unknown(text()) : Array.isArray(args[0]) ? args[0] : [args[0] ?? null];
      case 'union': {
        if (!known) return new Unknown(text());
        if (args.every((a) => Array.isArray(a))) {
          const out: ArmValue[] = [];
          for (const a of args as ArmValue[][]) for (const x of a) if (!out.some((y) => JSON.stringify(y) === JSON.stringify(x))) out.push(x);
          return out;
        }
        // objects: a later property of the same name wins, nested objects are merged, nested arrays are not
        // (template-functions-object, union)
        if (args.length > 0 && args.every((a) => a !== null && typeof a === 'object' && !Array.isArray(a))) {
          const merge = (a: { [k: string]: ArmValue }, b: { [k: string]: ArmValue }): { [k: string]: ArmValue } => {
            const out = { ...a };
            for (const [k, v] of Object.entries(b)) {
              const prev = out[k];
              const isObj = (x: ArmValue | undefined): x is { [k: string]: ArmValue } => x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Unknown);
              out[k] = isObj(prev) && isObj(v) ? merge(prev, v) : v;
            }
            return out;
          };
          return (args as { [k: string]: ArmValue }[]).reduce(merge);
        }
        return new Unknown(text());
      }
      case 'take':
      case 'skip': {
        const [a, k] = args;
        if (typeof k !== 'number' || !(typeof a === 'string' || Array.isArray(a))) return new Unknown(text());
        const i = Math.max(0, k);
        return n.name === 'take' ? a.slice(0, i) : a.slice(i);
      }
      case 'range': {
        const [start, count] = args;
        if (typeof start !== 'number' || typeof count !== 'number' || count < 0 || count > MAX_COPY) return new Unknown(text());
        return Array.from({ length: count }, (_x, i) => start + i);
      }
      case 'cidrsubnet': {
        // cidrSubnet(network, newCIDR, subnetIndex): the new prefix length is absolute (ARM template functions, CIDR)
        const [net, newLen, index] = args;
        const out = typeof net === 'string' && typeof newLen === 'number' && typeof index === 'number' && Number.isInteger(index) ? subnetOf(net, newLen, BigInt(index)) : undefined;
        return out ?? new Unknown(text());
      }
      case 'cidrhost': {
        // cidrHost(network, hostIndex): the hostIndex-th *usable* address, index 0 → network + 1; an IPv4
        // broadcast address is not usable
        const [net, index] = args;
        const p = typeof net === 'string' ? parsePrefix(net) : undefined;
        const size = p ? 1n << BigInt(p.bits - p.len) : 0n;
        const offset = typeof index === 'number' && Number.isInteger(index) && index >= 0 ? BigInt(index) + 1n : undefined;
        const out = p && offset !== undefined && offset < size - (p.family === 'ipv4' ? 1n : 0n) ? hostOf(net as string, offset) : undefined;
        return out ?? new Unknown(text());
      }
      case 'createobject': {
        // createObject(key1, value1, key2, value2, …)
        if (!known || args.length % 2 !== 0) return new Unknown(text());
        const o: { [k: string]: ArmValue } = {};
        for (let i = 0; i < args.length; i += 2) {
          if (typeof args[i] !== 'string') return new Unknown(text());
          o[args[i] as string] = args[i + 1]!;
        }
        return o;
      }
      case 'items': {
        // items(object): [{ key, value }] sorted by key (template-functions-object)
        const o = args[0];
        if (!o || typeof o !== 'object' || Array.isArray(o) || o instanceof Unknown) return new Unknown(text());
        return Object.keys(o)
          .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
          .map((key) => ({ key, value: o[key]! }));
      }
      case 'flatten': {
        const a = args[0];
        if (Array.isArray(a) && a.every((x) => Array.isArray(x))) return (a as ArmValue[][]).flat();
        return new Unknown(text());
      }
      case 'createarray':
        return known ? args : new Unknown(text());
      case 'json':
        if (args[0] === 'null') return null;
        if (typeof args[0] === 'string') {
          try {
            return this.deep(JSON.parse(args[0]));
          } catch {
            return new Unknown(text());
          }
        }
        return new Unknown(text());
      case 'resourceid': {
        // resourceId([subscriptionId], [resourceGroupName], type, name1, name2…): keep type and names.
        let ti = args.findIndex((a) => typeof a === 'string' && a.includes('/') && /^[A-Za-z]+\.[A-Za-z]+\//.test(a));
        if (ti < 0) ti = 0;
        const names = args.slice(ti + 1).map((a) => (a instanceof Unknown ? a.sym : typeof a === 'string' ? a : undefined));
        const ty = args[ti];
        if (typeof ty !== 'string' || names.some((x) => x === undefined)) return new Unknown(text());
        const s = `${RESOURCE_ID_PREFIX}${ty}|${names.join('/')}`;
        return known ? s : new Unknown(text(), s);
      }
      default: {
        // a user-defined function: its output with its parameters bound to the arguments; it cannot read the
        // template's parameters or variables, nor call another user-defined function (ARM user-defined functions,
        // limitations), so it is evaluated with nothing else
        const f = n.name.includes('.') ? this.env.functions?.get(n.name) : undefined;
        if (!f || f.output === undefined || f.params.length !== args.length) return new Unknown(text());
        const bound = new Map<string, ArmValue>();
        f.params.forEach((p, i) => bound.set(p, args[i]!));
        const v = new ArmEvaluator({ parameters: new Map(), overrides: {}, variables: new Map(), bound }).deep(f.output);
        return v instanceof Unknown ? new Unknown(text()) : v;
      }
    }
  }
}

/** resourceId(...) evaluates to "resourceId:<type>|<name1>/<name2>" (also symbolically). */
export const RESOURCE_ID_PREFIX = 'resourceId:';

function nodeText(n: Node): string {
  if (n.k === 'lit') return typeof n.v === 'string' ? `'${n.v.replace(/'/g, "''")}'` : JSON.stringify(n.v);
  if (n.k === 'prop') return `${nodeText(n.obj)}[${nodeText(n.name)}]`;
  return `${n.name}(${n.args.map(nodeText).join(', ')})`;
}
