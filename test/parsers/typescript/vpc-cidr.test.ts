import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

describe("a VPC's CIDR used as a source is read from the VPC built in the file", () => {
  it('CDK: ipAddresses: IpAddresses.cidr(c), cidr: c, else Vpc.DEFAULT_CIDR_RANGE; Pulumi aws.ec2.Vpc cidrBlock', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as aws from '@pulumi/aws';
declare const stack: any;
declare const props: { cidr: string };
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
const vpc2 = new ec2.Vpc(stack, 'Vpc2', { ipAddresses: ec2.IpAddresses.cidr('172.16.0.0/16') });
const vpc3 = new ec2.Vpc(stack, 'Vpc3', { ipAddresses: ec2.IpAddresses.awsIpamAllocation({ ipv4IpamPoolId: 'x' }) });
const vpc4 = new ec2.Vpc(stack, 'Vpc4', { cidr: props.cidr });
const looked = ec2.Vpc.fromLookup(stack, 'L', { isDefault: true });
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443));
sg.addIngressRule(ec2.Peer.ipv4(vpc2.vpcCidrBlock), ec2.Port.tcp(444));
sg.addIngressRule(ec2.Peer.ipv4(vpc3.vpcCidrBlock), ec2.Port.tcp(445));
sg.addIngressRule(ec2.Peer.ipv4(vpc4.vpcCidrBlock), ec2.Port.tcp(446));
sg.addIngressRule(ec2.Peer.ipv4(looked.vpcCidrBlock), ec2.Port.tcp(447));
const pv = new aws.ec2.Vpc('main', { cidrBlock: '10.10.0.0/16' });
new aws.ec2.SecurityGroup('p', { vpcId: pv.id, ingress: [{ protocol: 'tcp', fromPort: 1768, toPort: 1768, cidrBlocks: [pv.cidrBlock] }] });
`;
    const { document, extracted } = extract(text);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=443 proto=6 srcaddr=10.0.0.0/16 => accept',
      'Sg ingress: dstport=444 proto=6 srcaddr=172.16.0.0/16 => accept',
      'Sg ingress: dstport=445 family=ipv4 opaque:unresolved proto=6 => accept',
      'Sg ingress: dstport=446 family=ipv4 opaque:unresolved proto=6 => accept',
      'Sg ingress: dstport=447 family=ipv4 opaque:unresolved proto=6 => accept',
      'p ingress: dstport=1768 proto=6 srcaddr=10.10.0.0/16 => accept',
    ]);
    const rules = allRules(document);
    expect(opaques(rules[2]!)).toEqual([
      {
        text: 'vpc3.vpcCidrBlock',
        reason: "the VPC CIDR is not known statically (ec2.IpAddresses.awsIpamAllocation({ ipv4IpamPoolId: 'x' }))",
        module: 'unresolved',
      },
    ]);
    expect(opaques(rules[3]!)).toEqual([
      { text: 'vpc4.vpcCidrBlock', reason: "the VPC CIDR is not known statically (props.cidr: 'props' is declared without a value in this file)", module: 'unresolved' },
    ]);
    expect(opaques(rules[4]!)).toEqual([{ text: 'looked.vpcCidrBlock', reason: 'a resource attribute known only at deployment', module: 'unresolved' }]);
    expect(text.slice(...extracted[0]!.reportNode.range)).toBe('ec2.Port.tcp(443)');
  });
});
