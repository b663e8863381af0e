import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

describe('an unresolved CIDR is limited to the family its field takes', () => {
  it('Peer.ipv4(x) / cidrIp / cidrBlocks never match IPv6; Peer.ipv6(x) / ipv6CidrBlocks never IPv4', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as aws from '@pulumi/aws';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const props: { cidr: string; cidr6: string; list: string[] };
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(ec2.Peer.ipv4(props.cidr), ec2.Port.tcp(1768));
sg.addIngressRule(ec2.Peer.ipv6(props.cidr6), ec2.Port.tcp(1761));
new ec2.CfnSecurityGroupIngress(stack, 'In', { groupId: sg.securityGroupId, ipProtocol: 'tcp', fromPort: 1762, toPort: 1762, cidrIp: props.cidr });
new aws.ec2.SecurityGroup('p', { ingress: [{ protocol: 'tcp', fromPort: 1763, toPort: 1763, cidrBlocks: props.list, ipv6CidrBlocks: [props.cidr6] }] });
`;
    expect(summary(extract(text).document)).toEqual([
      'Sg ingress: dstport=1762 family=ipv4 opaque:unresolved proto=6 => accept',
      'Sg ingress: dstport=1768 family=ipv4 opaque:unresolved proto=6 => accept',
      'Sg ingress: dstport=1761 family=ipv6 opaque:unresolved proto=6 => accept',
      'p ingress: anyof([family=ipv4 opaque:unresolved]|[family=ipv6 opaque:unresolved]) dstport=1763 proto=6 => accept',
    ]);
  });
});

describe("a literal CDK's Peer.ipv4 / Peer.ipv6 refuse (aws-ec2/lib/peer.ts) is no address it opens", () => {
  it('the other family or no mask: an error and an invalid (opaque) source, never the address as written', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(ec2.Peer.ipv4('203.0.113.5'), ec2.Port.tcp(1768));
sg.addIngressRule(ec2.Peer.ipv4('::/0'), ec2.Port.tcp(1761));
sg.addIngressRule(ec2.Peer.ipv6('0.0.0.0/0'), ec2.Port.tcp(1762));
sg.addIngressRule(ec2.Peer.ipv6('2001:db8::/32'), ec2.Port.tcp(1763));
`;
    const { document } = extract(text);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=1763 proto=6 srcaddr=2001:db8::/32 => accept',
      'Sg ingress: dstport=1768 opaque:invalid proto=6 => accept',
      'Sg ingress: dstport=1761 opaque:invalid proto=6 => accept',
      'Sg ingress: dstport=1762 opaque:invalid proto=6 => accept',
    ]);
    expect(document.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([
      "typescript/invalid-cidr 5:33 Peer.ipv4('203.0.113.5'): the CIDR mask is missing, /32 for one address; CDK throws at synthesis",
      "typescript/invalid-cidr 6:33 Peer.ipv4('::/0'): not an IPv4 CIDR; CDK throws at synthesis",
      "typescript/invalid-cidr 7:33 Peer.ipv6('0.0.0.0/0'): not an IPv6 CIDR; CDK throws at synthesis",
    ]);
    expect(opaques(allRules(document)[1]!)).toEqual([
      { text: "Peer.ipv4('203.0.113.5'), which CDK refuses (the CIDR mask is missing, /32 for one address)", reason: 'CDK throws at synthesis', module: 'invalid' },
    ]);
  });
});

describe('a literal CIDR of the other family in a one-family field (Pulumi, CDK L1) is invalid, as the AWS parser reads it', () => {
  it('cidrBlocks / cidrIp "::/0" and ipv6CidrBlocks "0.0.0.0/0": an error and an invalid source of the field\'s family', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as aws from '@pulumi/aws';
declare const stack: any;
new aws.ec2.SecurityGroup('p', { ingress: [
  { protocol: 'tcp', fromPort: 1768, toPort: 1768, cidrBlocks: ['::/0'] },
  { protocol: 'tcp', fromPort: 1767, toPort: 1767, ipv6CidrBlocks: ['0.0.0.0/0'] },
] });
new ec2.CfnSecurityGroup(stack, 'L1', { groupDescription: 'x', securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 1766, toPort: 1766, cidrIp: '::/0' }] });
`;
    const { document } = extract(text);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'L1 ingress: dstport=1766 family=ipv4 opaque:invalid proto=6 => accept',
      'p ingress: dstport=1768 family=ipv4 opaque:invalid proto=6 => accept',
      'p ingress: dstport=1767 family=ipv6 opaque:invalid proto=6 => accept',
    ]);
    expect(document.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([
      "error typescript/invalid-cidr 8:146 '::/0' is not an IPv4 CIDR block, which this field takes (AWS rejects it)",
      "error typescript/invalid-cidr 5:65 '::/0' is not an IPv4 CIDR block, which this field takes (AWS rejects it)",
      "error typescript/invalid-cidr 6:69 '0.0.0.0/0' is not an IPv6 CIDR block, which this field takes (AWS rejects it)",
    ]);
  });
});

describe('an invalid CIDR literal in a one-family field stays in that family', () => {
  it('cidrBlocks "0.0.0.0/33" / cidrIpv4 true: an invalid IPv4 source, never IPv6 (AWS takes only IPv4 there)', () => {
    const text = `import * as aws from '@pulumi/aws';
new aws.ec2.SecurityGroup('p', { ingress: [
  { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/33'] },
  { protocol: 'tcp', fromPort: 23, toPort: 23, ipv6CidrBlocks: ['::/129'] },
] });
new aws.vpc.SecurityGroupIngressRule('r', { securityGroupId: 'sg-1', ipProtocol: 'tcp', fromPort: 24, toPort: 24, cidrIpv4: true });
`;
    const { document } = extract(text);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'p ingress: dstport=22 family=ipv4 opaque:invalid proto=6 => accept',
      'p ingress: dstport=23 family=ipv6 opaque:invalid proto=6 => accept',
      'sg-1 ingress: dstport=24 family=ipv4 opaque:unresolved proto=6 => accept',
    ]);
  });
});
