import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe('Pulumi outputs unwrapped with apply', () => {
  it('a rule created in pulumi.all([...]).apply / x.apply belongs to the group the output comes from', () => {
    // apply runs the callback with the output's value; pulumi.all([a, b]) with the array of their values
    // (https://www.pulumi.com/docs/iac/concepts/inputs-outputs/apply/)
    const { document } = extract(`import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
const vpcId = 'vpc-1';
const sg = new aws.ec2.SecurityGroup('cft', { vpcId });
pulumi.all([sg.id, vpcId]).apply(([id, vpcId]) => {
  new aws.ec2.SecurityGroupRule('late', { type: 'ingress', securityGroupId: id, protocol: 'tcp', fromPort: 1763, toPort: 1763, cidrBlocks: ['0.0.0.0/0'] });
});
sg.id.apply((gid) => new aws.vpc.SecurityGroupIngressRule('one', { securityGroupId: gid, ipProtocol: 'udp', fromPort: 1761, toPort: 1761, cidrIpv4: '0.0.0.0/0' }));
`);
    expect(document.rulesets.map((r) => r.name)).toEqual(['cft']);
    expect(summary(document)).toEqual([
      'cft ingress: dstport=1763 proto=6 srcaddr=0.0.0.0/0 => accept',
      'cft ingress: dstport=1761 proto=17 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});

describe('pulumi.output / Output.create / interpolate / concat hold the values they are given', () => {
  it('a port from pulumi.output(3306) and CIDRs from interpolate and concat are read', () => {
    const text = `import * as pulumi from '@pulumi/pulumi';
import { interpolate, Output } from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
const host = '203.0.113.7';
const port = pulumi.output(3306);
new aws.ec2.SecurityGroup('s', { ingress: [
  { protocol: 'tcp', fromPort: port, toPort: port, cidrBlocks: [pulumi.interpolate\`\${host}/32\`] },
  { protocol: 'tcp', fromPort: Output.create(22), toPort: 22, cidrBlocks: [interpolate\`0.0.0.0/\${0}\`, pulumi.concat('10.', 1, '.0.0/16')] },
] });
`;
    expect(summary(extract(text).document)).toEqual([
      's ingress: dstport=3306 proto=6 srcaddr=203.0.113.7/32 => accept',
      's ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});
