/**
 * Pulumi programs: AWS (`aws.ec2.SecurityGroup`, `aws.ec2.SecurityGroupRule`,
 * `aws.vpc.SecurityGroupIngressRule` / `EgressRule`), GCP (`gcp.compute.Firewall`,
 * one ruleset per network) and Azure (`azure-native` / classic `azure`
 * NetworkSecurityGroup and SecurityRule, with the default rules).
 */
import { AddrSet, numRange, numSingle, parseCidr, protocolNumber, IntervalSet, type Action, type Match, type NumSet } from '../../model/index.js';
import { parsePortText } from '../gcp/common.js';
import { gcpProtocolNumber } from '../gcp/firewall.js';
import { spanOfNode, type Node } from './ast.js';
import { anyOf, cidrs, flatItems, PLACEHOLDER_V4, PLACEHOLDER_V6, replaceLiteral, RulesetDraft, type RuleDraft, type Suggestion } from './build.js';
import { entries } from './cdk.js';
import { awsEntry, propGetter, removalOf, type AwsEntryFields, type Context } from './context.js';
import type { Val } from './resolve.js';

const SG_INGRESS: AwsEntryFields = {
  protocol: 'protocol',
  from: 'fromPort',
  to: 'toPort',
  cidr4: ['cidrBlocks'],
  cidr6: ['ipv6CidrBlocks'],
  principals: ['securityGroups', 'prefixListIds'],
  self: 'self',
};
const SG_RULE: AwsEntryFields = {
  protocol: 'protocol',
  from: 'fromPort',
  to: 'toPort',
  cidr4: ['cidrBlocks'],
  cidr6: ['ipv6CidrBlocks'],
  principals: ['sourceSecurityGroupId', 'prefixListIds'],
  self: 'self',
};
const VPC_RULE: AwsEntryFields = {
  protocol: 'ipProtocol',
  from: 'fromPort',
  to: 'toPort',
  cidr4: ['cidrIpv4'],
  cidr6: ['cidrIpv6'],
  principals: ['referencedSecurityGroupId', 'prefixListId'],
};

type NewVal = Extract<Val, { k: 'new' }>;

function props(ctx: Context, v: NewVal): { obj: Val | undefined; get: (k: string) => Val | undefined } {
  const obj = ctx.arg(v.node, 1, v.scope);
  return { obj, get: propGetter(obj) };
}

export function extractPulumi(ctx: Context): void {
  const news: NewVal[] = [];
  for (const c of ctx.scan.news) {
    const v = ctx.r.eval(c.node, c.scope);
    if (v.k === 'new' && (v.fq.startsWith('aws.') || v.fq.startsWith('gcp.') || v.fq.startsWith('azn.') || v.fq.startsWith('azc.'))) news.push(v);
  }
  // groups / NSGs first so standalone rules attach to them in declaration order
  for (const v of news) {
    if (v.fq === 'aws.ec2.SecurityGroup') awsGroup(ctx, v);
    else if (v.fq === 'azn.network.NetworkSecurityGroup' || v.fq === 'azc.network.NetworkSecurityGroup') azureNsg(ctx, v);
  }
  const gcp: GcpRule[] = [];
  for (const v of news) {
    switch (v.fq) {
      case 'aws.ec2.SecurityGroupRule': {
        const { obj, get } = props(ctx, v);
        const type = get('type');
        const d = awsGroupRef(ctx, get('securityGroupId'), v.node);
        const egress = type?.k === 'str' && type.v === 'egress';
        const entry = obj ?? unk(ctx, v.node, 'no properties');
        const rule = awsEntry(ctx, entry, v.node, SG_RULE, egress ? 'dst' : 'src');
        if (type && type.k !== 'str') rule.matches.push(type.k === 'unk' ? ctx.b.opaque(type) : ctx.b.opaque({ text: ctx.b.text(type.node), reason: 'rule type not known', node: type.node }));
        if (!egress) rule.suggestions.push(...removalOf(ctx, v.node, 'SecurityGroupRule'));
        (egress ? d.egress : d.ingress).push(rule);
        break;
      }
      case 'aws.vpc.SecurityGroupIngressRule':
      case 'aws.vpc.SecurityGroupEgressRule': {
        const { obj, get } = props(ctx, v);
        const d = awsGroupRef(ctx, get('securityGroupId'), v.node);
        const ingress = v.fq.endsWith('IngressRule');
        const rule = awsEntry(ctx, obj ?? unk(ctx, v.node, 'no properties'), v.node, VPC_RULE, ingress ? 'src' : 'dst');
        if (ingress) rule.suggestions.push(...removalOf(ctx, v.node, 'SecurityGroupIngressRule'));
        (ingress ? d.ingress : d.egress).push(rule);
        break;
      }
      case 'gcp.compute.Firewall':
        gcp.push(gcpFirewall(ctx, v));
        break;
      case 'azn.network.SecurityRule':
      case 'azc.network.NetworkSecurityRule': {
        const { obj, get } = props(ctx, v);
        const d = azureNsgRef(ctx, get('networkSecurityGroupName'), v.node);
        if (obj) azureRule(ctx, d, obj, v.node);
        break;
      }
      default:
        break;
    }
  }
  gcpRulesets(ctx, gcp);
}

/** The name a reference to a group / NSG stands for: a literal, else its expression. */
function refName(ctx: Context, ref: Val | undefined, at: Node): string {
  return ref?.k === 'str' ? ref.v : ref ? (ref.k === 'unk' ? ref.text : ctx.label(ref)) : ctx.b.text(at);
}

function unk(ctx: Context, node: Node, reason: string): Val {
  return { k: 'unk', text: ctx.b.text(node), reason, node };
}

function awsGroup(ctx: Context, v: NewVal): RulesetDraft {
  return ctx.constructRuleset(v.node, v.scope, 0, 'aws', (d) => {
    const { get } = props(ctx, v);
    const n = get('name');
    if (n?.k === 'str') d.addTarget(n.v);
    const ing = get('ingress');
    if (ing && ing.k !== 'nullish') for (const e of entries(ing)) d.ingress.push(awsEntry(ctx, e, e.node, SG_INGRESS, 'src'));
    const eg = get('egress');
    if (eg && eg.k !== 'nullish') for (const e of entries(eg)) d.egress.push(awsEntry(ctx, e, e.node, SG_INGRESS, 'dst'));
  });
}

/** `securityGroupId: sg.id` → that group's ruleset; a literal id or other expression → a ruleset named by it. */
function awsGroupRef(ctx: Context, gid: Val | undefined, at: Node): RulesetDraft {
  const base = gid?.k === 'prop' ? gid.base : gid;
  if (base?.k === 'new' && base.fq === 'aws.ec2.SecurityGroup') return awsGroup(ctx, base);
  const name = refName(ctx, gid, at);
  return ctx.namedRuleset(`aws:${name}`, name, gid?.node ?? at, 'aws');
}

// ---------------------------------------------------------------- GCP

interface GcpRule {
  network: string;
  node: Node;
  rule: RuleDraft;
  egress: boolean;
  /** undefined: every instance of the network; else target classes ("tag:web", "sa:x", "expr:…"). */
  targets: string[] | undefined;
}

/**
 * One ruleset per network and target class (the model's "GCP network as seen by one
 * target tag"), plus one for instances no targeted rule names; a class sees the
 * untargeted rules and its own.
 */
function gcpRulesets(ctx: Context, list: GcpRule[]): void {
  const nets: string[] = [];
  for (const g of list) if (!nets.includes(g.network)) nets.push(g.network);
  for (const net of nets) {
    const rules = list.filter((g) => g.network === net);
    const classes: string[] = [];
    for (const g of rules) for (const t of g.targets ?? []) if (!classes.includes(t)) classes.push(t);
    const build = (key: string, name: string, targets: string[], pick: (g: GcpRule) => boolean): void => {
      const d = ctx.b.ruleset(key, () => new RulesetDraft(name, rules[0]!.node, 'gcp'));
      for (const t of targets) d.addTarget(t);
      for (const g of rules) if (pick(g)) (g.egress ? d.egress : d.ingress).push(g.rule);
    };
    for (const cls of classes) {
      const bare = cls.replace(/^(tag|sa|expr):/, '');
      const what = cls.startsWith('tag:') ? `target tag ${bare}` : cls.startsWith('sa:') ? `target service account ${bare}` : `targets ${bare}`;
      build(`gcp:${net}:${cls}`, `network ${net}, ${what}`, [cls, bare, net], (g) => g.targets === undefined || g.targets.includes(cls));
    }
    build(`gcp:${net}:*`, `network ${net}, all instances`, [net], (g) => g.targets === undefined || g.targets.every((t) => t.startsWith('expr:')));
  }
}

function gcpFirewall(ctx: Context, v: NewVal): GcpRule {
  const b = ctx.b;
  const { obj, get } = props(ctx, v);
  const network = get('network');
  const netName = network?.k === 'str' ? network.v : network ? (network.k === 'unk' ? network.text : ctx.label(network.k === 'prop' ? network.base : network)) : 'default';
  if (obj?.k !== 'obj') {
    const m = obj?.k === 'unk' ? b.opaque(obj) : b.opaque({ text: b.text(v.node), reason: 'firewall properties not known', node: v.node });
    return { network: netName, node: v.node, egress: false, targets: undefined, rule: { matches: [m], action: { kind: 'accept' }, node: v.node, reportNode: v.node, suggestions: [], priority: -1 } };
  }
  const dir = get('direction');
  const egress = dir?.k === 'str' && dir.v.toUpperCase() === 'EGRESS';
  const allows = get('allows');
  const denies = get('denies');
  const isDeny = denies !== undefined && denies.k !== 'nullish' && (allows === undefined || allows.k === 'nullish');
  const list = isDeny ? denies : allows;
  const protoAlts: Match[][] = [];
  let portNode: Node | undefined;
  for (const e of list && list.k !== 'nullish' ? entries(list) : []) {
    if (e.k !== 'obj') {
      protoAlts.push([e.k === 'unk' ? b.opaque(e) : b.opaque({ text: b.text(e.node), reason: 'not an object', node: e.node })]);
      continue;
    }
    const proto = e.props.get('protocol') ?? e.rest;
    const ports = e.props.get('ports') ?? e.rest;
    portNode ??= ports?.node ?? proto?.node;
    protoAlts.push(gcpProtoPorts(ctx, proto, ports, e.node));
  }
  const pri = get('priority');
  const action: Action = isDeny ? { kind: 'drop' } : { kind: 'accept' };
  let priority = 1000;
  if (pri?.k === 'num') priority = pri.v;
  else if (pri && pri.k !== 'nullish') priority = isDeny ? 65536 : -1; // unknown: assume the order that exposes most
  const dirKey = egress ? 'dst' : 'src';
  const srcAlts: Match[][] = [];
  const suggestions: Suggestion[] = [];
  let worldNode: Node | undefined;
  const ranges = get(egress ? 'destinationRanges' : 'sourceRanges');
  const c = cidrs(b, ranges ? [ranges] : [], v.node);
  if (c.matches.length > 0) srcAlts.push(c.matches.map((m) => ({ ...m, dir: dirKey }) as Match));
  for (const o of c.opaques) srcAlts.push([o]);
  for (const w of c.worldLiterals) {
    worldNode ??= w.node;
    suggestions.push(replaceLiteral(ctx.src, w.node, w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4, `Replace the world-open range with a private placeholder (${w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`));
  }
  if (!egress) {
    for (const [field, prefix] of [
      ['sourceTags', 'tag:'],
      ['sourceServiceAccounts', 'sa:'],
    ] as const) {
      const t = get(field);
      if (!t || t.k === 'nullish') continue;
      const names: string[] = [];
      for (const it of flatItems(t)) {
        if (it.k === 'str') names.push(prefix + it.v);
        else srcAlts.push([it.k === 'unk' ? b.opaque(it) : b.opaque({ text: b.text(it.node), reason: 'not a string', node: it.node })]);
      }
      if (names.length > 0) srcAlts.push([{ kind: 'principal', dir: 'src', names, span: spanOfNode(t.node) }]);
    }
    // no source at all: GCP applies the rule to 0.0.0.0/0
    if (srcAlts.length === 0 && !ranges) srcAlts.push([{ kind: 'address', dir: 'src', addrs: AddrSet.ALL_V4 }]);
  }
  // target classes; an unresolved entry is a class named by its expression
  let targets: string[] | undefined;
  const extra: Match[] = [];
  for (const [field, prefix] of [
    ['targetTags', 'tag:'],
    ['targetServiceAccounts', 'sa:'],
  ] as const) {
    const t = get(field);
    if (!t || t.k === 'nullish') continue;
    for (const it of flatItems(t)) {
      targets ??= [];
      if (it.k === 'str') targets.push(prefix + it.v);
      else targets.push(`expr:${it.k === 'unk' ? it.text : b.text(it.node)}`);
    }
  }
  if (targets && targets.length === 0) targets = undefined;
  if (targets && targets.every((t) => t.startsWith('expr:'))) {
    extra.push(b.opaque({ text: `targets ${targets.map((t) => t.slice(5)).join(', ')}`, reason: 'the target list is not known statically; the rule may apply to every instance', node: v.node }));
  }
  const matches: Match[] = [...(protoAlts.length === 0 ? [{ kind: 'any-of', alternatives: [] } as Match] : anyOf(protoAlts)), ...(srcAlts.length > 0 ? anyOf(srcAlts) : []), ...extra];
  const disabled = get('disabled');
  const rule: RuleDraft = { matches, action, node: v.node, reportNode: (isDeny ? undefined : worldNode) ?? portNode ?? v.node, suggestions: isDeny ? [] : suggestions, priority };
  if (disabled?.k === 'bool' && disabled.v) rule.disabled = true;
  const desc = get('description');
  const fwName = get('name');
  if (desc?.k === 'str') rule.comment = desc.v;
  else if (fwName?.k === 'str') rule.comment = fwName.v;
  else {
    const resName = ctx.argString(v.node, 0, v.scope);
    if (resName !== undefined) rule.comment = resName;
  }
  return { network: netName, node: v.node, rule, egress, targets };
}

/** GCP / Azure port strings: "22", "1761-1768", "*" (Azure). */
function portStrings(ctx: Context, vals: Val[]): { ports?: NumSet; opaque?: Match[] } {
  let set: NumSet = IntervalSet.empty();
  const opaque: Match[] = [];
  for (const it of vals.flatMap(flatItems)) {
    if (it.k === 'nullish') continue;
    const s = it.k === 'num' ? String(it.v) : it.k === 'str' ? it.v.trim() : undefined;
    if (s === undefined) {
      opaque.push(it.k === 'unk' ? ctx.b.opaque(it) : ctx.b.opaque({ text: ctx.b.text(it.node), reason: 'not a port', node: it.node }));
      continue;
    }
    // The cloud parsers' reading of a port string; the word "any" is not a port in programs.
    const ps = s.toLowerCase() === 'any' ? undefined : parsePortText(s);
    if (!ps) {
      ctx.b.warn(it.node, `invalid port '${s}'`, 'typescript/invalid-port');
      opaque.push(ctx.b.opaque({ text: s, reason: 'invalid port', node: it.node }, 'invalid'));
      continue;
    }
    set = set.union(ps);
  }
  return { ports: set, opaque };
}

function gcpProtoPorts(ctx: Context, proto: Val | undefined, ports: Val | undefined, at: Node): Match[] {
  const b = ctx.b;
  if (!proto || proto.k === 'nullish') return [b.opaque({ text: b.text(at), reason: 'no protocol given', node: at })];
  let p: number | undefined;
  if (proto.k === 'str') {
    const t = proto.v.trim().toLowerCase();
    if (t === 'all') return [];
    p = gcpProtocolNumber(t);
  } else if (proto.k === 'num') p = proto.v;
  else if (proto.k === 'unk') return [b.opaque(proto)];
  if (p === undefined) {
    b.warn(proto.node, `unknown protocol ${b.text(proto.node)}`, 'typescript/unknown-protocol');
    return [b.opaque({ text: b.text(proto.node), reason: 'unknown protocol', node: proto.node }, 'protocol')];
  }
  const pm: Match = { kind: 'protocol', protocols: numSingle(p), span: spanOfNode(proto.node) };
  // ports apply to tcp, udp, sctp only; absent means all ports
  if (!ports || ports.k === 'nullish' || (p !== 6 && p !== 17 && p !== 132)) return [pm];
  const ps = portStrings(ctx, [ports]);
  const out: Match[] = [pm];
  const alts: Match[][] = [];
  if (ps.ports && !ps.ports.isEmpty) alts.push([{ kind: 'port', dir: 'dst', ports: ps.ports, span: spanOfNode(ports.node) }]);
  for (const o of ps.opaque ?? []) alts.push([o]);
  if (alts.length === 0) return [pm]; // ports: [] means all ports
  out.push(...anyOf(alts));
  return out;
}

// ---------------------------------------------------------------- Azure

function azureNsg(ctx: Context, v: NewVal): RulesetDraft {
  return ctx.constructRuleset(v.node, v.scope, 0, 'azure', (d) => {
    const { get } = props(ctx, v);
    const n = get('networkSecurityGroupName') ?? get('name');
    if (n?.k === 'str') d.addTarget(n.v);
    azureDefaults(d, v.node);
    const rules = get('securityRules');
    if (rules && rules.k !== 'nullish') for (const e of entries(rules)) azureRule(ctx, d, e, e.node);
  });
}

function azureNsgRef(ctx: Context, ref: Val | undefined, at: Node): RulesetDraft {
  const base = ref?.k === 'prop' ? ref.base : ref;
  if (base?.k === 'new' && (base.fq === 'azn.network.NetworkSecurityGroup' || base.fq === 'azc.network.NetworkSecurityGroup')) return azureNsg(ctx, base);
  const name = refName(ctx, ref, at);
  return ctx.namedRuleset(`azure:${name}`, name, ref?.node ?? at, 'azure', (d) => azureDefaults(d, ref?.node ?? at));
}

/** Azure's default rules (priorities 65000–65500) after the written ones. */
function azureDefaults(d: RulesetDraft, node: Node): void {
  const p = (dir: 'src' | 'dst', name: string): Match => ({ kind: 'principal', dir, names: [name] });
  const rule = (matches: Match[], action: Action, comment: string): RuleDraft => ({ matches, action, node, reportNode: node, suggestions: [], comment, text: `(Azure default) ${comment}` });
  d.defaultIngress.push(
    rule([p('src', 'VirtualNetwork'), p('dst', 'VirtualNetwork')], { kind: 'accept' }, 'AllowVnetInBound (default, 65000)'),
    rule([p('src', 'AzureLoadBalancer')], { kind: 'accept' }, 'AllowAzureLoadBalancerInBound (default, 65001)'),
    rule([], { kind: 'drop' }, 'DenyAllInBound (default, 65500)'),
  );
  d.defaultEgress.push(
    rule([p('src', 'VirtualNetwork'), p('dst', 'VirtualNetwork')], { kind: 'accept' }, 'AllowVnetOutBound (default, 65000)'),
    rule([], { kind: 'accept' }, 'AllowInternetOutBound (default, 65001)'),
    rule([], { kind: 'drop' }, 'DenyAllOutBound (default, 65500)'),
  );
}

/** Enum members (`azure.network.SecurityRuleAccess.Allow`) read as their member name. */
function enumText(v: Val | undefined): string | undefined {
  if (!v) return undefined;
  if (v.k === 'str') return v.v;
  if (v.k === 'ref') return v.fq.slice(v.fq.lastIndexOf('.') + 1);
  return undefined;
}

const AZ_PROTO: Record<string, number | 'all'> = { tcp: 6, udp: 17, icmp: 1, esp: 50, ah: 51, '*': 'all', any: 'all' };

function azureRule(ctx: Context, d: RulesetDraft, e: Val, node: Node): void {
  const b = ctx.b;
  if (e.k !== 'obj') {
    d.ingress.push({ matches: [e.k === 'unk' ? b.opaque(e) : b.opaque({ text: b.text(node), reason: 'not an object', node })], action: { kind: 'accept' }, node, reportNode: node, suggestions: [], priority: -1 });
    return;
  }
  const get = (k: string): Val | undefined => e.props.get(k) ?? e.rest;
  const dirV = get('direction');
  const dirT = enumText(dirV)?.toLowerCase();
  const egress = dirT === 'outbound';
  const accessV = get('access');
  const accessT = enumText(accessV)?.toLowerCase();
  const action: Action =
    accessT === 'allow' ? { kind: 'accept' } : accessT === 'deny' ? { kind: 'drop' } : { kind: 'unknown', target: accessV ? b.text(accessV.node) : 'access', text: accessV ? b.text(accessV.node) : 'access not given' };
  const matches: Match[] = [];
  if (dirV && dirT === undefined) matches.push(dirV.k === 'unk' ? b.opaque(dirV) : b.opaque({ text: b.text(dirV.node), reason: 'direction not known', node: dirV.node }));
  // protocol
  const protoV = get('protocol');
  const protoT = enumText(protoV)?.toLowerCase();
  const proto = protoT === undefined ? undefined : (AZ_PROTO[protoT] ?? protocolNumber(protoT));
  if (proto === undefined) {
    if (protoV) matches.push(protoV.k === 'unk' ? b.opaque(protoV) : b.opaque({ text: b.text(protoV.node), reason: 'unknown protocol', node: protoV.node }, 'protocol'));
  } else if (proto !== 'all') matches.push({ kind: 'protocol', protocols: numSingle(proto), span: spanOfNode(protoV!.node) });
  // destination ports (only for port protocols; '*' protocol means tcp/udp ports apply to those)
  const portVals = [get('destinationPortRange'), get('destinationPortRanges')].filter((x): x is Val => x !== undefined && x.k !== 'nullish');
  let portNode: Node | undefined;
  if (portVals.length > 0 && (proto === 6 || proto === 17 || proto === 'all' || proto === undefined)) {
    portNode = portVals[0]!.node;
    const ps = portStrings(ctx, portVals);
    const alts: Match[][] = [];
    if (ps.ports && !ps.ports.isEmpty && !ps.ports.equals(numRange(0, 65535))) alts.push([{ kind: 'port', dir: 'dst', ports: ps.ports, span: spanOfNode(portNode) }]);
    else if (ps.ports && ps.ports.equals(numRange(0, 65535))) alts.push([]);
    for (const o of ps.opaque ?? []) alts.push([o]);
    if (alts.length > 0 && alts.every((a) => a.length > 0)) matches.push(...anyOf(alts));
  }
  // addresses
  const suggestions: Suggestion[] = [];
  let worldNode: Node | undefined;
  const side = (single: string, multi: string, asgField: string, dir: 'src' | 'dst'): void => {
    const vals = [get(single), get(multi)].filter((x): x is Val => x !== undefined && x.k !== 'nullish');
    const alts: Match[][] = [];
    let set = AddrSet.EMPTY;
    let anyAddr = false;
    let star = false;
    const tags: string[] = [];
    for (const it of vals.flatMap(flatItems)) {
      if (it.k === 'nullish') continue;
      if (it.k !== 'str') {
        alts.push([it.k === 'unk' ? b.opaque(it) : b.opaque({ text: b.text(it.node), reason: 'not an address prefix', node: it.node })]);
        continue;
      }
      const t = it.v.trim();
      // '*', 'Any' and the 'Internet' service tag: every address (as the Azure parser reads them)
      if (t === '*' || t.toLowerCase() === 'any' || t.toLowerCase() === 'internet') {
        star = true;
        if (dir === 'src' && it.node.type === 'Literal' && it.node.range[0] >= node.range[0] && it.node.range[1] <= node.range[1]) {
          worldNode ??= it.node;
          suggestions.push(replaceLiteral(ctx.src, it.node, PLACEHOLDER_V4, `Replace the world-open source with a private placeholder (${PLACEHOLDER_V4})`));
        }
        continue;
      }
      const c = /^[0-9a-fA-F.:/]+$/.test(t) ? parseCidr(t) : undefined;
      if (c) {
        set = set.union(c);
        anyAddr = true;
        if (dir === 'src' && (c.coversAll('ipv4') || c.coversAll('ipv6')) && it.node.type === 'Literal' && it.node.range[0] >= node.range[0] && it.node.range[1] <= node.range[1]) {
          worldNode ??= it.node;
          const v6 = c.coversAll('ipv6') && !c.coversAll('ipv4');
          suggestions.push(replaceLiteral(ctx.src, it.node, v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4, `Replace the world-open source with a private placeholder (${v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`));
        }
      } else tags.push(t);
    }
    const asg = get(asgField);
    if (asg && asg.k !== 'nullish') {
      for (const it of flatItems(asg)) {
        if (it.k === 'obj') {
          const id = it.props.get('id');
          tags.push(id?.k === 'str' ? `asg:${id.v}` : `asg:${id ? b.text(id.node) : b.text(it.node)}`);
        } else alts.push([it.k === 'unk' ? b.opaque(it) : b.opaque({ text: b.text(it.node), reason: 'not an application security group', node: it.node })]);
      }
    }
    if (star) return; // any address: no restriction on this side
    if (anyAddr) alts.unshift([{ kind: 'address', dir, addrs: set }]);
    if (tags.length > 0) alts.push([{ kind: 'principal', dir, names: tags }]);
    if (alts.length > 0) matches.push(...anyOf(alts));
  };
  side('sourceAddressPrefix', 'sourceAddressPrefixes', 'sourceApplicationSecurityGroups', 'src');
  side('destinationAddressPrefix', 'destinationAddressPrefixes', 'destinationApplicationSecurityGroups', 'dst');
  const pri = get('priority');
  let priority: number;
  if (pri?.k === 'num') priority = pri.v;
  else priority = action.kind === 'drop' ? 65536 : -1; // unknown: the order that exposes most
  // a placeholder only makes sense where the rule opens something
  const rule: RuleDraft = { matches, action, node, reportNode: (action.kind === 'accept' ? worldNode : undefined) ?? portNode ?? node, suggestions: action.kind === 'accept' ? suggestions : [], priority };
  const name = get('name');
  const desc = get('description');
  if (desc?.k === 'str') rule.comment = desc.v;
  else if (name?.k === 'str') rule.comment = name.v;
  (egress ? d.egress : d.ingress).push(rule);
}
