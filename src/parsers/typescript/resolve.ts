/**
 * Static value resolution for TypeScript/JavaScript infrastructure code, within
 * one file: scopes and bindings (const, never-reassigned let/var, destructuring,
 * enums, imports), literal folding (template strings, arithmetic, spreads) and,
 * when typescript-eslint parser services carry a type checker, literal types.
 *
 * Library references (`ec2.Peer.anyIpv4`, `aws.ec2.SecurityGroup`) resolve to a
 * normalised qualified name (`cdk.Peer.anyIpv4`, `aws.ec2.SecurityGroup`) however
 * they were imported. What cannot be decided becomes an `unk` value carrying the
 * expression's text and the reason, never a guess.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { keyName, memberName, oneLine, unwrap, type Node } from './ast.js';

export type Val =
  | { k: 'num'; v: number; node: Node }
  | { k: 'str'; v: string; node: Node }
  | { k: 'bool'; v: boolean; node: Node }
  | { k: 'nullish'; node: Node }
  | { k: 'arr'; items: Val[]; rest?: UnkVal; node: Node }
  | { k: 'obj'; props: Map<string, Val>; rest?: UnkVal; node: Node }
  /** A library namespace, class, function or enum member, by normalised qualified name. */
  | { k: 'ref'; fq: string; node: Node }
  /** `new <ref>(...)`: arguments are read by the consumer, in `scope`. */
  | { k: 'new'; fq: string; node: TSESTree.NewExpression; scope: Scope }
  /** `<ref>(...)`: a library call such as `ec2.Peer.ipv4('10.0.0.0/8')`. */
  | { k: 'call'; fq: string; node: TSESTree.CallExpression; scope: Scope }
  /** A property of a constructed library object (`sg.connections`, `sg.id`). */
  | { k: 'prop'; base: Val; name: string; node: Node }
  /** A `for (const x of [a, b])` variable: the body runs once for each item. */
  | { k: 'each'; items: Val[]; id: Binding; node: Node }
  | UnkVal;

export interface UnkVal {
  k: 'unk';
  /** The expression as written, one line. */
  text: string;
  reason: string;
  node: Node;
  /** `c ? a : b` with `c` decided at run time: the value is one of these (each possibly). */
  alts?: Val[];
  /** With `alts` from `c ? a : b`: `c`'s node and the conditions under which `a` (`yes`) and `b` (`no`) are the value. */
  cond?: { node: Node; yes: string; no: string };
  /** A list entry present only when the condition `text` holds (`...(c ? [x] : [])`, see cdk.ts `entries`): `node` is `v`'s. */
  only?: { v: Val; cond: Node };
}

export type BindingKind = 'const' | 'let' | 'var' | 'param' | 'import' | 'function' | 'class' | 'enum' | 'catch' | 'loop' | 'namespace';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** Initialiser (for destructuring: the whole right-hand side; `path` selects the part). */
  init?: Node;
  path?: (string | number)[];
  /** Default value from a destructuring pattern (`const { a = 1 } = o`). */
  dflt?: Node;
  /** Scope in which `init` is evaluated. */
  scope: Scope;
  reassigned?: boolean;
  /** Imports: module specifier and imported path (`['aws_ec2']`, [] for namespace/default). */
  module?: string;
  imported?: string[];
  enumDecl?: TSESTree.TSEnumDeclaration;
  /** A class declaration (its static fields are read as the members of the class value) and what the scan saw of it. */
  classNode?: TSESTree.ClassDeclaration;
  classInfo?: ClassInfo;
  /** A namespace: the scope of its block and the names it exports. */
  members?: { scope: Scope; names: string[] };
  /** for-of loop variables (iterate over `init`). */
  each?: boolean;
  /** Rest element in a pattern: not decided. */
  rest?: boolean;
  /** A name destructured from a loop element (`for (const { port } of list)`): `path` within this element binding. */
  elem?: Binding;
  /** A function parameter: its function and position (a parameter changed in place changes the caller's argument). */
  paramOf?: { fn: Node; index: number };
  /** A function declaration's node. */
  fnNode?: Node;
  /** The index parameter of an iteration callback (`list.map((p, i) => …)`): the position of this element binding's element. */
  indexOf?: Binding;
  /** Places where the value (an array or object) is changed in place: `x.a = …`, `x.splice(…)`, `Object.assign(x, …)`. */
  mutations?: Node[];
  /** `x.push(…)` / `x.unshift(…)`: elements added to an array after its declaration. */
  pushes?: { args: readonly Node[]; scope: Scope }[];
  /**
   * The hidden element binding of a function's parameters (their `elem`): the calls of the function in this file, one
   * element per call (its arguments, read where the call is), and an unknown one when it may be called otherwise.
   */
  sites?: { args: readonly Node[]; scope: Scope; node: Node }[];
  escapes?: boolean;
  decl: Node;
}

export interface ClassInfo {
  /** `this.x = value` assignments and `x = value` property definitions. */
  props: Map<string, { init: Node; scope: Scope }[]>;
  /** Members changed in place (`this.ports.push(…)`, `this.cfg.port = …`): where, first place only. */
  mutated?: Map<string, Node>;
}

export class Scope {
  readonly vars = new Map<string, Binding>();
  constructor(
    readonly parent: Scope | undefined,
    readonly cls: ClassInfo | undefined,
  ) {}
  lookup(name: string): Binding | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const b = s.vars.get(name);
      if (b) return b;
    }
    return undefined;
  }
}

/** The slice of typescript-eslint's ParserServices used here (duck-typed: no runtime dependency on typescript). */
export interface TypeServices {
  program?: { getTypeChecker(): TypeChecker } | null;
  esTreeNodeToTSNodeMap?: { get(node: unknown): unknown };
}
interface TypeChecker {
  getTypeAtLocation(node: unknown): TsType;
}
interface TsType {
  isNumberLiteral?(): boolean;
  isStringLiteral?(): boolean;
  value?: unknown;
}

/** Normalised prefixes for the modules we understand. */
const MODULES: Record<string, string> = {
  'aws-cdk-lib': 'cdklib',
  'aws-cdk-lib/aws-ec2': 'cdk',
  '@aws-cdk/aws-ec2': 'cdk',
  '@pulumi/aws': 'aws',
  '@pulumi/aws/ec2': 'aws.ec2',
  '@pulumi/aws/vpc': 'aws.vpc',
  '@pulumi/gcp': 'gcp',
  '@pulumi/gcp/compute': 'gcp.compute',
  '@pulumi/azure-native': 'azn',
  '@pulumi/azure-native/network': 'azn.network',
  '@pulumi/azure': 'azc',
  '@pulumi/azure/network': 'azc.network',
};

export function moduleRef(spec: string): string | undefined {
  const m = MODULES[spec];
  if (m) return m;
  // versioned azure-native submodules: @pulumi/azure-native/network/v20230501
  if (spec.startsWith('@pulumi/azure-native/network/')) return 'azn.network';
  // other CDK modules: constructs whose `.connections` open ports (rds, elbv2, ecs…)
  if (spec.startsWith('aws-cdk-lib/')) return `cdkmod.${spec.slice('aws-cdk-lib/'.length)}`;
  if (spec.startsWith('@aws-cdk/')) return `cdkmod.${spec.slice('@aws-cdk/'.length)}`;
  if (spec.startsWith('@pulumi/')) return `pulumimod.${spec.slice('@pulumi/'.length)}`;
  return undefined;
}

/** `cdklib.aws_ec2` → `cdk`; azure-native API-version namespaces are dropped. */
function memberRef(fq: string, name: string): string {
  if (fq === 'cdklib' && name === 'aws_ec2') return 'cdk';
  // the other aws-cdk-lib submodules by their namespace (`import { aws_rds as rds } from 'aws-cdk-lib'`,
  // `cdk.aws_elasticloadbalancingv2`): the same as `aws-cdk-lib/aws-rds`
  if (fq === 'cdklib' && /^aws_[a-z0-9_]+$/.test(name)) return `cdkmod.${name.replace(/_/g, '-')}`;
  if (fq === 'azn.network' && /^v[0-9]{8}/.test(name)) return fq;
  return `${fq}.${name}`;
}

const MAX_DEPTH = 200;

/** `@pulumi/pulumi` functions whose Output holds their argument's value. */
const PULUMI_WRAP = new Set(['pulumimod.pulumi.output', 'pulumimod.pulumi.Output.create']);

/**
 * A value read in another file, as a value of this one placed at `at` (the import): numbers, strings, booleans,
 * lists and objects of them and library references; anything whose reading needs the other file's tree (a
 * library call with its arguments, a construct) is unknown.
 */
function transplant(v: Val, at: Node, depth = 0): Val {
  const unk = (reason: string): UnkVal => ({ k: 'unk', text: v.k === 'unk' ? v.text : '', reason, node: at });
  if (depth > 32) return unk('nested too deeply');
  switch (v.k) {
    case 'num':
    case 'str':
    case 'bool':
      return { ...v, node: at };
    case 'nullish':
      return { k: 'nullish', node: at };
    case 'ref':
      return { k: 'ref', fq: v.fq, node: at };
    case 'arr': {
      const items = v.items.map((x) => transplant(x, at, depth + 1));
      return v.rest ? { k: 'arr', items, rest: transplant(v.rest, at, depth + 1) as UnkVal, node: at } : { k: 'arr', items, node: at };
    }
    case 'obj': {
      const props = new Map<string, Val>();
      for (const [k, x] of v.props) props.set(k, transplant(x, at, depth + 1));
      return v.rest ? { k: 'obj', props, rest: transplant(v.rest, at, depth + 1) as UnkVal, node: at } : { k: 'obj', props, node: at };
    }
    case 'unk':
      return { k: 'unk', text: v.text, reason: v.reason, node: at };
    default:
      return unk('a value built in the other file (only plain values and library references are read across files)');
  }
}

export class Resolver {
  private memo = new Map<Binding, Val>();
  /** Loop variables fixed to one element while the iterations of one rule are evaluated (`iterate`). */
  private fixed: Map<Binding, Val> | undefined;
  private fixedIndex: Map<Binding, number> | undefined;
  /** Local function calls being evaluated (`callLocal`), to stop recursion. */
  private calls = 0;
  private readonly busy = new Set<Binding>();
  private readonly checker: TypeChecker | undefined;
  private depth = 0;
  /** Function scopes from the scan, to evaluate `arr.map((x) => …)` bodies. */
  fnScopes: Map<Node, Scope> = new Map();
  /**
   * The value a module of the project exports under a name (the extractor reads the file through the reader it is
   * given); undefined: not read. Only plain values cross files (`transplant`).
   */
  importedValue: ((module: string, name: string) => Val | undefined) | undefined;

  constructor(
    readonly sourceText: string,
    readonly services?: TypeServices,
  ) {
    let checker: TypeChecker | undefined;
    try {
      if (services?.program && services.esTreeNodeToTSNodeMap) checker = services.program.getTypeChecker();
    } catch {
      checker = undefined;
    }
    this.checker = checker;
  }

  unk(node: Node, reason: string): UnkVal {
    return { k: 'unk', text: oneLine(this.sourceText, node), reason, node };
  }

  /** The value of an expression evaluated in `scope`. Never throws. */
  eval(node: Node, scope: Scope): Val {
    if (this.depth > MAX_DEPTH) return this.unk(node, 'expression nested too deeply');
    this.depth++;
    try {
      const v = this.evalInner(node, scope);
      if (v.k === 'unk' && this.checker) return this.fromType(node) ?? v;
      return v;
    } catch {
      return this.unk(node, 'could not be evaluated');
    } finally {
      this.depth--;
    }
  }

  /** Literal types from the type checker: `x: 1764`, `as const` objects imported from other files, etc. */
  private fromType(node: Node): Val | undefined {
    const n = unwrap(node);
    if (n.type !== 'Identifier' && n.type !== 'MemberExpression' && n.type !== 'CallExpression') return undefined;
    try {
      const tsNode = this.services!.esTreeNodeToTSNodeMap!.get(n);
      if (!tsNode) return undefined;
      const t = this.checker!.getTypeAtLocation(tsNode);
      if (t.isNumberLiteral?.() && typeof t.value === 'number') return { k: 'num', v: t.value, node };
      if (t.isStringLiteral?.() && typeof t.value === 'string') return { k: 'str', v: t.value, node };
    } catch {
      return undefined;
    }
    return undefined;
  }

  private evalInner(node: Node, scope: Scope): Val {
    const n = unwrap(node);
    switch (n.type) {
      case 'Literal': {
        const v = n.value;
        if (typeof v === 'string') return { k: 'str', v, node };
        if (typeof v === 'number') return { k: 'num', v, node };
        if (typeof v === 'boolean') return { k: 'bool', v, node };
        if (typeof v === 'bigint') return { k: 'num', v: Number(v), node };
        if (v === null && !('regex' in n)) return { k: 'nullish', node };
        return this.unk(node, 'not a plain value');
      }
      case 'TemplateLiteral': {
        let s = n.quasis[0]!.value.cooked ?? '';
        for (let i = 0; i < n.expressions.length; i++) {
          const e = this.eval(n.expressions[i]!, scope);
          if (e.k === 'str') s += e.v;
          else if (e.k === 'num') s += String(e.v);
          else if (e.k === 'bool') s += String(e.v);
          else return this.unk(node, e.k === 'unk' ? e.reason : 'template part is not a plain value');
          s += n.quasis[i + 1]!.value.cooked ?? '';
        }
        return { k: 'str', v: s, node };
      }
      case 'Identifier':
        return this.evalIdentifier(n, node, scope);
      case 'MemberExpression':
        return this.evalMember(n, node, scope);
      case 'CallExpression':
        return this.evalCall(n, node, scope);
      case 'NewExpression': {
        const c = this.eval(n.callee, scope);
        if (c.k === 'ref') return { k: 'new', fq: c.fq, node: n, scope };
        return this.unk(node, c.k === 'unk' ? c.reason : 'constructed at run time');
      }
      case 'ArrayExpression': {
        const items: Val[] = [];
        let rest: UnkVal | undefined;
        // `[...ports]` with ports a loop element holding an array: one array per iteration
        let perIteration: { at: number; each: Extract<Val, { k: 'each' }> } | undefined;
        for (const el of n.elements) {
          if (!el) items.push({ k: 'nullish', node: n });
          else if (el.type === 'SpreadElement') {
            const s = this.eval(el.argument, scope);
            if (s.k === 'each' && !perIteration && s.items.every((it) => it.k === 'arr' && !it.rest)) perIteration = { at: items.length, each: s };
            else {
              // an earlier unknown spread stays (as one unknown element): `[...a, ...b]` is not `[...b]`
              if (rest && (s.k !== 'arr' || s.rest)) items.push(rest);
              if (s.k === 'arr') {
                items.push(...s.items);
                if (s.rest) rest = s.rest;
              } else rest = s.k === 'unk' ? s : this.unk(el.argument, 'spread of a value that is not an array');
            }
          } else items.push(this.eval(el, scope));
        }
        if (perIteration) {
          const { at, each } = perIteration;
          const arrays = each.items.map((it): Val => {
            const mid = (it as Extract<Val, { k: 'arr' }>).items;
            const all = [...items.slice(0, at), ...mid, ...items.slice(at)];
            return rest ? { k: 'arr', items: all, rest, node } : { k: 'arr', items: all, node };
          });
          return { k: 'each', items: arrays, id: each.id, node };
        }
        return rest ? { k: 'arr', items, rest, node } : { k: 'arr', items, node };
      }
      case 'ObjectExpression':
        return this.evalObject(n, node, scope);
      case 'BinaryExpression':
        return this.evalBinary(n, node, scope);
      case 'UnaryExpression': {
        const a = this.eval(n.argument, scope);
        if (n.operator === 'void') return { k: 'nullish', node };
        if (a.k === 'unk') return this.unk(node, a.reason);
        if (n.operator === '-' && a.k === 'num') return { k: 'num', v: -a.v, node };
        if (n.operator === '+' && (a.k === 'num' || a.k === 'str')) {
          const v = a.k === 'num' ? a.v : Number(a.v);
          return Number.isNaN(v) ? this.unk(node, 'not a number') : { k: 'num', v, node };
        }
        if (n.operator === '!' && truthy(a) !== undefined) return { k: 'bool', v: !truthy(a), node };
        return this.unk(node, 'unsupported operator');
      }
      case 'ConditionalExpression': {
        const t = truthy(this.eval(n.test, scope));
        if (t === undefined) {
          const yes = oneLine(this.sourceText, n.test);
          const t0 = unwrap(n.test);
          // (the else of `!x ? …` is `x`)
          const no = t0.type === 'UnaryExpression' && t0.operator === '!' ? oneLine(this.sourceText, t0.argument) : `!(${yes})`;
          return { ...this.unk(node, 'depends on a condition decided at run time'), alts: [this.eval(n.consequent, scope), this.eval(n.alternate, scope)], cond: { node: n.test, yes, no } };
        }
        return this.eval(t ? n.consequent : n.alternate, scope);
      }
      case 'LogicalExpression': {
        const l = this.eval(n.left, scope);
        if (n.operator === '??') {
          if (l.k === 'nullish') return this.eval(n.right, scope);
          if (l.k === 'each' && l.items.length <= 64) {
            // a loop value (a parameter over its calls): the right side for the elements where it is undefined
            const r = l.items.some((it) => it.k === 'nullish') ? this.eval(n.right, scope) : undefined;
            if (!r || r.k !== 'each') return { k: 'each', items: l.items.map((it) => (it.k === 'nullish' ? r! : it)), id: l.id, node };
          }
          if (l.k === 'unk' || l.k === 'each') return this.unk(node, l.k === 'unk' ? l.reason : 'loop value');
          return l;
        }
        const t = truthy(l);
        if (t === undefined) return this.unk(node, l.k === 'unk' ? l.reason : 'truthiness decided at run time');
        if (n.operator === '||') return t ? l : this.eval(n.right, scope);
        return t ? this.eval(n.right, scope) : l;
      }
      case 'SequenceExpression':
        return this.eval(n.expressions[n.expressions.length - 1]!, scope);
      case 'TaggedTemplateExpression': {
        // pulumi.interpolate`${a}/32`: the template with the outputs' values
        const tag = this.eval(n.tag, scope);
        if (tag.k === 'ref' && tag.fq === 'pulumimod.pulumi.interpolate') {
          const v = this.eval(n.quasi, scope);
          return v.k === 'str' ? { ...v, node } : this.unk(node, v.k === 'unk' ? v.reason : 'computed at run time');
        }
        return this.unk(node, 'computed at run time');
      }
      default:
        return this.unk(node, 'computed at run time');
    }
  }

  private evalIdentifier(n: TSESTree.Identifier, node: Node, scope: Scope): Val {
    const b = scope.lookup(n.name);
    if (!b) {
      if (n.name === 'undefined') return { k: 'nullish', node };
      return this.unk(node, `'${n.name}' is not defined in this file`);
    }
    const v = this.bindingValue(b);
    // keep the use-site node for positions of plain values
    if (v.k === 'num' || v.k === 'str' || v.k === 'bool') return { ...v, node };
    // a parameter / import / declaration without value: name it as used here
    if (v.k === 'unk' && v.node === b.decl) return { ...v, text: oneLine(this.sourceText, node), node };
    return v;
  }

  bindingValue(b: Binding): Val {
    const f = this.fixed?.get(b);
    if (f) return f;
    const cached = this.memo.get(b);
    if (cached) return cached;
    if (this.busy.has(b)) return this.unk(b.decl, 'defined in terms of itself');
    this.busy.add(b);
    let v: Val;
    try {
      v = this.bindingValueInner(b);
    } finally {
      this.busy.delete(b);
    }
    this.memo.set(b, v);
    return v;
  }

  private bindingValueInner(b: Binding): Val {
    if (b.sites) {
      // a function's calls: one element per call, its arguments (a missing one undefined, so a default applies)
      const items: Val[] = b.sites.map((c) => {
        if (c.args.some((a) => a.type === 'SpreadElement')) return this.unk(c.node, 'a call with a spread argument');
        const n = Math.max(c.args.length, ...[...b.scope.vars.values()].filter((x) => x.elem === b).map((x) => Number(x.path?.[0] ?? 0) + 1));
        // (a parameter not passed is undefined: its default, or a pattern's defaults, apply)
        return { k: 'arr', items: Array.from({ length: n }, (_, i) => (c.args[i] ? this.eval(c.args[i]!, c.scope) : ({ k: 'nullish', node: c.node } as Val))), node: c.node };
      });
      if (b.escapes) items.push(this.unk(b.decl, 'function parameter (its value comes from a caller not in this file, or a use of the function as a value)'));
      return { k: 'each', items, id: b, node: b.decl };
    }
    switch (b.kind) {
      case 'param':
        if (!b.elem) return this.unk(b.decl, 'function parameter (its value comes from the caller)');
        break;
      case 'catch':
        return this.unk(b.decl, 'caught exception');
      case 'class':
        return b.classNode ? this.classValue(b, b.classNode) : this.unk(b.decl, 'local class');
      case 'namespace':
        return this.namespaceValue(b);
      case 'function':
        return this.unk(b.decl, `local ${b.kind}`);
      case 'import': {
        const base = b.module !== undefined ? moduleRef(b.module) : undefined;
        if (base === undefined) {
          // a constant exported by a file of the project (`import { CFT_PORTS } from './constants'`)
          const got = b.module !== undefined && b.imported?.length === 1 && this.importedValue ? this.importedValue(b.module, b.imported[0]!) : undefined;
          if (got && got.k !== 'unk') return this.changed(b, transplant(got, b.decl));
          return this.unk(b.decl, got?.k === 'unk' ? `imported from '${b.module}': ${got.reason}` : `imported from '${b.module}' (other files are not read)`);
        }
        let fq = base;
        for (const p of b.imported ?? []) fq = memberRef(fq, p);
        return { k: 'ref', fq, node: b.decl };
      }
      case 'enum':
        return this.enumValue(b);
      case 'let':
      case 'var':
      case 'loop':
        if (b.reassigned) return this.unk(b.decl, `'${b.name}' is reassigned`);
        break;
      default:
        break;
    }
    if (b.rest) return this.unk(b.decl, 'rest element');
    if (b.indexOf) {
      const i = this.fixedIndex?.get(b.indexOf);
      if (i !== undefined) return { k: 'num', v: i, node: b.decl };
      const v = this.bindingValue(b.indexOf);
      if (v.k !== 'each') return this.unk(b.decl, v.k === 'unk' ? v.reason : 'index of a loop over values not known statically');
      return { k: 'each', items: v.items.map((_, j) => ({ k: 'num', v: j, node: b.decl }) as Val), id: v.id, node: b.decl };
    }
    if (b.elem) {
      // one value per element, read from the same element as the other names of the pattern
      let v = this.bindingValue(b.elem);
      for (const seg of b.path ?? []) v = this.prop(v, String(seg), b.decl);
      if (b.dflt) {
        const d = b.dflt;
        if (v.k === 'nullish') return this.eval(d, b.scope);
        if (v.k === 'each') return { ...v, items: v.items.map((it) => (it.k === 'nullish' ? this.eval(d, b.scope) : it)) };
      }
      return v;
    }
    if (!b.init) {
      if (b.dflt) return this.eval(b.dflt, b.scope);
      if (b.kind === 'const') return this.unk(b.decl, `'${b.name}' is declared without a value in this file`);
      return { k: 'nullish', node: b.decl };
    }
    let v = this.eval(b.init, b.scope);
    if (b.each && b.mutations?.[0] && !(v.k === 'arr' && v.items.length > 0 && v.items.every((it) => it.k === 'new' || it.k === 'call' || it.k === 'prop' || it.k === 'ref'))) return this.unk(b.decl, `'${b.name || 'the loop element'}' is changed in the loop (${this.site(b.mutations[0])})`);
    if (b.each) {
      if (v.k === 'arr' && !v.rest) return { k: 'each', items: v.items, id: b, node: b.decl };
      return this.unk(b.decl, v.k === 'unk' ? v.reason : 'loop over values not known statically');
    }
    for (const seg of b.path ?? []) {
      v = this.prop(v, String(seg), b.decl);
      if (v.k === 'nullish' && b.dflt) return this.eval(b.dflt, b.scope);
    }
    if (b.path && b.path.length === 0 && v.k === 'nullish' && b.dflt) return this.eval(b.dflt, b.scope);
    return this.changed(b, v);
  }

  /**
   * A plain array or object changed in place after its declaration: elements pushed are
   * added (every push counts, as code under a condition counts), any other change makes
   * the value unknown, naming the place. Library objects (constructs) are not data.
   */
  private changed(b: Binding, v: Val): Val {
    if (v.k !== 'arr' && v.k !== 'obj') return v;
    const m = b.mutations?.[0];
    // a list of constructs (`for (const sg of groups) sg.node.…`) is not data: their state is not read
    const constructs = v.k === 'arr' && v.items.length > 0 && v.items.every((it) => it.k === 'new' || it.k === 'call' || it.k === 'prop' || it.k === 'ref');
    if (m && !constructs) return this.unk(b.decl, `'${b.name}' is changed after its declaration (${this.site(m)})`);
    if (!b.pushes || b.pushes.length === 0) return v;
    if (v.k !== 'arr') return this.unk(b.decl, `'${b.name}' is changed after its declaration (${this.site(b.pushes[0]!.args[0] ?? b.decl)})`);
    const items = [...v.items];
    let rest = v.rest;
    for (const p of b.pushes) {
      for (const a of p.args) {
        if (a.type === 'SpreadElement') {
          const s = this.eval(a.argument, p.scope);
          if (rest && (s.k !== 'arr' || s.rest)) items.push(rest);
          if (s.k === 'arr') {
            items.push(...s.items);
            if (s.rest) rest = s.rest;
          } else rest = s.k === 'unk' ? s : this.unk(a.argument, 'spread of a value that is not an array');
        } else items.push(this.eval(a, p.scope));
      }
    }
    return rest ? { k: 'arr', items, rest, node: v.node } : { k: 'arr', items, node: v.node };
  }

  /** `x.port = 1761 at line 12` (shortened). */
  private site(n: Node): string {
    const t = oneLine(this.sourceText, n);
    return `${t.length > 60 ? `${t.slice(0, 57)}...` : t} at line ${n.loc.start.line}`;
  }

  /**
   * The loop variables (for-of / forEach over a known, non-empty array) that expressions read,
   * directly or through the constants they use: `r` in `Port.tcp(r.port)`, also through
   * `const port = r.port` declared in the loop body.
   */
  loopBindings(nodes: readonly Node[], scope: Scope, includeFixed = false): Binding[] {
    const out: Binding[] = [];
    const seen = new Set<Binding>();
    let budget = 2000;
    const visit = (n: Node, s: Scope): void => {
      if (--budget < 0) return;
      switch (n.type) {
        case 'Identifier': {
          const b = s.lookup(n.name);
          if (!b || seen.has(b)) return;
          seen.add(b);
          if (b.kind === 'loop' && b.each) {
            // (includeFixed: also those `iterate` fixes now, which read as one element)
            const v = this.bindingValue(b);
            if ((v.k === 'each' && v.items.length > 0) || (includeFixed && this.fixed?.has(b))) out.push(b);
          } else if (b.elem || b.indexOf) {
            const e = (b.elem ?? b.indexOf)!;
            const v = this.bindingValue(e);
            if (((v.k === 'each' && v.items.length > 0) || (includeFixed && this.fixed?.has(e))) && !out.includes(e)) out.push(e);
          } else if ((b.kind === 'const' || b.kind === 'let' || b.kind === 'var') && b.init) visit(b.init, b.scope);
          return;
        }
        case 'MemberExpression':
          visit(n.object, s);
          if (n.computed) visit(n.property, s);
          return;
        case 'Property':
          if (n.computed) visit(n.key, s);
          visit(n.value, s);
          return;
        default: {
          const rec = n as unknown as Record<string, unknown>;
          for (const key in rec) {
            if (key === 'parent' || key === 'loc' || key === 'range' || key === 'typeAnnotation' || key === 'typeArguments' || key === 'typeParameters') continue;
            const v = rec[key];
            if (Array.isArray(v)) {
              for (const c of v) if (c && typeof c === 'object' && typeof (c as Node).type === 'string') visit(c as Node, s);
            } else if (v && typeof v === 'object' && typeof (v as Node).type === 'string') visit(v as Node, s);
          }
        }
      }
    };
    for (const n of nodes) visit(n, scope);
    return out;
  }

  /** The elements these loop variables are fixed to while `iterate` runs, if it fixes all of them. */
  fixedAt(loops: readonly Binding[]): number[] | undefined {
    if (!this.fixedIndex) return undefined;
    const out: number[] = [];
    for (const b of loops) {
      const i = this.fixedIndex.get(b);
      if (i === undefined) return undefined;
      out.push(i);
    }
    return out;
  }

  /**
   * `fn` once per iteration of the loop variables (each fixed to one element, the same
   * element wherever it is read; nested loops: every combination), or undefined when there
   * are more than `limit` combinations.
   */
  iterate<T>(loops: readonly Binding[], fn: () => T, limit = 64): T[] | undefined {
    const lists: Val[][] = [];
    let n = 1;
    for (const b of loops) {
      const v = this.bindingValue(b);
      if (v.k !== 'each') return undefined;
      lists.push(v.items);
      n *= v.items.length;
      if (n > limit) return undefined;
    }
    if (this.fixed) return undefined; // no nesting
    const out: T[] = [];
    const saved = this.memo;
    try {
      for (let i = 0; i < n; i++) {
        const fixed = new Map<Binding, Val>();
        const fixedIndex = new Map<Binding, number>();
        let k = i;
        loops.forEach((b, j) => {
          const list = lists[j]!;
          fixed.set(b, list[k % list.length]!);
          fixedIndex.set(b, k % list.length);
          k = Math.floor(k / list.length);
        });
        this.fixed = fixed;
        this.fixedIndex = fixedIndex;
        this.memo = new Map();
        out.push(fn());
      }
    } finally {
      this.fixed = undefined;
      this.fixedIndex = undefined;
      this.memo = saved;
    }
    return out;
  }

  /**
   * A class declared in the file as a value: its static fields with their initial values (`static readonly
   * CFT_PORT = 1768`); a field assigned elsewhere (`Config.X = …`, `this.X = …` in a method) or any other member
   * (getters, methods, inherited statics) is unknown.
   */
  private classValue(b: Binding, cls: TSESTree.ClassDeclaration): Val {
    const rest = this.unk(b.decl, `not a static field with a value of class ${b.name}`);
    if (b.mutations?.[0]) return this.unk(b.decl, `a static member of '${b.name}' is changed (${this.site(b.mutations[0])})`);
    const props = new Map<string, Val>();
    for (const m of cls.body.body) {
      if (m.type !== 'PropertyDefinition' || !m.static) continue;
      const name = keyName(m.key, m.computed);
      if (name === undefined) continue;
      if (!m.value) props.set(name, { k: 'nullish', node: m });
      else if (b.classInfo?.props.has(name) || b.classInfo?.mutated?.has(name) || m.computed) props.set(name, this.unk(m, `'${b.name}.${name}' may be assigned in a method`));
      else props.set(name, this.eval(m.value, b.scope));
    }
    return { k: 'obj', props, rest, node: b.decl };
  }

  /** A namespace declared in the file: the values of the names its block exports (others unknown). */
  private namespaceValue(b: Binding): Val {
    if (!b.members) return this.unk(b.decl, 'namespace');
    if (b.mutations?.[0]) return this.unk(b.decl, `a member of '${b.name}' is changed (${this.site(b.mutations[0])})`);
    const props = new Map<string, Val>();
    for (const n of b.members.names) {
      const m = b.members.scope.vars.get(n);
      if (m) props.set(n, this.bindingValue(m));
    }
    return { k: 'obj', props, rest: this.unk(b.decl, `not an exported member of namespace ${b.name}`), node: b.decl };
  }

  private enumValue(b: Binding): Val {
    const d = b.enumDecl!;
    const props = new Map<string, Val>();
    let next: number | undefined = 0;
    const members = 'members' in d ? d.members : (d as unknown as { body: { members: TSESTree.TSEnumMember[] } }).body.members;
    for (const m of members) {
      const name = keyName(m.id, m.computed ?? false);
      if (name === undefined) continue;
      let v: Val;
      if (m.initializer) {
        v = this.eval(m.initializer, b.scope);
        next = v.k === 'num' ? v.v + 1 : undefined;
      } else if (next !== undefined) {
        v = { k: 'num', v: next, node: m };
        next++;
      } else v = this.unk(m, 'enum member after a non-numeric member');
      props.set(name, v);
    }
    return { k: 'obj', props, node: d };
  }

  /** Property `name` of a value; `at` is the node for positions of derived values. */
  prop(base: Val, name: string, at: Node): Val {
    switch (base.k) {
      case 'obj': {
        const v = base.props.get(name);
        if (v) return v;
        // a class's or namespace's other members (their `rest` is at the value itself): named as read, `Ports.LATER`
        if (base.rest && base.rest.node === base.node) return { ...base.rest, text: oneLine(this.sourceText, at), node: at };
        return base.rest ?? { k: 'nullish', node: at };
      }
      case 'arr':
        if (name === 'length') return base.rest ? this.unk(at, base.rest.reason) : { k: 'num', v: base.items.length, node: at };
        if (/^[0-9]+$/.test(name)) {
          const i = Number(name);
          if (i < base.items.length) return base.items[i]!;
          return base.rest ?? { k: 'nullish', node: at };
        }
        return this.unk(at, 'array method');
      case 'str':
        if (name === 'length') return { k: 'num', v: base.v.length, node: at };
        return this.unk(at, 'string method');
      case 'ref':
        return { k: 'ref', fq: memberRef(base.fq, name), node: at };
      case 'new':
      case 'call':
      case 'prop':
        return { k: 'prop', base, name, node: at };
      case 'each':
        // a property of the loop variable: still one value per iteration, same iteration order
        return { k: 'each', items: base.items.map((it) => this.prop(it, name, at)), id: base.id, node: at };
      case 'unk':
        return this.unk(at, base.reason);
      case 'nullish':
        return this.unk(at, 'property of undefined');
      default:
        return this.unk(at, 'not a plain value');
    }
  }

  private evalMember(n: TSESTree.MemberExpression, node: Node, scope: Scope): Val {
    const obj = unwrap(n.object);
    if (obj.type === 'ThisExpression') {
      const name = memberName(n);
      const entries = name !== undefined ? scope.cls?.props.get(name) : undefined;
      if (!entries || entries.length === 0) return this.unk(node, 'class member not assigned in this class');
      if (entries.length > 1) return this.unk(node, 'class member assigned more than once');
      const v = this.eval(entries[0]!.init, entries[0]!.scope);
      const m = scope.cls?.mutated?.get(name!);
      if (m && (v.k === 'arr' || v.k === 'obj')) return this.unk(node, `'this.${name}' is changed after its assignment (${this.site(m)})`);
      return v;
    }
    // process.env.X: the environment of the program that synthesises or deploys
    if (obj.type === 'MemberExpression' && unwrap(obj.object).type === 'Identifier' && (unwrap(obj.object) as TSESTree.Identifier).name === 'process' && memberName(obj) === 'env' && !scope.lookup('process')) {
      return this.unk(node, 'an environment variable, read when the program runs');
    }
    const base = this.eval(n.object, scope);
    let name = memberName(n);
    if (name === undefined) {
      const k = this.eval(n.property, scope);
      if (k.k === 'num' || k.k === 'str') name = String(k.v);
      else return this.unk(node, k.k === 'unk' ? k.reason : 'computed property');
    }
    if (base.k === 'unk') return this.unk(node, base.reason);
    return this.prop(base, name, node);
  }

  private evalCall(n: TSESTree.CallExpression, node: Node, scope: Scope): Val {
    const callee = unwrap(n.callee);
    if (callee.type === 'Identifier' && !scope.lookup(callee.name)) {
      // CommonJS: const aws = require('@pulumi/aws')
      if (callee.name === 'require' && n.arguments.length === 1) {
        const a = this.eval(n.arguments[0]!, scope);
        if (a.k === 'str') {
          const m = moduleRef(a.v);
          return m !== undefined ? { k: 'ref', fq: m, node } : this.unk(node, `required from '${a.v}' (other files are not read)`);
        }
      }
      if ((callee.name === 'Number' || callee.name === 'parseInt') && n.arguments.length >= 1) {
        const a = this.eval(n.arguments[0]!, scope);
        if (a.k === 'unk') return this.unk(node, a.reason);
        const v = a.k === 'num' ? a.v : a.k === 'str' ? Number(callee.name === 'parseInt' ? Number.parseInt(a.v, 10) : a.v) : NaN;
        return Number.isNaN(v) ? this.unk(node, 'not a number') : { k: 'num', v, node };
      }
      if (callee.name === 'String' && n.arguments.length === 1) {
        const a = this.eval(n.arguments[0]!, scope);
        if (a.k === 'num' || a.k === 'str' || a.k === 'bool') return { k: 'str', v: String(a.v), node };
        return this.unk(node, a.k === 'unk' ? a.reason : 'not a plain value');
      }
    }
    if (callee.type === 'MemberExpression') {
      const name = memberName(callee);
      // CDK context (`this.node.tryGetContext('port')`, `app.node.getContext(…)`): cdk.json or `cdk synth -c`
      if ((name === 'tryGetContext' || name === 'getContext') && unwrap(callee.object).type === 'MemberExpression' && memberName(unwrap(callee.object) as TSESTree.MemberExpression) === 'node') {
        return this.unk(node, 'a CDK context value (cdk.json or --context), known only at synth time');
      }
      // Object.entries / values / keys of a known object: [key, value] pairs, values, keys
      if ((name === 'entries' || name === 'values' || name === 'keys') && callee.object.type === 'Identifier' && callee.object.name === 'Object' && !scope.lookup('Object') && n.arguments[0]) {
        const o = this.eval(n.arguments[0], scope);
        if (o.k !== 'obj' || o.rest) return this.unk(node, o.k === 'unk' ? o.reason : 'object not known statically');
        const items: Val[] = ownKeyOrder(o.props).map(([k, v]) =>
          name === 'keys' ? { k: 'str', v: k, node: v.node } : name === 'values' ? v : { k: 'arr', items: [{ k: 'str', v: k, node: v.node }, v], node: v.node },
        );
        return { k: 'arr', items, node };
      }
      // Object.freeze({...}) keeps the value
      if (name === 'freeze' && callee.object.type === 'Identifier' && callee.object.name === 'Object' && !scope.lookup('Object') && n.arguments[0]) {
        return this.eval(n.arguments[0], scope);
      }
      // [a, b].map((x) => ({ …x… })): one representative item whose loop values stand for every element
      const fn = n.arguments[0];
      if ((name === 'map' || name === 'flatMap') && fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression')) {
        const arr = this.eval(callee.object, scope);
        const body = returnedExpression(fn);
        const fs = this.fnScopes.get(fn);
        if (arr.k === 'arr' && !arr.rest && body && fs) {
          if (arr.items.length === 0) return { k: 'arr', items: [], node };
          const item = this.eval(body, fs);
          if (name === 'flatMap' && item.k === 'arr') return item.rest ? { k: 'arr', items: item.items, rest: item.rest, node } : { k: 'arr', items: item.items, node };
          // a plain value per element (`ports.map((x) => x + 4)[1]`, `const [a, b] = cidrs.map(…)`, `.length`): the
          // representative instantiated with each element of this callback's parameter. Objects (rule entries)
          // keep one representative, whose loop values their readers pair per element.
          const p0 = fn.params[0];
          const elem = p0 && item.k !== 'obj' && item.k !== 'arr' ? [...loopsIn(item).keys()].find((b) => b.decl === p0) : undefined;
          if (elem && arr.items.length <= 64) return { k: 'arr', items: arr.items.map((_, i) => instantiate(item, new Map([[elem, i]]))), node };
          return { k: 'arr', items: [item], node };
        }
        // named by the list (`rules.map(…)`), not by the callback's whole body
        return { ...this.unk(node, arr.k === 'unk' ? arr.reason : 'mapped at run time'), text: `${oneLine(this.sourceText, callee.object)}.${name}(…)` };
      }
      if (name === 'toString' && n.arguments.length === 0) {
        const a = this.eval(callee.object, scope);
        if (a.k === 'num' || a.k === 'str') return { k: 'str', v: String(a.v), node };
      }
    }
    const local = this.callLocal(n, node, scope);
    if (local) return local;
    const c = this.eval(n.callee, scope);
    if (c.k === 'ref' && PULUMI_WRAP.has(c.fq) && n.arguments.length === 1 && n.arguments[0]!.type !== 'SpreadElement') {
      // pulumi.output(x) / Output.create(x): an Output holding x's value
      const v = this.eval(n.arguments[0]!, scope);
      return v.k === 'num' || v.k === 'str' || v.k === 'bool' ? { ...v, node } : v;
    }
    if (c.k === 'ref' && c.fq === 'pulumimod.pulumi.concat') {
      // pulumi.concat(a, b, …): the strings joined, once every part is known
      let out = '';
      for (const a of n.arguments) {
        const v = a.type === 'SpreadElement' ? this.unk(a, 'spread argument') : this.eval(a, scope);
        if (v.k === 'str' || v.k === 'num' || v.k === 'bool') out += String(v.v);
        else return this.unk(node, v.k === 'unk' ? v.reason : 'part is not a plain value');
      }
      return { k: 'str', v: out, node };
    }
    if (c.k === 'ref') return { k: 'call', fq: c.fq, node: n, scope };
    // new pulumi.Config().require('x') / getNumber('x') / requireObject(…): the stack's configuration
    if (c.k === 'prop' && c.base.k === 'new' && c.base.fq === 'pulumimod.pulumi.Config') {
      return this.unk(node, "a Pulumi stack configuration value (Pulumi.<stack>.yaml, 'pulumi config set'), known only at deploy time");
    }
    const u = this.unk(node, c.k === 'unk' ? c.reason : 'result of a call at run time');
    // a method given a callback (`out.apply((v) => …)`, `pulumi.all([…]).apply(…)`): named without the callback's body
    if (callee.type === 'MemberExpression' && n.arguments.some((a) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression')) {
      const name = memberName(callee);
      if (name === 'apply' && c.k !== 'unk') u.reason = "a Pulumi Output's value, transformed at deploy time";
      u.text = `${oneLine(this.sourceText, callee.object)}.${name ?? '?'}(…)`;
    }
    return u;
  }

  /**
   * `rule(3306)` with `rule` a function of the file that returns one expression (`const rule = (port: number) =>
   * ({ fromPort: port, … })`, `function rule(port) { return { … }; }`): that expression with the parameters bound to
   * the arguments (a missing one: its default, else undefined), placed at the call. Anything else (a body with
   * statements, patterns or rest parameters, a spread argument, calls nested more than 8 deep): undefined.
   */
  private callLocal(n: TSESTree.CallExpression, node: Node, scope: Scope): Val | undefined {
    const callee = unwrap(n.callee);
    if (callee.type !== 'Identifier') return undefined;
    const b = scope.lookup(callee.name);
    if (!b || b.reassigned) return undefined;
    const fn = b.kind === 'function' ? b.fnNode : b.kind === 'const' && !b.path?.length && b.init ? unwrap(b.init) : undefined;
    if (!fn || (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression' && fn.type !== 'FunctionDeclaration') || fn.async || fn.generator) return undefined;
    const body = returnedExpression(fn);
    const fs = this.fnScopes.get(fn);
    if (!body || !fs || this.calls >= 8 || n.arguments.some((a) => a.type === 'SpreadElement')) return undefined;
    // the function's scope with each parameter a constant: the argument (read where the call is), else its default
    const cs = new Scope(fs.parent, fs.cls);
    for (const [name, v] of fs.vars) cs.vars.set(name, v);
    for (let i = 0; i < fn.params.length; i++) {
      const p = fn.params[i]!;
      const id = p.type === 'AssignmentPattern' ? p.left : p;
      if (id.type !== 'Identifier') return undefined;
      const pb = fs.vars.get(id.name);
      if (!pb || pb.kind !== 'param' || pb.reassigned || pb.mutations?.length || pb.pushes?.length) return undefined;
      const a = n.arguments[i];
      const dflt = p.type === 'AssignmentPattern' ? p.right : undefined;
      const given = a && !(dflt && this.eval(a, scope).k === 'nullish');
      cs.vars.set(id.name, given ? { name: id.name, kind: 'const', init: a, scope, decl: id } : { name: id.name, kind: 'let', scope: cs, decl: id, ...(dflt ? { dflt } : {}) });
    }
    this.calls++;
    try {
      const v = this.eval(body, cs);
      // an entry or a plain value is placed at the call; a port or peer keeps its node (its arguments are read from it)
      if (v.k === 'obj' || v.k === 'arr' || v.k === 'num' || v.k === 'str' || v.k === 'bool') return { ...v, node };
      if (v.k === 'call' && /^cdk\.(Port|Peer|AclCidr|AclTraffic)\./.test(v.fq)) return v;
      // a construct (`(name) => new aws.ec2.SecurityGroup(name, …)`) is one per call, not the one written in the
      // function: left to the caller as before (a group named by the expression that holds it)
      return v.k === 'unk' || v.k === 'nullish' || v.k === 'each' ? v : undefined;
    } finally {
      this.calls--;
    }
  }


  private evalObject(n: TSESTree.ObjectExpression, node: Node, scope: Scope): Val {
    const props = new Map<string, Val>();
    let rest: UnkVal | undefined;
    for (const p of n.properties) {
      if (p.type === 'SpreadElement') {
        const s = this.eval(p.argument, scope);
        if (s.k === 'obj') {
          for (const [k, v] of s.props) props.set(k, v);
          if (s.rest) rest = s.rest;
        } else if (s.k === 'nullish') {
          // spreading undefined/null adds nothing
        } else {
          const u = s.k === 'unk' ? s : this.unk(p.argument, 'spread of a value that is not an object');
          // earlier properties may be overridden by the unknown spread
          for (const k of [...props.keys()]) props.set(k, { ...u, reason: `may be overridden by the spread of ${u.text}` });
          rest = u;
        }
        continue;
      }
      let name = keyName(p.key, p.computed);
      if (name === undefined && p.computed) {
        const k = this.eval(p.key, scope);
        if (k.k === 'num' || k.k === 'str') name = String(k.v);
      }
      if (name === undefined) {
        rest = this.unk(p.key, 'computed property name');
        continue;
      }
      if (p.kind !== 'init' || p.method) props.set(name, this.unk(p, 'accessor or method'));
      else props.set(name, this.eval(p.value, scope));
    }
    return rest ? { k: 'obj', props, rest, node } : { k: 'obj', props, node };
  }

  private evalBinary(n: TSESTree.BinaryExpression, node: Node, scope: Scope): Val {
    if (n.left.type === 'PrivateIdentifier') return this.unk(node, 'private field test');
    const a = this.eval(n.left, scope);
    const b = this.eval(n.right, scope);
    return this.binary(n.operator, a, b, node);
  }

  private binary(op: string, a: Val, b: Val, node: Node): Val {
    if (a.k === 'unk') return this.unk(node, a.reason);
    if (b.k === 'unk') return this.unk(node, b.reason);
    // a loop value (`100 + i`, `base + p.offset`): one result per element, same loop
    if (a.k === 'each' || b.k === 'each') {
      const id = a.k === 'each' ? a.id : (b as Extract<Val, { k: 'each' }>).id;
      if (a.k === 'each' && b.k === 'each' && (a.id !== b.id || a.items.length !== b.items.length)) return this.unk(node, 'values of two loops combined');
      const n = a.k === 'each' ? a.items.length : (b as Extract<Val, { k: 'each' }>).items.length;
      const items: Val[] = [];
      for (let i = 0; i < n; i++) items.push(this.binary(op, a.k === 'each' ? a.items[i]! : a, b.k === 'each' ? b.items[i]! : b, node));
      return { k: 'each', items, id, node };
    }
    if (op === '+' && (a.k === 'str' || b.k === 'str') && plain(a) && plain(b)) return { k: 'str', v: String(plainValue(a)) + String(plainValue(b)), node };
    if (a.k === 'num' && b.k === 'num') {
      const x = a.v;
      const y = b.v;
      let v: number | boolean | undefined;
      switch (op) {
        case '+': v = x + y; break;
        case '-': v = x - y; break;
        case '*': v = x * y; break;
        case '/': v = x / y; break;
        case '%': v = x % y; break;
        case '**': v = x ** y; break;
        case '<': v = x < y; break;
        case '<=': v = x <= y; break;
        case '>': v = x > y; break;
        case '>=': v = x >= y; break;
        case '===': case '==': v = x === y; break;
        case '!==': case '!=': v = x !== y; break;
        default: v = undefined;
      }
      if (typeof v === 'boolean') return { k: 'bool', v, node };
      if (typeof v === 'number' && Number.isFinite(v)) return { k: 'num', v, node };
      return this.unk(node, 'unsupported arithmetic');
    }
    if ((op === '===' || op === '!==') && plain(a) && plain(b)) {
      const eq = a.k === b.k && plainValue(a) === plainValue(b);
      return { k: 'bool', v: op === '===' ? eq : !eq, node };
    }
    return this.unk(node, 'unsupported operator');
  }
}

function plain(v: Val): v is Extract<Val, { k: 'num' | 'str' | 'bool' }> {
  return v.k === 'num' || v.k === 'str' || v.k === 'bool';
}
function plainValue(v: Val): string | number | boolean | undefined {
  return v.k === 'num' || v.k === 'str' || v.k === 'bool' ? v.v : undefined;
}

/** JS truthiness when known. */
export function truthy(v: Val): boolean | undefined {
  switch (v.k) {
    case 'num':
      return v.v !== 0 && !Number.isNaN(v.v);
    case 'str':
      return v.v !== '';
    case 'bool':
      return v.v;
    case 'nullish':
      return false;
    case 'arr':
    case 'obj':
    case 'new':
    case 'ref':
      return true;
    default:
      return undefined;
  }
}

const guarded = new WeakMap<Node, Node | null>();

/**
 * `(x) => expr`, `function (x) { return expr; }` → expr; guard clauses, `{ if (a) return x; if (b) { return y; }
 * return z; }` and `{ if (a) { return x; } else { return y; } }`, → the conditional expression `a ? x : (b ? y : z)`
 * they are (built once per function, placed from the first `if` to the last `return`).
 */
function returnedExpression(fn: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | TSESTree.FunctionDeclaration): Node | undefined {
  if (fn.body.type !== 'BlockStatement') return fn.body;
  const stmts = fn.body.body;
  if (stmts.length === 1 && stmts[0]!.type === 'ReturnStatement' && stmts[0]!.argument) return stmts[0]!.argument;
  const hit = guarded.get(fn);
  if (hit !== undefined) return hit ?? undefined;
  const out = guardClauses(stmts) ?? null;
  guarded.set(fn, out);
  return out ?? undefined;
}

/** The value `return` gives in a statement that only returns (`return x;`, `{ return x; }`). */
function onlyReturn(st: TSESTree.Statement | null | undefined): Node | undefined {
  if (st?.type === 'BlockStatement' && st.body.length === 1) st = st.body[0];
  return st?.type === 'ReturnStatement' && st.argument ? st.argument : undefined;
}

function guardClauses(stmts: readonly TSESTree.Statement[]): Node | undefined {
  if (stmts.length === 0 || stmts.length > 16) return undefined;
  const [first, ...rest] = stmts;
  if (rest.length === 0) {
    if (first!.type === 'ReturnStatement') return first.argument ?? undefined;
    if (first!.type !== 'IfStatement' || !first.alternate) return undefined;
    const a = onlyReturn(first.consequent);
    const b = first.alternate.type === 'IfStatement' ? guardClauses([first.alternate]) : onlyReturn(first.alternate);
    return a && b ? conditional(first, a, b) : undefined;
  }
  if (first!.type !== 'IfStatement' || first.alternate) return undefined;
  const a = onlyReturn(first.consequent);
  const b = guardClauses(rest);
  return a && b ? conditional(first, a, b) : undefined;
}

function conditional(at: TSESTree.IfStatement, consequent: Node, alternate: Node): Node {
  return {
    type: 'ConditionalExpression',
    test: at.test,
    consequent,
    alternate,
    range: [at.range[0], alternate.range[1]],
    loc: { start: at.loc.start, end: alternate.loc.end },
    parent: at.parent,
  } as unknown as Node;
}

/** The loop variables (by binding, with their element counts) whose values an evaluated value holds. */
export function loopsIn(v: Val, out: Map<Binding, number> = new Map(), depth = 0): Map<Binding, number> {
  if (depth > 32) return out;
  switch (v.k) {
    case 'each':
      if (!out.has(v.id)) out.set(v.id, v.items.length);
      for (const it of v.items) loopsIn(it, out, depth + 1);
      break;
    case 'obj':
      for (const x of v.props.values()) loopsIn(x, out, depth + 1);
      break;
    case 'arr':
      for (const x of v.items) loopsIn(x, out, depth + 1);
      break;
    default:
      break;
  }
  return out;
}

/** `v` in one iteration: every value of a loop variable in `pick` replaced by its element there. */
export function instantiate(v: Val, pick: ReadonlyMap<Binding, number>): Val {
  switch (v.k) {
    case 'each': {
      const i = pick.get(v.id);
      if (i !== undefined && i < v.items.length) {
        const it = instantiate(v.items[i]!, pick);
        // a plain value keeps the place it is read at (`p.port`), as an identifier's value does
        return it.k === 'num' || it.k === 'str' || it.k === 'bool' ? { ...it, node: v.node } : it;
      }
      return { ...v, items: v.items.map((it) => instantiate(it, pick)) };
    }
    case 'obj':
      return { ...v, props: new Map([...v.props].map(([k, x]) => [k, instantiate(x, pick)] as const)) };
    case 'arr':
      return { ...v, items: v.items.map((x) => instantiate(x, pick)) };
    default:
      return v;
  }
}

/** Every combination of elements of the loops in `v` (nested loops multiply), or undefined past `limit`. */
export function iterationsOf(v: Val, limit = 64): Val[] | undefined {
  const loops = [...loopsIn(v)];
  if (loops.length === 0) return undefined;
  let n = 1;
  for (const [, c] of loops) {
    if (c === 0) return undefined;
    n *= c;
    if (n > limit) return undefined;
  }
  const out: Val[] = [];
  for (let i = 0; i < n; i++) {
    const pick = new Map<Binding, number>();
    let k = i;
    for (const [b, c] of loops) {
      pick.set(b, k % c);
      k = Math.floor(k / c);
    }
    out.push(instantiate(v, pick));
  }
  return out;
}

/**
 * An object's properties in the order JavaScript lists them (Object.keys/values/entries: ECMA-262 OrdinaryOwnPropertyKeys):
 * the keys that are array indices ('0' … '4294967294') ascending, then the others in the order they were created.
 * `Object.values({ b: '10.0.0.0/8', 22: '0.0.0.0/0' })[0]` is '0.0.0.0/0'.
 */
function ownKeyOrder(props: ReadonlyMap<string, Val>): [string, Val][] {
  const isIndex = (k: string): boolean => /^(?:0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;
  const all = [...props];
  const idx = all.filter(([k]) => isIndex(k)).sort((a, b) => Number(a[0]) - Number(b[0]));
  return idx.length === 0 ? all : [...idx, ...all.filter(([k]) => !isIndex(k))];
}
