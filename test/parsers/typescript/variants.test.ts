import { describe, expect, it } from 'vitest';
import { allRules, extract, fixture, opaques, pos, summary } from './helpers.js';

describe('fixtures/typescript/cdk-variants.ts (imports, resolution, connections)', () => {
  const text = fixture('cdk-variants.ts');
  const { document, extracted } = extract(text);
  const rules = allRules(document);

  it('extracts the exact model', () => {
    // an unknown value of a written rule is unevaluated input, as in every other format
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['warning', 'unevaluated', "Cannot evaluate mutable (security group Web): 'mutable' is reassigned; it is treated as unknown", '18:52-18:59'],
      ['warning', 'unevaluated', 'Cannot evaluate flag ? Port.tcp(1) : Port.tcp(2) (security group Web): depends on a condition decided at run time; it is treated as unknown', '24:45-24:77'],
      ['warning', 'unevaluated', 'Cannot evaluate default port of this.other (security group this.other): the default port of this construct is not visible in this file; it is treated as unknown', '33:5-33:64'],
    ]);
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['Web', ['Web', 'web']],
      ['Db', ['Db', 'db']],
      ['Imp', ['Imp', 'imported', 'sg-0abc']],
      ['this.other', ['this.other']],
    ]);
    expect(summary(document)).toEqual([
      // destructuring with default, spread, arithmetic on a const
      'Web ingress: dstport=1761-1768 proto=6 srcaddr=::/0 => accept',
      // `as const` array destructuring; enum auto-increment (CftNext = 1762)
      // takes every packet of the next rule: listed before it (decidedFirst)
      'Web ingress: dstport=all proto=6 srcaddr=0.0.0.0/0 => accept',
      'Web ingress: dstport=1762 proto=6 srcaddr=0.0.0.0/0 => accept',
      // never-reassigned `let` resolves; prefix list → principal
      'Web ingress: dstport=1762 proto=6 srcprincipal=pl-123 => accept',
      // for-of over a constant array: the union of the iterations
      'Web ingress: dstport=1761-1762, 1768 proto=6 srcprincipal=sg-9 => accept',
      'Web ingress: srcprincipal=self => accept',
      // new ec2.Port({ protocol: ec2.Protocol.UDP, ... }) through the aws_ec2 namespace import
      'Web ingress: dstport=1761-1768 proto=17 srcaddr=0.0.0.0/0 => accept',
      'Web ingress: icmp(ipv4)=2048-2303 proto=1 srcaddr=0.0.0.0/0 => accept',
      // undecided rules after the decided ones (a security group is a union): a reassigned `let`: opaque
      'Web ingress: opaque:unresolved proto=17 srcaddr=10.0.0.0/8 => accept',
      // a run-time condition: possibly one of the two branches (the condition opaque), never guessed
      'Web ingress: anyof([dstport=1 proto=6]|[dstport=2 proto=6]) opaque:unresolved srcaddr=0.0.0.0/0 => accept',
      'Web egress: dstport=1521 dstprincipal=db proto=6 => accept',
      // allowAllOutbound: false, allowAllIpv6Outbound: true
      'Web egress: dstaddr=::/0 => accept',
      // require('aws-cdk-lib').aws_ec2.SecurityGroup
      'Db ingress: dstport=5432 proto=6 srcprincipal=web => accept',
      // allowTo an SG also opens the other group's ingress
      'Db ingress: dstport=1521 proto=6 srcprincipal=web => accept',
      // Connections({ securityGroups: [db], defaultPort }) lands in db
      'Db ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Db egress: dstaddr=0.0.0.0/0 => accept',
      'Imp ingress: dstport=1763 proto=6 srcaddr=203.0.113.0/24 => accept',
      'Imp egress: opaque:unresolved => accept',
      // unknown construct, unknown default port
      'this.other ingress: opaque:unresolved srcaddr=0.0.0.0/0 => accept',
      'this.other egress: opaque:unresolved => accept',
    ]);
  });

  it('says why a value is opaque', () => {
    expect(opaques(rules[8]!)).toEqual([{ module: 'unresolved', text: 'mutable', reason: "'mutable' is reassigned" }]);
    expect(opaques(rules[9]!)).toEqual([{ module: 'unresolved', text: 'flag ? Port.tcp(1) : Port.tcp(2)', reason: 'depends on a condition decided at run time' }]);
    expect(opaques(rules[18]!)).toEqual([
      { module: 'unresolved', text: 'default port of this.other', reason: 'the default port of this construct is not visible in this file' },
    ]);
  });

  it('reports at the world-open peer, else at the port', () => {
    const at = (i: number): string => text.slice(...extracted[i]!.reportNode.range);
    expect(at(0)).toBe('Peer.anyIpv6()');
    expect(at(1)).toBe('allowFromAnyIpv4');
    expect(at(2)).toBe('B'); // the peer's CIDR comes from a constant: report where it is used
    expect(at(3)).toBe('Port.tcp(once)');
    expect(at(14)).toBe('allowDefaultPortFromAnyIpv4');
    expect(pos(rules[4]!.span)).toBe('20:27-20:93');
  });

  it('suggests a placeholder only where the world-open value is written at the call', () => {
    const descs = extracted.map((e) => e.suggestions.map((s) => s.desc.split(' ')[0]));
    expect(descs[0]).toEqual(['Replace', 'Remove']); // Peer.anyIpv6() → Peer.ipv6('fd00::/8')
    expect(extracted[0]!.suggestions[0]!.text).toBe("Peer.ipv6('fd00::/8')");
    expect(descs[2]).toEqual(['Remove']); // Peer.ipv4(B): B is a constant used elsewhere too
    expect(descs[1]).toEqual(['Remove']); // allowFromAnyIpv4(...): no mechanical peer rewrite
    expect(descs[11]).toEqual([]); // default egress
  });
});

describe('fixtures/typescript/pulumi-gcp-azure.ts', () => {
  const text = fixture('pulumi-gcp-azure.ts');
  const { document, extracted } = extract(text);
  const rules = allRules(document);

  it('builds Azure NSGs with priorities and default rules', () => {
    const nsg = document.rulesets[0]!;
    // built by the Azure parser's compileNsg: its ruleset / table / chain names
    expect([nsg.name, nsg.targets]).toEqual(['NSG nsg', ['nsg']]);
    expect(nsg.tables[0]!.name).toBe('nsg');
    expect(nsg.tables[0]!.chains.map((c) => [c.name, c.policy])).toEqual([
      ['Inbound', 'drop'],
      ['Outbound', 'drop'],
    ]);
    const lines = summary({ ...document, rulesets: [nsg] });
    // priority order: the Deny at 100 before the Allow at 200; enum members read by name. 'Internet' in a
    // Deny decides only public addresses (the tag leaves out the virtual network's own, not in the input)
    expect(lines[0]).toMatch(/^NSG nsg Inbound: anyof\(\[opaque:service-tag srcaddr=0\.0\.0\.0\/8, 10\.0\.0\.0\/8, .*\]\|\[srcaddr=1\.0\.0\.0\/8, .*, 2000::\/3\]\) dstport=1762-1763 => drop$/);
    expect(lines.slice(1)).toEqual([
      // '*' (Any) restricts nothing, as the Azure parser reads it
      'NSG nsg Inbound: dstport=1761-1768 proto=6 => accept',
      // standalone SecurityRule attached through nsg.name: the NSG lists its rules in-line, which removes it on each
      // update (pulumi/pulumi-azure-native#3359): it may be absent
      'NSG nsg Inbound: dstport=1764 opaque:condition proto=17 srcaddr=10.0.0.0/8, 192.168.0.0/16 => accept',
      // inbound, the destination is always in VirtualNetwork (the NIC's private address)
      'NSG nsg Inbound: srcprincipal=VirtualNetwork => accept',
      'NSG nsg Inbound: srcprincipal=AzureLoadBalancer => accept',
      'NSG nsg Inbound:  => drop',
      'NSG nsg Outbound: dstprincipal=VirtualNetwork srcprincipal=VirtualNetwork => accept',
      'NSG nsg Outbound: dstaddr=0.0.0.0/0, ::/0 => accept',
      // DenyAllOutBound is the Outbound chain's drop policy (as the Azure parser builds it)
    ]);
    expect(rules[0]!.comment).toBe('deny');
    expect(rules[5]!.text).toBe('default rule DenyAllInBound: deny *:* from * to * (priority 65500)');
    // '*' source of an Allow: placeholder suggestion on the literal; none on a Deny
    expect(extracted[1]!.suggestions.map((s) => [text.slice(...s.range), s.text])).toEqual([["'*'", "'10.0.0.0/8'"]]);
    expect(extracted[0]!.suggestions).toEqual([]);
  });

  it('builds one GCP ruleset per network and target class: priority, deny before allow, default source, disabled', () => {
    const gcp = document.rulesets.slice(1);
    expect(gcp.map((r) => [r.name, r.targets, r.tables[0]!.name])).toEqual([
      // built by the GCP parser's compileGcp: its table and chain names
      ['network net, target tag cft', ['tag:cft', 'cft', 'net'], 'network net'],
      ['network net, all instances', ['net'], 'network net'],
      ['network default, all instances', ['default'], 'network default'],
    ]);
    expect(gcp[0]!.tables[0]!.chains.map((c) => [c.name, c.policy])).toEqual([
      ['INGRESS', 'drop'],
      ['EGRESS', 'accept'],
    ]);
    expect(summary({ ...document, rulesets: gcp })).toEqual([
      // same priority: the deny first
      'network net, target tag cft INGRESS: srcprincipal=tag:untrusted => drop',
      'network net, target tag cft INGRESS: anyof([dstport=22, 1761-1768 proto=6]|[proto=1]) srcaddr=0.0.0.0/0 => accept',
      // instances without the tag only see the untargeted rule
      'network net, all instances INGRESS: srcprincipal=tag:untrusted => drop',
      // no source given: GCP uses 0.0.0.0/0
      'network default, all instances INGRESS: proto=17 srcaddr=0.0.0.0/0 => accept (disabled)',
    ]);
    const cft = allRules({ ...document, rulesets: [gcp[0]!] })[1]!;
    expect(cft.comment).toBe('cft');
    expect(pos(cft.span)).toBe('6:1-11:3');
    expect(pos(cft.reportSpan)).toBe('9:18-9:29');
    // the same firewall in two rulesets: two rules with their own ids, one node
    const ids = allRules(document).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(extracted[8]!.node).toBe(extracted[10]!.node); // 5 Azure defaults before (DenyAllOutBound is a chain policy)
  });
});

describe('resolution details', () => {
  const cdk = (body: string, pre = ''): string =>
    `import * as ec2 from 'aws-cdk-lib/aws-ec2';\n${pre}\nexport function f(scope: any, props: any) {\n  const sg = new ec2.SecurityGroup(scope, 'Sg', { allowAllOutbound: false });\n${body}\n}\n`;
  const one = (body: string, pre = ''): string => summary(extract(cdk(body, pre)).document)[0] ?? '';

  it('spreads of literal constants and object lookups', () => {
    expect(one('  sg.addIngressRule(ec2.Peer.ipv4(NETS[1]), ec2.Port.tcp(P.cft));', "const A = ['10.0.0.0/8'];\nconst NETS = [...A, '0.0.0.0/0'];\nconst P = { ...{ cft: 1761 } };")).toBe(
      'Sg ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
    );
  });

  it('an unknown spread makes earlier properties unknown but keeps later ones', () => {
    const pre = 'const PORTS = { ...props_unknown, first: 1761 };';
    // `props_unknown` is not defined in the file
    expect(one('  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(PORTS.first));', pre)).toBe('Sg ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept');
    const r = allRules(extract(cdk('  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(X.p));', 'const X = { p: 22, ...globalThis.other };')).document)[0]!;
    expect(opaques(r)[0]!.reason).toBe('may be overridden by the spread of globalThis.other');
  });

  it('numeric arithmetic and template strings', () => {
    expect(one('  sg.addIngressRule(ec2.Peer.ipv4(`${NET}.${2 * 64}/25`), ec2.Port.tcpRange(BASE + 0, BASE + 7));', "const NET = '10.1.2';\nconst BASE = 1700 + 61;")).toBe(
      'Sg ingress: dstport=1761-1768 proto=6 srcaddr=10.1.2.128/25 => accept',
    );
  });

  it('shadowing: the innermost binding wins', () => {
    expect(one('  { const PORT = 1768; sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(PORT)); }', 'const PORT = 22;')).toBe(
      'Sg ingress: dstport=1768 proto=6 srcaddr=0.0.0.0/0 => accept',
    );
  });

  it('declaration order does not matter (hoisted per block)', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';\nexport function f(scope: any) {\n  const sg = new ec2.SecurityGroup(scope, 'Sg', {});\n  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(LATER));\n}\nconst LATER = 1763;\n`;
    expect(summary(extract(text).document)[0]).toBe('Sg ingress: dstport=1763 proto=6 srcaddr=0.0.0.0/0 => accept');
  });

  it('self-referencing constants do not loop', () => {
    const r = allRules(extract(cdk('  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(A));', 'const A: number = B;\nconst B: number = A;')).document)[0]!;
    expect(opaques(r)).toHaveLength(1);
    expect(opaques(r)[0]!.reason).toBe('defined in terms of itself');
  });

  it('unknown receivers: kept in CDK files, ignored elsewhere unless the arguments are CDK values', () => {
    // the file imports aws-ec2: props.sg.addIngressRule(props.peer, props.port) is a CDK call we cannot see into
    const kept = extract(cdk('  props.sg.addIngressRule(props.peer, props.port);'));
    expect(summary(kept.document)).toEqual(['props.sg ingress: opaque:unresolved opaque:unresolved => accept', 'props.sg egress: opaque:unresolved => accept']);
    const other = "import * as aws from '@pulumi/aws';\nexport function f(x: any) {\n  x.thing.addIngressRule(1, 2);\n  x.connections.allowFrom(x.a, x.b);\n}\n";
    expect(summary(extract(other).document)).toEqual([]);
    const cjs = "const ec2 = require('aws-cdk-lib/aws-ec2');\nmodule.exports = (sg) => sg.connections.allowFrom(sg.peer, sg.port);\n";
    expect(summary(extract(cjs).document)).toEqual(['sg ingress: opaque:unresolved opaque:unresolved => accept', 'sg egress: opaque:unresolved => accept']);
    const s = summary(extract(cdk('  props.sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1761));')).document);
    expect(s).toEqual(['props.sg ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept', 'props.sg egress: opaque:unresolved => accept']);
  });

  it('properties of constructs are groups named by their expression', () => {
    const text = [
      "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
      "import * as ecs from 'aws-cdk-lib/aws-ecs';",
      "const cluster = new ecs.Cluster(app, 'C', {});",
      'cluster.connections.securityGroups[0].addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1761));',
      "const svc = new ecs.FargateService(app, 'Svc', {});",
      'svc.cluster.connections.allowFromAnyIpv4(ec2.Port.tcp(1762));',
      '',
    ].join('\n');
    expect(summary(extract(text).document)).toEqual([
      'cluster.connections.securityGroups[0] ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'cluster.connections.securityGroups[0] egress: opaque:unresolved => accept',
      'svc.cluster ingress: dstport=1762 proto=6 srcaddr=0.0.0.0/0 => accept',
      'svc.cluster egress: opaque:unresolved => accept',
    ]);
  });

  it('files without a known import produce nothing', () => {
    const text = "const ec2: any = {};\nconst sg = new ec2.SecurityGroup(this, 'x', {});\nsg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));\n";
    expect(extract(text).document.rulesets).toEqual([]);
  });

  it('v1 @aws-cdk/aws-ec2 and named imports with aliases', () => {
    const text = `import { SecurityGroup as SG, Peer as P, Port } from '@aws-cdk/aws-ec2';\nconst sg = new SG(app, 'V1', {});\nsg.addIngressRule(P.anyIpv4(), Port.udpRange(1761, 1768));\n`;
    expect(summary(extract(text).document)).toEqual(['V1 ingress: dstport=1761-1768 proto=17 srcaddr=0.0.0.0/0 => accept', 'V1 egress: dstaddr=0.0.0.0/0 => accept']);
  });

  it('invalid CIDRs and ports become diagnostics and opaque matches', () => {
    const { document } = extract(cdk("  sg.addIngressRule(ec2.Peer.ipv4('10.0.0.300/8'), ec2.Port.tcpRange(1768, 1761));"));
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['error', 'typescript/invalid-cidr', "'10.0.0.300/8' is not an IP address or CIDR block", '5:35-5:49'],
      // a reversed range is read as src/parsers/aws/core.ts reads it: AWS rejects it, it opens nothing
      ['error', 'aws/port-range', 'port range 1768-1761 is reversed: AWS rejects it, the rule opens nothing', '5:70-5:74'],
    ]);
    expect(summary(document)[0]).toBe('Sg ingress: dstport=none family=ipv4 opaque:invalid proto=6 => accept');
  });

  it('AWS protocol * and invalid ranges / ICMP types as the AWS parser reads them', () => {
    const { document } = extract(
      "import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroup('g', { ingress: [{ protocol: '*', fromPort: 22, toPort: -1, cidrBlocks: ['0.0.0.0/0'] }, { protocol: 'icmp', fromPort: 300, toPort: -1, cidrBlocks: ['0.0.0.0/0'] }] });\n",
    );
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['error', 'aws/icmp-type', 'ICMP type 300 code -1 is not valid: AWS rejects it, the rule opens nothing', '2:146-2:149'],
    ]);
    expect(summary(document)).toEqual(['g ingress: srcaddr=0.0.0.0/0 => accept', 'g ingress: icmp(ipv4)=none proto=1 srcaddr=0.0.0.0/0 => accept']);
  });

  it('AWS missing protocol and out-of-range ports as the AWS parser reads them', () => {
    const missing = extract("import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroupRule('r', { type: 'ingress', securityGroupId: 'sg-1', fromPort: 22, toPort: 22, cidrBlocks: ['10.0.0.0/8'] });\n").document;
    expect(missing.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([['warning', 'aws/missing-protocol', 'protocol is missing: any protocol is assumed', '2:1-2:135']]);
    expect(summary(missing)).toEqual(['sg-1 ingress: opaque:unresolved srcaddr=10.0.0.0/8 => accept']);
    const big = extract("import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroupRule('r', { type: 'ingress', securityGroupId: 'sg-1', protocol: 'tcp', fromPort: 22, toPort: '123456', cidrBlocks: ['10.0.0.0/8'] });\n").document;
    expect(big.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([['error', 'aws/port-range', 'port range 22-123456 is not valid: AWS rejects it, the rule opens nothing', '2:107-2:109']]);
    expect(summary(big)).toEqual(['sg-1 ingress: dstport=none proto=6 srcaddr=10.0.0.0/8 => accept']);
  });

  it("Pulumi GCP: port '*' is invalid, unresolved source tags stay principals, expression-only targets (compileGcp)", () => {
    const { document } = extract(
      "import * as gcp from '@pulumi/gcp';\nnew gcp.compute.Firewall('f', { network: 'n', allows: [{ protocol: 'tcp', ports: ['*'] }], sourceTags: [someTag], targetTags: [tagVar] });\n",
    );
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['error', 'gcp/bad-port', 'invalid port "*"', '2:83-2:86'],
      ['warning', 'unevaluated', 'Cannot evaluate someTag (firewall rule "f"): the source tags are not literal; it is treated as unknown', '2:105-2:112'],
      ['warning', 'unevaluated', 'Cannot evaluate tagVar (firewall rule "f"): the target tags are not literal; it is treated as unknown', '2:128-2:134'],
    ]);
    expect(summary(document)).toEqual([
      'network n, target tagVar INGRESS: anyof([opaque:unresolved srcaddr=0.0.0.0/0]|[srcprincipal=tag:someTag]) opaque:unresolved proto=6 => accept',
      'network n, all instances INGRESS: anyof([opaque:unresolved srcaddr=0.0.0.0/0]|[srcprincipal=tag:someTag]) opaque:unresolved opaque:unresolved proto=6 => accept',
    ]);
  });

  it('Pulumi Azure: Icmp is ICMP and ICMPv6, a missing source is undecidable, a bad prefix is not a service tag (compileNsg)', () => {
    const { document } = extract(
      "import * as azure from '@pulumi/azure-native';\nnew azure.network.NetworkSecurityGroup('nsg', { securityRules: [{ name: 'a', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Icmp', destinationPortRange: '*' }, { name: 'b', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '10.0.0.0/33', destinationPortRange: '1761' }] });\n",
    );
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['warning', 'azure/missing-source', 'security rule "a" has no source address prefix', '2:65-2:177'],
      // (Azure requires a destination too: said, an allow still read as every destination)
      ['warning', 'azure/missing-destination', 'security rule "a" has no destination address prefix: Azure refuses such a rule', '2:65-2:177'],
      ['error', 'azure/bad-prefix', 'invalid address prefix "10.0.0.0/33"', '2:284-2:297'],
      ['warning', 'azure/missing-destination', 'security rule "b" has no destination address prefix: Azure refuses such a rule', '2:179-2:329'],
    ]);
    expect(summary(document).slice(0, 2)).toEqual(['NSG nsg Inbound: opaque:unresolved proto=1, 58 => accept', 'NSG nsg Inbound: dstport=1761 opaque:unresolved proto=6 => accept']);
  });

  it('a rule with no source is a warning and matches nothing', () => {
    const text = "import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroup('g', { ingress: [{ protocol: 'tcp', fromPort: 1761, toPort: 1761 }] });\n";
    const { document } = extract(text);
    expect(document.diagnostics.map((d) => [d.severity, d.code, pos(d.span)])).toEqual([['warning', 'typescript/no-source', '2:44-2:93']]);
    expect(summary(document)).toEqual(['g ingress: anyof() dstport=1761 proto=6 => accept']);
  });
});

describe('fixtures/typescript/aws-more.ts (L1 ingress, other constructs, AWS protocol semantics)', () => {
  const text = fixture('aws-more.ts');
  const { document, extracted } = extract(text);

  it('extracts the exact model', () => {
    // an unknown value of a written rule is unevaluated input, as in every other format
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['warning', 'unevaluated', 'Cannot evaluate vpc.cidr (security group p): function parameter (its value comes from the caller); it is treated as unknown', '28:136-28:144'],
      ['warning', 'unevaluated', 'Cannot evaluate vpc.kind (security group p): function parameter (its value comes from the caller); it is treated as unknown', '28:48-28:56'],
    ]);
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['L1', ['L1', 'l1']],
      ['sg-0ext', ['sg-0ext']],
      ['Host', ['Host', 'host']],
      ['Db', ['Db', 'db']],
      ['other', ['other']],
      ['p', ['p', 'sg']],
    ]);
    expect(summary(document)).toEqual([
      // CfnSecurityGroupIngress attached through l1.attrGroupId
      'L1 ingress: dstport=1761-1768 proto=17 srcprincipal=sg-123 => accept',
      // protocol 50 (ESP): all of that protocol, no ports
      'sg-0ext ingress: proto=50 srcaddr=198.51.100.0/24 => accept',
      // ec2.Instance connections
      'Host ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Host egress: opaque:unresolved => accept',
      // rds `port: 1762` is the visible default port
      'Db ingress: dstport=1762 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Db egress: opaque:unresolved => accept',
      // icmp: fromPort is the type, toPort -1 every code
      'p ingress: icmp(ipv4)=2048-2303 proto=1 srcaddr=0.0.0.0/0 => accept',
      // -1: every protocol and port; sources are alternatives
      'p ingress: anyof([srcprincipal=other]|[srcprincipal=self]|[srcprincipal=sg-777]) => accept',
      'p ingress: srcprincipal=pl-1 => accept',
      // another protocol number: that protocol only, ports ignored
      'p ingress: proto=47 srcaddr=192.0.2.0/24 => accept',
      // tcp with -1 ports: every tcp port; IPv4 and IPv6 blocks in one address set
      'p ingress: proto=6 srcaddr=192.0.2.0/24, 2001:db8::/32 => accept',
      // one SecurityGroupRule per loop iteration, fromPort and toPort from the same variable
      'p ingress: dstport=1761, 1765 proto=6 srcaddr=0.0.0.0/0 => accept',
      // type not known: kept (as ingress) with an opaque match
      'p ingress: dstport=1-2 family=ipv4 opaque:unresolved opaque:unresolved proto=6 => accept',
      'p egress: dstaddr=0.0.0.0/0 dstport=443 proto=6 => accept',
    ]);
  });

  it('reports and suggests on the right nodes', () => {
    const at = (i: number): string => text.slice(...extracted[i]!.reportNode.range);
    expect(at(0)).toBe('1761');
    expect(at(2)).toBe('ec2.Peer.anyIpv4()');
    expect(at(4)).toBe('allowDefaultPortFromAnyIpv4');
    expect(at(11)).toBe("'0.0.0.0/0'");
    // the rule inside the loop body is a statement of its own: removal offered
    expect(extracted[11]!.suggestions.map((s) => s.desc)).toEqual([
      'Replace the world-open CIDR with a private placeholder (10.0.0.0/8)',
      'Remove this SecurityGroupRule statement',
    ]);
    // egress: no placeholder
    expect(extracted[13]!.suggestions).toEqual([]);
  });
});

describe('fixtures/typescript/loops.ts (forEach / map over constant arrays)', () => {
  const { document } = extract(fixture('loops.ts'));

  it('unions the iterations, pairing fromPort/toPort of the same element', () => {
    // an unknown value of a written rule is unevaluated input, as in every other format
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['warning', 'unevaluated', "Cannot evaluate props.list.map(…) (security group n): 'props' is not defined in this file; it is treated as unknown", '12:43-12:143'],
    ]);
    expect(summary(document)).toEqual([
      // r.from / r.to of the same element: 1761-1764 and 1766-1768, not 1761-1768
      'L ingress: dstport=1761-1764, 1766-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'L ingress: dstport=1761, 1768 proto=17 srcaddr=10.0.0.0/8 => accept',
      'L egress: dstaddr=0.0.0.0/0 => accept',
      // Pulumi ingress built with .map
      'm ingress: dstport=1762-1763 proto=6 srcaddr=0.0.0.0/0 => accept',
      'm egress: dstaddr=0.0.0.0/0 dstport=1761-1764, 1766-1768 proto=17 => accept',
      // mapping an unknown list: the whole ingress is unknown
      'n ingress: opaque:unresolved => accept',
    ]);
    const n = allRules(document)[5]!;
    expect(opaques(n)[0]!.reason).toBe("'props' is not defined in this file");
    expect(opaques(n)[0]!.text).toBe('props.list.map(…)');
  });
});

describe('resource attributes', () => {
  it('the CIDR of a VPC looked up (not built in the file) is known only at deployment', () => {
    const text = [
      "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
      "const vpc = ec2.Vpc.fromLookup(app, 'Vpc', { isDefault: true });",
      "const sg = new ec2.SecurityGroup(app, 'S', { vpc, allowAllOutbound: false });",
      'sg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(1761));',
      '',
    ].join('\n');
    const r = allRules(extract(text).document)[0]!;
    expect(opaques(r)).toEqual([{ module: 'unresolved', text: 'vpc.vpcCidrBlock', reason: 'a resource attribute known only at deployment' }]);
  });
});

describe('unresolved group references', () => {
  it('stay principals named by their expression (they never name internet addresses)', () => {
    const text = [
      "import * as aws from '@pulumi/aws';",
      'export function f(peerSgId: string, listId: string) {',
      "  new aws.ec2.SecurityGroup('g', { ingress: [{ protocol: 'tcp', fromPort: 1761, toPort: 1761, securityGroups: [peerSgId], prefixListIds: [listId] }] });",
      '}',
      '',
    ].join('\n');
    expect(summary(extract(text).document)).toEqual(['g ingress: anyof([srcprincipal=listId]|[srcprincipal=peerSgId]) dstport=1761 proto=6 => accept']);
  });
});

describe('fixtures/typescript/class-fields.ts (groups kept in class fields, cdk.aws_ec2 namespace)', () => {
  it('follows this.x assignments made in the constructor', () => {
    const { document } = extract(fixture('class-fields.ts'));
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['Backend', ['Backend', 'backendSecurityGroup']],
      ['Db', ['Db', 'databaseSecurityGroup']],
    ]);
    expect(summary(document)).toEqual([
      'Backend ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Backend egress: dstaddr=0.0.0.0/0 => accept',
      'Db ingress: dstport=5432 proto=6 srcprincipal=backendSecurityGroup => accept',
    ]);
    expect(allRules(document)[2]!.comment).toBe('PostgreSQL from backend');
  });
});

describe('Pulumi GCP firewall policy rules and the AWS default security group', () => {
  it('are read as the Terraform mappers read google_compute_*firewall_policy_rule and aws_default_security_group', () => {
    const { document } = extract(`import * as gcp from '@pulumi/gcp';
import * as aws from '@pulumi/aws';
new gcp.compute.NetworkFirewallPolicyRule('allow-cft', {
  firewallPolicy: 'projects/p/global/firewallPolicies/pol', priority: 100, action: 'allow', direction: 'INGRESS',
  match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761-1768'] }] },
});
new gcp.compute.NetworkFirewallPolicyRule('deny-1764', {
  firewallPolicy: 'projects/p/global/firewallPolicies/pol', priority: 50, action: 'deny', direction: 'INGRESS',
  match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1764'] }] },
});
new gcp.compute.FirewallPolicyRule('geo', {
  firewallPolicy: 'pol', priority: 200, action: 'allow', direction: 'INGRESS',
  match: { srcRegionCodes: ['FR'], layer4Configs: [{ ipProtocol: 'udp', ports: ['1761'] }] },
});
new aws.ec2.DefaultSecurityGroup('default', { vpcId: 'vpc-1', ingress: [{ protocol: 'tcp', fromPort: 1766, toPort: 1766, cidrBlocks: ['0.0.0.0/0'] }] });
`);
    expect(summary(document)).toEqual([
      'default ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'firewall policy pol, all instances INGRESS: dstport=1764 family=ipv4 proto=6 => drop',
      'firewall policy pol, all instances INGRESS: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      // geo sources are resolved by the cloud: undecidable, never internet-wide for sure
      'firewall policy pol, all instances INGRESS: dstport=1761 opaque:unresolved proto=17 => accept',
      'firewall policy pol, all instances INGRESS:  => unknown goto_next',
      'firewall policy pol, all instances EGRESS:  => unknown goto_next',
    ]);
  });
});
