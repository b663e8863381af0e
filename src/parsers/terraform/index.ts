/**
 * Terraform evaluation shared by the cloud mappers: parses a `.tf` file with the
 * HCL parser and resolves what is statically known — `var.x` (defaults and
 * `options.variables`), `local.x`, string templates, literal `count`/`for_each`
 * (with `count.index`, `each.key`/`each.value`), `dynamic` blocks with a literal
 * `for_each`, conditionals on known values, `for` expressions and a few pure
 * functions. Everything else stays a `PExpr` with its source text: UNKNOWN.
 *
 * Markers the mappers must honour (soundness): when `count`/`for_each` of a
 * resource or of a `dynamic` block cannot be evaluated, the resource body (or the
 * generated block) keeps a `count`/`for_each` entry whose value is a `PExpr` —
 * the object may exist zero or more times.
 */
import { LineIndex, type Diagnostic, type DocComment, type Span } from '../../model/index.js';
import { get, items, str, toPlain, withEntries, withItems, withValue, type PEntry, type PExpr, type PObject, type PValue } from '../values.js';
import type { IncludeReader, ParseOptions } from '../types.js';
import { hclExprOf, parseHcl, staticKey, type HclExpr } from '../hcl/index.js';
import { INSTALLED_MODULES_MANIFEST, installedModuleFiles, isLocalModuleSource, MAX_MODULE_DEPTH, moduleFilesPattern } from './files.js';
import { hostOf, parsePrefix, subnetOf } from '../cidr.js';

export interface TfResource {
  type: string;
  name: string;
  /** `aws_security_group.web`, `aws_security_group.web[0]`, `aws_security_group.web["a"]`, `module.x.aws_….y`. */
  address: string;
  body: PObject;
  span: Span;
  module?: string;
  /**
   * The body is what the provider stored of a deployed object (a state file), not a configuration: every attribute
   * is there, computed ones as last read — an aws_security_group's `ingress`, an aws_network_acl's `ingress`, an
   * NSG's `security_rule` list every rule the object had, those its standalone rule resources made too. Such a list
   * says nothing of how the rules are managed (in-line or not), and a standalone rule may be in it twice. So are the
   * planned lists of a plan whose configuration does not write them (computed: the prior state's).
   */
  stored?: true;
}

export interface TerraformEvaluation {
  resources: TfResource[];
  diagnostics: Diagnostic[];
  comments: DocComment[];
}

interface Scope {
  /** `count.index`. */
  count?: PValue;
  /** `each.key`, `each.value`. */
  each?: { key: PValue; value: PValue };
  /** for-expression variables, dynamic-block iterators (`ingress` → {key, value}), splat `*`. */
  names?: Map<string, PValue>;
}

const META_ARGS = new Set(['count', 'for_each', 'lifecycle', 'depends_on', 'provider', 'provisioner', 'connection']);
const MAX_EVAL_DEPTH = 64;
const MAX_EXPANSION = 10_000;
/** Said of a count/for_each with more instances than MAX_EXPANSION: they are unknown, not cut short. */
const TOO_MANY = ` (more than ${MAX_EXPANSION} instances are not expanded)`;

class Evaluator {
  private readonly variables = new Map<string, PValue>();
  /** Variables declared with a `set(…)` type: their value is a set. */
  private readonly setVariables = new Set<string>();
  /** Declared types (`type = map(object({ … }))`): their `optional(T, default)` attributes fill in values. */
  private readonly variableTypes = new Map<string, HclExpr>();
  private readonly localDefs = new Map<string, PValue>();
  private readonly localCache = new Map<string, PValue>();
  private readonly localBusy = new Set<string>();
  private depth = 0;
  readonly diagnostics: Diagnostic[] = [];
  /** The outputs of a local module this one calls (`module.<label>`), when it is evaluated. */
  moduleOutputs?: (label: string) => PValue | undefined;

  constructor(
    readonly body: PObject,
    readonly text: string,
    readonly lines: LineIndex,
    readonly overrides: Record<string, unknown> | undefined,
    /** A child module's input variables, as the calling `module` block sets them (evaluated there). */
    readonly args?: Map<string, PValue>,
    /** Known values of locals another file of the module defines (locals.tf). */
    readonly siblingLocals?: Readonly<Record<string, unknown>>,
  ) {
    for (const e of body.entries) {
      const b = e.value;
      if (b.kind !== 'object' || !b.block) continue;
      if (b.block.type === 'variable' && b.block.labels.length === 1) {
        const def = get(b, 'default');
        if (def) this.variables.set(b.block.labels[0]!, def);
        const type = get(b, 'type');
        if (type?.kind === 'expr' && /^\s*set\s*\(/.test(type.text)) this.setVariables.add(b.block.labels[0]!);
        const typeAst = type?.kind === 'expr' ? hclExprOf(type) : undefined;
        if (typeAst && typeAst.text === text) this.variableTypes.set(b.block.labels[0]!, typeAst.ast);
      } else if (b.block.type === 'locals') {
        for (const l of b.entries) this.localDefs.set(l.key, l.value);
      }
    }
  }

  /**
   * An unknown traversal (a resource attribute `aws_security_group.web[count.index].id`): its
   * text with the index keys that are known substituted (`aws_security_group.web[2].id`), so
   * mappers can tell which instance it names.
   */
  reference(e: HclExpr, scope: Scope): PExpr {
    const text = (x: HclExpr): string | undefined => {
      switch (x.type) {
        case 'variable':
          return scope.names?.has(x.name) ? undefined : x.name;
        case 'getattr': {
          // `each.value` of a for_each over another resource's instances: that resource's instance
          if (x.object.type === 'variable' && x.object.name === 'each' && !scope.names?.has('each') && (x.name === 'value' || x.name === 'key')) {
            const v = scope.each?.[x.name];
            if (v?.kind === 'expr') return v.text;
          }
          const o = text(x.object);
          return o === undefined ? undefined : `${o}.${x.name}`;
        }
        case 'index': {
          const o = text(x.object);
          if (o === undefined) return undefined;
          const k = this.expr(x.key, scope);
          const kt = k.kind === 'scalar' && typeof k.value === 'number' ? String(k.value) : k.kind === 'scalar' && typeof k.value === 'string' ? JSON.stringify(k.value) : this.text.slice(x.key.start, x.key.end);
          return `${o}[${kt}]`;
        }
        default:
          return undefined;
      }
    };
    const t = text(e);
    return t === undefined ? this.unknown(e) : { kind: 'expr', text: t, span: this.lines.span(e.start, e.end) };
  }

  /** The resource blocks of this module by `type.name`. */
  private resourceBlocks?: Map<string, PObject>;
  private readonly instanceCache = new WeakMap<PObject, { key?: PValue; scope: Scope }[] | null>();

  /** The instances of a resource block (their key and scope: `count.index`, `each`); undefined when count/for_each is not known. */
  private instancesOf(b: PObject): { key?: PValue; scope: Scope }[] | undefined {
    const cached = this.instanceCache.get(b);
    if (cached !== undefined) return cached ?? undefined;
    this.instanceCache.set(b, null); // a count that reads the resource itself is not known
    let out: { key?: PValue; scope: Scope }[] | undefined;
    const countRaw = get(b, 'count');
    const forEachRaw = get(b, 'for_each');
    if (countRaw) {
      const c = this.value(countRaw, {});
      const n = c.kind === 'scalar' && typeof c.value === 'number' && Number.isInteger(c.value) && c.value >= 0 && c.value <= MAX_EXPANSION ? c.value : undefined;
      if (n !== undefined) out = Array.from({ length: n }, (_, i) => ({ key: { kind: 'scalar', value: i, span: c.span }, scope: { count: { kind: 'scalar', value: i, span: c.span } } }));
    } else if (forEachRaw) {
      const pairs = collectionPairs(this.value(forEachRaw, {}), false);
      if (pairs) out = pairs.map(([k, v]) => ({ key: k, scope: { each: { key: k, value: v } } }));
    } else out = [{ scope: {} }];
    this.instanceCache.set(b, out ?? null);
    return out;
  }

  /** `aws_vpc.main` (`type.name` of a resource of this module, no data source) → its block. */
  /** Whether `x` is a traversal of a resource of this module (`aws_security_group.this[0].id`). */
  private resourceRoot(x: HclExpr, scope: Scope): boolean {
    let cur = x;
    for (let i = 0; i < 16 && (cur.type === 'getattr' || cur.type === 'index'); i++) {
      if (this.resourceOf(cur, scope)) return true;
      cur = cur.object;
    }
    return false;
  }

  private resourceOf(x: HclExpr, scope: Scope): PObject | undefined {
    if (x.type !== 'getattr' || x.object.type !== 'variable' || scope.names?.has(x.object.name) || !/^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(x.object.name)) return undefined;
    if (!this.resourceBlocks) {
      this.resourceBlocks = new Map();
      for (const en of this.body.entries) {
        const b = en.value;
        if (b.kind === 'object' && b.block?.type === 'resource' && b.block.labels.length === 2) this.resourceBlocks.set(`${b.block.labels[0]}.${b.block.labels[1]}`, b);
      }
    }
    return this.resourceBlocks.get(`${x.object.name}.${x.name}`);
  }

  /**
   * An attribute the configuration sets on a resource instance, when its value is fully known: Terraform keeps a
   * configured value as the planned and applied one (a provider may not change it), so `aws_vpc.main.cidr_block`
   * is the `cidr_block` written in `aws_vpc.main`. Computed attributes (`id`, an attribute not written) and values
   * not known statically stay references. The value is placed where it is referred to.
   */
  private configuredAttribute(b: PObject, scope: Scope, attr: string, span: Span): PValue | undefined {
    if (META_ARGS.has(attr)) return undefined;
    const raw = b.entries.find((x) => x.key === attr);
    if (!raw || (raw.value.kind === 'object' && raw.value.block)) return undefined;
    const v = this.value(raw.value, scope);
    // null is no value: an optional and computed attribute set to null is the provider's to choose (an IPAM pool's CIDR)
    return literal(v) && !(v.kind === 'scalar' && v.value === null) ? respan(v, span) : undefined;
  }

  /** `type.name.attr`, `type.name[key].attr` of a resource of this module: the configured value (see configuredAttribute). */
  private resourceAttribute(e: HclExpr & { type: 'getattr' }, scope: Scope, span: Span): PValue | undefined {
    let o = e.object;
    let keyExpr: HclExpr | undefined;
    if (o.type === 'index') {
      keyExpr = o.key;
      o = o.object;
    }
    const b = this.resourceOf(o, scope);
    if (!b) return undefined;
    const insts = this.instancesOf(b);
    if (!insts) return undefined;
    let inst: { key?: PValue; scope: Scope } | undefined;
    if (keyExpr === undefined) inst = insts.length === 1 && insts[0]!.key === undefined ? insts[0] : undefined;
    else {
      const k = this.expr(keyExpr, scope);
      if (k.kind !== 'scalar' || k.value === null) return undefined;
      inst = insts.find((i) => i.key?.kind === 'scalar' && String(i.key.value) === String(k.value));
    }
    return inst ? this.configuredAttribute(b, inst.scope, e.name, span) : undefined;
  }

  unknown(e: HclExpr): PExpr {
    return { kind: 'expr', text: this.text.slice(e.start, e.end), span: this.lines.span(e.start, e.end) };
  }

  /** Plain JS value (tfvars) → positioned value at `span`. */
  fromPlain(v: unknown, span: Span): PValue {
    if (v === null || v === undefined) return { kind: 'scalar', value: null, span };
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { kind: 'scalar', value: v, span };
    if (Array.isArray(v)) return { kind: 'array', items: v.map((x) => this.fromPlain(x, span)), span };
    if (typeof v === 'object') return { kind: 'object', entries: Object.entries(v as Record<string, unknown>).map(([key, x]) => ({ key, keySpan: span, value: this.fromPlain(x, span) })), span };
    return { kind: 'expr', text: String(v), span };
  }

  variable(name: string, e: HclExpr): PValue {
    const v = this.args?.has(name)
      ? this.args.get(name)!
      : this.overrides && Object.prototype.hasOwnProperty.call(this.overrides, name) ? this.fromPlain(this.overrides[name], this.lines.span(e.start, e.end)) : this.variables.has(name) ? this.value(this.variables.get(name)!, {}) : undefined;
    if (!v) return this.unknown(e);
    const type = this.variableTypes.get(name);
    const typed = type ? this.typeDefaults(type, v, 0) : v;
    return typed.kind === 'array' && this.setVariables.has(name) ? setOf(typed.items, typed.span) : typed;
  }

  /**
   * A value converted to its declared type the way Terraform fills in object attributes: an attribute
   * declared `optional(T, default)` and absent takes the default, `optional(T)` absent is null (Terraform
   * docs, Type Constraints, "Optional Object Type Attributes"); collections apply their element type.
   */
  private typeDefaults(type: HclExpr, v: PValue, depth: number): PValue {
    if (depth > 16 || type.type !== 'call' || v.kind === 'expr') return v;
    const [inner] = type.args;
    switch (type.name) {
      case 'optional':
        return inner ? this.typeDefaults(inner, v, depth + 1) : v;
      case 'list':
      case 'set':
        if (!inner || v.kind !== 'array') return v;
        return { kind: 'array', items: v.items.map((i) => this.typeDefaults(inner, i, depth + 1)), span: v.span };
      case 'map':
        if (!inner || v.kind !== 'object') return v;
        return { kind: 'object', entries: v.entries.map((en) => withValue(en, this.typeDefaults(inner, en.value, depth + 1))), span: v.span };
      case 'object': {
        if (!inner || inner.type !== 'object' || v.kind !== 'object') return v;
        const entries: PEntry[] = [];
        for (const it of inner.items) {
          const key = staticKey(it.key);
          if (key === undefined) return v;
          const attrType = it.value;
          const present = v.entries.find((en) => en.key === key);
          if (present) {
            entries.push(withValue(present, this.typeDefaults(attrType, present.value, depth + 1)));
            continue;
          }
          if (attrType.type !== 'call' || attrType.name !== 'optional') return v; // a required attribute is missing: Terraform fails
          const def = attrType.args[1];
          const span = this.lines.span(attrType.start, attrType.end);
          const value: PValue = def ? this.typeDefaults(attrType.args[0] ?? attrType, this.expr(def, {}), depth + 1) : { kind: 'scalar', value: null, span };
          entries.push({ key, keySpan: span, value });
        }
        // attributes the type does not declare are dropped by the conversion
        return { kind: 'object', entries, span: v.span };
      }
      default:
        return v;
    }
  }

  local(name: string, e: HclExpr): PValue {
    const cached = this.localCache.get(name);
    if (cached) return cached;
    const def = this.localDefs.get(name);
    if (!def && this.siblingLocals && Object.prototype.hasOwnProperty.call(this.siblingLocals, name)) return this.fromPlain(this.siblingLocals[name], this.lines.span(e.start, e.end));
    if (!def || this.localBusy.has(name)) return this.unknown(e);
    this.localBusy.add(name);
    const v = this.value(def, {});
    this.localBusy.delete(name);
    this.localCache.set(name, v);
    return v;
  }

  /** Evaluates a parsed value: literals stay, expressions are resolved where possible. */
  value(v: PValue, scope: Scope): PValue {
    switch (v.kind) {
      case 'scalar':
        return v;
      case 'array':
        return { kind: 'array', items: v.items.map((i) => this.value(i, scope)), span: v.span };
      case 'object':
        if (v.block) return this.block(v, scope);
        return { kind: 'object', entries: v.entries.map((e) => ({ key: e.key, keySpan: e.keySpan, value: this.value(e.value, scope) })), span: v.span };
      case 'expr': {
        const info = hclExprOf(v);
        if (!info || info.text !== this.text) return v;
        return this.expr(info.ast, scope);
      }
    }
  }

  /** A block body: attributes evaluated, `dynamic` blocks expanded. */
  block(b: PObject, scope: Scope, skipMeta = false): PObject {
    const entries: PEntry[] = [];
    for (const e of b.entries) {
      const v = e.value;
      if (skipMeta && META_ARGS.has(e.key)) continue;
      if (v.kind === 'object' && v.block?.type === 'dynamic' && v.block.labels.length === 1) {
        entries.push(...this.dynamic(v, v.block.labels[0]!, scope));
        continue;
      }
      entries.push({ key: e.key, keySpan: e.keySpan, value: this.value(v, scope) });
    }
    const out: PObject = { kind: 'object', entries, span: b.span };
    if (b.block) out.block = b.block;
    return out;
  }

  dynamic(d: PObject, label: string, scope: Scope): PEntry[] {
    const content = get(d, 'content');
    if (!content || content.kind !== 'object') return [];
    const iterExpr = get(d, 'iterator');
    let iterName = label;
    if (iterExpr?.kind === 'expr') {
      const info = hclExprOf(iterExpr);
      if (info?.ast.type === 'variable') iterName = info.ast.name;
    }
    const forEachRaw = get(d, 'for_each');
    const forEach = forEachRaw ? this.value(forEachRaw, scope) : undefined;
    const keySpan = d.entries.find((e) => e.key === 'content')?.keySpan ?? d.span;
    const make = (key: PValue, value: PValue, marker?: PValue): PEntry => {
      const names = new Map(scope.names ?? []);
      names.set(iterName, { kind: 'object', span: d.span, entries: [
        { key: 'key', keySpan: key.span, value: key },
        { key: 'value', keySpan: value.span, value },
      ] });
      const body = this.block(content, { ...scope, names });
      const entries = marker ? [...body.entries, { key: 'for_each', keySpan: marker.span, value: marker }] : body.entries;
      return { key: label, keySpan, value: { kind: 'object', entries, span: content.span, block: { type: label, labels: [] } } };
    };
    const pairs = forEach ? collectionPairs(forEach, true) : undefined;
    if (!forEach || !pairs || pairs.length > MAX_EXPANSION) {
      // (more blocks than are expanded: the blocks are unknown, not the first ones alone)
      const marker: PExpr = forEach?.kind === 'expr' ? forEach : { kind: 'expr', text: `${forEachRaw && forEachRaw.kind === 'expr' ? forEachRaw.text : 'for_each'}${pairs ? TOO_MANY : ''}`, span: forEachRaw?.span ?? d.span };
      const unk = (suffix: string): PExpr => ({ kind: 'expr', text: `${iterName}.${suffix}`, span: marker.span });
      return [make(unk('key'), unk('value'), marker)];
    }
    return pairs.map(([k, v]) => make(k, v));
  }

  expr(e: HclExpr, scope: Scope): PValue {
    if (++this.depth > MAX_EVAL_DEPTH) {
      this.depth--;
      return this.unknown(e);
    }
    try {
      return this.exprInner(e, scope);
    } finally {
      this.depth--;
    }
  }

  private exprInner(e: HclExpr, scope: Scope): PValue {
    const span = this.lines.span(e.start, e.end);
    switch (e.type) {
      case 'literal':
        return { kind: 'scalar', value: e.value, span };
      case 'paren':
        return this.expr(e.expr, scope);
      case 'template': {
        if (e.directive) return this.unknown(e);
        // A template that is a single interpolation keeps the value's type and place.
        if (e.parts.length === 1 && typeof e.parts[0] !== 'string') return this.expr(e.parts[0]!, scope);
        let s = '';
        for (const p of e.parts) {
          if (typeof p === 'string') s += p;
          else {
            const v = this.expr(p, scope);
            if (v.kind !== 'scalar' || v.value === null) return this.unknown(e);
            s += String(v.value);
          }
        }
        return { kind: 'scalar', value: s, span };
      }
      case 'tuple':
        return { kind: 'array', items: e.items.map((i) => this.expr(i, scope)), span };
      case 'object': {
        const entries: PEntry[] = [];
        for (const it of e.items) {
          let k = it.keyIsIdent ? staticKey(it.key) : undefined;
          if (k === undefined) {
            const kv = it.key.type === 'paren' || !it.keyIsIdent ? this.expr(it.key, scope) : undefined;
            if (kv?.kind === 'scalar' && kv.value !== null) k = String(kv.value);
          }
          if (k === undefined) return this.unknown(e);
          entries.push({ key: k, keySpan: this.lines.span(it.key.start, it.key.end), value: this.expr(it.value, scope) });
        }
        return { kind: 'object', entries, span };
      }
      case 'variable': {
        const v = scope.names?.get(e.name);
        return v ?? this.unknown(e);
      }
      case 'getattr': {
        const o = e.object;
        if (o.type !== 'variable') {
          const configured = this.resourceAttribute(e, scope, span);
          if (configured) return configured;
        }
        if (o.type === 'variable' && !scope.names?.has(o.name)) {
          if (o.name === 'var') return this.variable(e.name, e);
          if (o.name === 'local') return this.local(e.name, e);
          if (o.name === 'count' && e.name === 'index') return scope.count ?? this.unknown(e);
          if (o.name === 'each' && scope.each && (e.name === 'key' || e.name === 'value')) return scope.each[e.name];
          if (o.name === 'module') return this.moduleOutputs?.(e.name) ?? this.reference(e, scope);
          return this.reference(e, scope);
        }
        const base = this.expr(o, scope);
        if (base.kind === 'object') return get(base, e.name) ?? this.unknown(e);
        return base.kind === 'expr' ? this.reference(e, scope) : this.unknown(e);
      }
      case 'index': {
        const base = this.expr(e.object, scope);
        const key = this.expr(e.key, scope);
        if (key.kind !== 'scalar') return this.unknown(e);
        // a set has no index (Terraform refuses `toset(x)[0]`), and a list made of one has no known order
        if (base.kind === 'array' && (SETS.has(base) || unordered(base))) return this.unknown(e);
        if (base.kind === 'array' && typeof key.value === 'number') return base.items[key.value] ?? this.unknown(e);
        if (base.kind === 'array' && typeof key.value === 'string' && /^[0-9]+$/.test(key.value)) return base.items[Number(key.value)] ?? this.unknown(e);
        if (base.kind === 'object' && key.value !== null) return get(base, String(key.value)) ?? this.unknown(e);
        return base.kind === 'expr' ? this.reference(e, scope) : this.unknown(e);
      }
      case 'splat': {
        // `aws_vpc.main[*].cidr_block`: the configured attribute of every instance; another attribute
        // (`aws_security_group.x[*].id`) is a reference to each instance's (`aws_security_group.x[0].id`)
        const res = this.resourceOf(e.object, scope);
        if (res && e.each.type === 'getattr' && e.each.object.type === 'variable' && e.each.object.name === '*') {
          const insts = this.instancesOf(res);
          if (!insts) return this.unknown(e);
          const attr = e.each.name;
          const base = this.text.slice(e.object.start, e.object.end);
          const items = insts.map((i): PValue => {
            const v = this.configuredAttribute(res, i.scope, attr, span);
            if (v) return v;
            const key = i.key === undefined ? '' : i.key.kind === 'scalar' && typeof i.key.value === 'number' ? `[${i.key.value}]` : `[${JSON.stringify(i.key.kind === 'scalar' ? String(i.key.value) : '?')}]`;
            return { kind: 'expr', text: `${base}${key}.${attr}`, span };
          });
          return { kind: 'array', items, span };
        }
        const base = this.expr(e.object, scope);
        if (base.kind === 'expr') return this.unknown(e);
        const list = base.kind === 'array' ? base.items : base.kind === 'scalar' && base.value === null ? [] : [base];
        const out: PValue[] = [];
        for (const item of list) {
          const names = new Map(scope.names ?? []);
          names.set('*', item);
          const v = this.expr(e.each, { ...scope, names });
          if (v.kind === 'expr') return this.unknown(e);
          out.push(v);
        }
        return { kind: 'array', items: out, span };
      }
      case 'unary': {
        const v = this.expr(e.operand, scope);
        if (v.kind !== 'scalar') return this.unknown(e);
        if (e.op === '!' && typeof v.value === 'boolean') return { kind: 'scalar', value: !v.value, span };
        if (e.op === '-' && typeof v.value === 'number') return { kind: 'scalar', value: -v.value, span };
        return this.unknown(e);
      }
      case 'binary':
        return this.binary(e, scope, span);
      case 'conditional': {
        const c = this.expr(e.cond, scope);
        if (c.kind === 'scalar' && typeof c.value === 'boolean') return this.expr(c.value ? e.then : e.else, scope);
        if (c.kind === 'scalar' && (c.value === 'true' || c.value === 'false')) return this.expr(c.value === 'true' ? e.then : e.else, scope);
        return this.unknown(e);
      }
      case 'for':
        return this.forExpr(e, scope, span);
      case 'call':
        return this.call(e, scope, span);
    }
  }

  private binary(e: HclExpr & { type: 'binary' }, scope: Scope, span: Span): PValue {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    if (l.kind !== 'scalar' || r.kind !== 'scalar') {
      if (e.op === '==' || e.op === '!=') {
        // Structural equality of known values is rare in firewall code; unknown.
      }
      return this.unknown(e);
    }
    const a = l.value;
    const b = r.value;
    const numA = typeof a === 'number' ? a : typeof a === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(a) ? Number(a) : undefined;
    const numB = typeof b === 'number' ? b : typeof b === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(b) ? Number(b) : undefined;
    const out = (value: string | number | boolean): PValue => ({ kind: 'scalar', value, span });
    switch (e.op) {
      case '==':
      case '!=': {
        // "a == b returns true if a and b both have the same type and the same value" (Terraform docs, Equality
        // Operators): "22" == 22 is false. Which of a string and a number Terraform holds is not always known here (a
        // variable of type number whose default is written "22" holds 22; each.key is always a string), so a string and
        // a number (or bool) of one value are undecided; values that differ also as text are unequal whatever the types.
        if (a !== null && b !== null && typeof a !== typeof b) {
          if (String(a) === String(b) || (numA !== undefined && numA === numB)) return this.unknown(e);
          return out(e.op === '!=');
        }
        const eq = a === b || (typeof a === 'number' && typeof b === 'number' && a === b);
        return out(e.op === '==' ? eq : !eq);
      }
      case '&&':
      case '||':
        if (typeof a !== 'boolean' || typeof b !== 'boolean') return this.unknown(e);
        return out(e.op === '&&' ? a && b : a || b);
    }
    if (numA === undefined || numB === undefined) return this.unknown(e);
    switch (e.op) {
      case '+':
        return out(numA + numB);
      case '-':
        return out(numA - numB);
      case '*':
        return out(numA * numB);
      case '/':
        return numB === 0 ? this.unknown(e) : out(numA / numB);
      case '%':
        return numB === 0 ? this.unknown(e) : out(numA % numB);
      case '<':
        return out(numA < numB);
      case '>':
        return out(numA > numB);
      case '<=':
        return out(numA <= numB);
      case '>=':
        return out(numA >= numB);
    }
    return this.unknown(e);
  }

  private forExpr(e: HclExpr & { type: 'for' }, scope: Scope, span: Span): PValue {
    const coll = this.expr(e.collection, scope);
    let pairs = collectionPairs(coll, true);
    if (!pairs || pairs.length > MAX_EXPANSION) return this.unknown(e);
    // "For maps and objects, Terraform sorts the elements by key or attribute name, using lexical sorting" (Terraform
    // docs, for Expressions, Element Ordering): [for k, v in { b = …, a = … } : v][0] is a's value
    if (coll.kind === 'object') pairs = [...pairs].sort((x, y) => byCodePoint(String((x[0] as { value: unknown }).value), String((y[0] as { value: unknown }).value)));
    const arr: PValue[] = [];
    const obj: PEntry[] = [];
    for (const [k, v] of pairs) {
      const names = new Map(scope.names ?? []);
      if (e.keyVar !== undefined) names.set(e.keyVar, k);
      names.set(e.valueVar, v);
      const s: Scope = { ...scope, names };
      if (e.cond) {
        const c = this.expr(e.cond, s);
        if (c.kind !== 'scalar' || typeof c.value !== 'boolean') return this.unknown(e);
        if (!c.value) continue;
      }
      if (e.keyExpr) {
        const kv = this.expr(e.keyExpr, s);
        if (kv.kind !== 'scalar' || kv.value === null) return this.unknown(e);
        if (e.grouping) return this.unknown(e);
        obj.push({ key: String(kv.value), keySpan: kv.span, value: this.expr(e.valueExpr, s) });
      } else arr.push(this.expr(e.valueExpr, s));
    }
    if (e.keyExpr) return { kind: 'object', entries: obj, span };
    return ordered({ kind: 'array', items: arr, span }, coll);
  }

  /**
   * Whether evaluating `e` is certainly an error in Terraform: an attribute or key a known object or map
   * does not have, an index past a known list, an attribute of a known string, number or null. (What
   * `try` and `can` catch; an unknown value is not an error.)
   */
  private fails(e: HclExpr, scope: Scope, depth = 0): boolean {
    if (depth > 32 || (e.type !== 'getattr' && e.type !== 'index')) return false;
    if (e.type === 'index') {
      // aws_security_group.this[0] of a resource whose instances are known: an index it does not have (count = 0)
      const res = this.resourceOf(e.object, scope);
      const insts = res && (get(res, 'count') || get(res, 'for_each')) ? this.instancesOf(res) : undefined;
      if (insts) {
        const k = this.expr(e.key, scope);
        if (k.kind !== 'scalar' || k.value === null) return false;
        return !insts.some((i) => i.key?.kind === 'scalar' && String(i.key.value) === String(k.value));
      }
    }
    if (e.type === 'getattr' && e.object.type === 'variable' && !scope.names?.has(e.object.name)) return false; // var.x, local.x, resources
    if (this.fails(e.object, scope, depth + 1)) return true;
    const base = this.expr(e.object, scope);
    if (base.kind === 'expr') return false;
    let key: string | number;
    if (e.type === 'getattr') key = e.name;
    else {
      const k = this.expr(e.key, scope);
      if (k.kind !== 'scalar' || k.value === null || typeof k.value === 'boolean') return k.kind === 'scalar';
      key = k.value;
    }
    if (base.kind === 'object') return !base.entries.some((en) => en.key === String(key));
    if (base.kind === 'array') {
      const i = typeof key === 'number' ? key : /^[0-9]+$/.test(key) ? Number(key) : -1;
      return !(Number.isInteger(i) && i >= 0 && i < base.items.length);
    }
    return true; // an attribute or element of a string, a number, a bool or null
  }

  private call(e: HclExpr & { type: 'call' }, scope: Scope, span: Span): PValue {
    if ((e.name === 'try' || e.name === 'can') && !e.expandFinal) {
      // try: the first argument that is not an error; can: whether the argument is not an error
      for (const a of e.args) {
        if (this.fails(a, scope)) {
          if (e.name === 'can') return { kind: 'scalar', value: false, span };
          continue;
        }
        const v = this.expr(a, scope);
        // try(aws_security_group.this[0].id, "") (a module's output): the resource's attribute, which does not fail
        if (v.kind === 'expr' && e.name === 'try' && this.resourceRoot(a, scope)) return v;
        if (v.kind === 'expr') return this.unknown(e);
        return e.name === 'can' ? { kind: 'scalar', value: true, span } : v;
      }
      return this.unknown(e);
    }
    if (e.name === 'length' && e.args.length === 1 && !e.expandFinal) {
      // length(aws_security_group.x): the number of instances of a resource of this module, when known
      const res = this.resourceOf(e.args[0]!, scope);
      const insts = res && (get(res, 'count') || get(res, 'for_each')) ? this.instancesOf(res) : undefined;
      if (insts) return { kind: 'scalar', value: insts.length, span };
    }
    const args = e.args.map((a) => this.expr(a, scope));
    if (e.expandFinal) {
      const last = args.pop();
      if (!last || last.kind !== 'array') return this.unknown(e);
      args.push(...last.items);
    }
    const known = (v: PValue | undefined): boolean => !!v && v.kind !== 'expr';
    switch (e.name) {
      case 'toset': {
        const [a] = args;
        if (args.length !== 1 || !known(a)) return this.unknown(e);
        if (a!.kind !== 'array') return a!;
        return setOf(a!.items, a!.span);
      }
      case 'tolist':
      case 'tomap':
        if (args.length === 1 && known(args[0])) {
          const a = args[0]!;
          if (a.kind !== 'array') return a;
          const list: PValue = { kind: 'array', items: a.items, span: a.span };
          // a set's elements as a list: strings in lexical order, others in an order Terraform does not define ("tolist
          // Function"; for Expressions, Element Ordering), which one is then at an index is not known
          if (unordered(a)) UNORDERED.add(list);
          return list;
        }
        return this.unknown(e);
      case 'sort': {
        // "sort takes a list of strings and returns a new list with those strings sorted lexicographically" (numbers
        // and bools converted to strings: sort([10, 9]) is ["10", "9"]); Go compares strings by their bytes
        const [l] = args;
        if (args.length !== 1 || l?.kind !== 'array' || l.items.some((i) => i.kind !== 'scalar' || i.value === null)) return this.unknown(e);
        const strings = l.items.map((i) => (i.kind === 'scalar' && typeof i.value !== 'string' ? { ...i, value: String(i.value) } : i) as PValue & { value: string });
        return { kind: 'array', items: strings.sort((x, y) => byCodePoint(x.value, y.value)), span };
      }
      case 'concat': {
        // Known lists keep their items; an unknown argument stays one unknown item (sound for mappers,
        // and collections holding unknowns are not iterated).
        const out: PValue[] = [];
        for (const a of args) {
          if (a.kind === 'array') out.push(...a.items);
          else if (a.kind === 'expr') out.push(a);
          else return this.unknown(e);
        }
        return ordered({ kind: 'array', items: out, span }, ...args);
      }
      case 'flatten': {
        if (args.length !== 1 || args[0]!.kind !== 'array') return this.unknown(e);
        const out: PValue[] = [];
        const from: PValue[] = [];
        const walk = (v: PValue): boolean => {
          if (v.kind === 'array') from.push(v);
          if (v.kind === 'array') return v.items.every(walk);
          if (v.kind === 'expr') return false;
          out.push(v);
          return true;
        };
        return walk(args[0]!) ? ordered({ kind: 'array', items: out, span }, ...from) : this.unknown(e);
      }
      case 'merge': {
        const entries: PEntry[] = [];
        for (const a of args) {
          if (a.kind !== 'object') return this.unknown(e);
          for (const en of a.entries) {
            const i = entries.findIndex((x) => x.key === en.key);
            if (i >= 0) entries.splice(i, 1);
            entries.push(en);
          }
        }
        return { kind: 'object', entries, span };
      }
      case 'lookup': {
        const [m, k, d] = args;
        if (!m || m.kind !== 'object' || !k || k.kind !== 'scalar') return this.unknown(e);
        return get(m, String(k.value)) ?? d ?? this.unknown(e);
      }
      case 'element': {
        const [l, i] = args;
        // a negative or fractional index is an error in Terraform ("cannot use element function with a negative index")
        if (!l || l.kind !== 'array' || unordered(l) || l.items.length === 0 || !i || i.kind !== 'scalar' || typeof i.value !== 'number' || !Number.isInteger(i.value) || i.value < 0) return this.unknown(e);
        return l.items[i.value % l.items.length]!;
      }
      case 'length': {
        const [l] = args;
        if (l?.kind === 'array') return { kind: 'scalar', value: l.items.length, span };
        if (l?.kind === 'object') return { kind: 'scalar', value: l.entries.length, span };
        if (l?.kind === 'scalar' && typeof l.value === 'string') return { kind: 'scalar', value: [...l.value].length, span };
        return this.unknown(e);
      }
      case 'tostring':
      case 'tonumber':
      case 'tobool': {
        const [v] = args;
        if (v?.kind !== 'scalar' || v.value === null) return this.unknown(e);
        if (e.name === 'tostring') return { kind: 'scalar', value: String(v.value), span: v.span };
        if (e.name === 'tonumber') {
          const n = Number(v.value);
          return Number.isFinite(n) && String(v.value).trim() !== '' ? { kind: 'scalar', value: n, span: v.span } : this.unknown(e);
        }
        return v.value === true || v.value === 'true' ? { kind: 'scalar', value: true, span: v.span } : v.value === false || v.value === 'false' ? { kind: 'scalar', value: false, span: v.span } : this.unknown(e);
      }
      case 'distinct':
      case 'compact': {
        const [l] = args;
        if (l?.kind !== 'array') return this.unknown(e);
        const seen = new Set<string>();
        const out: PValue[] = [];
        for (const it of l.items) {
          if (it.kind === 'expr') return this.unknown(e);
          if (e.name === 'compact' && it.kind === 'scalar' && (it.value === null || it.value === '')) continue;
          const key = it.kind === 'scalar' ? `${typeof it.value}:${String(it.value)}` : undefined;
          if (e.name === 'distinct' && key !== undefined) {
            if (seen.has(key)) continue;
            seen.add(key);
          }
          out.push(it);
        }
        return ordered({ kind: 'array', items: out, span }, l);
      }
      case 'join': {
        const [sep, ...lists] = args;
        if (sep?.kind !== 'scalar' || typeof sep.value !== 'string') return this.unknown(e);
        const parts: string[] = [];
        for (const l of lists) {
          if (l.kind !== 'array') return this.unknown(e);
          for (const it of l.items) {
            if (it.kind !== 'scalar' || it.value === null) return this.unknown(e);
            parts.push(String(it.value));
          }
        }
        return { kind: 'scalar', value: parts.join(sep.value), span };
      }
      case 'split': {
        const [sep, str0] = args;
        if (sep?.kind !== 'scalar' || str0?.kind !== 'scalar' || typeof sep.value !== 'string' || typeof str0.value !== 'string') return this.unknown(e);
        const pieces = str0.value === '' ? [''] : str0.value.split(sep.value);
        return { kind: 'array', items: pieces.map((x) => ({ kind: 'scalar', value: x, span: str0.span })), span };
      }
      case 'lower':
      case 'upper': {
        const [v] = args;
        if (v?.kind !== 'scalar' || typeof v.value !== 'string') return this.unknown(e);
        return { kind: 'scalar', value: e.name === 'lower' ? v.value.toLowerCase() : v.value.toUpperCase(), span: v.span };
      }
      case 'format': {
        const [f, ...rest] = args;
        const out = f?.kind === 'scalar' && typeof f.value === 'string' ? formatString(f.value, rest) : undefined;
        return out === undefined ? this.unknown(e) : { kind: 'scalar', value: out, span };
      }
      case 'formatlist': {
        // format once per element: list arguments (all of one length) give their element, others repeat
        // (Terraform docs, "formatlist Function")
        const [f, ...rest] = args;
        if (f?.kind !== 'scalar' || typeof f.value !== 'string') return this.unknown(e);
        const lens = new Set(rest.filter((a) => a.kind === 'array').map((a) => (a as { items: PValue[] }).items.length));
        if (lens.size !== 1) return this.unknown(e); // no list, or lists of different lengths: Terraform fails
        const n = [...lens][0]!;
        const items: PValue[] = [];
        for (let i = 0; i < n; i++) {
          const out = formatString(f.value, rest.map((a) => (a.kind === 'array' ? a.items[i]! : a)));
          if (out === undefined) return this.unknown(e);
          items.push({ kind: 'scalar', value: out, span });
        }
        return { kind: 'array', items, span };
      }
      case 'cidrsubnet':
      case 'cidrhost': {
        const out = cidrFunction(e.name, args);
        return out === undefined ? this.unknown(e) : { kind: 'scalar', value: out, span };
      }
      case 'setproduct': {
        // every combination, one element of each argument in order (a list of tuples)
        if (args.length < 2 || args.some((a) => a.kind !== 'array' || a.items.some((i) => i.kind === 'expr'))) return this.unknown(e);
        let combos: PValue[][] = [[]];
        for (const a of args as { items: PValue[] }[]) {
          if (combos.length * a.items.length > MAX_EXPANSION) return this.unknown(e);
          combos = combos.flatMap((c) => a.items.map((i) => [...c, i]));
        }
        // (of sets, a set: which combination is at an index is not known)
        return ordered({ kind: 'array', items: combos.map((c) => ({ kind: 'array', items: c, span })), span }, ...args);
      }
      case 'keys':
      case 'values': {
        const [m] = args;
        if (m?.kind !== 'object') return this.unknown(e);
        const sorted = [...m.entries].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
        return { kind: 'array', items: sorted.map((en) => (e.name === 'keys' ? { kind: 'scalar', value: en.key, span: en.keySpan } : en.value)), span };
      }
      case 'range': {
        // range(limit), range(start, limit), range(start, limit, step): limit excluded, step defaults to
        // 1 (-1 when start > limit); Terraform fails past 1024 elements (Terraform docs, "range Function")
        const nums = args.map((a) => (a.kind === 'scalar' && typeof a.value === 'number' ? a.value : a.kind === 'scalar' && typeof a.value === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(a.value) ? Number(a.value) : undefined));
        if (nums.length < 1 || nums.length > 3 || nums.some((n) => n === undefined)) return this.unknown(e);
        const [start, limit] = nums.length === 1 ? [0, nums[0]!] : [nums[0]!, nums[1]!];
        const step = nums[2] ?? (start > limit ? -1 : 1);
        if (step === 0 || (step > 0 && start > limit) || (step < 0 && start < limit)) return start === limit ? { kind: 'array', items: [], span } : this.unknown(e);
        const out: PValue[] = [];
        for (let v = start; step > 0 ? v < limit : v > limit; v += step) {
          if (out.length >= 1024) return this.unknown(e);
          out.push({ kind: 'scalar', value: v, span });
        }
        return { kind: 'array', items: out, span };
      }
      case 'contains': {
        const [l, v] = args;
        if (l?.kind !== 'array' || v?.kind !== 'scalar' || l.items.some((i) => i.kind !== 'scalar')) return this.unknown(e);
        return { kind: 'scalar', value: l.items.some((i) => i.kind === 'scalar' && (i.value === v.value || (i.value !== null && v.value !== null && typeof i.value !== typeof v.value && String(i.value) === String(v.value)))), span };
      }
      case 'zipmap': {
        const [ks, vs] = args;
        if (ks?.kind !== 'array' || vs?.kind !== 'array' || ks.items.length !== vs.items.length) return this.unknown(e);
        const entries: PEntry[] = [];
        for (let i = 0; i < ks.items.length; i++) {
          const k = ks.items[i]!;
          if (k.kind !== 'scalar' || k.value === null) return this.unknown(e);
          const at = entries.findIndex((x) => x.key === String(k.value));
          if (at >= 0) entries.splice(at, 1);
          entries.push({ key: String(k.value), keySpan: k.span, value: vs.items[i]! });
        }
        return { kind: 'object', entries, span };
      }
      case 'slice': {
        const [l, s, t] = args;
        if (l?.kind !== 'array' || unordered(l) || s?.kind !== 'scalar' || t?.kind !== 'scalar' || typeof s.value !== 'number' || typeof t.value !== 'number') return this.unknown(e);
        if (!Number.isInteger(s.value) || !Number.isInteger(t.value) || s.value < 0 || t.value > l.items.length || s.value > t.value) return this.unknown(e);
        return { kind: 'array', items: l.items.slice(s.value, t.value), span };
      }
      case 'reverse': {
        const [l] = args;
        return l?.kind === 'array' && !SETS.has(l) && !unordered(l) ? { kind: 'array', items: [...l.items].reverse(), span } : this.unknown(e);
      }
      case 'one': {
        const [l] = args;
        if (l?.kind !== 'array' || l.items.length > 1) return this.unknown(e);
        return l.items[0] ?? { kind: 'scalar', value: null, span };
      }
      case 'min':
      case 'max': {
        const nums = args.map((a) => (a.kind === 'scalar' && typeof a.value === 'number' ? a.value : undefined));
        if (nums.length === 0 || nums.some((n) => n === undefined)) return this.unknown(e);
        return { kind: 'scalar', value: e.name === 'min' ? Math.min(...(nums as number[])) : Math.max(...(nums as number[])), span };
      }
      case 'setunion':
      case 'setintersection':
      case 'setsubtract': {
        // sets of known scalars: the elements, each once (the order of a Terraform set is its own)
        if (args.length < (e.name === 'setsubtract' ? 2 : 1) || (e.name === 'setsubtract' && args.length !== 2)) return this.unknown(e);
        const keyOf = (i: PValue): string | undefined => (i.kind === 'scalar' && i.value !== null ? `${typeof i.value}:${String(i.value)}` : undefined);
        const lists: PValue[][] = [];
        for (const a of args) {
          if (a.kind !== 'array' || a.items.some((i) => keyOf(i) === undefined)) return this.unknown(e);
          lists.push(a.items);
        }
        const has = (l: PValue[], k: string): boolean => l.some((i) => keyOf(i) === k);
        const seen = new Set<string>();
        const out: PValue[] = [];
        for (const i of e.name === 'setunion' ? lists.flat() : lists[0]!) {
          const k = keyOf(i)!;
          if (seen.has(k)) continue;
          if (e.name === 'setintersection' && !lists.every((l) => has(l, k))) continue;
          if (e.name === 'setsubtract' && has(lists[1]!, k)) continue;
          seen.add(k);
          out.push(i);
        }
        return setOf(out, span);
      }
      case 'coalescelist': {
        for (const a of args) {
          if (a.kind !== 'array') return this.unknown(e);
          if (a.items.length > 0) return a;
        }
        return this.unknown(e);
      }
      case 'replace': {
        const [s, sub, rep] = args;
        if (s?.kind !== 'scalar' || sub?.kind !== 'scalar' || rep?.kind !== 'scalar' || typeof s.value !== 'string' || typeof sub.value !== 'string' || typeof rep.value !== 'string') return this.unknown(e);
        // a substring wrapped in slashes is a regular expression: not evaluated
        if (sub.value.length >= 2 && sub.value.startsWith('/') && sub.value.endsWith('/')) return this.unknown(e);
        return { kind: 'scalar', value: sub.value === '' ? s.value : s.value.split(sub.value).join(rep.value), span };
      }
      case 'index': {
        // the first position of a value in a list; not found: Terraform fails
        const [l, v] = args;
        if (l?.kind !== 'array' || unordered(l) || v?.kind !== 'scalar' || l.items.some((i) => i.kind !== 'scalar')) return this.unknown(e);
        const at = l.items.findIndex((i) => i.kind === 'scalar' && (i.value === v.value || (i.value !== null && v.value !== null && String(i.value) === String(v.value))));
        return at < 0 ? this.unknown(e) : { kind: 'scalar', value: at, span };
      }
      case 'title': {
        // the first letter of each word upper-cased
        const [v] = args;
        if (v?.kind !== 'scalar' || typeof v.value !== 'string') return this.unknown(e);
        return { kind: 'scalar', value: v.value.replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()), span };
      }
      case 'startswith':
      case 'endswith': {
        const [v, p] = args;
        if (v?.kind !== 'scalar' || p?.kind !== 'scalar' || typeof v.value !== 'string' || typeof p.value !== 'string') return this.unknown(e);
        return { kind: 'scalar', value: e.name === 'startswith' ? v.value.startsWith(p.value) : v.value.endsWith(p.value), span };
      }
      case 'abs':
      case 'floor':
      case 'ceil': {
        const [v] = args;
        if (v?.kind !== 'scalar' || typeof v.value !== 'number') return this.unknown(e);
        return { kind: 'scalar', value: Math[e.name](v.value), span };
      }
      case 'sum': {
        const [l] = args;
        if (l?.kind !== 'array' || l.items.length === 0 || l.items.some((i) => i.kind !== 'scalar' || typeof i.value !== 'number')) return this.unknown(e);
        return { kind: 'scalar', value: l.items.reduce((a, i) => a + ((i as { value: number }).value), 0), span };
      }
      case 'trimspace': {
        const [s] = args;
        return s?.kind === 'scalar' && typeof s.value === 'string' ? { kind: 'scalar', value: s.value.trim(), span } : this.unknown(e);
      }
      case 'cidrsubnets': {
        // consecutive subnets of the given extra bits, each aligned after the previous (Terraform docs, "cidrsubnets Function")
        const [p, ...bits] = args;
        const prefix = p?.kind === 'scalar' && typeof p.value === 'string' ? parsePrefix(p.value) : undefined;
        if (!prefix || bits.length === 0) return this.unknown(e);
        const out: PValue[] = [];
        let next = 0n; // the first free address, as an offset from the prefix's base
        const hostBits = BigInt(prefix.bits - prefix.len);
        for (const b of bits) {
          if (b.kind !== 'scalar' || typeof b.value !== 'number' || !Number.isInteger(b.value) || b.value < 1) return this.unknown(e);
          const len = prefix.len + b.value;
          if (len > prefix.bits) return this.unknown(e);
          const size = 1n << BigInt(prefix.bits - len);
          const index = (next + size - 1n) / size;
          const text = subnetOf((p as { value: string }).value, len, index);
          if (!text || (index + 1n) * size > 1n << hostBits) return this.unknown(e);
          out.push({ kind: 'scalar', value: text, span });
          next = (index + 1n) * size;
        }
        return { kind: 'array', items: out, span };
      }
      case 'coalesce': {
        for (const a of args) {
          if (a.kind === 'expr') return this.unknown(e);
          if (!(a.kind === 'scalar' && (a.value === null || a.value === ''))) return a;
        }
        return this.unknown(e);
      }
      default:
        return this.unknown(e);
    }
  }

  resources(): TfResource[] {
    const out: TfResource[] = [];
    for (const e of this.body.entries) {
      const b = e.value;
      if (b.kind !== 'object' || b.block?.type !== 'resource' || b.block.labels.length !== 2) continue;
      const [type, name] = b.block.labels as [string, string];
      const base = `${type}.${name}`;
      const countRaw = get(b, 'count');
      const forEachRaw = get(b, 'for_each');
      const instance = (address: string, scope: Scope, marker?: PEntry): void => {
        const body = this.block(b, scope, true);
        if (marker) body.entries.push(marker);
        out.push({ type, name, address, body, span: b.span });
      };
      if (countRaw) {
        const c = this.value(countRaw, {});
        const n = c.kind === 'scalar' ? (typeof c.value === 'number' ? c.value : typeof c.value === 'string' && /^[0-9]+$/.test(c.value) ? Number(c.value) : typeof c.value === 'boolean' ? Number(c.value) : undefined) : undefined;
        if (n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_EXPANSION) {
          for (let i = 0; i < n; i++) instance(`${base}[${i}]`, { count: { kind: 'scalar', value: i, span: c.span } });
        } else {
          // not known, or more instances than are expanded: the instances are unknown, not the first ones alone
          const marker: PExpr = c.kind === 'expr' ? c : { kind: 'expr', text: `${countRaw.kind === 'expr' ? countRaw.text : String(toPlain(countRaw))}${n !== undefined && n > MAX_EXPANSION ? TOO_MANY : ''}`, span: countRaw.span };
          const entry = b.entries.find((x) => x.key === 'count')!;
          instance(`${base}[*]`, { count: { kind: 'expr', text: 'count.index', span: countRaw.span } }, { key: 'count', keySpan: entry.keySpan, value: marker });
        }
        continue;
      }
      if (forEachRaw) {
        const f = this.value(forEachRaw, {});
        const pairs = collectionPairs(f, false);
        if (pairs && pairs.length <= MAX_EXPANSION) {
          for (const [k, v] of pairs) {
            const key = k.kind === 'scalar' ? String(k.value) : '?';
            instance(`${base}[${JSON.stringify(key)}]`, { each: { key: k, value: v } });
          }
        } else {
          const marker: PExpr = f.kind === 'expr' ? f : { kind: 'expr', text: `${forEachRaw.kind === 'expr' ? forEachRaw.text : 'for_each'}${pairs ? TOO_MANY : ''}`, span: forEachRaw.span };
          const entry = b.entries.find((x) => x.key === 'for_each')!;
          const unk = (s: string): PExpr => ({ kind: 'expr', text: `each.${s}`, span: forEachRaw.span });
          // for_each over another resource's instances (`for_each = aws_security_group.per`): each.value is one of them
          const instances = f.kind === 'expr' && /^(?!(?:var|local|each|count|path|terraform|self)\.)[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/.test(f.text);
          const value = instances ? { kind: 'expr' as const, text: `${f.text}[each.key]`, span: forEachRaw.span } : unk('value');
          instance(`${base}[*]`, { each: { key: unk('key'), value } }, { key: 'for_each', keySpan: entry.keySpan, value: marker });
        }
        continue;
      }
      instance(base, {});
    }
    return out;
  }
}

/**
 * Terraform's `cidrsubnet(prefix, newbits, netnum)` (the netnum-th subnet of newbits more bits) and
 * `cidrhost(prefix, hostnum)` (the hostnum-th address, negative from the end), IPv4 and IPv6; undefined
 * where Terraform fails (a number out of range, not a prefix) or an argument is not known.
 */
function cidrFunction(name: string, args: PValue[]): string | undefined {
  const [p, a, b] = args;
  if (p?.kind !== 'scalar' || typeof p.value !== 'string') return undefined;
  const num = (v: PValue | undefined): bigint | undefined => {
    if (v?.kind !== 'scalar') return undefined;
    const t = typeof v.value === 'number' ? (Number.isInteger(v.value) ? String(v.value) : '') : typeof v.value === 'string' ? v.value.trim() : '';
    return /^-?[0-9]{1,40}$/.test(t) ? BigInt(t) : undefined;
  };
  if (name === 'cidrhost') {
    const host = num(a);
    return host === undefined ? undefined : hostOf(p.value, host);
  }
  const prefix = parsePrefix(p.value);
  const newbits = num(a);
  const netnum = num(b);
  if (!prefix || newbits === undefined || netnum === undefined || newbits < 0n || newbits > 128n) return undefined;
  return subnetOf(p.value, prefix.len + Number(newbits), netnum);
}

/** A value placed at `span`, every part of it (a value read from elsewhere, reported where it is used). */
function respan(v: PValue, span: Span): PValue {
  switch (v.kind) {
    case 'scalar':
    case 'expr':
      return { ...v, span };
    case 'array': {
      const out: PValue = { kind: 'array', items: v.items.map((i) => respan(i, span)), span };
      if (SETS.has(v)) SETS.add(out);
      if (UNORDERED.has(v)) UNORDERED.add(out);
      return out;
    }
    case 'object':
      return { kind: 'object', entries: v.entries.map((x) => ({ key: x.key, keySpan: span, value: respan(x.value, span) })), span };
  }
}

/**
 * Arrays that are Terraform sets (`toset(…)`, a variable of type `set(…)`): iterated, their key is the element.
 * Every other array is a list or tuple, whose key in a `for` expression or a `dynamic` block is the index.
 */
const SETS = new WeakSet<PValue>();

/** Strings in the order of their UTF-8 bytes (Go's string order): code point order, which UTF-16 units are not. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < x.length && i < y.length; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Lists made of a set (`tolist(toset(…))`): their elements are known, which one is at an index is not. */
const UNORDERED = new WeakSet<PValue>();

/** `out`, a list made of the elements of `from`: of no known order when one of them has none. */
function ordered(out: PValue, ...from: PValue[]): PValue {
  if (from.some(unordered)) UNORDERED.add(out);
  return out;
}

/**
 * Whether which element is at an index of this array is not known: a set of other elements than strings, or a list made
 * of one. A set of strings is in lexical order ("For sets of strings, Terraform sorts the elements by their value, using
 * lexical sorting": Terraform docs, for Expressions, Element Ordering): `setOf` keeps it so.
 */
function unordered(v: PValue): boolean {
  return UNORDERED.has(v) || (SETS.has(v) && !(v.kind === 'array' && v.items.every((i) => i.kind === 'scalar' && typeof i.value === 'string')));
}

/**
 * A Terraform set of these elements: each once (`toset(["c", "b", "b"])` is two elements: Terraform docs, "toset
 * Function"; mixed primitive types become strings, so "22" and 22 are one element too), strings in lexical order.
 */
function setOf(list: readonly PValue[], span: Span): PValue {
  const mixed = new Set(list.map((i) => (i.kind === 'scalar' && i.value !== null ? typeof i.value : i.kind))).size > 1;
  const seen = new Set<string>();
  const items: PValue[] = [];
  for (const i of list) {
    const k = i.kind === 'scalar' && i.value !== null ? (mixed ? `s:${String(i.value)}` : `${typeof i.value}:${String(i.value)}`) : undefined;
    if (k !== undefined) {
      if (seen.has(k)) continue;
      seen.add(k);
    }
    items.push(mixed && i.kind === 'scalar' && i.value !== null && typeof i.value !== 'string' ? { ...i, value: String(i.value) } : i);
  }
  if (items.every((i) => i.kind === 'scalar' && typeof i.value === 'string')) items.sort((x, y) => byCodePoint((x as { value: string }).value, (y as { value: string }).value));
  const set: PValue = { kind: 'array', items, span };
  SETS.add(set);
  return set;
}

/**
 * Key/value pairs of a known collection (`for_each`, `for`): a map gives its entries; a set gives
 * (element, element); a list or tuple gives (index, element) where `indexKeys` (a `for` expression's
 * `for i, v in list`, a `dynamic` block's `<iterator>.key`: "the list element index"), else (element,
 * element) (a resource's `for_each`, which takes only maps and sets of strings). Undefined when unknown.
 */
function collectionPairs(v: PValue, indexKeys: boolean): [PValue, PValue][] | undefined {
  if (v.kind === 'array') {
    if (v.items.some((i) => i.kind === 'expr')) return undefined;
    if (indexKeys && !SETS.has(v)) return v.items.map((i, n) => [{ kind: 'scalar', value: n, span: i.span }, i]);
    return v.items.map((i) => [i, i]);
  }
  if (v.kind === 'object') return v.entries.map((e) => [{ kind: 'scalar', value: e.key, span: e.keySpan }, e.value]);
  if (v.kind === 'scalar' && v.value === null) return [];
  return undefined;
}

/** Parses and evaluates one Terraform file. Never throws on user input. */
export function evaluateTerraform(text: string, options?: ParseOptions, siblingLocals?: Readonly<Record<string, unknown>>): TerraformEvaluation {
  const parsed = parseHcl(text);
  const diagnostics = [...parsed.diagnostics];
  let resources: TfResource[] = [];
  try {
    const ev = new Evaluator(parsed.body, text, new LineIndex(text), options?.variables, undefined, siblingLocals);
    const calls = new ModuleCalls(ev, options?.readInclude, options?.filePath, 0);
    resources = ev.resources();
    diagnostics.push(...ev.diagnostics);
    const inner = moduleCalls(ev, options?.readInclude, options?.filePath, 0, calls);
    resources.push(...inner.resources);
    diagnostics.push(...inner.diagnostics);
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'terraform/internal', message: `Terraform evaluation failed: ${e instanceof Error ? e.message : String(e)}`, span: parsed.body.span });
  }
  return { resources, diagnostics, comments: parsed.comments };
}

const MODULE_META = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

/**
 * The `module` blocks of an evaluated file. A module with a local source ("./…", "../…"; Terraform reads it
 * from that directory) and no count/for_each is evaluated with the arguments the block gives it (the other
 * input variables keep their defaults, as in Terraform): its resources become `module.<name>.…`, every place
 * in them the module block's own (the module's files are not this document) except the values the block
 * passes. Other modules, or a local one that cannot be read, are reported as not evaluated.
 */
function moduleCalls(ev: Evaluator, read: IncludeReader | undefined, filePath: string | undefined, depth: number, calls = new ModuleCalls(ev, read, filePath, depth)): { resources: TfResource[]; diagnostics: Diagnostic[] } {
  const resources: TfResource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const label of calls.labels()) {
    const r = calls.call(label);
    if (!r) continue;
    resources.push(...r.resources);
    diagnostics.push(...r.diagnostics);
  }
  return { resources, diagnostics };
}

interface ModuleResult {
  resources: TfResource[];
  diagnostics: Diagnostic[];
  /** The module's `output` values (an object by name), placed as its resources are; undefined when not evaluated. */
  outputs?: PValue;
}

/**
 * The `module` blocks of one evaluated module, each evaluated once, when first asked: by the loop that gathers
 * their resources, or earlier by an expression of the calling module that reads an output (`module.sg.id`,
 * which then names the module's resource, `module.sg.aws_security_group.this.id`). A module whose evaluation
 * needs its own outputs (a cycle, which Terraform rejects) reads them as unknown.
 */
class ModuleCalls {
  private readonly cache = new Map<string, ModuleResult | null>();
  private readonly blocks = new Map<string, PEntry>();

  constructor(
    private readonly ev: Evaluator,
    private readonly read: IncludeReader | undefined,
    private readonly filePath: string | undefined,
    private readonly depth: number,
  ) {
    for (const e of ev.body.entries) {
      const b = e.value;
      if (b.kind === 'object' && b.block?.type === 'module' && b.block.labels.length === 1 && !this.blocks.has(b.block.labels[0]!)) this.blocks.set(b.block.labels[0]!, e);
    }
    ev.moduleOutputs = (label) => (this.blocks.has(label) ? this.call(label)?.outputs : undefined);
  }

  labels(): string[] {
    return [...this.blocks.keys()];
  }

  private manifest?: string | null;

  /** The reader pattern of a remote module's installed copy (INSTALLED_MODULES_MANIFEST), if it is installed. */
  private installedFiles(label: string, src: string): string | undefined {
    if (this.manifest === undefined) {
      const r = this.read!(INSTALLED_MODULES_MANIFEST, this.filePath);
      this.manifest = 'text' in r ? r.text : null;
    }
    return this.manifest === null ? undefined : installedModuleFiles(this.manifest, label, src);
  }

  call(label: string): ModuleResult | undefined {
    const done = this.cache.get(label);
    if (done !== undefined) return done ?? undefined;
    this.cache.set(label, null); // busy: a cycle reads unknown outputs
    const r = this.evaluate(label);
    this.cache.set(label, r);
    return r;
  }

  private evaluate(label: string): ModuleResult {
    const { ev, read, filePath, depth } = this;
    const e = this.blocks.get(label)!;
    const b = e.value as PObject;
    const resources: TfResource[] = [];
    const diagnostics: Diagnostic[] = [];
    const src = str(get(b, 'source'));
    const notEvaluated = (why: string): ModuleResult => {
      diagnostics.push({ severity: 'warning', code: 'terraform/module-not-evaluated', message: `module "${label}"${src ? ` (${src})` : ''} is not evaluated${why}: firewall resources it creates are not checked here`, span: e.keySpan });
      return { resources, diagnostics };
    };
    // a registry or remote module: its copy `terraform init` installed, when the root module's manifest lists it
    const installed = src && !isLocalModuleSource(src) && read && filePath !== undefined && depth === 0 ? this.installedFiles(label, src) : undefined;
    if (!src || (!isLocalModuleSource(src) && !installed) || !read || filePath === undefined) return notEvaluated(src && !isLocalModuleSource(src) && read && filePath !== undefined && depth === 0 ? ' (no copy installed by terraform init)' : '');
    if (depth >= MAX_MODULE_DEPTH) return notEvaluated(' (modules nested too deeply)');
    // count / for_each: one instance per index or key, named module.<label>[0] / module.<label>["key"] (Terraform docs,
    // "The count Meta-Argument", "The for_each Meta-Argument": modules take them as resources do)
    const instances: { key?: string | number; scope: Scope }[] = [];
    const countRaw = get(b, 'count');
    const forEachRaw = get(b, 'for_each');
    if (countRaw) {
      const c = ev.value(countRaw, {});
      const n = c.kind === 'scalar' ? (typeof c.value === 'number' ? c.value : typeof c.value === 'string' && /^[0-9]+$/.test(c.value) ? Number(c.value) : typeof c.value === 'boolean' ? Number(c.value) : undefined) : undefined;
      if (n === undefined || !Number.isInteger(n) || n < 0 || n > MAX_EXPANSION) return notEvaluated(' (its count is not known statically)');
      for (let i = 0; i < n; i++) instances.push({ key: i, scope: { count: { kind: 'scalar', value: i, span: c.span } } });
    } else if (forEachRaw) {
      const pairs = collectionPairs(ev.value(forEachRaw, {}), false);
      if (!pairs || pairs.length > MAX_EXPANSION || pairs.some(([k]) => k.kind !== 'scalar')) return notEvaluated(' (its for_each is not known statically)');
      for (const [k, v] of pairs) instances.push({ key: String((k as { value: unknown }).value), scope: { each: { key: k, value: v } } });
    } else instances.push({ scope: {} });
    const found = read(installed ?? moduleFilesPattern(src), filePath);
    if (!('files' in found) || found.files.length === 0) return notEvaluated(` (no .tf file read from ${src})`);
    if (found.files.some((f) => f.path === filePath)) return notEvaluated(' (its source is the directory of the calling file)');
    // A module is every .tf file of its directory: one text (top-level blocks may be concatenated).
    const moduleText = found.files.map((f) => f.text).join('\n');
    const parsedModule = parseHcl(moduleText);
    for (const d of parsedModule.diagnostics) diagnostics.push({ severity: 'warning', code: d.code, message: `module "${label}" (${src}): ${d.message}`, span: e.keySpan });
    const outputsOf: PObject[] = [];
    for (const { key, scope } of instances) {
      const name = key === undefined ? label : `${label}[${JSON.stringify(key)}]`;
      const r = this.instance(name, b, scope, e.keySpan, parsedModule.body, moduleText, found.files[0]!.path, src);
      resources.push(...r.resources);
      diagnostics.push(...r.diagnostics);
      outputsOf.push(r.outputs);
    }
    // what `module.<label>` reads: the outputs object, a list of them (count), or a map of them by key (for_each)
    const here = e.keySpan;
    const outputs: PValue = countRaw
      ? { kind: 'array', items: outputsOf, span: here }
      : forEachRaw
        ? { kind: 'object', entries: instances.map((x, i) => ({ key: String(x.key), keySpan: here, value: outputsOf[i]! })), span: here }
        : outputsOf[0]!;
    return { resources, diagnostics, outputs };
  }

  /** One instance of a module call: its arguments evaluated in `scope`, its resources named `module.<name>.…`. */
  private instance(name: string, b: PObject, scope: Scope, here: Span, body: PObject, moduleText: string, modulePath: string, src: string): { resources: TfResource[]; diagnostics: Diagnostic[]; outputs: PObject } {
    const { ev, read, depth } = this;
    const resources: TfResource[] = [];
    const diagnostics: Diagnostic[] = [];
    // The arguments, evaluated here; their values keep their places in this file.
    const args = new Map<string, PValue>();
    const own = new Set<Span>();
    const collect = (v: PValue): void => {
      own.add(v.span);
      if (v.kind === 'array') v.items.forEach(collect);
      else if (v.kind === 'object') v.entries.forEach((x) => (own.add(x.keySpan), collect(x.value)));
    };
    for (const a of b.entries) {
      if (MODULE_META.has(a.key) || (a.value.kind === 'object' && a.value.block)) continue;
      const v = ev.value(a.value, scope);
      collect(v);
      args.set(a.key, v);
    }
    const inner = new Evaluator(body, moduleText, new LineIndex(moduleText), undefined, args);
    const prefix = `module.${name}.`;
    const place = (v: PValue): PValue => {
      const span = own.has(v.span) ? v.span : here;
      switch (v.kind) {
        case 'scalar':
          return span === v.span ? v : { ...v, span };
        case 'expr':
          // a reference to one of the module's own resources names it from here
          return { kind: 'expr', text: own.has(v.span) || !/^(aws|google|azurerm)_[a-z0-9_]+\./.test(v.text) ? v.text : prefix + v.text, span };
        case 'array':
          return { kind: 'array', items: v.items.map(place), span };
        case 'object': {
          const o: PObject = { kind: 'object', entries: v.entries.map((x) => ({ key: x.key, keySpan: own.has(x.keySpan) ? x.keySpan : here, value: place(x.value) })), span };
          if (v.block) o.block = v.block;
          return o;
        }
      }
    };
    const nestedCalls = new ModuleCalls(inner, read, modulePath, depth + 1);
    for (const r of inner.resources()) {
      resources.push({ type: r.type, name: r.name, address: prefix + r.address, body: place(r.body) as PObject, span: here, module: (r.module ? prefix + r.module : `module.${name}`) });
    }
    const nested = moduleCalls(inner, read, modulePath, depth + 1, nestedCalls);
    for (const r of nested.resources) resources.push({ ...r, address: prefix + r.address, module: prefix + (r.module ?? ''), body: place(r.body) as PObject, span: here });
    // outputs: what `module.<label>.<name>` reads in the calling module
    const outputs: PObject = { kind: 'object', entries: [], span: here };
    for (const o of body.entries) {
      const ob = o.value;
      if (ob.kind !== 'object' || ob.block?.type !== 'output' || ob.block.labels.length !== 1) continue;
      const value = get(ob, 'value');
      if (value) outputs.entries.push({ key: ob.block.labels[0]!, keySpan: here, value: place(inner.value(value, {})) });
    }
    for (const d of [...inner.diagnostics, ...nested.diagnostics])
      diagnostics.push({ severity: 'warning', code: d.code, message: `module "${name}" (${src}): ${d.message}`, span: here });
    return { resources, diagnostics, outputs };
  }
}

/**
 * Resources of `terraform show -json` output (a plan's `planned_values`, or a
 * state's `values`), root module and child modules. Attributes unknown until
 * apply are absent from the values; when the plan's `configuration` names the
 * references of such an attribute (e.g. `security_group_id` =
 * `aws_security_group.web.id`), it is filled in as a `PExpr` with that text.
 */
export function resourcesFromPlanJson(tree: PValue): TfResource[] {
  const out: TfResource[] = [];
  const planned = get(tree, 'planned_values');
  const root = planned ?? get(tree, 'values');
  // `terraform show -json` of a state: the provider's stored values (see TfResource.stored)
  const stored = planned === undefined && root !== undefined;
  const refs = configurationReferences(tree);
  const afterUnknown = new Map<string, PValue>();
  for (const c of items(get(tree, 'resource_changes'))) {
    const a = str(get(c, 'address'));
    const u = get(get(c, 'change'), 'after_unknown');
    if (a && u?.kind === 'object') afterUnknown.set(a, u);
  }
  const walk = (mod: PValue | undefined, depth: number): void => {
    if (!mod || mod.kind !== 'object' || depth > 32) return;
    const modAddr = str(get(mod, 'address'));
    for (const r of items(get(mod, 'resources'))) {
      if (r.kind !== 'object') continue;
      const mode = str(get(r, 'mode'));
      if (mode && mode !== 'managed') continue;
      const type = str(get(r, 'type'));
      const name = str(get(r, 'name'));
      if (!type || !name) continue;
      const current = str(get(r, 'address')) ?? `${modAddr ? modAddr + '.' : ''}${type}.${name}`;
      // a state's deposed object (`deposed_key`) has the address of the current one: it is another cloud object
      const deposed = str(get(r, 'deposed_key'));
      const address = deposed ? deposedAddress(current, deposed) : current;
      const values = get(r, 'values');
      const body: PObject = values?.kind === 'object' ? { kind: 'object', entries: [...values.entries], span: values.span } : { kind: 'object', entries: [], span: r.span };
      // the configuration names modules without their instance keys (`module.net`, not `module.net[0]`)
      const cfg = refs.get(`${modAddr ? modAddr.replace(/\[[^\]]*\]/g, '') + '.' : ''}${type}.${name}`);
      if (cfg) {
        for (const [attr, ref] of cfg.refs) {
          const cur = get(body, attr);
          const text = modAddr && (ref.startsWith('module.') || !NOT_RESOURCE_REF.test(ref)) && ref.includes('.') ? `${modAddr}.${ref}` : ref;
          if (cur === undefined || (cur.kind === 'scalar' && cur.value === null)) body.entries.push({ key: attr, keySpan: r.span, value: { kind: 'expr', text, span: r.span } });
        }
      }
      let unknown = afterUnknown.get(address);
      if (unknown?.kind === 'object' && type === 'aws_security_group_rule' && sourceGroupUnset(body, cfg)) unknown = withEntries(unknown, unknown.entries.filter((x) => x.key !== 'source_security_group_id'));
      if (unknown) markUnknown(body, unknown, r.span, '');
      const res: TfResource = { type, name, address, body, span: r.span };
      if (modAddr) res.module = modAddr;
      // (a plan of a configuration that does not write the rule lists of a group, an ACL or an NSG: the planned lists
      // are the computed ones, as a state stores them)
      const lists = COMPUTED_RULE_LISTS[type];
      if (stored || (cfg && lists && !lists.some((k) => cfg.set.has(k)))) res.stored = true;
      out.push(res);
    }
    for (const c of items(get(mod, 'child_modules'))) walk(c, depth + 1);
  };
  walk(get(root, 'root_module'), 0);
  return out;
}

/**
 * The rule lists the providers compute when the configuration leaves them out: they then list every rule the object
 * has, those of standalone rule resources too (see TfResource.stored).
 */
const COMPUTED_RULE_LISTS: Readonly<Record<string, readonly string[]>> = {
  aws_security_group: ['ingress', 'egress'],
  aws_default_security_group: ['ingress', 'egress'],
  aws_network_acl: ['ingress', 'egress'],
  aws_default_network_acl: ['ingress', 'egress'],
  azurerm_network_security_group: ['security_rule'],
};

/**
 * The address of a deposed object of the resource instance at `address` (the object a create_before_destroy
 * replacement kept until it is destroyed: a cloud object of its own), as `terraform show` names it. Without the
 * suffix it took the current object's address, and the mappers, which key groups by address, read the two as one.
 */
export function deposedAddress(address: string, key: string): string {
  return `${address} (deposed object ${key})`;
}

/**
 * Whether a planned `aws_security_group_rule` has no source security group although the plan says its
 * `source_security_group_id` is known after apply: the attribute is optional and computed, so a plan marks it
 * unknown whenever the configuration leaves it out. It is unset when the configuration does not set it, or when
 * the rule has CIDRs or `self` (the provider rejects it beside `cidr_blocks`, `ipv6_cidr_blocks` or `self`:
 * AWS provider docs, "aws_security_group_rule", source_security_group_id).
 */
function sourceGroupUnset(body: PObject, cfg: ConfiguredResource | undefined): boolean {
  if (cfg && !cfg.set.has('source_security_group_id')) return true;
  const filled = (k: string): boolean => {
    const v = get(body, k);
    return !!v && (v.kind === 'expr' || (v.kind === 'array' && v.items.length > 0));
  };
  const self = get(body, 'self');
  return filled('cidr_blocks') || filled('ipv6_cidr_blocks') || (self?.kind === 'scalar' && self.value === true) || !!cfg?.set.has('cidr_blocks') || !!cfg?.set.has('ipv6_cidr_blocks');
}

/**
 * A plan's `after_unknown` (values known only after apply) laid over its planned values: such an attribute
 * is absent from `planned_values` (an unknown `cidr_ipv4`, a whole `ingress` set built from unknown values),
 * and read as absent it opened nothing — unsound. Each becomes a `PExpr` "<path> (known after apply)",
 * nested lists and blocks element by element; attributes already filled (configuration references) stay.
 */
function markUnknown(obj: PObject, unknown: PValue, span: Span, path: string): void {
  if (unknown.kind !== 'object') return;
  for (const e of unknown.entries) {
    const at = obj.entries.findIndex((x) => x.key === e.key);
    const cur = at >= 0 ? obj.entries[at]!.value : undefined;
    const next = unknownValue(cur, e.value, span, `${path}${e.key}`);
    if (next === cur) continue;
    if (at >= 0) obj.entries[at] = withValue(obj.entries[at]!, next!);
    else obj.entries.push({ key: e.key, keySpan: span, value: next! });
  }
}

function unknownValue(cur: PValue | undefined, u: PValue, span: Span, path: string): PValue | undefined {
  if (u.kind === 'scalar' && u.value === true) return cur === undefined || (cur.kind === 'scalar' && cur.value === null) ? { kind: 'expr', text: `${path} (known after apply)`, span: cur?.span ?? span } : cur;
  if (u.kind === 'array' && u.items.length > 0) {
    const list = cur?.kind === 'array' ? [...cur.items] : [];
    let changed = cur?.kind !== 'array';
    u.items.forEach((ui, i) => {
      const v = unknownValue(list[i], ui, cur?.span ?? span, `${path}[${i}]`);
      if (v !== list[i] && v !== undefined) {
        list[i] = v;
        changed = true;
      }
    });
    if (!changed || list.length === 0) return cur;
    return { kind: 'array', items: list.map((x) => x ?? { kind: 'scalar', value: null, span }), span: cur?.span ?? span };
  }
  if (u.kind === 'object' && u.entries.length > 0) {
    const o: PObject = cur?.kind === 'object' ? withEntries(cur, [...cur.entries]) : { kind: 'object', entries: [], span: cur?.span ?? span };
    markUnknown(o, u, o.span, `${path}.`);
    return o.entries.length === (cur?.kind === 'object' ? cur.entries.length : 0) && o.entries.every((x, i) => cur?.kind === 'object' && x === cur.entries[i]) ? cur : o;
  }
  return cur;
}

/**
 * Resources of a Terraform JSON configuration file (`*.tf.json`: `{"resource": {"<type>": {"<name>": {…}}}}`).
 * Literal values are read as written; a string with an interpolation or directive is an HCL template evaluated with
 * the file's variables (defaults, overrides) and locals (`"${var.ports[0]}"`, `"${local.cidrs}"`), and stays an
 * expression with its text when its value is not known. Nested blocks are objects or arrays of objects, as in a plan. `count`/`for_each` are
 * not expanded: a literal one keeps one instance, an interpolated one is an expression (a marker the mappers
 * honour).
 */
/** The module calls of a Terraform JSON configuration: not read (their resources are not checked), said so. */
export function tfJsonModuleDiagnostics(tree: PValue): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const mods of items(get(tree, 'module')))
    if (mods.kind === 'object')
      for (const e of mods.entries) {
        const src = get(items(e.value)[0], 'source');
        const s = src?.kind === 'scalar' && typeof src.value === 'string' ? src.value : undefined;
        out.push({ severity: 'warning', code: 'terraform/module-not-evaluated', message: `module "${e.key}"${s ? ` (${s})` : ''} is not evaluated (a module called from a JSON configuration): firewall resources it creates are not checked here`, span: e.keySpan });
      }
  return out;
}

export function resourcesFromTfJson(tree: PValue, overrides?: Record<string, unknown>): TfResource[] {
  const out: TfResource[] = [];
  const defaults = new Map<string, PValue>();
  for (const vars of items(get(tree, 'variable')))
    if (vars.kind === 'object') for (const e of vars.entries) {
      const d = get(e.value, 'default');
      if (d) defaults.set(e.key, d);
    }
  const plain = (v: unknown, span: Span): PValue =>
    v === null || v === undefined ? { kind: 'scalar', value: null, span } : typeof v === 'object' ? { kind: 'expr', text: JSON.stringify(v), span } : { kind: 'scalar', value: v as string | number | boolean, span };
  const isTemplate = (v: PValue): v is PValue & { kind: 'scalar'; value: string } => v.kind === 'scalar' && typeof v.value === 'string' && (v.value.includes('${') || v.value.includes('%{'));
  // A string of a JSON configuration is an HCL template ("${var.ports[0]}", "${local.cidr}"): every one of the
  // resources' templates is evaluated once, by the one evaluator, as a local of a native-syntax text that declares the
  // file's variables (defaults) and locals, written one to one (a JSON string is the same template). Only values
  // known that way are taken; others keep the expression text below.
  const templates = new Map<string, string>();
  const collect = (v: PValue, depth: number): void => {
    if (depth > 64) return;
    if (v.kind === 'array') v.items.forEach((i) => collect(i, depth + 1));
    else if (v.kind === 'object') v.entries.forEach((e) => collect(e.value, depth + 1));
    else if (isTemplate(v) && !templates.has(v.value)) templates.set(v.value, `fwlint_template_${templates.size}`);
  };
  for (const res of items(get(tree, 'resource'))) collect(res, 0);
  let known: Evaluator | undefined;
  if (templates.size > 0) {
    // (a variable's default is a literal: its strings are no templates, "${" and "%{" escaped)
    const hcl = (v: PValue, depth: number, lit = false): string =>
      depth > 64 || v.kind === 'expr'
        ? 'null'
        : v.kind === 'scalar'
          ? typeof v.value === 'string' ? JSON.stringify(lit ? v.value.replace(/([$%])\{/g, '$1$1{') : v.value) : String(v.value)
          : v.kind === 'array'
            ? `[${v.items.map((i) => hcl(i, depth + 1, lit)).join(', ')}]`
            : `{ ${v.entries.map((e) => `${JSON.stringify(e.key)} = ${hcl(e.value, depth + 1, lit)}`).join(', ')} }`;
    const ident = /^[A-Za-z][A-Za-z0-9_-]*$/;
    const lines: string[] = [];
    for (const [n, d] of defaults) if (ident.test(n)) lines.push(`variable "${n}" {`, `  default = ${hcl(d, 0, true)}`, '}');
    lines.push('locals {');
    for (const ls of items(get(tree, 'locals'))) if (ls.kind === 'object') for (const e of ls.entries) if (ident.test(e.key) && !e.key.startsWith('fwlint_template_')) lines.push(`  ${e.key} = ${hcl(e.value, 0)}`);
    for (const [t, name] of templates) lines.push(`  ${name} = ${JSON.stringify(t)}`);
    lines.push('}', '');
    const text = lines.join('\n');
    const parsed = parseHcl(text);
    if (!parsed.diagnostics.some((d) => d.severity === 'error')) known = new Evaluator(parsed.body, text, new LineIndex(text), overrides);
  }
  const value = (v: PValue, depth: number): PValue => {
    if (depth > 64) return { kind: 'expr', text: '(nested too deeply)', span: v.span };
    if (v.kind === 'array') return withItems(v, v.items.map((i) => value(i, depth + 1)));
    if (v.kind === 'object') return withEntries(v, v.entries.map((e) => withValue(e, value(e.value, depth + 1))));
    if (!isTemplate(v)) return v;
    const name = templates.get(v.value);
    const evaluated = known && name ? known.local(name, { type: 'variable', name, start: 0, end: 0 }) : undefined;
    if (evaluated && literal(evaluated) && !(evaluated.kind === 'scalar' && evaluated.value === null)) return respan(evaluated, v.span);
    const only = /^\$\{\s*var\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$/.exec(v.value);
    if (only) {
      const n = only[1]!;
      if (overrides && Object.prototype.hasOwnProperty.call(overrides, n)) return plain(overrides[n], v.span);
      const d = defaults.get(n);
      if (d && d.kind !== 'expr' && !(d.kind === 'scalar' && typeof d.value === 'string' && d.value.includes('${'))) return { ...value(d, depth + 1), span: v.span };
    }
    return { kind: 'expr', text: v.value.startsWith('${') && v.value.endsWith('}') && v.value.indexOf('${', 2) < 0 ? v.value.slice(2, -1).trim() : v.value, span: v.span };
  };
  /**
   * A resource's `"dynamic": {"<block>": {"for_each": …, "iterator": …, "content": {…}}}` (JSON syntax of dynamic
   * blocks): one `<block>` per element of a for_each known, its `${<iterator>.key}`, `${<iterator>.value}` and
   * `${<iterator>.value.<attr>}` strings that element's; a template that reads the iterator otherwise is unknown; an
   * unknown for_each gives one block of unknown iterator values, marked as existing zero or more times (as in HCL).
   */
  const dynamicBlocks = (body: PObject): PObject => {
    const rest = withEntries(body, body.entries.filter((e) => e.key !== 'dynamic'));
    const out = value(rest, 0) as PObject;
    const added: PEntry[] = [];
    for (const dyn of items(get(body, 'dynamic'))) {
      if (dyn.kind !== 'object') continue;
      for (const d of dyn.entries) {
        for (const spec of items(d.value)) {
          const content = get(spec, 'content');
          if (content?.kind !== 'object') continue;
          const it = get(spec, 'iterator');
          const iter = it?.kind === 'scalar' && typeof it.value === 'string' ? it.value : d.key;
          const forEachRaw = get(spec, 'for_each');
          const forEach = forEachRaw ? value(forEachRaw, 0) : undefined;
          const pairs = forEach && forEach.kind !== 'expr' ? collectionPairs(forEach, true) : undefined;
          const ref = new RegExp(`^\\$\\{\\s*${iter.replace(/[^A-Za-z0-9_-]/g, '')}\\.(key|value)((?:\\.[A-Za-z_][A-Za-z0-9_-]*|\\["[^"]*"\\])*)\\s*\\}$`);
          const mentions = new RegExp(`\\b${iter.replace(/[^A-Za-z0-9_-]/g, '')}\\.(key|value)\\b`);
          const instance = (k: PValue | undefined, v: PValue | undefined, marker?: PValue): PEntry => {
            const sub = (x: PValue, depth: number): PValue => {
              if (depth > 64) return { kind: 'expr', text: '(nested too deeply)', span: x.span };
              if (x.kind === 'array') return withItems(x, x.items.map((i) => sub(i, depth + 1)));
              if (x.kind === 'object') return withEntries(x, x.entries.map((e) => withValue(e, sub(e.value, depth + 1))));
              if (!isTemplate(x) || !mentions.test(x.value)) return value(x, depth + 1);
              const m = ref.exec(x.value);
              let got: PValue | undefined = m ? (m[1] === 'key' ? k : v) : undefined;
              for (const seg of m && got ? (m[2]!.match(/\.[A-Za-z_][A-Za-z0-9_-]*|\["[^"]*"\]/g) ?? []) : []) got = got ? get(got, seg.startsWith('.') ? seg.slice(1) : seg.slice(2, -2)) : undefined;
              return got ? respan(got, x.span) : { kind: 'expr', text: x.value.startsWith('${') && x.value.endsWith('}') ? x.value.slice(2, -1).trim() : x.value, span: x.span };
            };
            const b = sub(content, 0) as PObject;
            const o: PObject = { kind: 'object', entries: marker ? [...b.entries, { key: 'for_each', keySpan: marker.span, value: marker }] : b.entries, span: content.span, block: { type: d.key, labels: [] } };
            return { key: d.key, keySpan: d.keySpan, value: o };
          };
          if (pairs && pairs.length <= MAX_EXPANSION) for (const [k, v] of pairs) added.push(instance(k, v));
          else {
            const marker: PExpr = forEach?.kind === 'expr' ? forEach : { kind: 'expr', text: `for_each${pairs ? TOO_MANY : ''}`, span: forEachRaw?.span ?? spec.span };
            added.push(instance(undefined, undefined, marker));
          }
        }
      }
    }
    return added.length > 0 ? withEntries(out, [...out.entries, ...added]) : out;
  };
  for (const res of items(get(tree, 'resource'))) {
    if (res.kind !== 'object') continue;
    for (const t of res.entries) {
      for (const byName of items(t.value)) {
        if (byName.kind !== 'object') continue;
        for (const n of byName.entries) {
          for (const body of items(n.value)) {
            if (body.kind !== 'object') continue;
            out.push({ type: t.key, name: n.key, address: `${t.key}.${n.key}`, body: dynamicBlocks(body), span: body.span });
          }
        }
      }
    }
  }
  return out;
}

/** What a plan's `configuration` says of one resource: the first reference of each attribute, and the attributes it sets. */
interface ConfiguredResource {
  refs: [string, string][];
  set: Set<string>;
}

/** Terraform's own namespaces in a reference; anything else with a dot is a resource (`aws_security_group.web.id`). */
const NOT_RESOURCE_REF = /^(?:var|local|module|data|each|count|path|terraform|self)\./;

/**
 * `configuration.root_module.resources[].expressions.<attr>.references[0]` by resource address, for the root
 * module and every module call (`module_calls.<name>.module`, nested), by configuration address
 * (`module.net.aws_security_group_rule.ssh`: no instance keys). A reference in a module is relative to it: a
 * reference to a resource is completed with the module's address when the planned resource is read.
 */
function configurationReferences(tree: PValue): Map<string, ConfiguredResource> {
  const out = new Map<string, ConfiguredResource>();
  // `module.sg.id` read in a module whose call `sg` outputs `aws_security_group.this.id`: that resource's
  // (`module.sg.aws_security_group.this.id`, relative to the reading module), through nested calls
  const throughOutputs = (mod: PValue, ref: string, depth: number): string => {
    const m = /^module\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(ref);
    const call = m && depth < 8 ? get(get(mod, 'module_calls'), m[1]!) : undefined;
    const inner = get(call, 'module');
    const first = str(items(get(get(get(get(inner, 'outputs'), m?.[2] ?? ''), 'expression'), 'references'))[0]);
    if (!m || !inner || !first || /^(?:var|local|each|count|path|terraform|self|data)\./.test(first) || !first.includes('.')) return ref;
    return `module.${m[1]}.${throughOutputs(inner, first, depth + 1)}`;
  };
  const walk = (mod: PValue | undefined, prefix: string, depth: number): void => {
    if (!mod || depth > 32) return;
    for (const r of items(get(mod, 'resources'))) {
      const address = str(get(r, 'address'));
      const exprs = get(r, 'expressions');
      if (!address || exprs?.kind !== 'object') continue;
      const refs: [string, string][] = [];
      for (const e of exprs.entries) {
        const list = items(get(e.value, 'references'));
        // The most specific reference comes first (`aws_security_group.web.id`, then `aws_security_group.web`).
        const first = str(list[0]);
        if (first) refs.push([e.key, throughOutputs(mod, first, 0)]);
      }
      out.set(prefix + address, { refs, set: new Set(exprs.entries.map((e) => e.key)) });
    }
    const calls = get(mod, 'module_calls');
    if (calls?.kind === 'object') for (const c of calls.entries) walk(get(c.value, 'module'), `${prefix}module.${c.key}.`, depth + 1);
  };
  walk(get(get(tree, 'configuration'), 'root_module'), '', 0);
  return out;
}

/**
 * A `.tfvars` file → plain values for `ParseOptions.variables`. Only literal
 * values are taken (tfvars cannot reference anything); an expression is left out
 * with a warning, so the variable stays unknown where it is used.
 */
/** A value with no expression in it (what a .tfvars file and a variable's default may hold). */
function literal(v: PValue): boolean {
  return v.kind === 'expr' ? false : v.kind === 'array' ? v.items.every(literal) : v.kind === 'object' ? v.entries.every((e) => literal(e.value)) : true;
}

/**
 * The literal defaults of the `variable` blocks of one of a module's files (`variables.tf` beside `main.tf`: Terraform
 * reads every .tf file of the directory as one module). A default that is no literal, or a file that does not parse
 * (linted on its own), gives nothing: the variable stays unknown.
 */
export function variableDefaults(text: string): Readonly<Record<string, unknown>> {
  // every .tf file of a directory reads all the others: each file's text is parsed once, not once per reader
  let out = DEFAULTS_BY_TEXT.get(text);
  if (out === undefined) {
    out = text.includes('variable') ? readDefaults(text) : NO_DEFAULTS;
    if (DEFAULTS_BY_TEXT.size >= 1024) DEFAULTS_BY_TEXT.clear();
    DEFAULTS_BY_TEXT.set(text, out);
  }
  return out;
}

/** variableDefaults by file text (a pure function's results; bounded, emptied when full). */
const DEFAULTS_BY_TEXT = new Map<string, Readonly<Record<string, unknown>>>();
const NO_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The locals of one of a module's files (`locals.tf`) whose values are known, evaluated with `variables` (the
 * module's defaults and tfvars); a local that is not known, or a file that does not parse (linted on its own), gives
 * nothing: it stays unknown where it is read.
 */
export function localValues(text: string, variables: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  if (!text.includes('locals')) return NO_DEFAULTS;
  const key = `${JSON.stringify(variables ?? {})}\u0000${text}`;
  let out = LOCALS_BY_TEXT.get(key);
  if (out === undefined) {
    const values: Record<string, unknown> = {};
    const parsed = parseHcl(text);
    if (!parsed.diagnostics.some((d) => d.severity === 'error')) {
      try {
        const ev = new Evaluator(parsed.body, text, new LineIndex(text), variables as Record<string, unknown> | undefined);
        for (const e of parsed.body.entries) {
          if (e.value.kind !== 'object' || e.value.block?.type !== 'locals') continue;
          for (const l of e.value.entries) {
            const v = ev.local(l.key, { type: 'variable', name: l.key, start: 0, end: 0 });
            if (literal(v)) values[l.key] = toPlain(v);
          }
        }
      } catch {
        // nothing known
      }
    }
    out = values;
    if (LOCALS_BY_TEXT.size >= 256) LOCALS_BY_TEXT.clear();
    LOCALS_BY_TEXT.set(key, out);
  }
  return out;
}

/** localValues by variables and file text (a pure function's results; bounded, emptied when full). */
const LOCALS_BY_TEXT = new Map<string, Readonly<Record<string, unknown>>>();

function readDefaults(text: string): Record<string, unknown> {
  const parsed = parseHcl(text);
  const out: Record<string, unknown> = {};
  for (const e of parsed.body.entries) {
    const b = e.value;
    if (b.kind !== 'object' || b.block?.type !== 'variable' || b.block.labels.length !== 1) continue;
    const def = get(b, 'default');
    if (def && literal(def)) out[b.block.labels[0]!] = toPlain(def);
  }
  return out;
}

export function parseTfvars(text: string): { variables: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const parsed = parseHcl(text);
  const diagnostics = [...parsed.diagnostics];
  const variables: Record<string, unknown> = {};
  for (const e of parsed.body.entries) {
    if (e.value.kind === 'object' && e.value.block) {
      diagnostics.push({ severity: 'warning', code: 'terraform/tfvars-block', message: `blocks are not allowed in a .tfvars file ("${e.key}")`, span: e.keySpan });
      continue;
    }
    if (!literal(e.value)) {
      diagnostics.push({ severity: 'warning', code: 'terraform/tfvars-expression', message: `variable "${e.key}" is not a literal value: it stays unknown`, span: e.value.span });
      continue;
    }
    variables[e.key] = toPlain(e.value);
  }
  return { variables, diagnostics };
}

/** Terraform's `format` for the verbs `%s`, `%d`, `%v` and `%%`; undefined for other verbs and non-scalar or null arguments. */
function formatString(fmt: string, args: readonly PValue[]): string | undefined {
  let out = '';
  let k = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const d = fmt[++i];
    if (d === '%') out += '%';
    else if (d === 's' || d === 'd' || d === 'v') {
      const a = args[k++];
      if (a?.kind !== 'scalar' || a.value === null) return undefined;
      out += String(a.value);
    } else return undefined;
  }
  return out;
}
