import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, pos, summary } from './helpers.js';

describe('CDK network ACLs are read as the AWS parser reads AWS::EC2::NetworkAclEntry', () => {
  it('L2 NetworkAcl.addEntry and NetworkAclEntry: rule-number order, defaults (ingress, allow), AclCidr and AclTraffic', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const dir: ec2.TrafficDirection;
const acl = new ec2.NetworkAcl(stack, 'MftAcl', { vpc });
acl.addEntry('AllowAll', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.allTraffic() });
acl.addEntry('DenyCft', {
  ruleNumber: 90,
  cidr: ec2.AclCidr.anyIpv4(),
  traffic: ec2.AclTraffic.tcpPortRange(1761, 1768),
  ruleAction: ec2.Action.DENY,
});
new ec2.NetworkAclEntry(stack, 'Udp', { networkAcl: acl, ruleNumber: 80, cidr: ec2.AclCidr.ipv6('2001:db8::/32'), traffic: ec2.AclTraffic.udpPort(1761) });
acl.addEntry('Ping', { ruleNumber: 70, cidr: ec2.AclCidr.ipv4('10.0.0.0/8'), traffic: ec2.AclTraffic.icmp({ type: 8 }) });
acl.addEntry('Out', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv6(), traffic: ec2.AclTraffic.tcpPort(443), direction: ec2.TrafficDirection.EGRESS });
acl.addEntry('Maybe', { ruleNumber: 60, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPort(1768), direction: dir });
`;
    const { document, extracted } = extract(text);
    expect(summary(document)).toEqual([
      'MftAcl ingress: dstport=1768 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'MftAcl ingress: icmp(ipv4)=2048-2303 proto=1 srcaddr=10.0.0.0/8 => accept',
      'MftAcl ingress: dstport=1761 proto=17 srcaddr=2001:db8::/32 => accept',
      'MftAcl ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => drop',
      'MftAcl ingress: srcaddr=0.0.0.0/0 => accept',
      'MftAcl egress: dstaddr=::/0 dstport=443 proto=6 => accept',
    ]);
    expect(document.rulesets[0]!.targets).toEqual(['MftAcl', 'acl']);
    expect(opaques(allRules(document)[0]!)).toEqual([{ text: 'direction: dir', reason: 'the direction is not known statically', module: 'unresolved' }]);
    // reported at the world-open CIDR of an allow, else at the traffic
    const at = (i: number): string => text.slice(...extracted[i]!.reportNode.range);
    expect([at(0), at(1), at(2), at(3), at(4)]).toEqual(['ec2.AclCidr.anyIpv4()', 'ec2.AclTraffic.icmp({ type: 8 })', 'ec2.AclTraffic.udpPort(1761)', 'ec2.AclCidr.anyIpv4()', 'ec2.AclCidr.anyIpv4()']);
    expect(pos(allRules(document)[3]!.span)).toBe('7:1-12:3');
  });

  it('L1 CfnNetworkAclEntry on a CfnNetworkAcl or an L2 acl, with CloudFormation fields', () => {
    const text = `import { aws_ec2 as ec2 } from 'aws-cdk-lib';
declare const stack: any;
const acl = new ec2.CfnNetworkAcl(stack, 'L1Acl', { vpcId: 'vpc-1' });
new ec2.CfnNetworkAclEntry(stack, 'Rest', {
  networkAclId: acl.ref,
  ruleNumber: 110,
  protocol: 6,
  ruleAction: 'allow',
  egress: false,
  cidrBlock: '0.0.0.0/0',
  portRange: { from: 1768, to: 1768 },
});
new ec2.CfnNetworkAclEntry(stack, 'Bad', { networkAclId: 'acl-123', ruleNumber: 1, protocol: 17, ruleAction: 'allow', cidrBlock: '10.0.0.0/8', portRange: { from: 1768, to: 1761 } });
const vpc = new ec2.Vpc(stack, 'Vpc');
new ec2.CfnNetworkAclEntry(stack, 'Dflt', { networkAclId: vpc.vpcDefaultNetworkAcl, ruleNumber: 50, protocol: -1, ruleAction: 'deny', cidrBlock: '192.0.2.0/24' });
`;
    const { document, extracted } = extract(text);
    expect(summary(document)).toEqual([
      'L1Acl ingress: dstport=1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'acl-123 ingress: dstport=none proto=17 srcaddr=10.0.0.0/8 => accept',
      // another construct's attribute (the VPC's default ACL): named by the expression, not as the VPC
      'vpc.vpcDefaultNetworkAcl ingress: srcaddr=192.0.2.0/24 => drop',
    ]);
    expect(text.slice(...extracted[0]!.reportNode.range)).toBe("'0.0.0.0/0'");
    expect(document.diagnostics.map((d) => `${d.code} ${d.span.start.line}`)).toEqual(['aws/port-range 13']);
  });
});

describe('Pulumi network ACLs are read as the Terraform mapper reads aws_network_acl / aws_network_acl_rule', () => {
  it('inline ingress / egress (ruleNo, action) and NetworkAclRule (ruleNumber, ruleAction, egress)', () => {
    const text = `import * as aws from '@pulumi/aws';
declare const entry: aws.types.input.ec2.NetworkAclIngress;
const acl = new aws.ec2.NetworkAcl('mft-acl', {
  vpcId: 'vpc-1',
  ingress: [
    { protocol: 'tcp', ruleNo: 100, action: 'allow', cidrBlock: '0.0.0.0/0', fromPort: 1761, toPort: 1768 },
    { protocol: '-1', ruleNo: 200, action: 'deny', cidrBlock: '0.0.0.0/0', fromPort: 0, toPort: 0 },
  ],
  egress: [{ protocol: '-1', ruleNo: 100, action: 'allow', cidrBlock: '0.0.0.0/0', fromPort: 0, toPort: 0 }],
});
new aws.ec2.NetworkAclRule('deny-1764', { networkAclId: acl.id, ruleNumber: 90, egress: false, protocol: 'tcp', ruleAction: 'deny', cidrBlock: '0.0.0.0/0', fromPort: 1764, toPort: 1764 });
new aws.ec2.NetworkAclRule('v6', { networkAclId: acl.id, ruleNumber: 110, protocol: 'tcp', ruleAction: 'allow', ipv6CidrBlock: '::/0', fromPort: 1768, toPort: 1768 });
new aws.ec2.NetworkAcl('other', { vpcId: 'vpc-1', ingress: [entry] });
`;
    const { document, extracted } = extract(text);
    expect(summary(document)).toEqual([
      'mft-acl ingress: dstport=1764 proto=6 srcaddr=0.0.0.0/0 => drop',
      'mft-acl ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'mft-acl ingress: dstport=1768 proto=6 srcaddr=::/0 => accept',
      'mft-acl ingress: srcaddr=0.0.0.0/0 => drop',
      'mft-acl egress: dstaddr=0.0.0.0/0 => accept',
      // an entry not known statically: undecidable, never dropped
      'other ingress: opaque:unresolved => unknown entry',
    ]);
    expect(document.rulesets.map((r) => r.targets)).toEqual([['mft-acl', 'acl'], ['other']]);
    expect(text.slice(...extracted[1]!.reportNode.range)).toBe("'0.0.0.0/0'");
  });
});
