/**
 * One pass over the program: builds scopes and bindings (hoisted per block, so
 * order of declaration does not matter), marks reassigned let/var bindings,
 * records `this.x = …` per class, and collects the `new X(…)` and `a.b(…)` calls
 * the extractors look at, with their scope and parent.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { keyName, memberName, unwrap, type Node } from './ast.js';
import { Scope, type Binding, type BindingKind, type ClassInfo } from './resolve.js';

export interface Candidate {
  node: TSESTree.NewExpression | TSESTree.CallExpression;
  scope: Scope;
  parent: Node | undefined;
  /** The conditions the code runs under (`if (props.cft) sg.addIngressRule(…)`), outermost first. */
  guards?: readonly Guard[];
}

/** A condition code runs under: `test` truthy (`if`, `?:`, `&&`), falsy (`else`, `||`), nullish (`??`), or a `switch` case. */
export interface Guard {
  test: Node;
  /** `case`: `test` is a switch discriminant, `label` the case's test (none for `default`). */
  when: 'truthy' | 'falsy' | 'nullish' | 'case';
  scope: Scope;
  label?: Node;
}

export interface ScanResult {
  root: Scope;
  news: Candidate[];
  calls: Candidate[];
  /** The scope of each function's parameters and body. */
  fnScopes: Map<Node, Scope>;
  /** Every import (ES imports, `import x = require()`, `const x = require('…')` declarations). */
  imports: Binding[];
  /** `a.b = value` assignments to a property (construct properties such as `cfnSg.securityGroupIngress`). */
  assigns: { node: TSESTree.AssignmentExpression; target: TSESTree.MemberExpression; scope: Scope }[];
}

/** Array methods whose callback runs once per element. */
const ITERATORS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every']);

/** Array (and Map/Set) methods that change their receiver in place; `push`/`unshift` add elements we can follow. */
const MUTATORS = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear']);
/** `Object.<m>(target, …)` calls that change their first argument. */
const OBJECT_MUTATORS = new Set(['assign', 'defineProperty', 'defineProperties', 'setPrototypeOf']);

/** Keys that never hold runtime code (types) or are back-links. */
const SKIP = new Set(['parent', 'loc', 'range', 'tokens', 'comments', 'typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeArguments', 'implements']);

/** Nodes without runtime children. */
const LEAVES = new Set(['Identifier', 'Literal', 'TemplateElement', 'ThisExpression', 'Super', 'PrivateIdentifier', 'EmptyStatement', 'DebuggerStatement', 'JSXText']);
/** Declarations that hold types only. */
const TYPE_ONLY = new Set(['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'TSDeclareFunction', 'TSTypeAnnotation', 'TSTypeReference', 'TSTypeLiteral']);

export function scanProgram(program: TSESTree.Program): ScanResult {
  const root = new Scope(undefined, undefined);
  const news: Candidate[] = [];
  const calls: Candidate[] = [];
  const fnScopes = new Map<Node, Scope>();
  const imports: Binding[] = [];
  const assigns: ScanResult['assigns'] = [];
  /** Functions whose parameters (by index) are changed in place, and the plain calls `f(…)` that may pass them. */
  const mutatedParams = new Map<Node, Set<number>>();
  const plainCalls: { node: TSESTree.CallExpression; scope: Scope }[] = [];
  const iterated = new Map<Node, { array: Node; scope: Scope }>();
  /** `.apply` callbacks of Pulumi outputs: the value their first parameter takes (read in the caller's scope). */
  const applied = new Map<Node, { value: Node; scope: Scope }>();
  /** The conditions around the node being walked (a snapshot is kept by each candidate). */
  const guards: Guard[] = [];
  let guardSnapshot: readonly Guard[] | undefined;
  const guarded = (): readonly Guard[] | undefined => (guards.length === 0 ? undefined : (guardSnapshot ??= [...guards]));
  const under = (g: Guard, run: () => void): void => {
    guards.push(g);
    guardSnapshot = undefined;
    try {
      run();
    } finally {
      guards.pop();
      guardSnapshot = undefined;
    }
  };

  const declarePattern = (pat: Node, kind: BindingKind, scope: Scope, init: Node | undefined, path: (string | number)[], dflt?: Node, each?: boolean): void => {
    switch (pat.type) {
      case 'Identifier': {
        const b: Binding = { name: pat.name, kind, scope, decl: pat };
        if (init) b.init = init;
        if (path.length > 0 || dflt) b.path = path;
        if (dflt) b.dflt = dflt;
        if (each) b.each = true;
        scope.vars.set(pat.name, b);
        return;
      }
      case 'AssignmentPattern':
        declarePattern(pat.left, kind, scope, init, path, pat.right, each);
        return;
      case 'ObjectPattern':
        for (const p of pat.properties) {
          if (p.type === 'RestElement') {
            declareRest(p.argument, kind, scope);
            continue;
          }
          const k = keyName(p.key, p.computed);
          if (k === undefined || each) declareRest(p.value, kind, scope);
          else declarePattern(p.value, kind, scope, init, [...path, k]);
        }
        return;
      case 'ArrayPattern':
        pat.elements.forEach((el, i) => {
          if (!el) return;
          if (el.type === 'RestElement' || each) declareRest(el.type === 'RestElement' ? el.argument : el, kind, scope);
          else declarePattern(el, kind, scope, init, [...path, i]);
        });
        return;
      case 'RestElement':
        declareRest(pat.argument, kind, scope);
        return;
      case 'TSParameterProperty':
        declarePattern(pat.parameter, kind, scope, init, path, dflt, each);
        return;
      default:
        return;
    }
  };
  const declareRest = (pat: Node, kind: BindingKind, scope: Scope): void => {
    if (pat.type === 'Identifier') scope.vars.set(pat.name, { name: pat.name, kind, scope, decl: pat, rest: true });
    else if (pat.type === 'AssignmentPattern') declareRest(pat.left, kind, scope);
    else if (pat.type === 'ObjectPattern') for (const p of pat.properties) declareRest(p.type === 'RestElement' ? p.argument : p.value, kind, scope);
    else if (pat.type === 'ArrayPattern') for (const el of pat.elements) if (el) declareRest(el.type === 'RestElement' ? el.argument : el, kind, scope);
  };

  /**
   * A destructuring pattern over a loop element (`for (const { peer, port } of rules)`,
   * `list.forEach(([cidr, port]) => …)`): one hidden binding for the element, each name a
   * path within it, so that names read from one element stay paired.
   */
  const declareElement = (pat: Node, iterated: Node, iterScope: Scope, scope: Scope): Binding => {
    const elem: Binding = { name: '', kind: 'loop', scope: iterScope, init: iterated, each: true, decl: pat };
    const inner = (p: Node, path: (string | number)[], dflt?: Node): void => {
      switch (p.type) {
        case 'Identifier': {
          const b: Binding = { name: p.name, kind: 'loop', scope, decl: p, elem, path };
          if (dflt) b.dflt = dflt;
          scope.vars.set(p.name, b);
          return;
        }
        case 'AssignmentPattern':
          inner(p.left, path, p.right);
          return;
        case 'ObjectPattern':
          for (const q of p.properties) {
            if (q.type === 'RestElement') {
              declareRest(q.argument, 'loop', scope);
              continue;
            }
            const k = keyName(q.key, q.computed);
            if (k === undefined) declareRest(q.value, 'loop', scope);
            else inner(q.value, [...path, k]);
          }
          return;
        case 'ArrayPattern':
          p.elements.forEach((el, i) => {
            if (!el) return;
            if (el.type === 'RestElement') declareRest(el.argument, 'loop', scope);
            else inner(el, [...path, i]);
          });
          return;
        default:
          declareRest(p, 'loop', scope);
      }
    };
    inner(pat, []);
    return elem;
  };

  /** `each`: a for-of declaration; `iterated` is the expression after `of`. */
  const declareVars = (decl: TSESTree.VariableDeclaration, scope: Scope, iterated?: Node): void => {
    const kind: BindingKind = decl.kind === 'const' ? 'const' : decl.kind === 'var' ? 'var' : 'let';
    for (const d of decl.declarations) {
      if (iterated && d.id.type !== 'Identifier') declareElement(d.id, iterated, scope, scope);
      else if (iterated) declarePattern(d.id, 'loop', scope, iterated, [], undefined, true);
      else declarePattern(d.id, kind, scope, d.init ?? undefined, []);
    }
  };

  const hoist = (stmts: readonly Node[], scope: Scope): void => {
    for (const s0 of stmts) {
      let s: Node = s0;
      if ((s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration') && s.declaration) s = s.declaration;
      switch (s.type) {
        case 'VariableDeclaration':
          declareVars(s, scope);
          // CommonJS: const ec2 = require('aws-cdk-lib/aws-ec2') counts as an import of that module
          for (const d of s.declarations) {
            const init = d.init ? unwrap(d.init) : undefined;
            if (init?.type === 'CallExpression' && init.callee.type === 'Identifier' && init.callee.name === 'require' && init.arguments[0]?.type === 'Literal') {
              const m = init.arguments[0].value;
              if (typeof m === 'string') imports.push({ name: '', kind: 'import', scope, decl: d.id, module: m, imported: [] });
            }
          }
          break;
        case 'FunctionDeclaration':
        case 'TSDeclareFunction':
          if (s.id) scope.vars.set(s.id.name, { name: s.id.name, kind: 'function', scope, decl: s.id, fnNode: s });
          break;
        case 'ClassDeclaration':
          if (s.id) scope.vars.set(s.id.name, { name: s.id.name, kind: 'class', scope, decl: s.id, classNode: s });
          break;
        case 'TSModuleDeclaration':
          // namespace Ports { export const REST = 1768 } (not `declare module 'x'`); its scope is set by the walk
          if (s.id.type === 'Identifier' && s.body?.type === 'TSModuleBlock') scope.vars.set(s.id.name, { name: s.id.name, kind: 'namespace', scope, decl: s.id });
          break;
        case 'TSEnumDeclaration':
          scope.vars.set(s.id.name, { name: s.id.name, kind: 'enum', scope, decl: s.id, enumDecl: s });
          break;
        case 'ImportDeclaration':
          for (const sp of s.specifiers) {
            const imported =
              sp.type === 'ImportSpecifier' ? [sp.imported.type === 'Identifier' ? sp.imported.name : String(sp.imported.value)] : [];
            const b: Binding = { name: sp.local.name, kind: 'import', scope, decl: sp.local, module: s.source.value, imported };
            scope.vars.set(sp.local.name, b);
            imports.push(b);
          }
          break;
        case 'TSImportEqualsDeclaration':
          if (s.moduleReference.type === 'TSExternalModuleReference' && s.moduleReference.expression.type === 'Literal') {
            const b: Binding = { name: s.id.name, kind: 'import', scope, decl: s.id, module: String(s.moduleReference.expression.value), imported: [] };
            scope.vars.set(s.id.name, b);
            imports.push(b);
          }
          break;
        default:
          break;
      }
    }
  };

  const markAssigned = (target: Node, scope: Scope, right: Node | undefined, site?: Node): void => {
    const t = unwrap(target);
    if (t.type === 'Identifier') {
      const b = scope.lookup(t.name);
      if (b) b.reassigned = true;
    } else if (t.type === 'MemberExpression' && unwrap(t.object).type === 'ThisExpression') {
      const name = memberName(t);
      if (scope.cls && right && name !== undefined) addClassProp(scope.cls, name, right, scope);
    } else if (t.type === 'MemberExpression') {
      // cfg.port = …, ports[0] = …, this.cfg.port++: the object is changed in place
      mutate(t.object, scope, site ?? t);
    } else if (t.type === 'ObjectPattern' || t.type === 'ArrayPattern') {
      const ids: Node[] = [];
      collectPatternIds(t, ids);
      for (const id of ids) markAssigned(id, scope, undefined);
    }
  };

  /**
   * `target` (an expression whose value is an array or object) is changed in place at `site`:
   * recorded on the variable it starts from (and the variables it is an alias of), or on the
   * class member for `this.x…`. `pushed`: the elements added by a push to the variable itself.
   */
  const mutate = (target: Node, scope: Scope, site: Node, pushed?: readonly Node[]): void => {
    let t = unwrap(target);
    let direct = true;
    let member: string | undefined;
    while (t.type === 'MemberExpression') {
      const o = unwrap(t.object);
      if (o.type === 'ThisExpression') {
        member = memberName(t);
        break;
      }
      t = o;
      direct = false;
    }
    if (member !== undefined) {
      if (scope.cls) {
        const m = (scope.cls.mutated ??= new Map());
        if (!m.has(member)) m.set(member, site);
      }
      return;
    }
    if (t.type !== 'Identifier') return;
    let b = scope.lookup(t.name);
    // a parameter changed in place: the caller's argument changes (read after the walk, at the calls)
    if (b?.kind === 'param' && b.paramOf) {
      const m = (mutatedParams.get(b.paramOf.fn) ?? new Set<number>()).add(b.paramOf.index);
      mutatedParams.set(b.paramOf.fn, m);
      return;
    }
    // for (const r of rules) r.port = 1761: an element of the iterated array changes, so the array does
    if (b?.kind === 'loop') {
      const e = b.elem ?? b.indexOf ?? b;
      (e.mutations ??= []).push(site);
      if (e.init) mutate(e.init, e.scope, site);
      return;
    }
    // Config.PORT = 1769, Ports.REST = 1: a static member / namespace member changes
    if (b && (b.kind === 'class' || b.kind === 'namespace')) {
      (b.mutations ??= []).push(site);
      return;
    }
    for (let hops = 0; b && hops < 32; hops++) {
      // (an imported list or object too: the importing file changes the one the other file exports)
      if (b.kind !== 'const' && b.kind !== 'let' && b.kind !== 'var' && b.kind !== 'import') return;
      const alias = b.init && !b.path ? unwrap(b.init) : undefined;
      const next = alias?.type === 'Identifier' ? b.scope.lookup(alias.name) : undefined;
      if (pushed && direct) {
        // elements pushed through an alias belong to the array it names
        if (!next) (b.pushes ??= []).push({ args: pushed, scope });
      } else (b.mutations ??= []).push(site);
      b = next;
    }
  };

  const addClassProp = (cls: ClassInfo, name: string, init: Node, scope: Scope): void => {
    const list = cls.props.get(name);
    if (list) list.push({ init, scope });
    else cls.props.set(name, [{ init, scope }]);
  };

  const fnScope = (fn: TSESTree.FunctionLike, scope: Scope): Scope => {
    const s = new Scope(scope, scope.cls);
    fnScopes.set(fn, s);
    const over = iterated.get(fn);
    let elemBinding: Binding | undefined;
    fn.params.forEach((p, i) => {
      // list.map((p, i) => …): the index of the same element
      if (i === 1 && over && p.type === 'Identifier' && elemBinding) {
        s.vars.set(p.name, { name: p.name, kind: 'loop', scope: s, decl: p, indexOf: elemBinding });
        return;
      }
      const app = i === 0 ? applied.get(fn) : undefined;
      if (app) {
        // the names of the pattern are read from the applied value, in the caller's scope
        // (`pulumi.all([sg.id, vpcId]).apply(([id, vpcId]) => …)`: the inner vpcId is the outer one)
        declarePattern(p, 'const', s, app.value, []);
        for (const b of s.vars.values()) b.scope = app.scope;
        return;
      }
      // [a, b].forEach((x) => …): x takes each element, like a for-of variable
      if (i === 0 && over && p.type === 'Identifier') {
        elemBinding = { name: p.name, kind: 'loop', scope: over.scope, init: over.array, each: true, decl: p };
        s.vars.set(p.name, elemBinding);
      } else if (i === 0 && over && (p.type === 'ObjectPattern' || p.type === 'ArrayPattern')) {
        elemBinding = declareElement(p, over.array, over.scope, s);
      } else {
        declarePattern(p, 'param', s, undefined, []);
        const id = p.type === 'AssignmentPattern' ? p.left : p.type === 'TSParameterProperty' ? p.parameter : p;
        if (id.type === 'Identifier') {
          const pb = s.vars.get(id.name);
          if (pb) pb.paramOf = { fn, index: i };
        }
      }
    });
    if (fn.type === 'FunctionExpression' && fn.id) {
      if (!s.vars.has(fn.id.name)) s.vars.set(fn.id.name, { name: fn.id.name, kind: 'function', scope: s, decl: fn.id });
    }
    return s;
  };

  // Iterative-recursive walk: explicit recursion is fine for real code depth; guard pathological depth.
  const walk = (node: Node, scope: Scope, parent: Node | undefined, depth: number): void => {
    if (depth > 2000) return;
    const d = depth + 1;
    switch (node.type) {
      case 'Program':
        hoist(node.body, scope);
        walkStatements(node.body, scope, node, d);
        return;
      case 'BlockStatement':
      case 'StaticBlock': {
        const s = new Scope(scope, scope.cls);
        hoist(node.body, s);
        walkStatements(node.body, s, node, d);
        return;
      }
      case 'TSModuleBlock': {
        const s = new Scope(scope, scope.cls);
        hoist(node.body, s);
        // the namespace's members: the names its block exports
        const ns = parent?.type === 'TSModuleDeclaration' && parent.id.type === 'Identifier' ? scope.lookup(parent.id.name) : undefined;
        if (ns?.kind === 'namespace' && ns.decl === (parent as TSESTree.TSModuleDeclaration).id) {
          const exported: string[] = [];
          for (const st of node.body) {
            const dcl = st.type === 'ExportNamedDeclaration' ? st.declaration : undefined;
            if (dcl?.type === 'VariableDeclaration') {
              const ids: Node[] = [];
              for (const x of dcl.declarations) collectPatternIds(x.id, ids);
              for (const id of ids) if (id.type === 'Identifier') exported.push(id.name);
            } else if (dcl && 'id' in dcl && dcl.id?.type === 'Identifier') exported.push(dcl.id.name);
          }
          ns.members = { scope: s, names: exported };
        }
        walkStatements(node.body, s, node, d);
        return;
      }
      case 'SwitchStatement': {
        walk(node.discriminant, scope, node, d);
        const s = new Scope(scope, scope.cls);
        for (const c of node.cases) hoist(c.consequent, s);
        for (const c of node.cases) {
          if (c.test) walk(c.test, s, c, d);
          // (a case runs when the discriminant matches it, or by falling through from the one before)
          under({ test: node.discriminant, when: 'case', scope, label: c.test ?? undefined }, () => {
            for (const st of c.consequent) walk(st, s, c, d);
          });
        }
        return;
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'TSDeclareFunction':
      case 'TSEmptyBodyFunctionExpression': {
        const s = fnScope(node, scope);
        for (const p of node.params) walkChildren(p, s, d);
        if (node.body) {
          if (node.body.type === 'BlockStatement') {
            hoist(node.body.body, s);
            walkStatements(node.body.body, s, node.body, d);
          } else walk(node.body, s, node, d);
        }
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        if (node.superClass) walk(node.superClass, scope, node, d);
        for (const dec of node.decorators ?? []) walk(dec, scope, node, d);
        const cls: ClassInfo = { props: new Map() };
        const s = new Scope(scope, cls);
        if (node.type === 'ClassDeclaration' && node.id) {
          const own = scope.lookup(node.id.name);
          if (own?.decl === node.id) own.classInfo = cls;
        }
        if (node.type === 'ClassExpression' && node.id) s.vars.set(node.id.name, { name: node.id.name, kind: 'class', scope: s, decl: node.id });
        for (const m of node.body.body) {
          if ((m.type === 'PropertyDefinition' || m.type === 'AccessorProperty') && !m.static && m.value) {
            const name = keyName(m.key, m.computed);
            if (name !== undefined) addClassProp(cls, name, m.value, s);
          }
          if (m.type === 'MethodDefinition' && m.kind === 'constructor') {
            // constructor(private readonly sg: ISecurityGroup) — parameter properties are caller-supplied
            for (const p of m.value.params) {
              if (p.type === 'TSParameterProperty' && p.parameter.type === 'Identifier') {
                const ps = new Scope(s, cls);
                ps.vars.set(p.parameter.name, { name: p.parameter.name, kind: 'param', scope: ps, decl: p.parameter });
                addClassProp(cls, p.parameter.name, p.parameter, ps);
              }
            }
          }
        }
        for (const m of node.body.body) walk(m, s, node.body, d);
        return;
      }
      case 'ForStatement': {
        const s = new Scope(scope, scope.cls);
        if (node.init?.type === 'VariableDeclaration') declareVars(node.init, s);
        walkChildren(node, s, d);
        // loop counters are reassigned by the update
        if (node.update) {
          const ids: Node[] = [];
          collectUpdated(node.update, ids);
          for (const id of ids) markAssigned(id, s, undefined);
        }
        return;
      }
      case 'ForOfStatement':
      case 'ForInStatement': {
        const s = new Scope(scope, scope.cls);
        if (node.left.type === 'VariableDeclaration') {
          if (node.type === 'ForOfStatement' && !node.await) declareVars(node.left, s, node.right);
          else for (const dcl of node.left.declarations) declareRest(dcl.id, 'let', s);
        } else markAssigned(node.left, scope, undefined);
        walk(node.right, scope, node, d);
        walk(node.body, s, node, d);
        return;
      }
      case 'CatchClause': {
        const s = new Scope(scope, scope.cls);
        if (node.param) declareRest(node.param, 'catch', s);
        walk(node.body, s, node, d);
        return;
      }
      case 'AssignmentExpression': {
        const l = unwrap(node.left);
        if (node.operator === '=' && l.type === 'MemberExpression') assigns.push({ node, target: l, scope });
        markAssigned(node.left, scope, node.operator === '=' ? node.right : undefined, node);
        walkChildren(node, scope, d);
        return;
      }
      case 'UpdateExpression':
        markAssigned(node.argument, scope, undefined, node);
        walkChildren(node, scope, d);
        return;
      case 'IfStatement':
        walk(node.test, scope, node, d);
        under({ test: node.test, when: 'truthy', scope }, () => walk(node.consequent, scope, node, d));
        if (node.alternate) under({ test: node.test, when: 'falsy', scope }, () => walk(node.alternate!, scope, node, d));
        return;
      case 'ConditionalExpression':
        walk(node.test, scope, node, d);
        under({ test: node.test, when: 'truthy', scope }, () => walk(node.consequent, scope, node, d));
        under({ test: node.test, when: 'falsy', scope }, () => walk(node.alternate, scope, node, d));
        return;
      case 'LogicalExpression':
        walk(node.left, scope, node, d);
        under({ test: node.left, when: node.operator === '&&' ? 'truthy' : node.operator === '||' ? 'falsy' : 'nullish', scope }, () => walk(node.right, scope, node, d));
        return;
      case 'UnaryExpression':
        if (node.operator === 'delete' && unwrap(node.argument).type === 'MemberExpression') mutate((unwrap(node.argument) as TSESTree.MemberExpression).object, scope, node);
        walkChildren(node, scope, d);
        return;
      case 'NewExpression':
        news.push(candidate(node, scope, parent));
        walkChildren(node, scope, d);
        return;
      case 'CallExpression': {
        const callee = unwrap(node.callee);
        if (callee.type === 'Identifier') plainCalls.push({ node, scope });
        if (callee.type === 'MemberExpression') {
          calls.push(candidate(node, scope, parent));
          const fn = node.arguments[0];
          const m = memberName(callee);
          if (m !== undefined && MUTATORS.has(m)) {
            const obj = unwrap(callee.object);
            mutate(obj, scope, node, (m === 'push' || m === 'unshift') && obj.type === 'Identifier' ? node.arguments : undefined);
          } else if (m !== undefined && OBJECT_MUTATORS.has(m) && unwrap(callee.object).type === 'Identifier' && (unwrap(callee.object) as TSESTree.Identifier).name === 'Object' && node.arguments[0]) {
            mutate(node.arguments[0], scope, node);
          }
          if (fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') && m !== undefined && ITERATORS.has(m)) {
            iterated.set(fn, { array: callee.object, scope });
          }
          // Pulumi outputs: x.apply((v) => …) runs with v the value of x; pulumi.all([a, b]).apply(([x, y]) => …)
          // with x, y those of a, b (the same resources: sg.id stays the group's id)
          if (fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') && m === 'apply' && node.arguments.length === 1) {
            const recv = unwrap(callee.object);
            const all = recv.type === 'CallExpression' && recv.arguments.length === 1 && recv.arguments[0]!.type !== 'SpreadElement' ? unwrap(recv.callee) : undefined;
            const isAll = all !== undefined && ((all.type === 'MemberExpression' && memberName(all) === 'all') || (all.type === 'Identifier' && all.name === 'all'));
            applied.set(fn, { value: isAll ? (recv as TSESTree.CallExpression).arguments[0]! : callee.object, scope });
          }
        }
        walkChildren(node, scope, d);
        return;
      }
      default:
        walkChildren(node, scope, d);
        return;
    }
  };

  /**
   * The statements of a block; after `if (test) return;` (or `continue`, `break`; no else) the rest of the
   * block runs only when `test` is falsy. (`throw` is not such a condition: when it throws, nothing is deployed at all.)
   */
  const walkStatements = (stmts: readonly Node[], scope: Scope, parent: Node, d: number): void => {
    let pushed = 0;
    try {
      for (const st of stmts) {
        walk(st, scope, parent, d);
        if (st.type === 'IfStatement' && !st.alternate && returns(st.consequent)) {
          guards.push({ test: st.test, when: 'falsy', scope });
          guardSnapshot = undefined;
          pushed++;
        }
      }
    } finally {
      guards.length -= pushed;
      if (pushed > 0) guardSnapshot = undefined;
    }
  };

  const candidate = (node: TSESTree.NewExpression | TSESTree.CallExpression, scope: Scope, parent: Node | undefined): Candidate => {
    const g = guarded();
    return g ? { node, scope, parent, guards: g } : { node, scope, parent };
  };

  const walkChildren = (node: Node, scope: Scope, depth: number): void => {
    if (LEAVES.has(node.type) || TYPE_ONLY.has(node.type)) return;
    const rec = node as unknown as Record<string, unknown>;
    for (const key in rec) {
      if (SKIP.has(key)) continue;
      const v = rec[key];
      if (!v || typeof v !== 'object') continue;
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c === 'object' && typeof (c as Node).type === 'string') walk(c as Node, scope, node, depth);
      } else if (typeof (v as Node).type === 'string') walk(v as Node, scope, node, depth);
    }
  };

  walk(program, root, undefined, 0);
  // addCftPorts(ports) where addCftPorts changes its parameter in place: ports changes at the call
  if (mutatedParams.size > 0) {
    for (const c of plainCalls) {
      const b = c.scope.lookup((unwrap(c.node.callee) as TSESTree.Identifier).name);
      const fn = b && functionOf(b);
      const idx = fn && mutatedParams.get(fn);
      if (idx) for (const i of idx) if (c.node.arguments[i]) mutate(c.node.arguments[i]!, c.scope, c.node);
    }
  }
  callSites(program, fnScopes, plainCalls, news, calls);
  return { root, news, calls, fnScopes, imports, assigns };
}

function collectPatternIds(p: Node, out: Node[]): void {
  switch (p.type) {
    case 'Identifier':
      out.push(p);
      return;
    case 'AssignmentPattern':
      collectPatternIds(p.left, out);
      return;
    case 'RestElement':
      collectPatternIds(p.argument, out);
      return;
    case 'ObjectPattern':
      for (const q of p.properties) collectPatternIds(q.type === 'RestElement' ? q.argument : q.value, out);
      return;
    case 'ArrayPattern':
      for (const el of p.elements) if (el) collectPatternIds(el, out);
      return;
    default:
      return;
  }
}

/** `return` / `continue` / `break` / `{ …; return; }`: a statement that always leaves the rest of its block. */
function returns(st: Node): boolean {
  if (st.type === 'ReturnStatement' || st.type === 'ContinueStatement' || st.type === 'BreakStatement') return true;
  if (st.type === 'BlockStatement') {
    const last = st.body[st.body.length - 1];
    return last !== undefined && returns(last);
  }
  return false;
}

function collectUpdated(e: Node, out: Node[]): void {
  if (e.type === 'UpdateExpression') out.push(e.argument);
  else if (e.type === 'AssignmentExpression') out.push(e.left);
  else if (e.type === 'SequenceExpression') for (const x of e.expressions) collectUpdated(x, out);
}

/** The function a binding names: a function declaration, or a const initialised with a function expression. */
function functionOf(b: Binding): Node | undefined {
  if (b.kind === 'function') return b.fnNode;
  if (b.kind === 'const' && b.init && !b.path) {
    const i = unwrap(b.init);
    return i.type === 'ArrowFunctionExpression' || i.type === 'FunctionExpression' ? i : undefined;
  }
  return undefined;
}

/** Most calls of one function read as its parameters' values (more: the parameters stay unknown). */
const MAX_SITES = 16;

/**
 * A function's parameters take the arguments of its calls in this file (`function allow(port) {…}; allow(22);
 * allow(1768)`, a private method called as `this.open(sg, 5432)`, a class of the file built with `new
 * Firewall('mft', { ports })`): each parameter becomes one name of a hidden element binding, one element per call, so
 * that the rules the function makes are read once per call (as a loop body's are per element). A function that may be
 * called otherwise — exported, named anywhere but as the callee of those calls (passed as a value, shadowed), a method
 * that is not private — also has an unknown element.
 */
function callSites(program: TSESTree.Program, fnScopes: Map<Node, Scope>, plainCalls: { node: TSESTree.CallExpression; scope: Scope }[], news: Candidate[], memberCalls: Candidate[]): void {
  const parentOf = new Map<Node, Node>();
  // every name as written (identifiers that are not property names), and member names (x.m, this.m)
  const names = new Map<string, number>();
  const members = new Map<string, number>();
  const thisCalls = new Map<Node, { name: string; node: TSESTree.CallExpression }[]>();
  const classOf = new Map<Node, Node>();
  const visit = (n: Node, cls: Node | undefined, depth: number, parent: Node | undefined): void => {
    if (depth > 400) return;
    if (parent) parentOf.set(n, parent);
    if (n.type === 'Identifier') names.set(n.name, (names.get(n.name) ?? 0) + 1);
    if (n.type === 'ClassDeclaration' || n.type === 'ClassExpression') cls = n;
    if ((n.type === 'MethodDefinition' || n.type === 'PropertyDefinition') && cls) classOf.set(n, cls);
    if (n.type === 'MemberExpression' && !n.computed && (n.property.type === 'Identifier' || n.property.type === 'PrivateIdentifier')) {
      members.set(n.property.name, (members.get(n.property.name) ?? 0) + 1);
    }
    if (n.type === 'CallExpression' && cls) {
      const c = unwrap(n.callee);
      if (c.type === 'MemberExpression' && !c.computed && c.object.type === 'ThisExpression' && (c.property.type === 'Identifier' || c.property.type === 'PrivateIdentifier')) {
        const list = thisCalls.get(cls) ?? [];
        list.push({ name: c.property.name, node: n });
        thisCalls.set(cls, list);
      }
    }
    const rec = n as unknown as Record<string, unknown>;
    for (const key in rec) {
      if (key === 'parent' || key === 'loc' || key === 'range') continue;
      // property names are not references to a binding
      if ((key === 'property' && n.type === 'MemberExpression' && !n.computed) || (key === 'key' && (n.type === 'Property' || n.type === 'MethodDefinition' || n.type === 'PropertyDefinition') && !n.computed)) continue;
      const v = rec[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c === 'object' && typeof (c as Node).type === 'string') visit(c as Node, cls, depth + 1, n);
      } else if (v && typeof v === 'object' && typeof (v as Node).type === 'string') visit(v as Node, cls, depth + 1, n);
    }
  };
  visit(program, undefined, 0, undefined);
  const scopeOf = new Map<Node, Scope>(memberCalls.map((c) => [c.node, c.scope]));
  const exported = (n: Node | undefined): boolean => {
    for (let p = n && parentOf.get(n); p; p = parentOf.get(p)) {
      if (p.type === 'ExportNamedDeclaration' || p.type === 'ExportDefaultDeclaration') return true;
      if (p.type !== 'VariableDeclarator' && p.type !== 'VariableDeclaration') return false;
    }
    return false;
  };
  const sites = new Map<Node, { args: readonly Node[]; scope: Scope; node: Node }[]>();
  const add = (fn: Node | undefined, node: TSESTree.CallExpression | TSESTree.NewExpression, scope: Scope): void => {
    if (!fn) return;
    const list = sites.get(fn) ?? [];
    list.push({ args: node.arguments, scope, node });
    sites.set(fn, list);
  };
  for (const c of plainCalls) {
    const b = c.scope.lookup((unwrap(c.node.callee) as TSESTree.Identifier).name);
    if (b) add(functionOf(b), c.node, c.scope);
  }
  for (const c of news) {
    const callee = unwrap(c.node.callee);
    const b = callee.type === 'Identifier' ? c.scope.lookup(callee.name) : undefined;
    const ctor = b?.kind === 'class' ? b.classNode?.body.body.find((m) => m.type === 'MethodDefinition' && m.kind === 'constructor') : undefined;
    if (ctor?.type === 'MethodDefinition') add(ctor.value, c.node, c.scope);
  }
  for (const [fn, scope] of fnScopes) {
    if (fn.type !== 'FunctionDeclaration' && fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression') continue;
    // each parameter name with its place in the arguments: a plain one, or one of a pattern (`{ ports, cidr }: Args`)
    const params: { b: Binding; path: (string | number)[] }[] = [];
    for (const b of scope.vars.values()) {
      if (b.kind !== 'param' || b.rest) continue;
      const i = fn.params.findIndex((p) => p.range[0] <= b.decl.range[0] && b.decl.range[1] <= p.range[1]);
      if (i >= 0) params.push({ b, path: b.paramOf?.fn === fn ? [i] : [i, ...(b.path ?? [])] });
    }
    if (params.length === 0) continue;
    let calls: { args: readonly Node[]; scope: Scope; node: Node }[] = [];
    let escapes = true;
    const parent = parentOf.get(fn);
    if (fn.type === 'FunctionDeclaration' && fn.id) {
      calls = sites.get(fn) ?? [];
      escapes = exported(fn) || (names.get(fn.id.name) ?? 0) !== calls.length + 1;
    } else if (fn.type !== 'FunctionDeclaration' && parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier' && parent.init === fn) {
      calls = sites.get(fn) ?? [];
      escapes = exported(parent) || (names.get(parent.id.name) ?? 0) !== calls.length + 1;
    } else if (parent?.type === 'MethodDefinition' && parent.value === fn && !parent.static && !parent.computed) {
      const cls = classOf.get(parent) as TSESTree.ClassDeclaration | TSESTree.ClassExpression | undefined;
      if (!cls) continue;
      if (parent.kind === 'constructor') {
        // built with `new C(…)` in this file only: a class not exported, named only there
        const id = cls.type === 'ClassDeclaration' ? cls.id : undefined;
        calls = sites.get(fn) ?? [];
        escapes = !id || exported(cls) || (names.get(id.name) ?? 0) !== calls.length + 1;
      } else if (parent.kind === 'method' && (parent.key.type === 'Identifier' || parent.key.type === 'PrivateIdentifier')) {
        const name = parent.key.name;
        calls = (thisCalls.get(cls) ?? []).filter((c) => c.name === name).map((c) => ({ args: c.node.arguments, scope: scopeOf.get(c.node) ?? scope, node: c.node }));
        const priv = parent.key.type === 'PrivateIdentifier' || parent.accessibility === 'private';
        escapes = !priv || (members.get(name) ?? 0) !== calls.length;
      } else continue;
    } else continue;
    if (calls.length === 0 || calls.length > MAX_SITES) continue;
    const first = fn.params[0]!;
    const hidden: Binding = { name: '', kind: 'loop', scope, decl: first, each: true, sites: calls };
    if (escapes) hidden.escapes = true;
    for (const { b, path } of params) {
      b.elem = hidden;
      b.path = path;
    }
  }
}
