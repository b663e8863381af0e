/**
 * AWS CDK network ACLs: the L2 `NetworkAcl` with `acl.addEntry(id, options)` and
 * `new NetworkAclEntry(scope, id, { networkAcl, … })` (`AclCidr.*`, `AclTraffic.*`,
 * `TrafficDirection`, `Action`), and the L1 `CfnNetworkAcl` / `CfnNetworkAclEntry`.
 *
 * Each entry becomes the AWS parser's `NaclEntryInput` and `naclRulesetOf`
 * (src/parsers/aws/core.ts) builds the ruleset, so rule-number order, the implicit
 * deny, protocols, port ranges and ICMP types are read exactly as for
 * CloudFormation's `AWS::EC2::NetworkAclEntry` (one implementation).
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AwsContext, naclRulesetOf, type NaclEntryInput } from '../aws/core.js';
import type { PValue } from '../values.js';
import { memberName, spanOfNode, unwrap, type Node } from './ast.js';
import type { RuleOrigin } from './build.js';
import { entries } from './cdk.js';
import { spanKey, toP } from './cloud.js';
import { inNode, onlyWhen, propGetter, type Context } from './context.js';
import type { Val } from './resolve.js';

interface Acl {
  name: string;
  targets: string[];
  node: Node;
  entries: NaclEntryInput[];
  origins: Map<string, RuleOrigin>;
}

type Ctor = Extract<Val, { k: 'new' | 'call' }>;

const scalar = (value: string | number | boolean, node: Node): PValue => ({ kind: 'scalar', value, span: spanOfNode(node) });
/** A value not known statically, named by its expression. */
const expr = (ctx: Context, v: Val): PValue => ({ kind: 'expr', text: v.k === 'unk' ? v.text : ctx.b.text(v.node), span: spanOfNode(v.node) });
/** The last segment of an enum member or factory (`cdk.Action.DENY` → `DENY`). */
const member = (fq: string): string => fq.slice(fq.lastIndexOf('.') + 1);

export function extractCdkNacls(ctx: Context): void {
  const { r } = ctx;
  const acls = new Map<unknown, Acl>();
  const aclOf = (key: unknown, name: string, node: Node, targets: (string | undefined)[]): Acl => {
    let a = acls.get(key);
    if (a) return a;
    const acl: Acl = { name, targets: [...new Set(targets.filter((t): t is string => t !== undefined && t !== ''))], node, entries: [], origins: new Map() };
    acls.set(key, acl);
    ctx.b.compiled(() => {
      const aws = new AwsContext();
      const rs = naclRulesetOf({ name: acl.name, targets: acl.targets, span: spanOfNode(acl.node), entries: acl.entries }, aws);
      ctx.b.diagnostics.push(...aws.diagnostics);
      const fallback: RuleOrigin = { node: acl.node, reportNode: acl.node, suggestions: [] };
      return { rulesets: [rs], origin: (rule) => acl.origins.get(spanKey(rule.span)) ?? fallback };
    }, node);
    return acl;
  };
  /** The ACL a value names: a NetworkAcl / CfnNetworkAcl built here, an imported one, or an expression. */
  const aclFor = (v: Val | undefined, at: Node): Acl => {
    let g = v;
    // acl.networkAclId, cfnAcl.ref, cfnAcl.attrId
    if (g?.k === 'prop' && (g.base.k === 'new' || g.base.k === 'call') && isAclConstruct(g.base)) g = g.base;
    if (g && (g.k === 'new' || g.k === 'call') && isAclConstruct(g)) {
      const id = ctx.argString(g.node, 1, g.scope);
      const extra = g.k === 'call' ? ctx.argString(g.node, 2, g.scope) : undefined;
      return aclOf(g.node, id ?? ctx.b.text(g.node), g.node, [id, ctx.declaredName(g.node), extra]);
    }
    if (g?.k === 'str') return aclOf(`id:${g.v}`, g.v, g.node, [g.v]);
    const text = g ? (g.k === 'unk' ? g.text : ctx.b.text(g.node)) : ctx.b.text(at);
    return aclOf(`expr:${text}`, text, g?.node ?? at, [text]);
  };
  for (const c of ctx.scan.news) {
    const v = r.eval(c.node, c.scope);
    if (v.k === 'new' && (v.fq === 'cdk.NetworkAcl' || v.fq === 'cdk.CfnNetworkAcl')) aclFor(v, v.node);
  }
  for (const c of ctx.scan.news) {
    const v = r.eval(c.node, c.scope);
    if (v.k !== 'new') continue;
    if (v.fq === 'cdk.NetworkAclEntry') {
      const props = ctx.arg(v.node, 2, v.scope);
      l2Entry(ctx, aclFor(propGetter(props)('networkAcl'), v.node), props, v.node);
    } else if (v.fq === 'cdk.CfnNetworkAclEntry') {
      const props = ctx.arg(v.node, 2, v.scope);
      l1Entry(ctx, aclFor(propGetter(props)('networkAclId'), v.node), props, v.node);
    }
  }
  // Pulumi: aws.ec2.NetworkAcl / DefaultNetworkAcl with ingress / egress lists, aws.ec2.NetworkAclRule
  const pulumiAcl = (v: Extract<Val, { k: 'new' }>): Acl => {
    const name = ctx.argString(v.node, 0, v.scope);
    return aclOf(v.node, name ?? ctx.b.text(v.node), v.node, [name, ctx.declaredName(v.node)]);
  };
  for (const c of ctx.scan.news) {
    const v = r.eval(c.node, c.scope);
    if (v.k !== 'new' || (v.fq !== 'aws.ec2.NetworkAcl' && v.fq !== 'aws.ec2.DefaultNetworkAcl')) continue;
    const acl = pulumiAcl(v);
    const get = propGetter(ctx.arg(v.node, 1, v.scope));
    for (const dir of ['ingress', 'egress'] as const) {
      const list = get(dir);
      if (!list || list.k === 'nullish') continue;
      for (const e of entries(list, true)) pulumiEntry(ctx, acl, e, dir === 'egress', inNode(e.node, v.node) ? e.node : v.node, 'ruleNo', 'action', v.node);
    }
  }
  for (const c of ctx.scan.news) {
    const v = r.eval(c.node, c.scope);
    if (v.k !== 'new' || v.fq !== 'aws.ec2.NetworkAclRule') continue;
    const props = ctx.arg(v.node, 1, v.scope);
    const ref = propGetter(props)('networkAclId');
    const base = ref?.k === 'prop' ? ref.base : ref;
    const acl = base?.k === 'new' && (base.fq === 'aws.ec2.NetworkAcl' || base.fq === 'aws.ec2.DefaultNetworkAcl') ? pulumiAcl(base) : aclFor(ref, v.node);
    const eg = propGetter(props)('egress');
    pulumiEntry(ctx, acl, props ?? { k: 'unk', text: ctx.b.text(v.node), reason: 'no properties', node: v.node }, eg?.k === 'bool' && eg.v, v.node, 'ruleNumber', 'ruleAction');
  }
  for (const c of ctx.scan.calls) {
    if (c.node.type !== 'CallExpression') continue;
    const callee = unwrap(c.node.callee) as TSESTree.MemberExpression;
    if (memberName(callee) !== 'addEntry') continue;
    const recv = r.eval(callee.object, c.scope);
    if (!isAcl(recv)) continue;
    l2Entry(ctx, aclFor(recv, callee.object), ctx.arg(c.node, 1, c.scope), c.node);
  }
}

function isAclConstruct(v: Ctor): boolean {
  return v.fq === 'cdk.NetworkAcl' || v.fq === 'cdk.CfnNetworkAcl' || v.fq === 'cdk.NetworkAcl.fromNetworkAclId';
}

function isAcl(v: Val): v is Ctor {
  return (v.k === 'new' && v.fq === 'cdk.NetworkAcl') || (v.k === 'call' && v.fq === 'cdk.NetworkAcl.fromNetworkAclId');
}

/** A CIDR written as the whole IPv4 or IPv6 space (reported there). */
function isWorld(v: PValue | undefined): boolean {
  return v?.kind === 'scalar' && typeof v.value === 'string' && (v.value.trim() === '0.0.0.0/0' || v.value.trim() === '::/0');
}

/** An entry of the ACL, with the conditions the code at `guardAt` runs under (none when it never runs). */
function record(ctx: Context, acl: Acl, e: NaclEntryInput, node: Node, reportNode: Node | undefined, guardAt: Node = node): void {
  const g = ctx.guard(guardAt);
  if (g.dead) return;
  if (g.matches.length > 0) e.extra = [...(e.extra ?? []), ...g.matches];
  acl.entries.push(e);
  acl.origins.set(spanKey(e.span), { node, reportNode: reportNode && inNode(reportNode, node) ? reportNode : node, suggestions: [] });
}

/**
 * `CommonNetworkAclEntryOptions`: `cidr` (AclCidr), `traffic` (AclTraffic), `ruleNumber`,
 * `direction` (default `TrafficDirection.INGRESS`), `ruleAction` (default `Action.ALLOW`).
 */
function l2Entry(ctx: Context, acl: Acl, props: Val | undefined, node: Node): void {
  const get = propGetter(props);
  const span = spanOfNode(node);
  const e: NaclEntryInput = { egress: false, ruleNumber: toP(ctx.b, get('ruleNumber')), action: undefined, protocol: undefined, fromPort: undefined, toPort: undefined, cidr: undefined, cidr6: undefined, span };
  const extra: NaclEntryInput['extra'] = [];
  const dir = get('direction');
  if (dir?.k === 'ref' && member(dir.fq) === 'EGRESS') e.egress = true;
  else if (dir && dir.k !== 'nullish' && !(dir.k === 'ref' && member(dir.fq) === 'INGRESS')) {
    // read as ingress, conditioned on the unknown direction (as the CloudFormation reader does)
    extra.push(ctx.b.opaque({ text: `direction: ${dir.k === 'unk' ? dir.text : ctx.b.text(dir.node)}`, reason: 'the direction is not known statically', node: dir.node }));
  }
  const act = get('ruleAction');
  e.action = !act || act.k === 'nullish' ? scalar('allow', node) : act.k === 'ref' ? scalar(member(act.fq).toLowerCase(), act.node) : act.k === 'str' ? scalar(act.v, act.node) : expr(ctx, act);
  // AclCidr.anyIpv4() / ipv4(c) / anyIpv6() / ipv6(c)
  const cidr = get('cidr');
  let cidrNode: Node | undefined;
  if (cidr?.k === 'call' && cidr.fq.startsWith('cdk.AclCidr.')) {
    const f = member(cidr.fq);
    cidrNode = cidr.node;
    const a = ctx.arg(cidr.node, 0, cidr.scope);
    if (f === 'anyIpv4') e.cidr = scalar('0.0.0.0/0', cidr.node);
    else if (f === 'anyIpv6') e.cidr6 = scalar('::/0', cidr.node);
    else if (f === 'ipv4' && a) e.cidr = toP(ctx.b, a);
    else if (f === 'ipv6' && a) e.cidr6 = toP(ctx.b, a);
    else {
      e.cidr = expr(ctx, cidr);
      e.anyFamily = true;
    }
    if ((f === 'ipv4' || f === 'ipv6') && a && inNode(a.node, node)) cidrNode = a.node;
  } else if (cidr && cidr.k !== 'nullish') {
    e.cidr = expr(ctx, cidr);
    e.anyFamily = true;
  }
  // AclTraffic.allTraffic() / tcpPort(p) / tcpPortRange(a, b) / udpPort / udpPortRange / icmp({ type, code }) / icmpv6
  const traffic = get('traffic');
  if (traffic?.k === 'call' && traffic.fq.startsWith('cdk.AclTraffic.')) {
    const f = member(traffic.fq);
    const t = traffic.node;
    const a0 = ctx.arg(t, 0, traffic.scope);
    const a1 = ctx.arg(t, 1, traffic.scope);
    const port = (v: Val | undefined): PValue | undefined => toP(ctx.b, v) ?? { kind: 'expr', text: ctx.b.text(t), span: spanOfNode(t) };
    switch (f) {
      case 'allTraffic':
        e.protocol = scalar(-1, t);
        break;
      case 'tcpPort':
      case 'udpPort':
        e.protocol = scalar(f === 'tcpPort' ? 6 : 17, t);
        e.fromPort = port(a0);
        e.toPort = port(a0);
        break;
      case 'tcpPortRange':
      case 'udpPortRange':
        e.protocol = scalar(f === 'tcpPortRange' ? 6 : 17, t);
        e.fromPort = port(a0);
        e.toPort = port(a1);
        break;
      case 'icmp':
      case 'icmpv6': {
        e.protocol = scalar(f === 'icmp' ? 1 : 58, t);
        const ig = propGetter(a0);
        // AclIcmp: type and code default to -1 (all)
        const typ = ig('type');
        const code = ig('code');
        e.icmpType = typ && typ.k !== 'nullish' ? toP(ctx.b, typ) : scalar(-1, t);
        e.icmpCode = code && code.k !== 'nullish' ? toP(ctx.b, code) : scalar(-1, t);
        break;
      }
      default:
        e.protocol = expr(ctx, traffic);
    }
  } else if (traffic && traffic.k !== 'nullish') e.protocol = expr(ctx, traffic);
  if (extra.length > 0) e.extra = extra;
  record(ctx, acl, e, node, isWorld(e.cidr) || isWorld(e.cidr6) ? cidrNode : (traffic?.node ?? cidrNode));
}

/**
 * A Pulumi NACL entry (an `ingress` / `egress` item of `aws.ec2.NetworkAcl`: `ruleNo`, `action`; an
 * `aws.ec2.NetworkAclRule`: `ruleNumber`, `ruleAction`, `egress`), read as the Terraform mapper reads
 * `aws_network_acl` blocks and `aws_network_acl_rule`.
 */
function pulumiEntry(ctx: Context, acl: Acl, e0: Val, egress: boolean, node: Node, numberKey: string, actionKey: string, guardAt: Node = node): void {
  // an entry of a list chosen at run time (cdk.ts `entries`): present only when its condition holds
  const { v: e, conds } = onlyWhen(ctx, e0);
  const get = propGetter(e);
  const p = (k: string): PValue | undefined => toP(ctx.b, get(k));
  const entry: NaclEntryInput = {
    egress,
    ruleNumber: p(numberKey),
    action: p(actionKey),
    protocol: p('protocol'),
    fromPort: p('fromPort'),
    toPort: p('toPort'),
    cidr: p('cidrBlock'),
    cidr6: p('ipv6CidrBlock'),
    span: spanOfNode(node),
  };
  const it = get('icmpType');
  const ic = get('icmpCode');
  if ((it && it.k !== 'nullish') || (ic && ic.k !== 'nullish')) {
    entry.icmpType = p('icmpType');
    entry.icmpCode = p('icmpCode');
  }
  if (e.k !== 'obj') {
    // an entry not known statically: any number, action, protocol and source (undecidable)
    const x: PValue = { kind: 'expr', text: e.k === 'unk' ? e.text : ctx.b.text(e.node), span: spanOfNode(e.node) };
    record(ctx, acl, { egress, ruleNumber: undefined, action: x, protocol: { kind: 'scalar', value: '-1', span: x.span }, fromPort: undefined, toPort: undefined, cidr: x, cidr6: undefined, anyFamily: true, span: entry.span, ...(conds.length > 0 ? { extra: conds } : {}) }, node, e.node, guardAt);
    return;
  }
  const eg = numberKey === 'ruleNumber' ? get('egress') : undefined;
  if (eg && eg.k !== 'bool' && eg.k !== 'nullish') entry.extra = [ctx.b.opaque({ text: `egress: ${ctx.b.text(eg.node)}`, reason: 'the direction is not known statically', node: eg.node })];
  if (conds.length > 0) entry.extra = [...(entry.extra ?? []), ...conds];
  const c = isWorld(entry.cidr) ? get('cidrBlock') : isWorld(entry.cidr6) ? get('ipv6CidrBlock') : undefined;
  record(ctx, acl, entry, node, c?.node ?? get('fromPort')?.node ?? get('protocol')?.node, guardAt);
}

/** `CfnNetworkAclEntry` props, CloudFormation's `AWS::EC2::NetworkAclEntry` in camel case. */
function l1Entry(ctx: Context, acl: Acl, props: Val | undefined, node: Node): void {
  const get = propGetter(props);
  const p = (k: string): PValue | undefined => toP(ctx.b, get(k));
  const eg = get('egress');
  const range = propGetter(get('portRange'));
  const icmp = get('icmp');
  const e: NaclEntryInput = {
    egress: eg?.k === 'bool' ? eg.v : eg?.k === 'str' ? eg.v === 'true' : false,
    ruleNumber: p('ruleNumber'),
    action: p('ruleAction'),
    protocol: p('protocol'),
    fromPort: toP(ctx.b, range('from')),
    toPort: toP(ctx.b, range('to')),
    cidr: p('cidrBlock'),
    cidr6: p('ipv6CidrBlock'),
    span: spanOfNode(node),
  };
  if (icmp && icmp.k !== 'nullish') {
    const ig = propGetter(icmp);
    e.icmpType = toP(ctx.b, ig('type'));
    e.icmpCode = toP(ctx.b, ig('code'));
  }
  if (eg && eg.k !== 'bool' && eg.k !== 'nullish' && eg.k !== 'str') {
    e.extra = [ctx.b.opaque({ text: `egress: ${ctx.b.text(eg.node)}`, reason: 'the direction is not known statically', node: eg.node })];
  }
  const c = isWorld(e.cidr) ? get('cidrBlock') : isWorld(e.cidr6) ? get('ipv6CidrBlock') : undefined;
  record(ctx, acl, e, node, c?.node ?? get('portRange')?.node ?? get('protocol')?.node);
}
