/**
 * Shared extraction context: the resolver, the document builder, construct
 * names (construct id / resource name, the variable a construct is stored in),
 * and the AWS "ingress entry" reader used by CloudFormation-in-CDK and Pulumi.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AddrSet, type Match } from '../../model/index.js';
import { keyName, memberName, unwrap, type Node } from './ast.js';
import {
  anyOf,
  awsProtoPorts,
  cidrs,
  PLACEHOLDER_V4,
  PLACEHOLDER_V6,
  removeStatement,
  replaceLiteral,
  RulesetDraft,
  type DocBuilder,
  type RulesetStyle,
  type RuleDraft,
  type Suggestion,
} from './build.js';
import { iterationsOf, loopsIn, truthy, type Binding, type Resolver, type Scope, type Val } from './resolve.js';
import type { Guard, ScanResult } from './scan.js';

/** Property reader of an object argument: an unknown object makes every property unknown; a spread of unknowns (`rest`) stands for absent keys. */
export function propGetter(obj: Val | undefined): (key: string) => Val | undefined {
  return (k) => (obj?.k === 'obj' ? (obj.props.get(k) ?? obj.rest) : obj?.k === 'unk' ? obj : undefined);
}

export class Context {
  private readonly parents = new Map<Node, Node | undefined>();
  private readonly guards = new Map<Node, readonly Guard[]>();
  constructor(
    readonly b: DocBuilder,
    readonly r: Resolver,
    readonly scan: ScanResult,
  ) {
    r.fnScopes = scan.fnScopes;
    for (const c of [...scan.news, ...scan.calls]) {
      this.parents.set(c.node, c.parent);
      if (c.guards) this.guards.set(c.node, c.guards);
    }
  }

  /**
   * The conditions a rule-making call or construct runs under (`if (props.openCft) sg.addIngressRule(…)`,
   * `enable && new aws.ec2.SecurityGroupRule(…)`): `dead` when one is known false (the code never runs),
   * else an opaque match per condition decided at run time (the rule exists only when it holds).
   */
  /** The loop variables the conditions around `node` read. */
  guardLoops(node: Node): Binding[] {
    const gs = this.guards.get(node);
    if (!gs) return [];
    return [...new Set(gs.flatMap((g) => this.r.loopBindings(g.label ? [g.test, g.label] : [g.test], g.scope)))];
  }

  guard(node: Node): { dead: boolean; matches: Match[] } {
    const gs = this.guards.get(node);
    if (!gs) return { dead: false, matches: [] };
    const matches: Match[] = [];
    for (const g of gs) {
      if (g.when === 'case') {
        // a known discriminant decides nothing here (the case may be reached by falling through): only an unknown one is a condition
        const d = this.r.eval(g.test, g.scope);
        if (d.k !== 'unk' && d.k !== 'each') continue;
        const text = `only if ${this.b.text(g.test)} ${g.label ? `is ${this.b.text(g.label)}` : 'matches no case'} (or an earlier case falls through)`;
        matches.push(this.b.opaque({ text, reason: 'the code that adds this rule runs under a condition decided at run time', node: g.label ?? g.test }));
        continue;
      }
      const v = this.r.eval(g.test, g.scope);
      const t = truthy(v);
      const known = g.when === 'nullish' ? (v.k === 'nullish' ? true : t === true || (t === false && v.k !== 'unk') ? false : undefined) : t === undefined ? undefined : g.when === 'truthy' ? t : !t;
      if (known === false) return { dead: true, matches: [] };
      if (known === true) continue;
      const text = this.b.text(g.test);
      const t0 = unwrap(g.test);
      // (the else of `if (!x)` is `x`)
      const falsy = t0.type === 'UnaryExpression' && t0.operator === '!' ? this.b.text(t0.argument) : `!(${text})`;
      const cond = g.when === 'truthy' ? text : g.when === 'falsy' ? falsy : `${text} == null`;
      matches.push(this.b.opaque({ text: `only if ${cond}`, reason: 'the code that adds this rule runs under a condition decided at run time', node: g.test }));
    }
    return { dead: false, matches };
  }

  get src(): string {
    return this.b.sourceText;
  }

  parentOf(node: Node): Node | undefined {
    return this.parents.get(node);
  }

  /** The variable / property a construct is assigned to: `const sg = new …` → "sg", `this.web = new …` → "web". */
  declaredName(node: Node): string | undefined {
    const p = this.parents.get(node);
    if (!p) return undefined;
    switch (p.type) {
      case 'VariableDeclarator':
        return p.id.type === 'Identifier' ? p.id.name : undefined;
      case 'AssignmentExpression': {
        const l = unwrap(p.left);
        if (l.type === 'Identifier') return l.name;
        if (l.type === 'MemberExpression') return memberName(l);
        return undefined;
      }
      case 'PropertyDefinition':
        return keyName(p.key, p.computed);
      case 'Property':
        return keyName(p.key, p.computed);
      default:
        return undefined;
    }
  }

  /** Argument `i` of a call/new as a string (construct id, resource name), or its text. */
  argString(node: TSESTree.CallExpression | TSESTree.NewExpression, i: number, scope: Scope): string | undefined {
    const a = node.arguments[i];
    if (!a && !node.arguments.some((x) => x.type === 'SpreadElement')) return undefined;
    const v = this.arg(node, i, scope);
    if (v?.k === 'str') return v.v;
    if (v?.k === 'num') return String(v.v);
    return a && a.type !== 'SpreadElement' ? this.b.text(a) : undefined;
  }

  arg(node: TSESTree.CallExpression | TSESTree.NewExpression, i: number, scope: Scope): Val | undefined {
    const spread = node.arguments.findIndex((a) => a.type === 'SpreadElement');
    if (spread >= 0 && spread <= i) {
      // new aws.ec2.SecurityGroup(...args): the arguments are the spread array's elements, else unknown
      const vals: Val[] = [];
      for (const a of node.arguments) {
        if (a.type !== 'SpreadElement') {
          vals.push(this.r.eval(a, scope));
          continue;
        }
        const v = this.r.eval(a.argument, scope);
        if (v.k !== 'arr' || v.rest) return v.k === 'unk' ? v : { k: 'unk', text: this.b.text(a), reason: 'arguments spread from a value not known statically', node: a };
        vals.push(...v.items);
        if (vals.length > i) break;
      }
      return vals[i];
    }
    const a = node.arguments[i];
    if (!a || a.type === 'SpreadElement') return undefined;
    return this.r.eval(a, scope);
  }

  /**
   * The ruleset of a construct (security group, NSG), created once: named by its
   * id / resource name argument (else its text), targeted by that name and by the
   * variable it is stored in.
   */
  constructRuleset(node: TSESTree.CallExpression | TSESTree.NewExpression, scope: Scope, nameArg: number, style: RulesetStyle, fill: (d: RulesetDraft) => void): RulesetDraft {
    // a construct written in a loop body (`for (const s of services) new SecurityGroup(\`${s.name}-sg\`, …)`) is one group per
    // element: while `perIteration` fixes its loop variables, that element's group; otherwise one group for them all
    const loops = this.r.loopBindings([node], scope, true);
    const at = loops.length > 0 ? this.r.fixedAt(loops) : undefined;
    const d = this.b.ruleset(at ? `${node.range[0]}:${node.range[1]}#${at.join(',')}` : node, () => {
      const name = this.argString(node, nameArg, scope);
      const d = new RulesetDraft(name ?? this.b.text(node), node, style);
      d.addTarget(name);
      d.addTarget(this.declaredName(node));
      fill(d);
      return d;
    });
    if (loops.length > 0) {
      // the elements' groups, and the one for them all (rules on one element picked otherwise: `groups[0]`), whose
      // rules are then each element's
      let g = this.loopGroups.get(node);
      if (!g) this.loopGroups.set(node, (g = { elements: [] }));
      if (at) {
        if (!g.elements.includes(d)) g.elements.push(d);
      } else if (!g.all) {
        g.all = d;
        this.b.spreadOver(d, g.elements);
      }
    }
    return d;
  }
  private readonly loopGroups = new Map<Node, { all?: RulesetDraft; elements: RulesetDraft[] }>();

  /** The ruleset of a group known only by a name or an expression (not built in this file), created once per key. */
  namedRuleset(key: string, name: string, node: Node, style: RulesetStyle, fill?: (d: RulesetDraft) => void): RulesetDraft {
    return this.b.ruleset(key, () => {
      const d = new RulesetDraft(name, node, style);
      d.addTarget(name);
      fill?.(d);
      return d;
    });
  }

  /** A human label for a construct value: its variable name, else its id / resource name, else its text. */
  label(v: Val): string {
    if (v.k === 'new' || v.k === 'call') {
      const name = this.declaredName(v.node);
      if (name !== undefined) return name;
      const idIndex = v.fq.startsWith('cdk') ? 1 : 0;
      return this.argString(v.node, idIndex, v.scope) ?? this.b.text(v.node);
    }
    if (v.k === 'prop') return this.label(v.base);
    if (v.k === 'str') return v.v;
    return this.b.text(v.node);
  }

  /**
   * The addresses of a prefix list this file builds, named by its id (`Peer.prefixList(pl.prefixListId)`,
   * `prefixListIds: [pl.id]`), when its `entries` are all known CIDRs: read as them, as the CloudFormation and Terraform
   * readers read theirs (an opaque name never was "the whole internet"). Not when the file may add entries or change
   * them elsewhere (Pulumi's ManagedPrefixListEntry, CDK escape hatches, an `addEntry`): then a name, as before.
   */
  private prefixListAddresses(v: Val): AddrSet | undefined {
    if (v.k !== 'prop' || v.base.k !== 'new') return undefined;
    const base = v.base;
    if (!PREFIX_LIST_IDS[base.fq]?.includes(v.name)) return undefined;
    if (/ManagedPrefixListEntry|addPropertyOverride|addOverride|addEntry|addDeletionOverride/.test(this.src)) return undefined;
    const props = this.arg(base.node, base.fq.startsWith('cdk.') ? 2 : 1, base.scope);
    const entries = props?.k === 'obj' && !props.rest ? props.props.get('entries') : undefined;
    if (entries?.k !== 'arr' || entries.rest || entries.items.length === 0) return undefined;
    let addrs = AddrSet.EMPTY;
    for (const e of entries.items) {
      const c = e.k === 'obj' && !e.rest ? e.props.get('cidr') : undefined;
      const a = c?.k === 'str' ? AddrSet.parse(c.v.trim()) : undefined;
      if (!a) return undefined;
      addrs = addrs.union(a);
    }
    return addrs;
  }

  /** A security-group or prefix-list reference (`sg.id`, `"sg-123"`, `cfnSg.attrGroupId`, `props.sgId`) → principal match. */
  principal(v: Val, dir: 'src' | 'dst'): Match {
    const pl = this.prefixListAddresses(v);
    if (pl) return { kind: 'address', dir, addrs: pl, span: spanOf(v.node) };
    if (v.k === 'str') return { kind: 'principal', dir, names: [v.v], span: spanOf(v.node) };
    if (v.k === 'new' || v.k === 'call' || v.k === 'prop') return { kind: 'principal', dir, names: [this.label(v)], span: spanOf(v.node) };
    // an unresolved group / prefix-list reference still names a group, never internet addresses
    if (v.k === 'unk') return { kind: 'principal', dir, names: [v.text], span: spanOf(v.node) };
    return this.b.opaque({ text: this.b.text(v.node), reason: 'not a security group reference', node: v.node });
  }
}

/** The id attribute of each prefix-list construct (CDK L2 and L1, Pulumi AWS). */
const PREFIX_LIST_IDS: Readonly<Record<string, readonly string[]>> = {
  'cdk.PrefixList': ['prefixListId'],
  'cdk.CfnPrefixList': ['attrPrefixListId', 'ref'],
  'aws.ec2.ManagedPrefixList': ['id'],
};

function spanOf(n: Node): import('../../model/index.js').Span {
  return {
    start: { line: n.loc.start.line, column: n.loc.start.column + 1, offset: n.range[0] },
    end: { line: n.loc.end.line, column: n.loc.end.column + 1, offset: n.range[1] },
  };
}

export interface AwsEntryFields {
  protocol: string;
  from: string;
  to: string;
  cidr4: string[];
  cidr6: string[];
  /** Fields naming security groups / prefix lists (string or array). */
  principals: string[];
  /** Boolean field meaning "this group itself". */
  self?: string;
}

/**
 * One AWS rule written as an object literal (CloudFormation-in-CDK, Pulumi ingress
 * entries, SecurityGroupRule props): protocol/ports + sources as alternatives.
 * Unresolved parts become opaque matches; a world-open literal gets a suggestion.
 */
export function awsEntry(ctx: Context, entry: Val, node: Node, f: AwsEntryFields, dir: 'src' | 'dst'): RuleDraft {
  const b = ctx.b;
  if (entry.k === 'unk' && entry.only) {
    // an entry of a list chosen at run time (cdk.ts `entries`): the rule exists only when its condition holds
    const { v, conds } = onlyWhen(ctx, entry);
    const d = awsEntry(ctx, v, inNode(v.node, node) ? v.node : node, f, dir);
    d.matches = [...d.matches, ...conds];
    return d;
  }
  if (entry.k !== 'obj') {
    const m = entry.k === 'unk' ? b.opaque(entry) : b.opaque({ text: b.text(node), reason: 'rule is not an object literal', node });
    return { matches: [m], action: { kind: 'accept' }, node, reportNode: node, suggestions: [] };
  }
  // fields read from the same loop element (`list.map((p) => ({ fromPort: p.port, cidrBlocks: [p.cidr] }))`):
  // one alternative per element, not every port with every source
  const iterations = correlated(entry, [[f.protocol], [f.from, f.to], [...f.cidr4, ...f.cidr6, ...f.principals, ...(f.self ? [f.self] : [])]]) ? iterationsOf(entry) : undefined;
  if (iterations && iterations.length > 1) {
    const drafts = iterations.map((e) => awsEntry(ctx, e, node, f, dir));
    const first = drafts[0]!;
    return { matches: anyOf(drafts.map((d) => d.matches)), action: { kind: 'accept' }, node, reportNode: first.reportNode, suggestions: first.suggestions };
  }
  const get = (k: string): Val | undefined => {
    const v = entry.props.get(k);
    if (v) return v;
    return entry.rest;
  };
  const proto = get(f.protocol);
  const from = get(f.from);
  const to = get(f.to);
  const pp = awsProtoPorts(b, proto, from, to, node);
  const alts: Match[][] = [];
  const cidrFields = ([...f.cidr4.map((k) => [k, 'ipv4'] as const), ...f.cidr6.map((k) => [k, 'ipv6'] as const)]).flatMap(([k, fam]) => {
    const v = get(k);
    return v === undefined ? [] : [{ v, fam }];
  });
  const c = cidrs(b, cidrFields.map((x) => x.v), node, cidrFields.map((x) => x.fam));
  const flip = (m: Match): Match => (dir === 'dst' && (m.kind === 'address' || m.kind === 'principal') ? { ...m, dir: 'dst' } : m);
  if (c.matches.length > 0) alts.push(c.matches.map(flip));
  for (const o of c.opaques) alts.push(o.map(flip));
  for (const k of f.principals) {
    const v = get(k);
    if (!v || v.k === 'nullish') continue;
    const list = v.k === 'arr' ? [...v.items, ...(v.rest ? [v.rest] : [])] : v.k === 'each' ? v.items : [v];
    for (const it of list) if (it.k !== 'nullish') alts.push([ctx.principal(it, dir)]);
  }
  if (f.self) {
    const s = get(f.self);
    if (s?.k === 'bool' && s.v) alts.push([{ kind: 'principal', dir, names: ['self'], span: spanOf(s.node) }]);
    else if (s?.k === 'unk') alts.push([b.opaque(s)]);
  }
  const suggestions: Suggestion[] = [];
  for (const w of dir === 'src' ? c.worldLiterals : []) {
    suggestions.push(
      replaceLiteral(ctx.src, w.node, w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4, `Replace the world-open CIDR with a private placeholder (${w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`),
    );
  }
  let matches: Match[];
  if (alts.length === 0) {
    b.warn(node, 'rule names no source or destination: it matches nothing', 'typescript/no-source', 'warning');
    matches = [...pp, { kind: 'any-of', alternatives: [] }];
  } else matches = [...pp, ...anyOf(alts)];
  const reportNode = (dir === 'src' ? c.worldLiterals[0]?.node : undefined) ?? from?.node ?? proto?.node ?? node;
  return { matches, action: { kind: 'accept' }, node, reportNode: inNode(reportNode, node) ? reportNode : node, suggestions };
}

/** Does one loop variable feed two of these field groups (so that the iterations must stay paired)? */
function correlated(entry: Val & { k: 'obj' }, groups: string[][]): boolean {
  const seen = new Set<unknown>();
  for (const g of groups) {
    const here = new Set<unknown>();
    for (const k of g) {
      const v = entry.props.get(k);
      if (v) for (const b of loopsIn(v).keys()) here.add(b);
    }
    for (const b of here) {
      if (seen.has(b)) return true;
      seen.add(b);
    }
  }
  return false;
}

/** `rule` with the conditions the code at `at` runs under (`Context.guard`), or undefined when that code never runs. */
/**
 * `run` once per element of the loops a construct written in a loop body reads (`for (const s of services) { const sg =
 * new SecurityGroup(…s.name…); … }`), so that it and the rules that name it land in that element's group; once when it
 * reads none, when they are fixed already, or when there are too many elements (then one group for them all).
 */
export function perIteration(ctx: Context, construct: Val | undefined, run: () => void, ref?: { node: Node; scope: Scope }): void {
  const base = construct?.k === 'prop' ? construct.base : construct;
  if (base && (base.k === 'new' || base.k === 'call')) {
    const loops = ctx.r.loopBindings([base.node], base.scope, true);
    // a reference reaches that element only through the same loop variables (`sg` of the loop body, not `groups[0]`)
    const via = ref ? ctx.r.loopBindings([ref.node], ref.scope, true) : loops;
    if (loops.length > 0 && loops.every((b) => via.includes(b)) && !ctx.r.fixedAt(loops) && ctx.r.iterate(loops, () => (run(), true)) !== undefined) return;
  }
  run();
}

/** The entry an `only` entry (cdk.ts `entries`) stands for, and its conditions as opaque matches at their test. */
export function onlyWhen(ctx: Context, e: Val): { v: Val; conds: Match[] } {
  const conds: Match[] = [];
  while (e.k === 'unk' && e.only) {
    conds.push(ctx.b.opaque({ text: e.text, reason: e.reason, node: e.only.cond }));
    e = e.only.v;
  }
  return { v: e, conds };
}

export function guarded<T extends { matches: Match[] }>(ctx: Context, at: Node, rule: T): T | undefined {
  const g = ctx.guard(at);
  if (g.dead) return undefined;
  if (g.matches.length > 0) rule.matches = [...rule.matches, ...g.matches];
  return rule;
}

/** For `new Rule(...)` written as a statement of its own: a suggestion removing it. */
export function removalOf(ctx: Context, node: Node, what: string): Suggestion[] {
  const p = ctx.parentOf(node);
  if (p?.type === 'ExpressionStatement' && p.expression === node) return [removeStatement(ctx.src, p, `Remove this ${what} statement`)];
  return [];
}

export function inNode(n: Node, outer: Node): boolean {
  return n.range[0] >= outer.range[0] && n.range[1] <= outer.range[1];
}
