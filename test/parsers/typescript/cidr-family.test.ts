import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

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
