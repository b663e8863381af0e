/**
 * Turns what the extractors find into the common model: rulesets per security
 * group / network / NSG, rules with ids and spans, and the ExtractedRule records
 * (node, report node, suggestions) the lint rules use. Also the AWS protocol and
 * port semantics shared by CDK, CloudFormation-in-CDK and Pulumi.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import {
  AddrSet,
  IntervalSet,
  numRange,
  numSingle,
  parseCidr,
  type Action,
  type Diagnostic,
  type Match,
  type NumSet,
  type Rule,
  type Ruleset,
} from '../../model/index.js';
import { cloudChain, cloudRuleset, cloudTable, opaqueMatch, spanJoin } from '../../model/build.js';
import { awsIcmpTypeCode, awsPortRange, awsProtocol as coreAwsProtocol, awsProtocolNumber, decidedFirst } from '../aws/core.js';
import { warnUnevaluated } from '../gcp/common.js';
import { oneLine, spanOfNode, type Node } from './ast.js';
import type { Resolver, UnkVal, Val } from './resolve.js';

export interface Suggestion {
  desc: string;
  range: [number, number];
  text: string;
}

export interface ExtractedRule {
  rule: Rule;
  node: TSESTree.Node;
  /** The node to report (the peer / port argument / property). */
  reportNode: TSESTree.Node;
  suggestions: Suggestion[];
}

export interface RuleDraft {
  matches: Match[];
  action: Action;
  node: Node;
  reportNode: Node;
  suggestions: Suggestion[];
  comment?: string;
  disabled?: boolean;
  /** Rule text when not the node's source (rules the cloud adds by default). */
  text?: string;
  /** GCP / Azure evaluation order (lower first); deny before allow at equal priority for GCP. */
  priority?: number;
}

export type RulesetStyle = 'aws' | 'gcp' | 'azure';

/** Where a compiled cloud rule was written: its node, the node to report, the suggestions. */
export interface RuleOrigin {
  node: Node;
  reportNode: Node;
  suggestions: Suggestion[];
}

/**
 * Rulesets built by a cloud parser's compiler (`compileGcp`, `compileNsg`) from
 * the resolved values, with the way back from each compiled rule to its source node.
 */
export interface CompiledRulesets {
  rulesets: Ruleset[];
  origin: (rule: Rule) => RuleOrigin;
}

/** One firewall object being assembled (a security group, a GCP network, an NSG). */
export class RulesetDraft {
  readonly targets: string[] = [];
  readonly ingress: RuleDraft[] = [];
  readonly egress: RuleDraft[] = [];
  /** Rules the cloud adds by itself (AWS default egress, Azure defaults), after the written ones. */
  readonly defaultIngress: RuleDraft[] = [];
  readonly defaultEgress: RuleDraft[] = [];
  constructor(
    public name: string,
    readonly node: Node,
    readonly style: RulesetStyle,
  ) {}
  /** Set when a cloud compiler builds this ruleset (its drafts are then not used). */
  compile?: () => CompiledRulesets;
  addTarget(t: string | undefined): void {
    if (t !== undefined && t !== '' && !this.targets.includes(t)) this.targets.push(t);
  }
}

export class DocBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly drafts: (RulesetDraft | { build: () => CompiledRulesets; at: Node })[] = [];
  private readonly byKey = new Map<unknown, RulesetDraft>();
  /** Groups built in a loop body (context.ts `constructRuleset`): rules given to them all go to each element's group. */
  private readonly fanOut = new Map<RulesetDraft, readonly RulesetDraft[]>();

  constructor(
    readonly sourceText: string,
    readonly resolver: Resolver,
  ) {}

  text(node: Node): string {
    return oneLine(this.sourceText, node);
  }

  ruleset(key: unknown, create: () => RulesetDraft): RulesetDraft {
    let d = this.byKey.get(key);
    if (!d) {
      d = create();
      this.byKey.set(key, d);
      this.drafts.push(d);
    }
    return d;
  }

  /**
   * `all` stands for the groups of `elements` (one per loop element, the list may still grow): when the document is
   * finished, its written rules are each element's (the one they apply to is not known), and it is no group of its own.
   */
  spreadOver(all: RulesetDraft, elements: readonly RulesetDraft[]): void {
    this.fanOut.set(all, elements);
  }

  /** Rulesets a cloud compiler builds when the document is finished, in this place of the output. */
  compiled(build: () => CompiledRulesets, at: Node): void {
    this.drafts.push({ build, at });
  }

  existing(key: unknown): RulesetDraft | undefined {
    return this.byKey.get(key);
  }

  private readonly warned = new Set<string>();

  /** A problem with the written value (an error: the cloud would refuse it); once per place even when read twice. */
  warn(node: Node, message: string, code: string, severity: 'error' | 'warning' = 'error'): void {
    const key = `${code}@${node.range[0]}:${node.range[1]}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.diagnostics.push({ severity, message, span: spanOfNode(node), code });
  }

  opaque(v: UnkVal | { text: string; reason: string; node: Node }, module = 'unresolved'): Match {
    return opaqueMatch(module, v.text, v.reason, spanOfNode(v.node));
  }

  /** Builds the rulesets; rule ids are assigned in ruleset, chain, rule order. */
  finish(): { rulesets: Ruleset[]; extracted: ExtractedRule[] } {
    let id = 0;
    const extracted: ExtractedRule[] = [];
    const rulesets: Ruleset[] = [];
    const toRules = (drafts: RuleDraft[]): Rule[] =>
      drafts.map((d) => {
        const rule: Rule = {
          id: ++id,
          matches: d.matches,
          action: d.action,
          span: spanOfNode(d.node),
          reportSpan: spanOfNode(d.reportNode),
          text: d.text ?? this.text(d.node),
        };
        if (d.comment !== undefined) rule.comment = d.comment;
        if (d.disabled) rule.disabled = true;
        extracted.push({ rule, node: d.node, reportNode: d.reportNode, suggestions: d.suggestions });
        return rule;
      });
    const fromCompiler = (c: CompiledRulesets): void => {
      for (const rs of c.rulesets) {
        const tables = rs.tables.map((t) => ({
          ...t,
          chains: t.chains.map((ch) => ({
            ...ch,
            rules: ch.rules.map((r) => {
              const o = c.origin(r);
              const rule: Rule = { ...r, id: ++id, reportSpan: spanOfNode(o.reportNode) };
              extracted.push({ rule, node: o.node, reportNode: o.reportNode, suggestions: o.suggestions });
              return rule;
            }),
          })),
        }));
        rulesets.push({ ...rs, tables });
      }
    };
    const compile = (build: () => CompiledRulesets, at: Node): void => {
      let c: CompiledRulesets;
      try {
        c = build();
      } catch (e) {
        // Defensive, like the extraction itself: an unexpected shape must not break linting.
        this.diagnostics.push({ severity: 'error', message: `could not compile firewall rules: ${e instanceof Error ? e.message : String(e)}`, span: spanOfNode(at), code: 'typescript/internal' });
        return;
      }
      fromCompiler(c);
    };
    const spread = new Set<RulesetDraft>();
    for (const [all, elements] of this.fanOut) {
      if (elements.length === 0 || all.compile) continue;
      for (const e of elements) {
        e.ingress.push(...all.ingress);
        e.egress.push(...all.egress);
      }
      spread.add(all);
    }
    for (const d of this.drafts) {
      if (d instanceof RulesetDraft && spread.has(d)) continue;
      if (!(d instanceof RulesetDraft)) {
        compile(d.build, d.at);
        continue;
      }
      if (d.compile) {
        compile(d.compile, d.node);
        continue;
      }
      const span = spanOfNode(d.node);
      // Every value a written rule keeps unknown is unevaluated input, as the GCP and Azure compilers and the
      // CloudFormation/Terraform/ARM readers report it (the rules the cloud adds by itself are not written input).
      for (const r of [...d.ingress, ...d.egress]) warnUnevaluated(r.matches, `security group ${d.name}`, this.diagnostics);
      const order = (list: RuleDraft[]): RuleDraft[] => {
        // a security group is a union: decided rules first, so that an opening is credited to the rule that makes it
        if (d.style === 'aws') return decidedFirst(list, true);
        // stable sort by priority; GCP: deny before allow at equal priority
        return list
          .map((r, i) => ({ r, i }))
          .sort((a, b) => {
            const pa = a.r.priority ?? 1000;
            const pb = b.r.priority ?? 1000;
            if (pa !== pb) return pa - pb;
            if (d.style === 'gcp') {
              const da = a.r.action.kind === 'drop' ? 0 : 1;
              const db = b.r.action.kind === 'drop' ? 0 : 1;
              if (da !== db) return da - db;
            }
            return a.i - b.i;
          })
          .map((x) => x.r);
      };
      const ingress = cloudChain('ingress', 'input', 'drop', toRules([...order(d.ingress), ...d.defaultIngress]), span);
      const egress = cloudChain('egress', 'output', d.style === 'gcp' ? 'accept' : 'drop', toRules([...order(d.egress), ...d.defaultEgress]), span);
      rulesets.push(cloudRuleset(d.name, d.targets.length > 0 ? [...d.targets] : [d.name], [cloudTable(tableName(d.style), [ingress, egress], span)]));
    }
    return { rulesets, extracted };
  }
}

/** Only AWS groups are built from drafts now (GCP / Azure rulesets come from the cloud compilers). */
function tableName(style: RulesetStyle): string {
  return style === 'aws' ? 'security-group' : style === 'gcp' ? 'firewall' : 'network-security-group';
}

export { anyOf } from '../../model/build.js';

export const WORLD_V4 = '0.0.0.0/0';
export const WORLD_V6 = '::/0';
export const PLACEHOLDER_V4 = '10.0.0.0/8';
export const PLACEHOLDER_V6 = 'fd00::/8';

/** A list of plain values from a value that may be a single value, an array, or a loop variable. */
export function flatItems(v: Val): Val[] {
  if (v.k === 'arr') {
    const out = v.items.flatMap(flatItems);
    if (v.rest) out.push(v.rest);
    return out;
  }
  if (v.k === 'each') return v.items.flatMap(flatItems);
  return [v];
}

export interface CidrResult {
  /** Address-set match, or an opaque for an unresolved / invalid entry. */
  matches: Match[];
  /**
   * Alternatives that cannot be folded into the address set: an opaque match, with the family
   * its field is limited to (an unknown `cidrIp` / `Peer.ipv4(x)` never matches IPv6).
   */
  opaques: Match[][];
  /** Entries that are world-open literals written inside `within`, for suggestions. */
  worldLiterals: { node: Node; v6: boolean }[];
}

/**
 * CIDR strings (single, array, loop variable) → one address match plus opaque alternatives.
 * `families[i]`: the address family the field of `vals[i]` takes (AWS `cidrIp` / `cidrBlocks`
 * IPv4, `cidrIpv6` / `ipv6CidrBlocks` IPv6, as src/parsers/aws/core.ts reads them), if only one.
 */
export function cidrs(b: DocBuilder, vals: Val[], within: Node | undefined, families: readonly ('ipv4' | 'ipv6' | undefined)[] = []): CidrResult {
  let set = AddrSet.EMPTY;
  let any = false;
  const opaques: Match[][] = [];
  const worldLiterals: { node: Node; v6: boolean }[] = [];
  let first: Node | undefined;
  let last: Node | undefined;
  vals.forEach((val, i) => {
    const family = families[i];
    const unknown = (m: Match): void => {
      opaques.push(family ? [m, { kind: 'family', family }] : [m]);
    };
    for (const v of flatItems(val)) {
      if (v.k === 'nullish') continue;
      if (v.k === 'str') {
        const s = parseCidr(v.v);
        if (!s) {
          b.warn(v.node, `'${v.v}' is not an IP address or CIDR block`, 'typescript/invalid-cidr');
          // still only the field's family (an invalid `cidrBlocks` entry never opens IPv6)
          unknown(b.opaque({ text: v.v, reason: 'not an IP address or CIDR block', node: v.node }, 'invalid'));
          continue;
        }
        if (family && s.only(family).isEmpty) {
          // cidrIp / cidrBlocks / cidrIpv4 take IPv4 CIDRs only, the IPv6 fields IPv6 ones: AWS refuses the other family
          // (as the AWS parser reads them, src/parsers/aws/core.ts)
          const want = family === 'ipv4' ? 'IPv4' : 'IPv6';
          b.warn(v.node, `'${v.v}' is not an ${want} CIDR block, which this field takes (AWS rejects it)`, 'typescript/invalid-cidr');
          opaques.push([b.opaque({ text: v.v, reason: `not a valid ${want} CIDR block`, node: v.node }, 'invalid'), { kind: 'family', family }]);
          continue;
        }
        set = set.union(s);
        any = true;
        first ??= v.node;
        last = v.node;
        if ((s.coversAll('ipv4') || s.coversAll('ipv6')) && within && inside(v.node, within) && v.node.type === 'Literal') {
          worldLiterals.push({ node: v.node, v6: s.coversAll('ipv6') && !s.coversAll('ipv4') });
        }
        continue;
      }
      const vpc = v.k === 'prop' ? vpcCidr(b, v) : undefined;
      const vpcSet = vpc?.k === 'str' ? parseCidr(vpc.v) : undefined;
      if (v.k === 'unk') unknown(b.opaque(v));
      else if (vpcSet) {
        set = set.union(vpcSet);
        any = true;
        first ??= v.node;
        last = v.node;
      } else if (vpc?.k === 'unk') unknown(b.opaque(vpc));
      else if (v.k === 'prop' || v.k === 'new' || v.k === 'call') {
        // vpc.vpcCidrBlock, pulumi outputs: decided by the cloud at deployment; a CfnParameter's value: by the deployer
        const param = v.k === 'prop' && v.base.k === 'new' && /(?:^|\.)CfnParameter$/.test(v.base.fq) && /^value(?:As\w+)?$/.test(v.name);
        unknown(b.opaque({ text: b.text(v.node), reason: param ? 'a CloudFormation parameter, chosen at deployment' : 'a resource attribute known only at deployment', node: v.node }));
      } else unknown(b.opaque({ text: b.text(v.node), reason: 'not a CIDR string', node: v.node }));
    }
  });
  const matches: Match[] = [];
  if (any) {
    const m: Match = { kind: 'address', dir: 'src', addrs: set };
    if (first && last) m.span = spanJoin(spanOfNode(first), spanOfNode(last));
    matches.push(m);
  }
  return { matches, opaques, worldLiterals };
}

/** CDK's `Vpc.DEFAULT_CIDR_RANGE`, the CIDR of a `new ec2.Vpc` given neither `ipAddresses` nor `cidr`. */
const CDK_DEFAULT_VPC_CIDR = '10.0.0.0/16';

/**
 * The IPv4 CIDR of a VPC built in this file, read where a rule uses it (`Peer.ipv4(vpc.vpcCidrBlock)`,
 * Pulumi `cidrBlocks: [vpc.cidrBlock]`): CDK `ipAddresses: IpAddresses.cidr(c)`, the deprecated `cidr: c`,
 * else `Vpc.DEFAULT_CIDR_RANGE` (10.0.0.0/16); Pulumi `aws.ec2.Vpc`'s `cidrBlock`. Undefined when `v` is no
 * such attribute; an `unk` value when the VPC's CIDR is not written statically (IPAM, a parameter…).
 */
function vpcCidr(b: DocBuilder, v: Extract<Val, { k: 'prop' }>): Val | undefined {
  const vpc = v.base;
  if (vpc.k !== 'new') return undefined;
  const cdk = vpc.fq === 'cdk.Vpc' && v.name === 'vpcCidrBlock';
  const pulumi = vpc.fq === 'aws.ec2.Vpc' && v.name === 'cidrBlock';
  if (!cdk && !pulumi) return undefined;
  const propsNode = vpc.node.arguments[cdk ? 2 : 1];
  const props = propsNode === undefined ? undefined : propsNode.type === 'SpreadElement' ? undefined : b.resolver.eval(propsNode, vpc.scope);
  const unknown = (why: Val | undefined): Val => ({
    k: 'unk',
    text: b.text(v.node),
    reason: `the VPC CIDR is not known statically${why?.k === 'unk' ? ` (${why.text}: ${why.reason})` : why ? ` (${b.text(why.node)})` : ''}`,
    node: v.node,
  });
  if (propsNode !== undefined && props?.k !== 'obj') return unknown(props);
  const get = (k: string): Val | undefined => (props?.k === 'obj' ? (props.props.get(k) ?? props.rest) : undefined);
  if (pulumi) {
    const c = get('cidrBlock');
    return c?.k === 'str' ? { ...c, node: v.node } : unknown(c);
  }
  const ip = get('ipAddresses');
  if (ip && ip.k !== 'nullish') {
    if (ip.k === 'call' && ip.fq === 'cdk.IpAddresses.cidr' && ip.node.arguments[0] && ip.node.arguments[0].type !== 'SpreadElement') {
      const c = b.resolver.eval(ip.node.arguments[0], ip.scope);
      return c.k === 'str' ? { ...c, node: v.node } : unknown(c);
    }
    return unknown(ip);
  }
  const c = get('cidr');
  if (c && c.k !== 'nullish') return c.k === 'str' ? { ...c, node: v.node } : unknown(c);
  return { k: 'str', v: CDK_DEFAULT_VPC_CIDR, node: v.node };
}

export function inside(n: Node, outer: Node): boolean {
  return n.range[0] >= outer.range[0] && n.range[1] <= outer.range[1];
}

/** A protocol value (AWS spelling, read as src/parsers/aws/core.ts reads it) → 'all', a protocol number, or an opaque match. */
export function awsProtocol(b: DocBuilder, v: Val | undefined, at: Node): number | 'all' | Match {
  if (!v || v.k === 'nullish') {
    // as the AWS parser: a warning, and any protocol possibly (not certainly) allowed
    b.warn(at, 'protocol is missing: any protocol is assumed', 'aws/missing-protocol', 'warning');
    return b.opaque({ text: 'protocol (missing)', reason: 'the protocol is not given', node: at });
  }
  if (v.k === 'num') {
    if (v.v === -1) return 'all';
    if (Number.isInteger(v.v) && v.v >= 0 && v.v <= 255) return v.v;
  }
  if (v.k === 'str') {
    // '-1', 'all' and '*' are every protocol; names and numbers as AWS writes them
    const p = coreAwsProtocol({ kind: 'scalar', value: v.v, span: spanOfNode(v.node) });
    if (p === 'all' || typeof p === 'number') return p;
  }
  if (v.k === 'ref') {
    // ec2.Protocol.TCP and friends
    const name = v.fq.slice(v.fq.lastIndexOf('.') + 1).toLowerCase();
    if (name === 'all') return 'all';
    const n = awsProtocolNumber(name.replace(/_/g, '-'));
    if (n !== undefined) return n;
  }
  if (v.k === 'unk') return b.opaque(v);
  b.warn(v.node, `unknown protocol ${b.text(v.node)}`, 'typescript/unknown-protocol');
  return b.opaque({ text: b.text(v.node ?? at), reason: 'unknown protocol', node: v.node ?? at }, 'protocol');
}

/** Port bound(s): a number, or several for a loop variable. */
function nums(v: Val | undefined): number[] | 'unset' | UnkVal | undefined {
  if (!v || v.k === 'nullish') return 'unset';
  if (v.k === 'num') return [v.v];
  if (v.k === 'str' && /^-?[0-9]{1,6}$/.test(v.v.trim())) return [Number(v.v.trim())];
  if (v.k === 'each') {
    const out: number[] = [];
    for (const i of v.items) {
      const n = nums(i);
      if (!Array.isArray(n)) return undefined;
      out.push(...n);
    }
    return out;
  }
  if (v.k === 'unk') return v;
  return undefined;
}

/**
 * AWS semantics of (protocol, fromPort, toPort), as src/parsers/aws/core.ts reads
 * them (`awsPortRange`, `awsIcmpTypeCode`): -1/all/* is every protocol and port;
 * tcp/udp a port range (-1 = all; out of range or reversed: AWS rejects the rule,
 * it opens nothing, with an error); icmp/icmpv6 type and code (-1 = all); any
 * other protocol number all of that protocol only.
 */
export function awsProtoPorts(
  b: DocBuilder,
  proto: Val | undefined,
  from: Val | undefined,
  to: Val | undefined,
  at: Node,
): Match[] {
  const p = awsProtocol(b, proto, at);
  if (p === 'all') return [];
  if (typeof p !== 'number') return [p];
  const protoMatch: Match = { kind: 'protocol', protocols: numSingle(p) };
  if (proto && proto.node) protoMatch.span = spanOfNode(proto.node);
  if (p !== 6 && p !== 17 && p !== 1 && p !== 58) return [protoMatch];
  const icmp = p === 1 || p === 58;
  const family = p === 58 ? 'ipv6' : 'ipv4';
  const portNode = from?.node ?? to?.node ?? at;
  const span = from?.node && to?.node ? spanJoin(spanOfNode(from.node), spanOfNode(to.node)) : spanOfNode(portNode);
  /** One (from, to) pair: what it opens, or undefined for everything; an invalid pair opens nothing (with AWS's error). */
  const one = (lo: number, hi: number): NumSet | undefined => {
    if (icmp) {
      const ic = awsIcmpTypeCode(lo, hi);
      if (ic === 'all') return undefined;
      if (ic === 'invalid') {
        b.warn(portNode, `ICMP type ${lo} code ${hi} is not valid: AWS rejects it, the rule opens nothing`, 'aws/icmp-type');
        return IntervalSet.empty();
      }
      return ic;
    }
    const r = awsPortRange(lo, hi);
    // 0-65535 written out stays an explicit port match (the same ports as -1)
    if (r.kind === 'all') return lo >= 0 ? numRange(0, 65535) : undefined;
    if (r.kind === 'invalid') {
      b.warn(portNode, r.message, 'aws/port-range');
      return IntervalSet.empty();
    }
    return numRange(r.lo, r.hi);
  };
  const result = (set: NumSet | undefined): Match[] => {
    if (set === undefined) return [protoMatch];
    return [protoMatch, icmp ? { kind: 'icmp-type', family, values: set, span } : { kind: 'port', dir: 'dst', ports: set, span }];
  };
  // both ends from the same loop variable: pair them iteration by iteration
  if (from?.k === 'each' && to?.k === 'each' && from.id === to.id && from.items.length === to.items.length) {
    let set: NumSet = IntervalSet.empty();
    for (let i = 0; i < from.items.length; i++) {
      const a = nums(from.items[i]);
      const z = nums(to.items[i]);
      if (!Array.isArray(a) || !Array.isArray(z) || a.length !== 1 || z.length !== 1) {
        // the element's own reason when it is unknown (a value pushed by a counting loop…)
        const u = [a, z].find((x): x is UnkVal => typeof x === 'object' && !Array.isArray(x) && x !== null);
        return [protoMatch, b.opaque(u ?? { text: b.text(portNode), reason: 'port not known statically for every iteration', node: portNode })];
      }
      const s = one(a[0]!, z[0]!);
      if (s === undefined) return [protoMatch];
      set = set.union(s);
    }
    return result(set);
  }
  const f = nums(from);
  const t = nums(to);
  const unresolved = [f, t].find((x): x is UnkVal => typeof x === 'object' && !Array.isArray(x) && x !== null);
  if (unresolved) return [protoMatch, b.opaque(unresolved)];
  if (f === undefined || t === undefined || (Array.isArray(f) && f.length !== 1) || (Array.isArray(t) && t.length !== 1)) {
    return [protoMatch, b.opaque({ text: b.text(portNode), reason: 'port not known statically', node: portNode })];
  }
  const fv = f === 'unset' ? -1 : (f as number[])[0]!;
  const tv = t === 'unset' ? (f === 'unset' || icmp ? -1 : fv) : (t as number[])[0]!;
  return result(one(fv, tv));
}

/** Suggestion removing an expression statement with its line when it stands alone on it. */
export function removeStatement(sourceText: string, stmt: Node, desc: string): Suggestion {
  let start = stmt.range[0];
  let end = stmt.range[1];
  let s = start;
  while (s > 0 && (sourceText[s - 1] === ' ' || sourceText[s - 1] === '\t')) s--;
  let e = end;
  while (e < sourceText.length && (sourceText[e] === ' ' || sourceText[e] === '\t')) e++;
  const lineStart = s === 0 || sourceText[s - 1] === '\n';
  if (lineStart && (e === sourceText.length || sourceText[e] === '\n' || sourceText[e] === '\r')) {
    start = s;
    end = e;
    if (sourceText[end] === '\r') end++;
    if (sourceText[end] === '\n') end++;
  }
  return { desc, range: [start, end], text: '' };
}

/** Replace a string literal keeping its quote style. */
export function replaceLiteral(sourceText: string, lit: Node, value: string, desc: string): Suggestion {
  const q = sourceText[lit.range[0]];
  const quote = q === '"' || q === "'" || q === '`' ? q : "'";
  return { desc, range: [lit.range[0], lit.range[1]], text: `${quote}${value}${quote}` };
}
