/**
 * Pulumi programs: AWS (`aws.ec2.SecurityGroup`, `aws.ec2.SecurityGroupRule`,
 * `aws.vpc.SecurityGroupIngressRule` / `EgressRule`), GCP (`gcp.compute.Firewall`,
 * one ruleset per network) and Azure (`azure-native` / classic `azure`
 * NetworkSecurityGroup and SecurityRule, with the default rules).
 */
import { parseCidr, type Match } from '../../model/index.js';
import { compileNsg, ruleSpecOf, type AzRuleFields, type NsgSpec } from '../azure/nsg.js';
import { IdSource, lastSegment } from '../gcp/common.js';
import { compileGcp, type GcpFirewallSpec, type GcpProtoEntry } from '../gcp/firewall.js';
import { policyTargets, secureTagSources } from '../gcp/terraform.js';
import type { PValue } from '../values.js';
import { spanOfNode, type Node } from './ast.js';
import { flatItems, PLACEHOLDER_V4, PLACEHOLDER_V6, replaceLiteral, type RuleOrigin, type RulesetDraft, type Suggestion } from './build.js';
import { entries, entries as entries_ } from './cdk.js';
import { nodeKey, spanKey, toP, toPList } from './cloud.js';
import { awsEntry, guarded, inNode, onlyWhen, perIteration, propGetter, removalOf, type AwsEntryFields, type Context } from './context.js';
import { iterationsOf, loopsIn, type Val } from './resolve.js';

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
    if (v.fq === 'aws.ec2.SecurityGroup' || v.fq === 'aws.ec2.DefaultSecurityGroup') perIteration(ctx, v, () => awsGroup(ctx, v));
    else if (v.fq === 'azn.network.NetworkSecurityGroup' || v.fq === 'azc.network.NetworkSecurityGroup') azureNsg(ctx, v);
  }
  const gcp: GcpRule[] = [];
  const gcpPolicy: GcpRule[] = [];
  for (const v of news) {
    switch (v.fq) {
      case 'aws.ec2.SecurityGroupRule':
      case 'aws.vpc.SecurityGroupIngressRule':
      case 'aws.vpc.SecurityGroupEgressRule': {
        const gid = props(ctx, v).get('securityGroupId');
        perIteration(ctx, gid, () => awsStandalone(ctx, v), gid && { node: gid.node, scope: v.scope });
        break;
      }
      case 'gcp.compute.Firewall':
        gcp.push(...gcpGuarded(ctx, v, gcpFirewalls(ctx, v)));
        break;
      case 'gcp.compute.FirewallPolicyRule':
      case 'gcp.compute.NetworkFirewallPolicyRule':
      case 'gcp.compute.RegionNetworkFirewallPolicyRule':
        gcpPolicy.push(...gcpGuarded(ctx, v, [gcpPolicyRule(ctx, v)]));
        break;
      case 'azn.network.SecurityRule':
      case 'azc.network.NetworkSecurityRule': {
        const { obj, get } = props(ctx, v);
        const nsgRef = get('networkSecurityGroupName');
        const st = azureNsgRef(ctx, nsgRef, v.node);
        const g = ctx.guard(v.node);
        if (g.dead) break;
        // An NSG with in-line rules replaces its whole rule list on each update, removing a standalone rule until that
        // resource adds it again (Azure Classic: "you cannot use a Network Security Group with in-line Network Security
        // Rules in conjunction with any Network Security Rule resources"): the rule may be absent.
        const guards = st.inline
          ? [...g.matches, ctx.b.opaque({ text: `${ctx.declaredName(v.node) ?? ctx.argString(v.node, 0, v.scope) ?? 'this rule'} beside the in-line securityRules of ${st.inline}`, reason: 'the NSG lists its rules in-line, which overwrites standalone rules on update (they cannot be mixed)', node: nsgRef?.node ?? v.node }, 'condition')]
          : g.matches;
        if (obj?.k === 'obj') for (const it of perElement(obj)) azureRule(ctx, st, it, v.node, guards, ctx.argString(v.node, 0, v.scope));
        else if (obj) (st.spec.unresolvedRules ??= []).push({ text: obj.k === 'unk' ? obj.text : ctx.b.text(v.node), span: spanOfNode(v.node) });
        break;
      }
      default:
        break;
    }
  }
  gcpRulesets(ctx, gcp);
  gcpRulesets(ctx, gcpPolicy, 'policy');
}

/** `aws.ec2.SecurityGroupRule` / `aws.vpc.SecurityGroupIngressRule` / `EgressRule`: one rule in the group it names. */
function awsStandalone(ctx: Context, v: NewVal): void {
  const { obj, get } = props(ctx, v);
  const d = awsGroupRef(ctx, get('securityGroupId'), v.node);
  if (v.fq === 'aws.ec2.SecurityGroupRule') {
    const type = get('type');
    const egress = type?.k === 'str' && type.v === 'egress';
    const entry = obj ?? unk(ctx, v.node, 'no properties');
    const rule = awsEntry(ctx, entry, v.node, SG_RULE, egress ? 'dst' : 'src');
    if (type && type.k !== 'str') rule.matches.push(type.k === 'unk' ? ctx.b.opaque(type) : ctx.b.opaque({ text: ctx.b.text(type.node), reason: 'rule type not known', node: type.node }));
    if (!egress) rule.suggestions.push(...removalOf(ctx, v.node, 'SecurityGroupRule'));
    if (guarded(ctx, v.node, rule)) (egress ? d.egress : d.ingress).push(rule);
    return;
  }
  const ingress = v.fq.endsWith('IngressRule');
  const rule = awsEntry(ctx, obj ?? unk(ctx, v.node, 'no properties'), v.node, VPC_RULE, ingress ? 'src' : 'dst');
  if (ingress) rule.suggestions.push(...removalOf(ctx, v.node, 'SecurityGroupIngressRule'));
  if (guarded(ctx, v.node, rule)) (ingress ? d.ingress : d.egress).push(rule);
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
    if (ing && ing.k !== 'nullish') {
      for (const e of entries(ing, true)) {
        const rule = guarded(ctx, v.node, awsEntry(ctx, e, e.node, SG_INGRESS, 'src'));
        if (rule) d.ingress.push(rule);
      }
    }
    const eg = get('egress');
    if (eg && eg.k !== 'nullish') for (const e of entries(eg, true)) d.egress.push(awsEntry(ctx, e, e.node, SG_INGRESS, 'dst'));
  });
}

/** `securityGroupId: sg.id` → that group's ruleset; a literal id or other expression → a ruleset named by it. */
function awsGroupRef(ctx: Context, gid: Val | undefined, at: Node): RulesetDraft {
  const base = gid?.k === 'prop' ? gid.base : gid;
  if (base?.k === 'new' && (base.fq === 'aws.ec2.SecurityGroup' || base.fq === 'aws.ec2.DefaultSecurityGroup')) return awsGroup(ctx, base);
  const name = refName(ctx, gid, at);
  return ctx.namedRuleset(`aws:${name}`, name, gid?.node ?? at, 'aws');
}

// ---------------------------------------------------------------- GCP

/** GCP rules with the conditions their `new` runs under (none when it never runs). */
function gcpGuarded(ctx: Context, v: NewVal, rules: GcpRule[]): GcpRule[] {
  const g = ctx.guard(v.node);
  if (g.dead) return [];
  if (g.matches.length > 0) for (const r of rules) r.spec.extra = [...(r.spec.extra ?? []), ...g.matches];
  return rules;
}

interface GcpRule {
  spec: GcpFirewallSpec;
  origin: RuleOrigin;
}

/**
 * The GCP parser's compiler builds the rulesets (one per network and target
 * class, GCP evaluation order, implied rules as chain policies); each compiled
 * rule is mapped back to its `new gcp.compute.Firewall` by span.
 */
function gcpRulesets(ctx: Context, list: GcpRule[], mode: 'vpc' | 'policy' = 'vpc'): void {
  if (list.length === 0) return;
  const first = list[0]!.origin.node;
  ctx.b.compiled(() => {
    const origins = new Map<string, RuleOrigin>();
    for (const g of list) origins.set(spanKey(g.spec.span), g.origin);
    const rulesets = compileGcp(
      list.map((g) => g.spec),
      spanOfNode(first),
      new IdSource(),
      ctx.b.diagnostics,
      mode,
    );
    const fallback: RuleOrigin = { node: first, reportNode: first, suggestions: [] };
    return { rulesets, origin: (r) => origins.get(spanKey(r.span)) ?? fallback };
  }, first);
}

/** World-open CIDR literals written inside `within` (for placeholder suggestions). */
function worldLiterals(vals: (Val | undefined)[], within: Node): { node: Node; v6: boolean }[] {
  const out: { node: Node; v6: boolean }[] = [];
  for (const v of vals) {
    if (!v) continue;
    for (const it of flatItems(v)) {
      if (it.k !== 'str' || it.node.type !== 'Literal' || !inNode(it.node, within)) continue;
      const t = it.v.trim();
      const l = t.toLowerCase();
      if (l === '*' || l === 'any' || l === 'internet') {
        out.push({ node: it.node, v6: false });
        continue;
      }
      const c = parseCidr(t);
      if (c && (c.coversAll('ipv4') || c.coversAll('ipv6'))) out.push({ node: it.node, v6: c.coversAll('ipv6') && !c.coversAll('ipv4') });
    }
  }
  return out;
}

/**
 * A cloud rule written once and created once per loop element (`partners.map((p, i) => ({ priority: 100 + i,
 * destinationPortRange: p.port, sourceAddressPrefix: p.cidr }))`, `new gcp.compute.Firewall(…)` in a for-of):
 * one rule per element when a loop variable feeds two of its fields, so that one element's ports are not
 * opened to another element's sources; else the rule as written (its lists unite the elements, exactly).
 */
function perElement(o: Val & { k: 'obj' }): (Val & { k: 'obj' })[] {
  let feeds = 0;
  const all = new Set<unknown>();
  for (const x of o.props.values()) {
    const here = [...loopsIn(x).keys()];
    if (here.some((b) => all.has(b))) feeds++;
    for (const b of here) all.add(b);
  }
  if (feeds === 0) return [o];
  const its = iterationsOf(o);
  return its && its.length > 0 ? (its as (Val & { k: 'obj' })[]) : [o];
}

function gcpFirewalls(ctx: Context, v: NewVal): GcpRule[] {
  const { obj } = props(ctx, v);
  if (obj?.k !== 'obj') return [gcpFirewall(ctx, v, obj)];
  return perElement(obj).map((o) => gcpFirewall(ctx, v, o));
}

function gcpFirewall(ctx: Context, v: NewVal, obj: Val | undefined): GcpRule {
  const b = ctx.b;
  const get = propGetter(obj);
  const network = get('network');
  const netName =
    network?.k === 'str' ? lastSegment(network.v) : network ? (network.k === 'unk' ? network.text : ctx.label(network.k === 'prop' ? network.base : network)) : 'default';
  const fwName = get('name');
  const name = fwName?.k === 'str' ? fwName.v : (ctx.argString(v.node, 0, v.scope) ?? b.text(v.node));
  const span = spanOfNode(v.node);
  if (obj?.k !== 'obj') {
    const why = obj?.k === 'unk' ? obj : { k: 'unk' as const, text: b.text(v.node), reason: 'firewall properties not known', node: v.node };
    const spec: GcpFirewallSpec = { name, network: netName, span, direction: undefined, priority: undefined, action: 'allow', entries: [{ protocol: undefined, ports: undefined, span, unresolved: why.text }], extra: [b.opaque(why)] };
    return { spec, origin: { node: v.node, reportNode: v.node, suggestions: [] } };
  }
  const dir = get('direction');
  const egress = dir?.k === 'str' && dir.v.toUpperCase() === 'EGRESS';
  const allows = get('allows');
  const denies = get('denies');
  const isDeny = denies !== undefined && denies.k !== 'nullish' && (allows === undefined || allows.k === 'nullish');
  const list = isDeny ? denies : allows;
  const protoEntries: GcpProtoEntry[] = [];
  let portNode: Node | undefined;
  for (const e of list && list.k !== 'nullish' ? entries(list) : []) {
    if (e.k !== 'obj') {
      protoEntries.push({ protocol: undefined, ports: undefined, span: spanOfNode(e.node), unresolved: e.k === 'unk' ? e.text : b.text(e.node) });
      continue;
    }
    const proto = e.props.get('protocol') ?? e.rest;
    const ports = e.props.get('ports') ?? e.rest;
    portNode ??= ports?.node ?? proto?.node;
    const entry: GcpProtoEntry = { protocol: toP(b, proto), ports: toPList(b, ports), span: spanOfNode(e.node) };
    if (proto?.k === 'nullish') delete entry.protocol;
    protoEntries.push(entry);
  }
  const spec: GcpFirewallSpec = {
    name,
    network: netName,
    span,
    direction: toP(b, dir),
    priority: toP(b, get('priority')),
    action: isDeny ? 'deny' : 'allow',
    entries: protoEntries,
  };
  const lists = ['sourceRanges', 'sourceTags', 'sourceServiceAccounts', 'destinationRanges', 'targetTags', 'targetServiceAccounts'] as const;
  for (const k of lists) {
    const p = toPList(b, get(k));
    if (p) spec[k] = p;
  }
  const disabled = toP(b, get('disabled'));
  if (disabled) spec.disabled = disabled;
  const desc = get('description');
  if (desc?.k === 'str') spec.description = desc.v;
  const world = worldLiterals([get(egress ? 'destinationRanges' : 'sourceRanges')], v.node);
  const suggestions: Suggestion[] = isDeny
    ? []
    : world.map((w) => replaceLiteral(ctx.src, w.node, w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4, `Replace the world-open range with a private placeholder (${w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`));
  const reportNode = (isDeny ? undefined : world[0]?.node) ?? portNode ?? v.node;
  return { spec, origin: { node: v.node, reportNode: inNode(reportNode, v.node) ? reportNode : v.node, suggestions } };
}

/**
 * A GCP firewall policy rule (`gcp.compute.FirewallPolicyRule`, `NetworkFirewallPolicyRule`,
 * `RegionNetworkFirewallPolicyRule`), read as the Terraform mapper reads `google_compute_*firewall_policy_rule`:
 * one ruleset per policy, action allow / deny / goto_next (others unknown), `match.layer4Configs`,
 * `match.srcIpRanges`; sources the cloud resolves at run time (FQDNs, geo codes…) are undecidable.
 */
function gcpPolicyRule(ctx: Context, v: NewVal): GcpRule {
  const b = ctx.b;
  const { obj, get } = props(ctx, v);
  const span = spanOfNode(v.node);
  const policyV = get('firewallPolicy');
  const policy = policyV?.k === 'str' ? lastSegment(policyV.v) : policyV ? (policyV.k === 'unk' ? policyV.text : ctx.label(policyV.k === 'prop' ? policyV.base : policyV)) : '(unknown policy)';
  const name = ctx.argString(v.node, 0, v.scope) ?? b.text(v.node);
  const actionV = get('action');
  const at = actionV?.k === 'str' ? actionV.v.toLowerCase() : undefined;
  const action: GcpFirewallSpec['action'] = at === 'allow' || at === 'deny' || at === 'goto_next' ? at : { unknown: actionV ? (actionV.k === 'unk' ? actionV.text : b.text(actionV.node)) : '(missing action)' };
  const match = get('match');
  const mget = propGetter(match);
  const entries: GcpProtoEntry[] = [];
  const extraSources: Match[][] = [];
  if (obj?.k !== 'obj' || !match || match.k === 'nullish') {
    const why = obj?.k === 'unk' ? obj.text : match?.k === 'unk' ? match.text : 'match';
    entries.push({ protocol: undefined, ports: undefined, span, unresolved: why });
  } else {
    const l4 = mget('layer4Configs');
    for (const e of l4 && l4.k !== 'nullish' ? entries_(l4) : []) {
      if (e.k !== 'obj') {
        entries.push({ protocol: undefined, ports: undefined, span: spanOfNode(e.node), unresolved: e.k === 'unk' ? e.text : b.text(e.node) });
        continue;
      }
      const proto = e.props.get('ipProtocol') ?? e.rest;
      const entry: GcpProtoEntry = { protocol: toP(b, proto), ports: toPList(b, e.props.get('ports') ?? e.rest), span: spanOfNode(e.node) };
      if (proto?.k === 'nullish') delete entry.protocol;
      entries.push(entry);
    }
    for (const key of ['srcFqdns', 'srcRegionCodes', 'srcAddressGroups', 'srcThreatIntelligences', 'srcNetworkScope', 'srcNetworks']) {
      const x = mget(key);
      if (x && x.k !== 'nullish' && !(x.k === 'arr' && x.items.length === 0 && !x.rest)) {
        extraSources.push([b.opaque({ text: `${key} = ${x.k === 'unk' ? x.text : b.text(x.node)}`, reason: `${key} is resolved by the cloud at run time`, node: x.node })]);
      }
    }
    extraSources.push(...secureTagSources(itemsOf(toPList(b, mget('srcSecureTags'))), 'srcSecureTags'));
  }
  const spec: GcpFirewallSpec = { name, network: policy, span, direction: toP(b, get('direction')), priority: toP(b, get('priority')), action, entries, extraSources };
  const src = match && match.k !== 'nullish' ? toPList(b, mget('srcIpRanges')) : undefined;
  const dst = match && match.k !== 'nullish' ? toPList(b, mget('destIpRanges')) : undefined;
  if (src) spec.sourceRanges = src;
  if (dst) spec.destinationRanges = dst;
  const tsa = toPList(b, get('targetServiceAccounts'));
  if (tsa) spec.targetServiceAccounts = tsa;
  const disabled = toP(b, get('disabled'));
  if (disabled) spec.disabled = disabled;
  // only instances of these networks / with one of these secure tags (as the Terraform mapper reads them)
  policyTargets(spec, toPList(b, get('targetResources')), itemsOf(toPList(b, get('targetSecureTags'))), { resources: 'targetResources', tags: 'targetSecureTags' });
  const world = action === 'allow' ? worldLiterals([mget('srcIpRanges')], v.node) : [];
  const suggestions = world.map((w) => replaceLiteral(ctx.src, w.node, w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4, `Replace the world-open range with a private placeholder (${w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`));
  const reportNode = world[0]?.node ?? v.node;
  return { spec, origin: { node: v.node, reportNode: inNode(reportNode, v.node) ? reportNode : v.node, suggestions } };
}

/** The items of a list value (an unknown whole list is one unknown item; null / absent none). */
function itemsOf(v: PValue | undefined): PValue[] {
  if (!v || (v.kind === 'scalar' && v.value === null)) return [];
  return v.kind === 'array' ? v.items : [v];
}

// ---------------------------------------------------------------- Azure

/** Pulumi's security-rule properties (azure-native and classic `azure`), as the Azure parser's field table. */
const PULUMI_AZ_FIELDS: AzRuleFields = {
  srcPorts: ['sourcePortRange', 'sourcePortRanges'],
  dstPorts: ['destinationPortRange', 'destinationPortRanges'],
  srcPrefixes: ['sourceAddressPrefix', 'sourceAddressPrefixes'],
  dstPrefixes: ['destinationAddressPrefix', 'destinationAddressPrefixes'],
  srcAsgs: ['sourceApplicationSecurityGroups', 'sourceApplicationSecurityGroupIds'],
  dstAsgs: ['destinationApplicationSecurityGroups', 'destinationApplicationSecurityGroupIds'],
  priority: 'priority',
  access: 'access',
  direction: 'direction',
  protocol: 'protocol',
};

const SCALAR_FIELDS = new Set(['priority', 'access', 'direction', 'protocol']);

/** What an NSG draft collects before the Azure parser's `compileNsg` builds it. */
interface AzState {
  spec: NsgSpec;
  origins: Map<string, RuleOrigin>;
  /** The NSG lists its rules in-line (`securityRules`): the expression of the NSG, for a standalone rule's condition. */
  inline?: string;
}

const azStates = new WeakMap<RulesetDraft, AzState>();

function azInit(ctx: Context, d: RulesetDraft, name: string, node: Node, external: boolean): AzState {
  const spec: NsgSpec = { name, span: spanOfNode(node), rules: [], targets: [] };
  if (external) spec.external = true;
  const st: AzState = { spec, origins: new Map() };
  azStates.set(d, st);
  d.compile = () => {
    spec.targets = d.targets.filter((t) => t !== name);
    const c = compileNsg(spec, new IdSource(), ctx.b.diagnostics);
    const fallback: RuleOrigin = { node, reportNode: node, suggestions: [] };
    return { rulesets: [c.ruleset], origin: (r) => st.origins.get(spanKey(r.span)) ?? fallback };
  };
  return st;
}

function azureNsg(ctx: Context, v: NewVal): RulesetDraft {
  return ctx.constructRuleset(v.node, v.scope, 0, 'azure', (d) => {
    const { get } = props(ctx, v);
    const n = get('networkSecurityGroupName') ?? get('name');
    const name = n?.k === 'str' ? n.v : (ctx.argString(v.node, 0, v.scope) ?? ctx.b.text(v.node));
    d.addTarget(name);
    const st = azInit(ctx, d, name, v.node, false);
    const rules = get('securityRules');
    const g = ctx.guard(v.node);
    if (rules && rules.k !== 'nullish') st.inline = ctx.declaredName(v.node) ?? name;
    if (rules && rules.k !== 'nullish' && !g.dead) {
      for (const e0 of entries(rules, true)) {
        const { v: e, conds } = onlyWhen(ctx, e0);
        if (e.k === 'obj') for (const it of perElement(e)) azureRule(ctx, st, it, e.node, [...g.matches, ...conds]);
        else (st.spec.unresolvedRules ??= []).push({ text: e.k === 'unk' ? e.text : ctx.b.text(e.node), span: spanOfNode(e.node) });
      }
    }
  });
}

function azureNsgRef(ctx: Context, ref: Val | undefined, at: Node): AzState {
  const base = ref?.k === 'prop' ? ref.base : ref;
  if (base?.k === 'new' && (base.fq === 'azn.network.NetworkSecurityGroup' || base.fq === 'azc.network.NetworkSecurityGroup')) return azStates.get(azureNsg(ctx, base))!;
  // a literal name: the NSG of the file created with that explicit name (`name` / `networkSecurityGroupName`)
  if (ref?.k === 'str') {
    for (const c of ctx.scan.news) {
      const v = ctx.r.eval(c.node, c.scope);
      if (v.k !== 'new' || (v.fq !== 'azn.network.NetworkSecurityGroup' && v.fq !== 'azc.network.NetworkSecurityGroup')) continue;
      const { get } = props(ctx, v);
      const n = get('networkSecurityGroupName') ?? get('name');
      if (n?.k === 'str' && n.v === ref.v) return azStates.get(azureNsg(ctx, v))!;
    }
  }
  const name = refName(ctx, ref, at);
  const d = ctx.namedRuleset(`azure:${name}`, name, ref?.node ?? at, 'azure', (dd) => azInit(ctx, dd, name, ref?.node ?? at, true));
  return azStates.get(d)!;
}

function azureRule(ctx: Context, st: AzState, e: Val & { k: 'obj' }, node: Node, guards: Match[], resourceName?: string): void {
  const b = ctx.b;
  const get = (k: string): Val | undefined => e.props.get(k) ?? e.rest;
  const nameV = get('name') ?? get('securityRuleName');
  const name = nameV?.k === 'str' ? nameV.v : (resourceName ?? '(unnamed)');
  const spec = ruleSpecOf(name, spanOfNode(node), (k) => {
    const v = get(k);
    return v === undefined ? undefined : SCALAR_FIELDS.has(k) ? toP(b, v) : toPList(b, v);
  }, PULUMI_AZ_FIELDS);
  const desc = get('description');
  if (desc?.k === 'str') spec.description = desc.v;
  if (guards.length > 0) spec.extra = [...(spec.extra ?? []), ...guards];
  st.spec.rules.push(spec);
  // report the world-open source (with a placeholder suggestion) of an allow, else the ports, else the rule
  const accessT = spec.access?.kind === 'scalar' ? String(spec.access.value).toLowerCase() : undefined;
  const allow = accessT === 'allow';
  const world = worldLiterals([get('sourceAddressPrefix'), get('sourceAddressPrefixes')], node);
  const portV = get('destinationPortRange') ?? get('destinationPortRanges');
  const portNode = portV && portV.k !== 'nullish' ? portV.node : undefined;
  const suggestions: Suggestion[] = allow
    ? world.map((w) => replaceLiteral(ctx.src, w.node, w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4, `Replace the world-open source with a private placeholder (${w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`))
    : [];
  const reportNode = (allow ? world[0]?.node : undefined) ?? portNode ?? node;
  st.origins.set(nodeKey(node), { node, reportNode: inNode(reportNode, node) ? reportNode : node, suggestions });
}
