import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, pos, summary } from './helpers.js';

describe('CloudFormation escape hatches change the rules', () => {
  it('an assigned securityGroupIngress and whole entries written in property overrides are read', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const cfn = new ec2.CfnSecurityGroup(stack, 'L1', { groupDescription: 'x', securityGroupEgress: [] });
cfn.securityGroupIngress = [{ ipProtocol: 'tcp', fromPort: 1762, toPort: 1762, cidrIp: '0.0.0.0/0' }];
cfn.addPropertyOverride('SecurityGroupIngress.1', { IpProtocol: 'tcp', FromPort: 1763, ToPort: 1763, CidrIp: '0.0.0.0/0' });
cfn.addOverride('Properties.SecurityGroupIngress', [{ IpProtocol: 'udp', FromPort: 1761, ToPort: 1768, CidrIpv6: '::/0' }]);
cfn.addOverride('Metadata.SecurityGroupIngress', 1);
const sg = new ec2.SecurityGroup(stack, 'L2', { vpc, allowAllOutbound: false });
(sg.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupIngress.0.FromPort', 1761);
`;
    const { document, extracted } = extract(text);
    const rules = allRules(document);
    expect(summary(document)).toEqual([
      'L1 ingress: dstport=1762 proto=6 srcaddr=0.0.0.0/0 => accept',
      'L1 ingress: dstport=1763 proto=6 srcaddr=0.0.0.0/0 => accept',
      'L1 ingress: dstport=1761-1768 proto=17 srcaddr=::/0 => accept',
      'L2 ingress: opaque:unresolved => accept',
    ]);
    expect(opaques(rules[3]!)).toEqual([
      {
        module: 'unresolved',
        text: "(sg.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupIngress.0.FromPort', 1761)",
        reason: 'the override SecurityGroupIngress.0.FromPort changes a rule of this security group',
      },
    ]);
    // reported at the world-open CIDR written in the assignment / override
    expect(extracted.slice(0, 3).map((e) => text.slice(...e.reportNode.range))).toEqual(["'0.0.0.0/0'", "'0.0.0.0/0'", "'::/0'"]);
    expect(pos(rules[3]!.span)).toBe('10:1-10:108');
  });
});
