/**
 * AWS CDK (v2 `aws-cdk-lib/aws-ec2`, `aws_ec2` namespace, v1 `@aws-cdk/aws-ec2`):
 * SecurityGroup constructs, addIngressRule / addEgressRule, `connections.allow*`,
 * Peer and Port factories, and the L1 CfnSecurityGroup / CfnSecurityGroupIngress.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AddrSet, numSingle, type Match } from '../../model/index.js';
import { memberName, unwrap, type Node } from './ast.js';
import {
  anyOf,
  awsProtoPorts,
  cidrs,
  flatItems,
  PLACEHOLDER_V4,
  PLACEHOLDER_V6,
  removeStatement,
  replaceLiteral,
  RulesetDraft,
  type RuleDraft,
  type Suggestion,
} from './build.js';
import { awsEntry, guarded, inNode, perIteration, propGetter, removalOf, type AwsEntryFields, type Context } from './context.js';
import type { Binding, Scope, Val } from './resolve.js';

const CFN_INGRESS: AwsEntryFields = {
  protocol: 'ipProtocol',
  from: 'fromPort',
  to: 'toPort',
  cidr4: ['cidrIp'],
  cidr6: ['cidrIpv6'],
  principals: ['sourceSecurityGroupId', 'sourceSecurityGroupName', 'sourcePrefixListId'],
};
const CFN_EGRESS: AwsEntryFields = {
  protocol: 'ipProtocol',
  from: 'fromPort',
  to: 'toPort',
  cidr4: ['cidrIp'],
  cidr6: ['cidrIpv6'],
  principals: ['destinationSecurityGroupId', 'destinationPrefixListId'],
};

/** The same fields as written in a CloudFormation template (`addPropertyOverride('SecurityGroupIngress', …)`): capitalised. */
function asTemplate(f: AwsEntryFields): AwsEntryFields {
  const cap = (n: string) => n.charAt(0).toUpperCase() + n.slice(1);
  return { protocol: cap(f.protocol), from: cap(f.from), to: cap(f.to), cidr4: f.cidr4.map(cap), cidr6: f.cidr6.map(cap), principals: f.principals.map(cap) };
}
const CFN_INGRESS_RAW = asTemplate(CFN_INGRESS);
const CFN_EGRESS_RAW = asTemplate(CFN_EGRESS);

const SG_METHODS = new Set(['addIngressRule', 'addEgressRule']);
const OVERRIDE_METHODS = new Set(['addPropertyOverride', 'addOverride']);
const CONN_METHODS = new Set([
  'allowFrom',
  'allowTo',
  'allowFromAnyIpv4',
  'allowToAnyIpv4',
  'allowInternally',
  'allowDefaultPortFrom',
  'allowDefaultPortFromAnyIpv4',
  'allowDefaultPortInternally',
  'allowDefaultPortTo',
  'allowToDefaultPort',
]);

interface PeerResult {
  alts: Match[][];
  /** World-open peer written at the call: how to replace it with a placeholder. */
  world?: Suggestion;
  worldNode?: Node;
}

export function isCdk(fq: string): boolean {
  return fq === 'cdk' || fq.startsWith('cdk.') || fq.startsWith('cdkmod.');
}

export function extractCdk(ctx: Context): void {
  const { r } = ctx;
  // Constructs first, in source order, so rulesets are ordered by declaration.
  for (const c of ctx.scan.news) {
    const v = r.eval(c.node, c.scope);
    if (v.k !== 'new') continue;
    if (v.fq === 'cdk.SecurityGroup') perIteration(ctx, v, () => sgRuleset(ctx, v));
    else if (v.fq === 'cdk.CfnSecurityGroup') perIteration(ctx, v, () => cfnSecurityGroup(ctx, v));
  }
  for (const c of ctx.scan.news) {
    const v = r.eval(c.node, c.scope);
    if (v.k !== 'new') continue;
    if (v.fq === 'cdk.CfnSecurityGroupIngress' || v.fq === 'cdk.CfnSecurityGroupEgress') {
      const gid = propGetter(ctx.arg(v.node, 2, v.scope))('groupId');
      perIteration(ctx, gid, () => cfnStandalone(ctx, v, v.fq === 'cdk.CfnSecurityGroupIngress'), gid && { node: gid.node, scope: v.scope });
    }
  }
  // escape hatches: cfnSg.securityGroupIngress = [...]
  for (const a of ctx.scan.assigns) {
    const prop = memberName(a.target);
    if (prop !== 'securityGroupIngress' && prop !== 'securityGroupEgress') continue;
    const d = cfnGroupOf(ctx, r.eval(a.target.object, a.scope));
    if (!d) continue;
    const ingress = prop === 'securityGroupIngress';
    const v = r.eval(a.node.right, a.scope);
    if (v.k === 'nullish') continue;
    for (const e of entries(v, ingress)) (ingress ? d.ingress : d.egress).push(awsEntry(ctx, e, inNode(e.node, a.node) ? e.node : a.node, ingress ? CFN_INGRESS : CFN_EGRESS, ingress ? 'src' : 'dst'));
  }
  for (const c of ctx.scan.calls) {
    if (c.node.type !== 'CallExpression') continue;
    const callee = unwrap(c.node.callee) as TSESTree.MemberExpression;
    const method = memberName(callee);
    if (method === undefined) continue;
    if (SG_METHODS.has(method)) sgMethod(ctx, c.node, callee, method, c.scope, c.parent);
    else if (CONN_METHODS.has(method)) connMethod(ctx, c.node, callee, method, c.scope, c.parent);
    else if (OVERRIDE_METHODS.has(method)) propertyOverride(ctx, c.node, callee, method, c.scope);
    else if (method === 'addListener') {
      const lb = r.eval(callee.object, c.scope);
      if ((lb.k === 'new' && lb.fq === ALB) || importedAlb(lb)) albListener(ctx, lb, c.node, ctx.arg(c.node, 1, c.scope), c.parent);
    } else if (method === 'addRedirect') {
      // alb.addRedirect({ sourcePort, open }): addListener on sourcePort ?? 80 with open ?? true
      // (aws-elasticloadbalancingv2 ApplicationLoadBalancer.addRedirect)
      const lb = r.eval(callee.object, c.scope);
      if (!(lb.k === 'new' && lb.fq === ALB) && !importedAlb(lb)) continue;
      const props = ctx.arg(c.node, 0, c.scope);
      const get = propGetter(props);
      const listener = new Map<string, Val>();
      const src = get('sourcePort');
      listener.set('port', src && src.k !== 'nullish' ? src : { k: 'num', v: 80, node: c.node });
      const open = get('open');
      if (open) listener.set('open', open);
      albListener(ctx, lb, c.node, { k: 'obj', props: listener, node: props?.node ?? c.node }, c.parent);
    } else if (method === 'allowSshAccessFrom') {
      // BastionHostLinux.allowSshAccessFrom(...peers): connections.allowFrom(peer, Port.tcp(22)) for each peer
      const host = r.eval(callee.object, c.scope);
      if (host.k !== 'new' || host.fq !== 'cdk.BastionHostLinux') continue;
      const d = rulesetFor(ctx, host, callee.object);
      const port = { k: 'call', fq: 'cdk.Port.tcp', node: c.node, scope: c.scope, fixedPort: { k: 'num', v: 22, node: callee.property } } as unknown as Val;
      for (const a of c.node.arguments) {
        const peerV = r.eval(a.type === 'SpreadElement' ? a.argument : a, c.scope);
        addRule(ctx, c.scope, d, true, peerV, a, port, callee.property, c.node, c.parent, 'SSH access');
      }
    }
  }
  for (const c of ctx.scan.news) {
    const v = r.eval(c.node, c.scope);
    if (v.k === 'new' && ALB_PATTERNS.has(v.fq)) {
      albPattern(ctx, v, c.parent);
      continue;
    }
    if (v.k === 'new' && ALB_MULTI_PATTERNS.has(v.fq)) {
      albMultiPattern(ctx, v, c.parent);
      continue;
    }
    if (v.k !== 'new' || v.fq !== `${ELBV2}.ApplicationListener`) continue;
    const props = ctx.arg(v.node, 2, v.scope);
    const lb = propGetter(props)('loadBalancer');
    if (lb && lb.k !== 'nullish') albListener(ctx, lb, v.node, props, c.parent);
  }
}

const ELBV2 = 'cdkmod.aws-elasticloadbalancingv2';

/** ecs-patterns services that create an ALB and its listener (ApplicationLoadBalancedServiceBase). */
const ALB_PATTERNS = new Set(['cdkmod.aws-ecs-patterns.ApplicationLoadBalancedFargateService', 'cdkmod.aws-ecs-patterns.ApplicationLoadBalancedEc2Service']);

/**
 * `new ecsPatterns.ApplicationLoadBalancedFargateService(…, { listenerPort, openListener, protocol, certificate })`
 * creates a load balancer and `loadBalancer.addListener('PublicListener', { protocol, port: listenerPort, open:
 * openListener ?? true })`, the protocol defaulting to HTTPS with a certificate, else HTTP (aws-ecs-patterns,
 * ApplicationLoadBalancedServiceBase): that listener, read as alb.addListener.
 */
function albPattern(ctx: Context, v: Extract<Val, { k: 'new' }>, parent: Node | undefined): void {
  const props = ctx.arg(v.node, 2, v.scope);
  const get = propGetter(props);
  const listener = new Map<string, Val>();
  for (const [from, to] of [['listenerPort', 'port'], ['openListener', 'open'], ['protocol', 'protocol'], ['certificate', 'certificates']] as const) {
    const x = get(from);
    if (x) listener.set(to, x);
  }
  // the protocol is never left out: HTTPS with a certificate (or a domain, whose certificate it creates), else HTTP
  const cert = get('certificate');
  if (!listener.has('protocol') && (!cert || cert.k === 'nullish')) listener.set('protocol', { k: 'str', v: 'HTTP', node: v.node });
  const lbNode = props?.node ?? v.node;
  albListener(ctx, v, v.node, { k: 'obj', props: listener, node: lbNode }, parent);
  // redirectHTTP: a second listener, HTTP on port 80, open as the first (openListener ?? true)
  // (a redirectHTTP decided at run time: that listener possibly exists, the condition named)
  const redirect = get('redirectHTTP');
  const open = get('openListener');
  if (redirect && redirect.k !== 'nullish' && !(redirect.k === 'bool' && !redirect.v) && !(open?.k === 'bool' && !open.v)) {
    const r80 = new Map<string, Val>([['port', { k: 'num', v: 80, node: redirect.node }]]);
    const when = redirect.k === 'bool' ? open : redirect;
    if (when) r80.set('open', when);
    albListener(ctx, v, v.node, { k: 'obj', props: r80, node: lbNode }, parent);
  }
}
const ALB = `${ELBV2}.ApplicationLoadBalancer`;

const ALB_MULTI_PATTERNS = new Set([
  'cdkmod.aws-ecs-patterns.ApplicationMultipleTargetGroupsFargateService',
  'cdkmod.aws-ecs-patterns.ApplicationMultipleTargetGroupsEc2Service',
]);

/**
 * ecs-patterns ApplicationMultipleTargetGroups*Service (ApplicationMultipleTargetGroupsServiceBase): without
 * `loadBalancers`, one ALB with an HTTP listener on port 80; else, for each load balancer, each of its `listeners`
 * (`{ name, port, protocol, certificate }`: the protocol HTTPS with a certificate, else HTTP). Every listener is
 * added with `open: true`. A list not known statically is a listener on an unknown port.
 */
function albMultiPattern(ctx: Context, v: Extract<Val, { k: 'new' }>, parent: Node | undefined): void {
  const props = ctx.arg(v.node, 2, v.scope);
  const lbs = propGetter(props)('loadBalancers');
  const at = props?.node ?? v.node;
  const listen = (port: Val | undefined, protocol: Val | undefined, cert: Val | undefined): void => {
    const m = new Map<string, Val>();
    if (port && port.k !== 'nullish') m.set('port', port);
    if (protocol && protocol.k !== 'nullish') m.set('protocol', protocol);
    else if (cert && cert.k !== 'nullish') m.set('certificates', cert);
    else m.set('protocol', { k: 'str', v: 'HTTP', node: v.node });
    albListener(ctx, v, v.node, { k: 'obj', props: m, node: at }, parent);
  };
  if (!lbs || lbs.k === 'nullish') return listen(undefined, undefined, undefined);
  if (lbs.k !== 'arr' || lbs.rest) return listen(lbs.k === 'arr' ? lbs.rest : lbs, undefined, undefined);
  for (const lb of lbs.items) {
    const listeners = propGetter(lb)('listeners');
    if (!listeners || listeners.k !== 'arr' || listeners.rest) {
      listen(listeners?.k === 'arr' ? listeners.rest : listeners ?? lb, undefined, undefined);
      continue;
    }
    for (const l of listeners.items) {
      const get = propGetter(l);
      if (l.k !== 'obj') listen(l, undefined, undefined);
      else listen(get('port'), get('protocol'), get('certificate'));
    }
  }
}

/**
 * An imported ALB (`ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(…, { securityGroupId })`,
 * `fromLookup`): its listeners open their port in the imported group as a new one's do (ApplicationListener:
 * `open` ≠ false → connections.allowDefaultPortFrom(anyIpv4)), CDK adding the ingress rule to that group.
 */
function importedAlb(lb: Val): boolean {
  return lb.k === 'call' && (lb.fq === `${ALB}.fromApplicationLoadBalancerAttributes` || lb.fq === `${ALB}.fromLookup`);
}

/**
 * An ALB listener opens its port in the load balancer's security group: `open` (default true) allows
 * anyone (`0.0.0.0/0`, and `::/0` for a dual-stack ALB) on the listener port; the port defaults from
 * the protocol (HTTP 80, HTTPS 443) or, without a protocol, from certificates (HTTPS).
 */
function albListener(ctx: Context, lb: Val, node: TSESTree.CallExpression | TSESTree.NewExpression, props: Val | undefined, parent: Node | undefined): void {
  const get = propGetter(props);
  const open = get('open');
  if (open?.k === 'bool' && !open.v) return;
  const d = rulesetFor(ctx, lb, node);
  const b = ctx.b;
  const portV = get('port');
  let ports: Match[];
  if (portV && portV.k !== 'nullish') ports = awsProtoPorts(b, num(6, node), portV, portV, node);
  else {
    const proto = get('protocol');
    const pname = proto?.k === 'ref' ? proto.fq.slice(proto.fq.lastIndexOf('.') + 1) : proto?.k === 'str' ? proto.v : undefined;
    const certs = get('certificates');
    const port = pname === 'HTTP' ? 80 : pname === 'HTTPS' ? 443 : !proto || proto.k === 'nullish' ? (certs && certs.k !== 'nullish' ? 443 : undefined) : undefined;
    ports =
      port !== undefined
        ? awsProtoPorts(b, num(6, node), num(port, node), num(port, node), node)
        : [{ kind: 'protocol', protocols: numSingle(6) }, b.opaque({ text: b.text(node), reason: 'the listener port is not known statically', node })];
  }
  // the ALB's ipAddressType decides whether ::/0 is opened too
  const lbGet = lb.k === 'new' ? propGetter(ctx.arg(lb.node, 2, lb.scope)) : undefined;
  const ipType = lbGet?.('ipAddressType');
  const ipName = ipType?.k === 'ref' ? ipType.fq.slice(ipType.fq.lastIndexOf('.') + 1) : ipType?.k === 'str' ? ipType.v : undefined;
  const alts: Match[][] = [[{ kind: 'address', dir: 'src', addrs: AddrSet.ALL_V4 }]];
  if (ipName !== undefined && /dual/i.test(ipName)) alts.push([{ kind: 'address', dir: 'src', addrs: AddrSet.ALL_V6 }]);
  else if (lb.k !== 'new' || (ipType && ipType.k !== 'nullish' && ipName === undefined)) {
    alts.push([b.opaque({ text: lb.k === 'new' ? b.text(ipType!.node) : b.text(node), reason: 'the load balancer may be dual-stack (open to ::/0 as well)', node: lb.k === 'new' ? ipType!.node : node })]);
  }
  const matches = [...ports, ...anyOf(alts)];
  if (open && open.k !== 'bool') matches.push(open.k === 'unk' ? b.opaque(open) : b.opaque({ text: b.text(open.node), reason: 'not a boolean', node: open.node }));
  const reportNode = open && open.k !== 'nullish' && inNode(open.node, node) ? open.node : portV && inNode(portV.node, node) ? portV.node : node;
  const suggestions: Suggestion[] = parent?.type === 'ExpressionStatement' && parent.expression === node ? [removeStatement(ctx.src, parent, 'Remove this listener statement')] : [];
  const rule = guarded<RuleDraft>(ctx, node, { matches, action: { kind: 'accept' }, node, reportNode, suggestions, comment: 'ALB listener open to anyone (open defaults to true)' });
  if (rule) d.ingress.push(rule);
}

/**
 * The security group behind an L1 value: a `CfnSecurityGroup`, or the `node.defaultChild`
 * of an L2 `SecurityGroup` (whose inline rules are that resource's properties).
 */
function cfnGroupOf(ctx: Context, v: Val): RulesetDraft | undefined {
  if (v.k === 'new' && v.fq === 'cdk.CfnSecurityGroup') return cfnSecurityGroup(ctx, v);
  if (v.k === 'prop' && v.name === 'defaultChild' && v.base.k === 'prop' && v.base.name === 'node') {
    const g = v.base.base;
    if (g.k === 'new' && g.fq === 'cdk.SecurityGroup') return sgRuleset(ctx, g);
    if (g.k === 'new' && g.fq === 'cdk.CfnSecurityGroup') return cfnSecurityGroup(ctx, g);
  }
  return undefined;
}

/**
 * `cfn.addPropertyOverride('SecurityGroupIngress', [...])` / `addOverride('Properties.SecurityGroupIngress.0', {...})`
 * change the synthesized template's rules: whole entries written as CloudFormation objects are read;
 * a change inside an entry (`SecurityGroupIngress.0.FromPort`) or an unknown path is undecidable
 * (a rule that may accept anything, naming the override). Deletion overrides are not followed
 * (keeping the rules is the sound side).
 */
function propertyOverride(ctx: Context, call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, method: string, scope: Scope): void {
  const d = cfnGroupOf(ctx, ctx.r.eval(callee.object, scope));
  if (!d) return;
  const pathV = ctx.arg(call, 0, scope);
  let path = pathV?.k === 'str' ? pathV.v : undefined;
  if (path !== undefined && method === 'addOverride') {
    if (!path.startsWith('Properties.')) return;
    path = path.slice('Properties.'.length);
  }
  const opaqueRule = (ingress: boolean, reason: string): void => {
    const m = ctx.b.opaque({ text: ctx.b.text(call), reason, node: call });
    const rule = guarded<RuleDraft>(ctx, call, { matches: [m], action: { kind: 'accept' }, node: call, reportNode: call, suggestions: [] });
    if (rule) (ingress ? d.ingress : d.egress).push(rule);
  };
  if (path === undefined) {
    opaqueRule(true, 'a property override whose path is not known statically may change the ingress rules');
    return;
  }
  const seg = path.split('.');
  const ingress = seg[0] === 'SecurityGroupIngress';
  if (!ingress && seg[0] !== 'SecurityGroupEgress') return;
  const fields = ingress ? CFN_INGRESS_RAW : CFN_EGRESS_RAW;
  const value = call.arguments[1] ? ctx.r.eval(call.arguments[1], scope) : undefined;
  const whole = seg.length === 1 || (seg.length === 2 && /^[0-9]+$/.test(seg[1]!));
  if (!whole || !value) {
    opaqueRule(ingress, `the override ${path} changes a rule of this security group`);
    return;
  }
  if (value.k === 'nullish') return;
  for (const e of seg.length === 1 ? entries(value, ingress) : [value]) {
    const rule = guarded(ctx, call, awsEntry(ctx, e, inNode(e.node, call) ? e.node : call, fields, ingress ? 'src' : 'dst'));
    if (rule) (ingress ? d.ingress : d.egress).push(rule);
  }
}

type Ctor = Extract<Val, { k: 'new' | 'call' }>;

/** The ruleset for a construct value (SG, imported SG, any connectable), created on first use. */
function rulesetFor(ctx: Context, v: Val, fallback: Node): RulesetDraft {
  // an ecs-patterns service's `loadBalancer` is the load balancer whose listeners the service's group holds
  if (v.k === 'prop' && v.name === 'loadBalancer' && v.base.k === 'new' && (ALB_PATTERNS.has(v.base.fq) || ALB_MULTI_PATTERNS.has(v.base.fq))) {
    return rulesetFor(ctx, v.base, fallback);
  }
  if (v.k === 'new' && v.fq === 'cdk.SecurityGroup') return sgRuleset(ctx, v);
  if (v.k === 'new' && v.fq === 'cdk.CfnSecurityGroup') return cfnSecurityGroup(ctx, v);
  if (v.k === 'new' && v.fq === 'cdk.Connections') {
    // new Connections({ securityGroups: [sg] }): the rules land in that one group
    const props = ctx.arg(v.node, 0, v.scope);
    const groups = props?.k === 'obj' ? props.props.get('securityGroups') : undefined;
    if (groups?.k === 'arr' && !groups.rest && groups.items.length === 1) {
      const g = groups.items[0]!;
      if ((g.k === 'new' || g.k === 'call') && isCdk(g.fq)) return rulesetFor(ctx, g, fallback);
    }
  }
  if (v.k === 'new' && isCdk(v.fq) && v.fq !== 'cdk.Connections') {
    // a construct given its security group (`new ec2.Instance(…, { securityGroup: sg })`, `securityGroups: [sg]`):
    // its connections are that group's (the construct's rules land in it), the construct naming it too
    const get = propGetter(ctx.arg(v.node, 2, v.scope));
    const one = get('securityGroup');
    const many = get('securityGroups');
    const g = one && one.k !== 'nullish' ? one : many?.k === 'arr' && !many.rest && many.items.length === 1 ? many.items[0] : undefined;
    if (g && g.k === 'new' && (g.fq === 'cdk.SecurityGroup' || g.fq === 'cdk.CfnSecurityGroup')) {
      const d = rulesetFor(ctx, g, fallback);
      d.addTarget(ctx.argString(v.node, 1, v.scope));
      d.addTarget(ctx.declaredName(v.node));
      return d;
    }
  }
  if (v.k === 'new' || v.k === 'call') {
    return ctx.b.ruleset(v.node, () => {
      const id = v.fq === 'cdk.Connections' ? undefined : ctx.argString(v.node, 1, v.scope);
      // a call written as a property's value (`groupId: cdk.Fn.importValue('SharedSg')`) is named by itself, not by the key
      const inProp = v.k === 'call' && ctx.parentOf(v.node)?.type === 'Property';
      const d = new RulesetDraft(id ?? (inProp ? ctx.b.text(v.node) : ctx.label(v)), v.node, 'aws');
      d.addTarget(id);
      if (!inProp) d.addTarget(ctx.declaredName(v.node));
      if (v.k === 'call' && v.fq.startsWith('cdk.SecurityGroup.from')) d.addTarget(ctx.argString(v.node, 2, v.scope));
      unknownEgress(ctx, d, v.node, 'the egress rules of this security group are defined outside this file');
      return d;
    });
  }
  const text = v.k === 'unk' ? v.text : ctx.b.text(fallback);
  return ctx.namedRuleset(`expr:${text}`, text, fallback, 'aws', (d) => unknownEgress(ctx, d, fallback, `the security group behind ${text} is not visible in this file`));
}

function unknownEgress(ctx: Context, d: RulesetDraft, node: Node, reason: string): void {
  d.defaultEgress.push({
    text: '(egress defined elsewhere)',
    matches: [ctx.b.opaque({ text: ctx.b.text(node), reason, node })],
    action: { kind: 'accept' },
    node,
    reportNode: node,
    suggestions: [],
  });
}

function sgRuleset(ctx: Context, v: Ctor): RulesetDraft {
  return ctx.constructRuleset(v.node, v.scope, 1, 'aws', (d) => {
    const get = propGetter(ctx.arg(v.node, 2, v.scope));
    const name = get('securityGroupName');
    if (name?.k === 'str') d.addTarget(name.v);
    // allowAllOutbound (default true): all IPv4 egress; allowAllIpv6Outbound (default false): all IPv6 egress.
    const out4 = get('allowAllOutbound');
    const out6 = get('allowAllIpv6Outbound');
    for (const [val, dflt, set] of [
      [out4, true, AddrSet.ALL_V4],
      [out6, false, AddrSet.ALL_V6],
    ] as const) {
      const node = val && val.k !== 'nullish' ? val.node : v.node;
      if (!val || val.k === 'nullish' ? dflt : val.k === 'bool' && val.v) {
        d.defaultEgress.push({
          matches: [{ kind: 'address', dir: 'dst', addrs: set }],
          action: { kind: 'accept' },
          node,
          reportNode: node,
          suggestions: [],
          text: `(CDK default) allow all ${set === AddrSet.ALL_V4 ? 'IPv4' : 'IPv6'} egress`,
        });
      } else if (val && val.k !== 'bool') {
        d.defaultEgress.push({
          matches: [{ kind: 'address', dir: 'dst', addrs: set }, val.k === 'unk' ? ctx.b.opaque(val) : ctx.b.opaque({ text: ctx.b.text(node), reason: 'not a boolean', node })],
          action: { kind: 'accept' },
          node,
          reportNode: node,
          suggestions: [],
        });
      }
    }
  });
}

function cfnSecurityGroup(ctx: Context, v: Ctor): RulesetDraft {
  return ctx.constructRuleset(v.node, v.scope, 1, 'aws', (d) => {
    const get = propGetter(ctx.arg(v.node, 2, v.scope));
    const name = get('groupName');
    if (name?.k === 'str') d.addTarget(name.v);
    const ing = get('securityGroupIngress');
    if (ing && ing.k !== 'nullish') {
      for (const e of entries(ing, true)) {
        const rule = guarded(ctx, v.node, awsEntry(ctx, e, e.node, CFN_INGRESS, 'src'));
        if (rule) d.ingress.push(rule);
      }
    }
    const eg = get('securityGroupEgress');
    if (!eg || eg.k === 'nullish') {
      // CloudFormation keeps AWS's default allow-all IPv4 egress when no egress is given
      d.defaultEgress.push({
        matches: [{ kind: 'address', dir: 'dst', addrs: AddrSet.ALL_V4 }],
        action: { kind: 'accept' },
        node: v.node,
        reportNode: v.node,
        suggestions: [],
        text: '(AWS default) allow all IPv4 egress',
      });
      // (not read per branch: a branch without egress would be AWS's default egress, which the branches do not list)
    } else for (const e of entries(eg)) d.egress.push(awsEntry(ctx, e, e.node, CFN_EGRESS, 'dst'));
  });
}

/**
 * Items of an array value (an unresolved array or spread becomes one unresolved entry). With `conditional`
 * (for readers that take `only` entries: `awsEntry`, `onlyWhen`), a list or entry chosen by a condition decided
 * at run time (`...(isProd ? [] : [debugRule])`, `isProd ? base : [...base, debugRule]`, `c ? ruleA : ruleB`)
 * gives its entries, each present only when its branch's condition holds (one written in both branches: always).
 */
export function entries(v: Val, conditional = false): Val[] {
  const list = v.k === 'arr' ? (v.rest ? [...v.items, v.rest] : v.items) : [v];
  return conditional ? list.flatMap((e) => (e.k === 'unk' ? (branchEntries(e) ?? [e]) : [e])) : list;
}

function branchEntries(u: Extract<Val, { k: 'unk' }>): Val[] | undefined {
  if (!u.cond || u.alts?.length !== 2) return undefined;
  const branches: Val[][] = [];
  for (const alt of u.alts) {
    if (alt.k === 'nullish') branches.push([]);
    else if (alt.k === 'arr' || alt.k === 'obj' || alt.k === 'new' || alt.k === 'unk') branches.push(entries(alt, true));
    else return undefined;
  }
  const key = (e: Val): string => `${e.node.range[0]}:${e.node.range[1]}`;
  const out: Val[] = [];
  const inBoth = new Set(branches[0]!.map(key).filter((k) => branches[1]!.some((e) => key(e) === k)));
  branches.forEach((list, i) => {
    for (const e of list) {
      if (inBoth.has(key(e))) {
        if (i === 0) out.push(e);
        continue;
      }
      const text = `only if ${i === 0 ? u.cond!.yes : u.cond!.no}`;
      out.push({ k: 'unk', text, reason: 'the entry is in the list only under a condition decided at run time', node: e.node, only: { v: e, cond: u.cond!.node } });
    }
  });
  return out;
}

function cfnStandalone(ctx: Context, v: Ctor, ingress: boolean): void {
  const props = ctx.arg(v.node, 2, v.scope);
  const get = propGetter(props);
  const gid = get('groupId') ?? get('groupName');
  const d = groupRuleset(ctx, gid, v.node);
  const entry = props ?? { k: 'unk' as const, text: ctx.b.text(v.node), reason: 'no properties', node: v.node };
  const rule = awsEntry(ctx, entry, v.node, ingress ? CFN_INGRESS : CFN_EGRESS, ingress ? 'src' : 'dst');
  rule.suggestions.push(...removalOf(ctx, v.node, ingress ? 'CfnSecurityGroupIngress' : 'CfnSecurityGroupEgress'));
  if (guarded(ctx, v.node, rule)) (ingress ? d.ingress : d.egress).push(rule);
}

/** The ruleset a `groupId` refers to: `sg.attrGroupId` / `sg.ref` of a CfnSecurityGroup, `sg.securityGroupId` of an L2 SG, or by text. */
export function groupRuleset(ctx: Context, gid: Val | undefined, at: Node): RulesetDraft {
  let g = gid;
  if (g?.k === 'prop') g = g.base;
  if (g && (g.k === 'new' || g.k === 'call')) return rulesetFor(ctx, g, at);
  if (g?.k === 'str') {
    const name = g.v;
    return ctx.namedRuleset(`id:${name}`, name, g.node, 'aws');
  }
  return rulesetFor(ctx, g ?? { k: 'unk', text: ctx.b.text(at), reason: 'no security group given', node: at }, g?.node ?? at);
}

const cdkImportCache = new WeakMap<Context, { ec2: boolean; any: boolean }>();

function cdkImports(ctx: Context): { ec2: boolean; any: boolean } {
  let c = cdkImportCache.get(ctx);
  if (!c) {
    c = { ec2: false, any: false };
    for (const b of ctx.scan.imports) {
      const m = b.module ?? '';
      if (m === 'aws-cdk-lib' || m.startsWith('aws-cdk-lib/') || m.startsWith('@aws-cdk/')) {
        c.any = true;
        if (m === 'aws-cdk-lib/aws-ec2' || m === '@aws-cdk/aws-ec2' || (m === 'aws-cdk-lib' && (b.imported ?? []).includes('aws_ec2'))) c.ec2 = true;
        if (m === 'aws-cdk-lib' && (b.imported ?? []).length === 0) c.ec2 = true; // import * as cdk: cdk.aws_ec2 reachable
      }
    }
    cdkImportCache.set(ctx, c);
  }
  return c;
}
const importsCdkEc2 = (ctx: Context): boolean => cdkImports(ctx).ec2;
/** Any CDK module: `.connections` exists on many constructs (rds, elbv2, ecs…). */
const importsCdk = (ctx: Context): boolean => cdkImports(ctx).any;

function isCdkVal(v: Val | undefined): boolean {
  if (!v) return false;
  if (v.k === 'call' || v.k === 'new' || v.k === 'ref') return isCdk(v.fq);
  if (v.k === 'each') return v.items.some(isCdkVal);
  if (v.k === 'prop') return isCdkVal(v.base);
  return false;
}

/**
 * `for (const sg of [a, b]) sg.addIngressRule(…)`: the call runs once per group, each time with
 * that element (and the arguments read from the same element); false when the receiver is no loop value.
 */
function perReceiver(ctx: Context, recvExpr: Node, scope: Scope, run: () => void, args: readonly Node[] = []): boolean {
  const recv = ctx.r.eval(recvExpr, scope);
  if (recv.k !== 'each') {
    // a group built in a loop body (`const sg = new ec2.SecurityGroup(this, \`${t.name}\`, …)`), the receiver or an argument
    // (`shared.connections.allowTo(sg, …)`): the call once per element, with that element's group (see perIteration)
    const own: Binding[] = [];
    for (const e of [recvExpr, ...args]) {
      const v = e === recvExpr ? recv : ctx.r.eval(e, scope);
      const base = v.k === 'prop' ? v.base : v;
      if ((base.k !== 'new' && base.k !== 'call') || (e !== recvExpr && !isConstruct(base))) continue;
      const loops = ctx.r.loopBindings([base.node], base.scope, true);
      // reached through the same loop variables (`sg` of the loop body), not one element picked (`groups[0]`)
      const via = ctx.r.loopBindings([e], scope, true);
      if (loops.every((b) => via.includes(b))) for (const b of loops) if (!own.includes(b)) own.push(b);
    }
    return own.length > 0 && !ctx.r.fixedAt(own) && ctx.r.iterate(own, () => (run(), true)) !== undefined;
  }
  const loops = ctx.r.loopBindings([recvExpr], scope);
  return loops.length > 0 && ctx.r.iterate(loops, () => (run(), true)) !== undefined;
}

function sgMethod(ctx: Context, call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, method: string, scope: Scope, parent: Node | undefined): void {
  if (perReceiver(ctx, callee.object, scope, () => sgMethod(ctx, call, callee, method, scope, parent))) return;
  let recv = ctx.r.eval(callee.object, scope);
  // one of several groups (too many iterations to follow): a group named by the expression
  if (recv.k === 'each') recv = ctx.r.unk(callee.object, 'one of the groups of a loop');
  const a = callArgs(ctx, call, scope);
  if (!Array.isArray(a)) {
    // sg.addIngressRule(...rule) with the arguments not known: a rule that may open anything
    const known = ((recv.k === 'new' || recv.k === 'call') && isCdk(recv.fq)) || (recv.k === 'prop' && isCdkVal(recv)) || (recv.k === 'unk' && importsCdkEc2(ctx));
    if (known) unknownRule(ctx, rulesetFor(ctx, recv, callee.object), method === 'addIngressRule', call, a);
    return;
  }
  const peerNode = a[0]?.node;
  const portNode = a[1]?.node;
  if (!peerNode || !portNode) return;
  const peerVal = a[0]!.val;
  const portVal = a[1]!.val;
  // a property of a construct (`cluster.connections.securityGroups[0]`) is a group we cannot see into
  const known = ((recv.k === 'new' || recv.k === 'call') && isCdk(recv.fq)) || (recv.k === 'prop' && isCdkVal(recv));
  // an unknown receiver counts when the arguments are CDK values or the file imports the CDK EC2 module
  if (!known && !(recv.k === 'unk' && (isCdkVal(peerVal) || isCdkVal(portVal) || importsCdkEc2(ctx)))) return;
  if (immutableImport(ctx, recv)) return;
  const d = rulesetFor(ctx, recv, callee.object);
  const ingress = method === 'addIngressRule';
  addRule(ctx, scope, d, ingress, peerVal, peerNode, portVal, portNode, call, parent, descOf(ctx, call, 2, scope));
}

/**
 * A call's arguments with their values; a spread of a known array gives its elements (with the
 * element's node), a spread of anything else makes the arguments unknown (the value returned).
 */
function callArgs(ctx: Context, call: TSESTree.CallExpression, scope: Scope): { node: Node; val: Val }[] | Extract<Val, { k: 'unk' }> {
  const out: { node: Node; val: Val }[] = [];
  for (const a of call.arguments) {
    if (a.type !== 'SpreadElement') {
      out.push({ node: a, val: ctx.r.eval(a, scope) });
      continue;
    }
    const v = ctx.r.eval(a.argument, scope);
    if (v.k !== 'arr' || v.rest) return v.k === 'unk' ? v : v.k === 'arr' && v.rest ? v.rest : { k: 'unk', text: ctx.b.text(a), reason: 'spread of a value that is not an array', node: a };
    for (const it of v.items) out.push({ node: it.node, val: it });
  }
  return out;
}

function unknownRule(ctx: Context, d: RulesetDraft, ingress: boolean, call: TSESTree.CallExpression, why: Extract<Val, { k: 'unk' }>): void {
  const m = ctx.b.opaque({ text: ctx.b.text(call), reason: `its arguments are not known statically (${why.text}: ${why.reason})`, node: call });
  const rule = guarded<RuleDraft>(ctx, call, { matches: [m], action: { kind: 'accept' }, node: call, reportNode: call, suggestions: [] });
  if (rule) (ingress ? d.ingress : d.egress).push(rule);
}

function descOf(ctx: Context, call: TSESTree.CallExpression, i: number, scope: Scope): string | undefined {
  const v = ctx.arg(call, i, scope);
  return v?.k === 'str' ? v.v : undefined;
}

function connMethod(ctx: Context, call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, method: string, scope: Scope, parent: Node | undefined): void {
  const recvExpr = callee.object;
  if (perReceiver(ctx, recvExpr, scope, () => connMethod(ctx, call, callee, method, scope, parent), call.arguments.filter((a) => a.type !== 'SpreadElement'))) return;
  const recv = ctx.r.eval(recvExpr, scope);
  let owner: Val;
  if (recv.k === 'prop' && recv.name === 'connections') owner = recv.base;
  else if (recv.k === 'new' && recv.fq === 'cdk.Connections') owner = recv;
  else if (recv.k === 'unk') {
    const inner = unwrap(recvExpr);
    if (inner.type !== 'MemberExpression' || memberName(inner) !== 'connections') return;
    owner = ctx.r.eval(inner.object, scope);
    if (owner.k !== 'unk') owner = { ...recv, node: inner.object, text: ctx.b.text(inner.object) };
  } else return;
  // an ALB listener's connections are its load balancer's groups with the listener port as default port
  let listenerPort: { val: Val; node: Node } | undefined;
  const lis = listenerOf(ctx, recvExpr, owner, scope, call);
  if (lis) {
    owner = lis.lb;
    listenerPort = lis.port;
  }
  if ((owner.k === 'new' || owner.k === 'call') && !isCdk(owner.fq)) return;
  if (immutableImport(ctx, owner)) return;
  const args = callArgs(ctx, call, scope);
  if (!Array.isArray(args)) {
    if ((owner.k === 'new' || owner.k === 'call' || owner.k === 'prop') && isCdkVal(owner)) unknownRule(ctx, rulesetFor(ctx, owner, recvExpr), !method.startsWith('allowTo') && method !== 'allowDefaultPortTo', call, args);
    return;
  }
  const a0 = args[0]?.node;
  const a1 = args[1]?.node;
  const v0 = args[0]?.val;
  const v1 = args[1]?.val;
  if (owner.k === 'unk' && !isCdkVal(v0) && !isCdkVal(v1) && !importsCdk(ctx)) return;
  const ownerExpr = unwrap(recvExpr).type === 'MemberExpression' ? (unwrap(recvExpr) as TSESTree.MemberExpression).object : recvExpr;
  const d = rulesetFor(ctx, owner, ownerExpr);
  // allowFromAnyIpv4(port): the world-open peer is the method name itself
  const anyV4: Val = { k: 'call', fq: 'cdk.Peer.anyIpv4', node: callee.property, scope } as unknown as Val;
  // allowInternally: members of the group itself (the model's `self` principal)
  const selfPeer: Val = { k: 'ref', fq: '#self', node: callee.property };
  const dflt = (o: Val): { val: Val; node: Node } => (o === owner && listenerPort) || defaultPort(ctx, o, call);
  const desc = (i: number): string | undefined => descOf(ctx, call, i, scope);
  switch (method) {
    case 'allowFrom':
      if (a0 && a1 && v0 && v1) addRule(ctx, scope, d, true, v0, a0, v1, a1, call, parent, desc(2));
      return;
    case 'allowTo':
      if (a0 && a1 && v0 && v1) {
        addRule(ctx, scope, d, false, v0, a0, v1, a1, call, parent, desc(2));
        if (isConstruct(v0)) addRule(ctx, scope, rulesetFor(ctx, v0, a0), true, owner, recvExpr, v1, a1, call, parent, desc(2));
      }
      return;
    case 'allowFromAnyIpv4':
      if (a0 && v0) addRule(ctx, scope, d, true, anyV4, callee.property, v0, a0, call, parent, desc(1));
      return;
    case 'allowToAnyIpv4':
      if (a0 && v0) addRule(ctx, scope, d, false, anyV4, callee.property, v0, a0, call, parent, desc(1));
      return;
    case 'allowInternally':
      if (a0 && v0) addRule(ctx, scope, d, true, selfPeer, recvExpr, v0, a0, call, parent, desc(1));
      return;
    case 'allowDefaultPortFrom':
      if (a0 && v0) {
        const p = dflt(owner);
        addRule(ctx, scope, d, true, v0, a0, p.val, p.node, call, parent, desc(1));
      }
      return;
    case 'allowDefaultPortFromAnyIpv4': {
      const p = dflt(owner);
      addRule(ctx, scope, d, true, anyV4, callee.property, p.val, p.node, call, parent, desc(0));
      return;
    }
    case 'allowDefaultPortInternally': {
      const p = dflt(owner);
      addRule(ctx, scope, d, true, selfPeer, recvExpr, p.val, p.node, call, parent, desc(0));
      return;
    }
    case 'allowDefaultPortTo':
    case 'allowToDefaultPort':
      // the port is the *other* side's default port
      if (a0 && v0) {
        const p = dflt(v0);
        addRule(ctx, scope, d, false, v0, a0, p.val, p.node, call, parent, desc(1));
        if (isConstruct(v0)) addRule(ctx, scope, rulesetFor(ctx, v0, a0), true, owner, recvExpr, p.val, p.node, call, parent, desc(1));
      }
      return;
    default:
      return;
  }
}

/**
 * `SecurityGroup.fromSecurityGroupId(scope, id, sgId, { mutable: false })`: CDK adds no rules to
 * it ('If a SecurityGroup is mutable CDK can add rules to existing groups', default true), so
 * its addIngressRule / connections.allow* calls change nothing.
 */
function immutableImport(ctx: Context, v: Val): boolean {
  if (v.k !== 'call' || v.fq !== 'cdk.SecurityGroup.fromSecurityGroupId') return false;
  const m = propGetter(ctx.arg(v.node, 3, v.scope))('mutable');
  return m?.k === 'bool' && !m.v;
}

function isConstruct(v: Val): boolean {
  if (v.k === 'prop') return v.name === 'connections' && isConstruct(v.base);
  return (v.k === 'new' && isCdk(v.fq) && v.fq !== 'cdk.Port') || (v.k === 'call' && v.fq.startsWith('cdk.SecurityGroup.from'));
}

/**
 * `listener.connections` of an ALB listener (`const listener = alb.addListener(id, props)`, `alb.addListener(…).connections`,
 * `new elbv2.ApplicationListener(…, { loadBalancer: alb, … })`): the load balancer's, whose default port is the listener's
 * (aws-elasticloadbalancingv2 ApplicationListener: `new ec2.Connections({ securityGroups: props.loadBalancer.connections
 * .securityGroups, defaultPort: ec2.Port.tcp(port) })`, the port from the protocol when not given: HTTP 80, HTTPS 443).
 */
function listenerOf(ctx: Context, recvExpr: Node, owner: Val, scope: Scope, at: TSESTree.CallExpression): { lb: Val; port?: { val: Val; node: Node } } | undefined {
  let lb: Val | undefined;
  let props: Val | undefined;
  if (owner.k === 'new' && owner.fq === `${ELBV2}.ApplicationListener`) {
    props = ctx.arg(owner.node, 2, owner.scope);
    lb = propGetter(props)('loadBalancer');
  } else {
    const inner = unwrap(recvExpr);
    if (inner.type !== 'MemberExpression' || memberName(inner) !== 'connections') return undefined;
    let x = unwrap(inner.object);
    let xs = scope;
    if (x.type === 'Identifier') {
      const b = scope.lookup(x.name);
      if (!b || b.kind !== 'const' || !b.init || b.path?.length) return undefined;
      x = unwrap(b.init);
      xs = b.scope;
    }
    if (x.type !== 'CallExpression' || unwrap(x.callee).type !== 'MemberExpression') return undefined;
    const callee = unwrap(x.callee) as TSESTree.MemberExpression;
    if (memberName(callee) !== 'addListener') return undefined;
    lb = ctx.r.eval(callee.object, xs);
    props = ctx.arg(x, 1, xs);
  }
  if (!lb || lb.k !== 'new' || lb.fq !== ALB) return undefined;
  const get = propGetter(props);
  const portV = get('port');
  const proto = get('protocol');
  const pname = proto?.k === 'ref' ? proto.fq.slice(proto.fq.lastIndexOf('.') + 1) : proto?.k === 'str' ? proto.v : undefined;
  const certs = get('certificates');
  const fromProto = pname === 'HTTP' ? 80 : pname === 'HTTPS' ? 443 : !proto || proto.k === 'nullish' ? (certs && certs.k !== 'nullish' ? 443 : undefined) : undefined;
  const port: Val | undefined = portV?.k === 'num' ? portV : (!portV || portV.k === 'nullish') && fromProto !== undefined ? { k: 'num', v: fromProto, node: proto?.node ?? at } : undefined;
  if (!port) return { lb };
  return { lb, port: { val: { k: 'call', fq: 'cdk.Port.tcp', node: at, scope, fixedPort: port } as unknown as Val, node: port.node } };
}

/** `defaultPort` of a construct when written in this file (Connections({defaultPort}), rds `port`), else unresolved. */
function defaultPort(ctx: Context, owner: Val, at: TSESTree.CallExpression): { val: Val; node: Node } {
  let o = owner;
  if (o.k === 'prop' && o.name === 'connections') o = o.base;
  if (o.k === 'new') {
    const props = ctx.arg(o.node, o.fq === 'cdk.Connections' ? 0 : 2, o.scope);
    if (props?.k === 'obj') {
      const dp = props.props.get('defaultPort');
      if (dp) return { val: dp, node: dp.node };
      const port = props.props.get('port');
      if (port?.k === 'num') return { val: { k: 'call', fq: 'cdk.Port.tcp', node: at, scope: o.scope, fixedPort: port } as unknown as Val, node: port.node };
    }
    // Constructs whose connections have a fixed default port unless a `port` is given: EFS FileSystem (TCP 2049,
    // FileSystem.DEFAULT_PORT), DocumentDB DatabaseCluster (TCP 27017, its DEFAULT_PORT), EKS Cluster (TCP 443,
    // the control plane's HTTPS API)
    const fixed = CONSTRUCT_PORTS.find(([re]) => re.test(o.fq))?.[1];
    if (fixed !== undefined && (props?.k !== 'obj' || !props.props.has('port') || props.props.get('port')!.k === 'nullish')) {
      return { val: { k: 'call', fq: 'cdk.Port.tcp', node: at, scope: o.scope, fixedPort: { k: 'num', v: fixed, node: o.node } } as unknown as Val, node: at };
    }
    // An RDS instance or cluster: its connections' default port is TCP (ec2.Port.tcp of the endpoint's port), the
    // `port` given, else the engine's default port (RDS: MySQL, MariaDB, Aurora MySQL 3306; PostgreSQL, Aurora
    // PostgreSQL 5432; Oracle 1521; SQL Server 1433; Db2 50000). An engine not written here: TCP, the port unknown.
    if (RDS_CONSTRUCT.test(o.fq)) {
      const engine = props?.k === 'obj' ? props.props.get('engine') : undefined;
      const factory = engine && (engine.k === 'call' || engine.k === 'ref') && engine.fq.startsWith('cdkmod.aws-rds.') ? engine.fq.slice(engine.fq.lastIndexOf('.') + 1).toLowerCase().replace(/_/g, '') : undefined;
      const known = factory ? RDS_ENGINE_PORTS.find(([re]) => re.test(factory))?.[1] : undefined;
      const label = ctx.label(o);
      const fixed: Val = known !== undefined ? { k: 'num', v: known, node: engine!.node } : { k: 'unk', text: `default port of ${label}`, reason: "the port of this database's engine is not visible in this file", node: at };
      return { val: { k: 'call', fq: 'cdk.Port.tcp', node: at, scope: o.scope, fixedPort: fixed } as unknown as Val, node: known !== undefined ? engine!.node : at };
    }
  }
  const label = o.k === 'unk' ? o.text : ctx.label(o);
  return { val: { k: 'unk', text: `default port of ${label}`, reason: 'the default port of this construct is not visible in this file', node: at }, node: at };
}

const CONSTRUCT_PORTS: readonly [RegExp, number][] = [
  [/^cdkmod\.aws-efs\.FileSystem$/, 2049],
  [/^cdkmod\.aws-docdb\.DatabaseCluster$/, 27017],
  [/^cdkmod\.aws-eks\.Cluster$/, 443],
];

/** RDS constructs whose `connections` have the database's port as default port (aws-cdk-lib/aws-rds). */
const RDS_CONSTRUCT = /^cdkmod\.aws-rds\.(?:DatabaseInstance|DatabaseInstanceFromSnapshot|DatabaseInstanceReadReplica|DatabaseCluster|DatabaseClusterFromSnapshot|ServerlessCluster|ServerlessClusterFromSnapshot)$/;

/** The engine factories' default ports (`rds.DatabaseInstanceEngine.postgres(…)`, `rds.DatabaseClusterEngine.auroraMysql(…)`, the old constants). */
const RDS_ENGINE_PORTS: readonly [RegExp, number][] = [
  [/^(?:aurora|auroramysql|mysql|mariadb)$/, 3306],
  [/^(?:postgres|aurorapostgres(?:ql)?)$/, 5432],
  [/^oracle/, 1521],
  [/^sqlserver/, 1433],
  [/^db2/, 50000],
];

function peer(ctx: Context, v: Val, argNode: Node, dir: 'src' | 'dst'): PeerResult {
  const b = ctx.b;
  const addr = (set: AddrSet, node: Node): Match[] => [{ kind: 'address', dir, addrs: set, span: spanOfN(node) }];
  switch (v.k) {
    case 'ref':
      if (v.fq === '#self') return { alts: [[{ kind: 'principal', dir, names: ['self'], span: spanOfN(v.node) }]] };
      return { alts: [[b.opaque({ text: b.text(v.node), reason: 'not a peer', node: v.node })]] };
    case 'each': {
      const alts: Match[][] = [];
      for (const it of v.items) alts.push(...peer(ctx, it, argNode, dir).alts);
      return { alts };
    }
    case 'call': {
      const world = (v6: boolean): PeerResult => {
        const res: PeerResult = { alts: [addr(v6 ? AddrSet.ALL_V6 : AddrSet.ALL_V4, v.node)] };
        const callee = v.node.type === 'CallExpression' ? unwrap(v.node.callee) : undefined;
        const factory = callee?.type === 'MemberExpression' ? memberName(callee) : undefined;
        if (callee?.type === 'MemberExpression' && (factory === 'anyIpv4' || factory === 'anyIpv6') && inNode(v.node, argNode) && v.node.arguments.length === 0) {
          const base = ctx.src.slice(callee.object.range[0], callee.object.range[1]);
          res.world = {
            desc: `Replace the world-open peer with a private placeholder (${v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`,
            range: [v.node.range[0], v.node.range[1]],
            text: `${base}.${v6 ? 'ipv6' : 'ipv4'}('${v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4}')`,
          };
        }
        res.worldNode = v.node;
        return res;
      };
      switch (v.fq) {
        case 'cdk.Peer.anyIpv4':
          return world(false);
        case 'cdk.Peer.anyIpv6':
          return world(true);
        case 'cdk.Peer.ipv4':
        case 'cdk.Peer.ipv6': {
          const a = ctx.arg(v.node, 0, v.scope);
          if (!a) return { alts: [[b.opaque({ text: b.text(v.node), reason: 'no CIDR given', node: v.node })]] };
          const v4 = v.fq === 'cdk.Peer.ipv4';
          // CDK's own check (aws-ec2/lib/peer.ts, CidrIPv4 / CidrIPv6): a literal of the other family or without
          // a mask makes synthesis throw, so nothing is deployed
          const alts: Match[][] = [];
          const ok: Val[] = [];
          for (const x of flatItems(a)) {
            const why = x.k === 'str' ? cdkPeerCidrError(x.v, v4) : undefined;
            if (why === undefined || x.k !== 'str') ok.push(x);
            else {
              b.warn(x.node, `Peer.${v4 ? 'ipv4' : 'ipv6'}('${x.v}'): ${why}; CDK throws at synthesis`, 'typescript/invalid-cidr');
              // (as for other invalid values, an opaque match: in a TypeScript file the finding is where this shows)
              alts.push([b.opaque({ text: `Peer.${v4 ? 'ipv4' : 'ipv6'}('${x.v}'), which CDK refuses (${why})`, reason: 'CDK throws at synthesis', node: x.node }, 'invalid')]);
            }
          }
          const c = cidrs(b, ok, argNode, ok.map(() => (v4 ? 'ipv4' : 'ipv6')));
          if (c.matches.length > 0) alts.push(c.matches.map((m) => ({ ...m, dir }) as Match));
          alts.push(...c.opaques);
          const res: PeerResult = { alts };
          const w = c.worldLiterals[0];
          if (w) {
            res.world = replaceLiteral(ctx.src, w.node, w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4, `Replace the world-open CIDR with a private placeholder (${w.v6 ? PLACEHOLDER_V6 : PLACEHOLDER_V4})`);
            res.worldNode = w.node;
          } else {
            const any = flatItems(a).find((x) => x.k === 'str' && (x.v.trim() === '0.0.0.0/0' || x.v.trim() === '::/0'));
            if (any) res.worldNode = inNode(any.node, argNode) ? any.node : argNode;
          }
          return res;
        }
        case 'cdk.Peer.prefixList':
        case 'cdk.Peer.securityGroupId': {
          const a = ctx.arg(v.node, 0, v.scope);
          if (!a) return { alts: [[b.opaque({ text: b.text(v.node), reason: 'no id given', node: v.node })]] };
          return { alts: flatItems(a).map((x) => [ctx.principal(x, dir)]) };
        }
        default:
          if (v.fq.startsWith('cdk.SecurityGroup.from')) return { alts: [[ctx.principal(v, dir)]] };
          return { alts: [[b.opaque({ text: b.text(v.node), reason: 'not a peer this linter understands', node: v.node })]] };
      }
    }
    case 'new':
    case 'prop':
      return { alts: [[ctx.principal(v, dir)]] };
    case 'unk':
      if (v.alts) {
        // cond ? Peer.ipv4('10.0.0.0/8') : Peer.anyIpv4(): one of the two, possibly
        // (the condition once, beside the branches: a finding names it once)
        return { alts: [[...anyOf(v.alts.flatMap((a) => peer(ctx, a, argNode, dir).alts)), b.opaque(v)]] };
      }
      return { alts: [[b.opaque(v)]] };
    default:
      return { alts: [[b.opaque({ text: b.text(v.node), reason: 'not a peer', node: v.node })]] };
  }
}

/**
 * Why CDK's `Peer.ipv4` / `Peer.ipv6` refuses a literal CIDR (aws-ec2/lib/peer.ts: `Invalid IPv4 CIDR`,
 * `CIDR mask is missing in IPv4`, and the IPv6 ones), or undefined when it takes it.
 */
export function cdkPeerCidrError(text: string, v4: boolean): string | undefined {
  const m = v4 ? /^(?:\d{1,3}\.){3}\d{1,3}(\/\d+)?$/.exec(text) : /^(?:[\da-f]{0,4}:){2,7}(?:[\da-f]{0,4})?(\/\d+)?$/.exec(text);
  if (!m) return `not an IPv${v4 ? '4' : '6'} CIDR`;
  if (m[1] === undefined) return `the CIDR mask is missing, /${v4 ? 32 : 128} for one address`;
  return undefined;
}

function spanOfN(n: Node): import('../../model/index.js').Span {
  return {
    start: { line: n.loc.start.line, column: n.loc.start.column + 1, offset: n.range[0] },
    end: { line: n.loc.end.line, column: n.loc.end.column + 1, offset: n.range[1] },
  };
}

const num = (v: number, node: Node): Val => ({ k: 'num', v, node });

/** CDK's well-known port constants (`ec2.Port.SSH`…, aws-cdk-lib ≥ 2.138, aws-ec2/lib/port.ts): [protocol, port]. */
const WELL_KNOWN_PORTS: Record<string, readonly [number, number]> = {
  SSH: [6, 22],
  SMTP: [6, 25],
  DNS_TCP: [6, 53],
  DNS_UDP: [17, 53],
  HTTP: [6, 80],
  POP3: [6, 110],
  IMAP: [6, 143],
  LDAP: [6, 389],
  HTTPS: [6, 443],
  SMB: [6, 445],
  IMAPS: [6, 993],
  POP3S: [6, 995],
  MSSQL: [6, 1433],
  NFS: [6, 2049],
  MYSQL_AURORA: [6, 3306],
  RDP: [6, 3389],
  POSTGRES: [6, 5432],
};

/** A CDK Port value → protocol/port matches (AWS semantics), or an opaque match. */
export function port(ctx: Context, v: Val): Match[] {
  const b = ctx.b;
  if (v.k === 'each') return anyOf(v.items.map((it) => port(ctx, it)));
  // cond ? Port.tcp(1768) : Port.tcp(1766): one of the two, possibly
  if (v.k === 'unk' && v.alts) return [...anyOf(v.alts.map((a) => port(ctx, a))), b.opaque(v)];
  if (v.k === 'unk') return [b.opaque(v)];
  if (v.k === 'call' && v.fq.startsWith('cdk.Port.')) {
    const fixed = (v as unknown as { fixedPort?: Val }).fixedPort;
    const a = (i: number): Val | undefined => (fixed && i === 0 ? fixed : ctx.arg(v.node, i, v.scope));
    const n = v.node;
    switch (v.fq.slice('cdk.Port.'.length)) {
      case 'tcp':
        return awsProtoPorts(b, num(6, n), a(0), a(0), n);
      case 'udp':
        return awsProtoPorts(b, num(17, n), a(0), a(0), n);
      case 'tcpRange':
        return awsProtoPorts(b, num(6, n), a(0), a(1), n);
      case 'udpRange':
        return awsProtoPorts(b, num(17, n), a(0), a(1), n);
      case 'allTcp':
        return awsProtoPorts(b, num(6, n), num(0, n), num(65535, n), n);
      case 'allUdp':
        return awsProtoPorts(b, num(17, n), num(0, n), num(65535, n), n);
      case 'allTraffic':
        return [];
      case 'icmpPing':
        return awsProtoPorts(b, num(1, n), num(8, n), num(-1, n), n);
      case 'icmpType':
        return awsProtoPorts(b, num(1, n), a(0), num(-1, n), n);
      case 'icmpTypeAndCode':
        return awsProtoPorts(b, num(1, n), a(0), a(1), n);
      case 'allIcmp':
        return awsProtoPorts(b, num(1, n), num(-1, n), num(-1, n), n);
      case 'allIcmpV6':
        return awsProtoPorts(b, num(58, n), num(-1, n), num(-1, n), n);
      case 'esp':
        return awsProtoPorts(b, num(50, n), undefined, undefined, n);
      case 'ah':
        return awsProtoPorts(b, num(51, n), undefined, undefined, n);
      default:
        return [b.opaque({ text: b.text(n), reason: 'a port factory this linter does not know', node: n })];
    }
  }
  if (v.k === 'ref' && v.fq.startsWith('cdk.Port.')) {
    const known = WELL_KNOWN_PORTS[v.fq.slice('cdk.Port.'.length)];
    if (known) return awsProtoPorts(b, num(known[0], v.node), num(known[1], v.node), num(known[1], v.node), v.node);
  }
  if (v.k === 'new' && v.fq === 'cdk.Port') {
    const props = ctx.arg(v.node, 0, v.scope);
    if (props?.k !== 'obj') return [props?.k === 'unk' ? b.opaque(props) : b.opaque({ text: b.text(v.node), reason: 'port properties not known statically', node: v.node })];
    const get = (k: string): Val | undefined => props.props.get(k) ?? props.rest;
    return awsProtoPorts(b, get('protocol'), get('fromPort'), get('toPort'), v.node);
  }
  return [b.opaque({ text: b.text(v.node), reason: 'not a port this linter understands', node: v.node })];
}

function addRule(
  ctx: Context,
  scope: Scope,
  d: RulesetDraft,
  ingress: boolean,
  peerVal: Val,
  peerNode: Node,
  portVal: Val,
  portNode: Node,
  call: TSESTree.CallExpression,
  parent: Node | undefined,
  comment: string | undefined,
): void {
  const dir = ingress ? 'src' : 'dst';
  const p = peer(ctx, peerVal, peerNode, dir);
  // peer and port read from the same loop element: one alternative per iteration, not every peer with every port
  const args = call.arguments as readonly Node[];
  const isArg = (n: Node): boolean => args.includes(n);
  const peerLoops = isArg(peerNode) ? ctx.r.loopBindings([peerNode], scope) : [];
  const portLoops = isArg(portNode) ? ctx.r.loopBindings([portNode], scope) : [];
  // a condition around the call that reads the same loop (`for (const p of ports) if (p !== 1764) …`): decided per element
  const guardLoops = ctx.guardLoops(call).filter((b) => peerLoops.includes(b) || portLoops.includes(b));
  // a loop that feeds only one side (or nested loops, one per side) opens every combination: no pairing needed
  const loops = peerLoops.some((b) => portLoops.includes(b)) || guardLoops.length > 0 ? [...new Set([...peerLoops, ...portLoops, ...guardLoops])] : [];
  const per =
    loops.length > 0
      ? ctx.r.iterate(loops, () => {
          const g = ctx.guard(call);
          if (g.dead) return undefined;
          const pv = isArg(peerNode) ? ctx.r.eval(peerNode, scope) : peerVal;
          const tv = isArg(portNode) ? ctx.r.eval(portNode, scope) : portVal;
          return [...port(ctx, tv), ...anyOf(peer(ctx, pv, peerNode, dir).alts), ...g.matches];
        })
      : undefined;
  const live = per?.filter((x): x is Match[] => x !== undefined);
  // (the conditions are in each iteration's alternative; no iteration runs: the call adds nothing)
  if (live && live.length === 0) return;
  const matches = live ? anyOf(live) : [...port(ctx, portVal), ...anyOf(p.alts)];
  const suggestions: Suggestion[] = [];
  if (ingress && p.world) suggestions.push(p.world);
  if (parent?.type === 'ExpressionStatement' && parent.expression === call) {
    suggestions.push(removeStatement(ctx.src, parent, `Remove this ${memberName(call.callee as TSESTree.MemberExpression) ?? 'rule'}(…) statement`));
  }
  const reportNode = ingress && p.worldNode && inNode(p.worldNode, call) ? p.worldNode : inNode(portNode, call) ? portNode : call;
  const rule: RuleDraft = { matches, action: { kind: 'accept' }, node: call, reportNode, suggestions };
  if (comment !== undefined) rule.comment = comment;
  if (live || guarded(ctx, call, rule)) (ingress ? d.ingress : d.egress).push(rule);
}
